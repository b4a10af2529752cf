import type { ServerResponse } from 'node:http';
import { RouterError, toRouterError } from '../core/errors.js';
import { formatSseMessage } from '../providers/sse/format-sse.js';
import { type ChunkRenderer, renderError } from './render-chat-response.js';

/**
 * The one place errors reach a client: the OpenRouter envelope with the right status, or, when a stream
 * already started, an error chunk and the end of the stream.
 */
export function sendError(response: ServerResponse, thrown: unknown, renderer?: ChunkRenderer): void {
  const error = toRouterError(thrown);
  if (error.code === 'client_closed' || response.destroyed) {
    if (!response.writableEnded) response.destroy();
    return;
  }
  if (response.headersSent) {
    if (renderer !== undefined && !response.writableEnded) {
      response.write(formatSseMessage(renderer.renderErrorChunk(error)));
      response.end(formatSseMessage('[DONE]'));
    } else if (!response.writableEnded) {
      response.end();
    }
    return;
  }
  // Internal errors keep their detail out of the response: the message may name internals.
  const visible =
    error.status >= 500 && !(thrown instanceof RouterError)
      ? new RouterError('internal', 'internal error', { cause: error })
      : error;
  const payload = renderError(visible);
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
  };
  if (visible.retryAfterSeconds !== undefined)
    headers['retry-after'] = String(Math.ceil(visible.retryAfterSeconds));
  if (visible.code === 'body_too_large') headers.connection = 'close';
  response.writeHead(visible.status, headers);
  response.end(payload);
}
