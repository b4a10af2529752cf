/** One content part of a chat message converted to a Gemini part. */
import type { ContentPart } from '../../core/chat-request.js';
import { RouterError } from '../../core/errors.js';
import { isRecord } from '../../core/is-record.js';
import { convertMediaUrl } from './convert-media-url.js';
import type { GeminiPart } from './gemini-request-types.js';

/**
 * Converts a content part to a Gemini part, or undefined when there is nothing to send (empty text) or
 * Gemini cannot take the part (reported in `warnings`). `location` names the part in messages.
 */
export function convertContentPart(
  part: ContentPart,
  location: string,
  warnings: string[],
): GeminiPart | undefined {
  switch (part.type) {
    case 'text': {
      if (typeof part.text !== 'string') {
        throw new RouterError('invalid_request', `${location}: text part has no text`);
      }
      return part.text === '' ? undefined : { text: part.text };
    }
    case 'image_url': {
      const imageUrl = part.image_url;
      const url = isRecord(imageUrl) ? imageUrl.url : undefined;
      if (typeof url !== 'string') {
        throw new RouterError('invalid_request', `${location}: image_url part has no url`);
      }
      return convertMediaUrl(url, location, warnings);
    }
    case 'input_audio': {
      const audio = part.input_audio;
      if (!isRecord(audio) || typeof audio.data !== 'string' || typeof audio.format !== 'string') {
        throw new RouterError('invalid_request', `${location}: input_audio part needs data and format`);
      }
      return { inlineData: { mimeType: `audio/${audio.format}`, data: audio.data } };
    }
    case 'file': {
      const file = part.file;
      const fileData = isRecord(file) ? file.file_data : undefined;
      if (typeof fileData === 'string') return convertMediaUrl(fileData, location, warnings);
      warnings.push(
        `${location}: file part without file_data (an uploaded file id) is not supported by Gemini; dropped`,
      );
      return undefined;
    }
    default:
      warnings.push(`${location}: content part type "${part.type}" is not supported by Gemini; dropped`);
      return undefined;
  }
}
