/**
 * Responses content parts (`input_text`, `output_text`, `refusal`, `input_image`, `input_file`,
 * `input_audio`) to chat content parts. Files stored at OpenAI (`file_id`) cannot reach another upstream,
 * so they are refused with the way out (send the data or a URL).
 */
import type { ContentPart } from '../../core/chat-request.js';
import {
  describeValue,
  expectObject,
  expectString,
  invalidField,
  type JsonObject,
  optionalString,
} from './read-field.js';

/** Which parts a place accepts: text only (instructions, the model's own turns) or media too. */
export type PartPolicy = 'text' | 'media';

const imageDetails = new Set(['low', 'high', 'auto']);

function refuseFileId(part: JsonObject, path: string): void {
  if (part.file_id != null) {
    throw invalidField(
      `${path}.file_id`,
      `${describeValue(part.file_id)} names a file stored at OpenAI, which the router cannot read; ` +
        'send the content itself (a URL or a base64 data URL)',
    );
  }
}

function imagePart(part: JsonObject, path: string, warnings: string[]): ContentPart {
  refuseFileId(part, path);
  const url = optionalString(part, 'image_url', `${path}.`);
  if (url === undefined) throw invalidField(`${path}.image_url`, 'is required (a URL or a base64 data URL)');
  const imageUrl: { url: string; detail?: 'auto' | 'low' | 'high' } = { url };
  const detail = optionalString(part, 'detail', `${path}.`);
  if (detail === 'original') {
    warnings.push(`${path}.detail: "original" has no chat equivalent; the upstream's default is used`);
  } else if (detail !== undefined) {
    if (!imageDetails.has(detail)) {
      throw invalidField(
        `${path}.detail`,
        `must be "low", "high", "auto" or "original", got ${describeValue(detail)}`,
      );
    }
    imageUrl.detail = detail as 'auto' | 'low' | 'high';
  }
  return { type: 'image_url', image_url: imageUrl };
}

function filePart(part: JsonObject, path: string): ContentPart {
  refuseFileId(part, path);
  // OpenRouter's chat `file` part takes base64 data or a URL in the same field.
  const data = optionalString(part, 'file_data', `${path}.`) ?? optionalString(part, 'file_url', `${path}.`);
  if (data === undefined) throw invalidField(path, 'an input_file needs file_data or file_url');
  const file: Record<string, string> = { file_data: data };
  const filename = optionalString(part, 'filename', `${path}.`);
  if (filename !== undefined) file.filename = filename;
  return { type: 'file', file };
}

function audioPart(part: JsonObject, path: string): ContentPart {
  const audio = expectObject(part.input_audio, `${path}.input_audio`);
  const data = expectString(audio.data, `${path}.input_audio.data`);
  const format = expectString(audio.format, `${path}.input_audio.format`);
  return { type: 'input_audio', input_audio: { data, format } };
}

function convertPart(entry: unknown, path: string, policy: PartPolicy, warnings: string[]): ContentPart {
  const part = expectObject(entry, path);
  const type = expectString(part.type, `${path}.type`);
  switch (type) {
    case 'input_text':
    case 'output_text':
      return { type: 'text', text: expectString(part.text, `${path}.text`) };
    case 'refusal':
      return { type: 'text', text: expectString(part.refusal, `${path}.refusal`) };
    case 'input_image':
    case 'input_file':
    case 'input_audio':
      if (policy === 'text') throw invalidField(`${path}.type`, `${type} is not accepted here, only text`);
      if (type === 'input_image') return imagePart(part, path, warnings);
      return type === 'input_file' ? filePart(part, path) : audioPart(part, path);
    default:
      throw invalidField(`${path}.type`, `unknown content part type ${describeValue(type)}`);
  }
}

/** A message's or tool output's content: a string stays a string, parts become chat parts. */
export function convertContent(
  content: unknown,
  path: string,
  policy: PartPolicy,
  warnings: string[],
): string | ContentPart[] {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) {
    throw invalidField(path, `must be a string or an array of content parts, got ${describeValue(content)}`);
  }
  return content.map((part, index) => convertPart(part, `${path}[${index}]`, policy, warnings));
}
