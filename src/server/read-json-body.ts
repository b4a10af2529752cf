import type { IncomingMessage } from 'node:http';
import { RouterError } from '../core/errors.js';

/**
 * Reads and parses a JSON request body, refusing anything over `limitBytes` before reading it when the
 * length is declared, and as soon as it passes the limit otherwise.
 */
export async function readJsonBody(request: IncomingMessage, limitBytes: number): Promise<unknown> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) {
    throw new RouterError(
      'body_too_large',
      `request body of ${declared} bytes is over the ${limitBytes}-byte limit`,
    );
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) {
      throw new RouterError('body_too_large', `request body is over the ${limitBytes}-byte limit`);
    }
    chunks.push(chunk);
  }
  if (size === 0)
    throw new RouterError('invalid_request', 'the request body is empty; expected a JSON object');
  const text =
    chunks.length === 1
      ? (chunks[0] as Buffer).toString('utf8')
      : Buffer.concat(chunks, size).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new RouterError('invalid_json', `the request body is not valid JSON: ${(error as Error).message}`);
  }
}
