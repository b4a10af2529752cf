/** An image or file URL from a chat message converted to a Gemini `inlineData` or `fileData` part. */
import { RouterError } from '../../core/errors.js';
import type { GeminiPart } from './gemini-request-types.js';

/** MIME types by file extension, for `fileData` parts (Gemini wants the type of a remote file). */
const mimeTypeByExtension: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  heic: 'image/heic',
  heif: 'image/heif',
  pdf: 'application/pdf',
  txt: 'text/plain',
  mp3: 'audio/mp3',
  wav: 'audio/wav',
  flac: 'audio/flac',
  ogg: 'audio/ogg',
  mp4: 'video/mp4',
  mov: 'video/mov',
  webm: 'video/webm',
};

/**
 * Converts `url` to a Gemini part: a `data:` URL becomes `inlineData` (base64), anything else `fileData`
 * with the MIME type guessed from the extension. `location` names the part in errors and warnings.
 */
export function convertMediaUrl(url: string, location: string, warnings: string[]): GeminiPart {
  if (url.startsWith('data:')) return { inlineData: parseDataUrl(url, location) };
  const mimeType = guessMimeType(url);
  if (mimeType === undefined) {
    warnings.push(
      `${location}: cannot tell the MIME type of ${shorten(url)} from its extension; sent without one`,
    );
    return { fileData: { fileUri: url } };
  }
  return { fileData: { mimeType, fileUri: url } };
}

function parseDataUrl(url: string, location: string): { mimeType: string; data: string } {
  const comma = url.indexOf(',');
  if (comma === -1) {
    throw new RouterError('invalid_request', `${location}: malformed data URL (no comma): ${shorten(url)}`);
  }
  const [mimeType = '', ...parameters] = url.slice('data:'.length, comma).split(';');
  if (mimeType === '') {
    throw new RouterError('invalid_request', `${location}: data URL has no MIME type: ${shorten(url)}`);
  }
  const payload = url.slice(comma + 1);
  if (parameters.includes('base64')) return { mimeType, data: payload };
  // Gemini wants base64; a percent-encoded data URL (allowed by RFC 2397) is re-encoded.
  let decoded: string;
  try {
    decoded = decodeURIComponent(payload);
  } catch {
    throw new RouterError('invalid_request', `${location}: data URL has invalid percent-encoding`);
  }
  return { mimeType, data: Buffer.from(decoded, 'utf8').toString('base64') };
}

function guessMimeType(url: string): string | undefined {
  let pathname: string;
  try {
    pathname = new URL(url).pathname;
  } catch {
    pathname = url;
  }
  const extension = /\.([A-Za-z0-9]+)$/.exec(pathname)?.[1]?.toLowerCase();
  return extension === undefined ? undefined : mimeTypeByExtension[extension];
}

/** A URL cut short for messages (data URLs can be megabytes long). */
function shorten(url: string): string {
  return url.length > 80 ? `${url.slice(0, 77)}...` : url;
}
