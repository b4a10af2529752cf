/** Gemini `inlineData` and `fileData` parts converted to chat content parts. */
import type { ContentPart } from '../../core/chat-request.js';
import { invalidField, requireRecord, requireString } from './json-checks.js';

/** Audio formats chat's `input_audio` part names, by MIME type. */
const audioFormatByMimeType: Readonly<Record<string, string>> = {
  'audio/wav': 'wav',
  'audio/x-wav': 'wav',
  'audio/wave': 'wav',
  'audio/mp3': 'mp3',
  'audio/mpeg': 'mp3',
};

/** Files API URIs and Cloud Storage paths: readable by Gemini with the caller's key, by nobody else. */
const geminiOnlyUriPattern = /^gs:\/\/|^https:\/\/generativelanguage\.googleapis\.com\//i;

/**
 * Converts an `inlineData` blob: images become a `data:` URL `image_url`, WAV and MP3 audio `input_audio`,
 * anything else (PDF, text, video) a `file` part carrying a `data:` URL, which the upstream adapters send
 * on or report.
 */
export function convertInlineData(value: unknown, path: string): ContentPart {
  const blob = requireRecord(value, path);
  const mimeType = requireString(blob.mimeType, `${path}.mimeType`).toLowerCase();
  const data = requireString(blob.data, `${path}.data`);
  if (mimeType === '') throw invalidField(`${path}.mimeType`, 'must not be empty');
  if (mimeType.startsWith('image/')) {
    return { type: 'image_url', image_url: { url: `data:${mimeType};base64,${data}` } };
  }
  const audioFormat = audioFormatByMimeType[mimeType];
  if (audioFormat !== undefined) return { type: 'input_audio', input_audio: { data, format: audioFormat } };
  const file: Record<string, string> = { file_data: `data:${mimeType};base64,${data}` };
  if (typeof blob.displayName === 'string' && blob.displayName !== '') file.filename = blob.displayName;
  return { type: 'file', file };
}

/**
 * Converts a `fileData` reference: an image becomes an `image_url` with the URI, anything else a `file`
 * part with the URI. Files API and `gs://` URIs are kept (a Gemini upstream reads them) with a warning,
 * since no other upstream can.
 */
export function convertFileData(value: unknown, path: string, warnings: string[]): ContentPart {
  const reference = requireRecord(value, path);
  const fileUri = requireString(reference.fileUri, `${path}.fileUri`);
  if (fileUri === '') throw invalidField(`${path}.fileUri`, 'must not be empty');
  const mimeType =
    reference.mimeType === undefined ? undefined : requireString(reference.mimeType, `${path}.mimeType`);
  if (geminiOnlyUriPattern.test(fileUri)) {
    warnings.push(`${path}: ${fileUri} can be read only by a Gemini upstream`);
  }
  if (mimeType?.toLowerCase().startsWith('image/')) {
    return { type: 'image_url', image_url: { url: fileUri } };
  }
  const file: Record<string, string> = { file_data: fileUri };
  if (typeof reference.displayName === 'string' && reference.displayName !== '') {
    file.filename = reference.displayName;
  }
  return { type: 'file', file };
}
