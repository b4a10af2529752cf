import type { IncomingMessage } from 'node:http';
import { RouterError } from '../core/errors.js';
import { readStreamText } from '../executor/read-stream-text.js';

/**
 * Reads and parses a JSON request body, refusing anything over `limitBytes` before reading it when the
 * length is declared, and as soon as it passes the limit otherwise.
 */
export async function readJsonBody(request: IncomingMessage, limitBytes: number): Promise<unknown> {
  return (await readJsonBodyText(request, limitBytes)).value;
}

/** As `readJsonBody`, with the body's text beside its parse (the fast path splices the text). */
export async function readJsonBodyText(
  request: IncomingMessage,
  limitBytes: number,
): Promise<{ text: string; value: unknown }> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) {
    throw new RouterError(
      'body_too_large',
      `request body of ${declared} bytes is over the ${limitBytes}-byte limit`,
    );
  }
  const text = await readStreamText(request, {
    maxBytes: limitBytes,
    tooLarge: () => new RouterError('body_too_large', `request body is over the ${limitBytes}-byte limit`),
    closedEarly: () => new RouterError('client_closed', 'the client closed the connection during the body'),
  });
  if (text.length === 0)
    throw new RouterError('invalid_request', 'the request body is empty; expected a JSON object');
  try {
    return { text, value: JSON.parse(text) };
  } catch (error) {
    throw new RouterError('invalid_json', `the request body is not valid JSON: ${(error as Error).message}`);
  }
}
