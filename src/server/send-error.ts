import type { ServerResponse } from 'node:http';
import { RouterError, toRouterError } from '../core/errors.js';
import { chatIngress } from '../ingress/chat/index.js';
import type { IngressAdapter, IngressStreamWriter } from '../ingress/ingress-adapter.js';

/**
 * The one place errors reach a client: the ingress protocol's envelope (OpenRouter's by default) with
 * the right status, or, when a stream already started, the protocol's in-band error and the end of the
 * stream. A model call's `generationId` goes out as `x-generation-id`, so a failed call can be looked up
 * in the request log.
 */
export function sendError(
  response: ServerResponse,
  thrown: unknown,
  writer?: IngressStreamWriter,
  ingress: IngressAdapter = chatIngress,
  generationId?: string,
): void {
  const error = toRouterError(thrown);
  if (error.code === 'client_closed' || response.destroyed) {
    if (!response.writableEnded) response.destroy();
    return;
  }
  if (response.headersSent) {
    if (writer !== undefined && !response.writableEnded) response.end(writer.fail(error));
    else if (!response.writableEnded) response.end();
    return;
  }
  // Internal errors keep their detail out of the response: the message may name internals.
  const visible =
    error.status >= 500 && !(thrown instanceof RouterError)
      ? new RouterError('internal', 'internal error', { cause: error })
      : error;
  const rendered = ingress.renderError(visible);
  const headers: Record<string, string | number> = {
    ...rendered.headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(rendered.body),
  };
  // Every protocol's envelope gets Retry-After when the router knows when to come back.
  if (visible.retryAfterSeconds !== undefined && headers['retry-after'] === undefined)
    headers['retry-after'] = String(Math.max(0, Math.ceil(visible.retryAfterSeconds)));
  // The rest of the body is not read: the connection cannot carry another request.
  if (visible.code === 'body_too_large' || visible.code === 'timeout') headers.connection = 'close';
  if (generationId !== undefined) headers['x-generation-id'] = generationId;
  response.writeHead(rendered.status, headers);
  response.end(rendered.body);
}
