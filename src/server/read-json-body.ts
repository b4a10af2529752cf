import type { IncomingMessage } from 'node:http';
import { RouterError } from '../core/errors.js';
import { readStreamText } from '../executor/read-stream-text.js';
import type { EdgeGate } from './edge-gate.js';
import { assertJsonDepthWithin } from './request-limits.js';

/**
 * Reads and parses a JSON request body, refusing anything over `limitBytes` before reading it when the
 * length is declared, and as soon as it passes the limit otherwise. Nesting deeper than `maxJsonDepth`
 * is refused before parsing, so no later walk of the body can overflow the stack. With a `gate`, the
 * body must arrive within the body timeout and its bytes count against the edge's buffer bound.
 */
export async function readJsonBody(
  request: IncomingMessage,
  limitBytes: number,
  gate?: EdgeGate,
): Promise<unknown> {
  return (await readJsonBodyText(request, limitBytes, gate)).value;
}

/** As `readJsonBody`, with the body's text beside its parse (the fast path splices the text). */
export async function readJsonBodyText(
  request: IncomingMessage,
  limitBytes: number,
  gate?: EdgeGate,
): Promise<{ text: string; value: unknown }> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) {
    throw new RouterError(
      'body_too_large',
      `request body of ${declared} bytes is over the ${limitBytes}-byte limit`,
    );
  }
  const release = gate?.reserveBody(Number.isFinite(declared) ? declared : limitBytes);
  let timer: NodeJS.Timeout | undefined;
  let text: string;
  try {
    const reading = readStreamText(request, {
      maxBytes: limitBytes,
      tooLarge: () => new RouterError('body_too_large', `request body is over the ${limitBytes}-byte limit`),
      closedEarly: () => new RouterError('client_closed', 'the client closed the connection during the body'),
    });
    if (gate === undefined || request.complete) text = await reading;
    else {
      const timeoutMs = gate.limits.bodyTimeoutMs;
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          gate.shed('body_timeout');
          request.pause();
          reject(
            new RouterError('timeout', `the request body did not arrive within ${timeoutMs} ms`, {
              metadata: { limit: 'body_timeout_ms', body_timeout_ms: timeoutMs },
            }),
          );
        }, timeoutMs);
      });
      text = await Promise.race([reading, timedOut]);
    }
  } finally {
    clearTimeout(timer);
    release?.();
  }
  if (text.length === 0)
    throw new RouterError('invalid_request', 'the request body is empty; expected a JSON object');
  assertJsonDepthWithin(text);
  try {
    return { text, value: JSON.parse(text) };
  } catch (error) {
    throw new RouterError('invalid_json', `the request body is not valid JSON: ${(error as Error).message}`);
  }
}
