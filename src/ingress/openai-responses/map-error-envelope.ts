/**
 * An error before the answer began, in OpenAI's envelope `{"error": {"message", "type", "param", "code"}}`
 * with the router's status. The official SDK picks its error class from the status; `type` follows
 * OpenAI's names and `code` the table in `map-error-code.ts`.
 */
import type { RouterError } from '../../core/errors.js';
import type { RenderedError } from '../ingress-adapter.js';
import { mapErrorCode } from './map-error-code.js';

function errorType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 402) return 'insufficient_quota';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  return status >= 500 ? 'server_error' : 'invalid_request_error';
}

/** The status, body and headers of `error` for a Responses caller. */
export function mapErrorEnvelope(error: RouterError): RenderedError {
  const body: Record<string, unknown> = {
    message: error.message,
    type: errorType(error.status),
    param: null,
    code: mapErrorCode(error),
  };
  if (error.metadata !== undefined) body.metadata = error.metadata;
  const rendered: RenderedError = { status: error.status, body: JSON.stringify({ error: body }) };
  if (error.retryAfterSeconds !== undefined) {
    rendered.headers = { 'retry-after': String(Math.ceil(error.retryAfterSeconds)) };
  }
  return rendered;
}
