/**
 * Router errors in Anthropic's error envelope, `{"type": "error", "error": {"type", "message"}}`, with the
 * error type Anthropic uses for each status. The router's own status is kept, 503 included: Anthropic's
 * own "overloaded" is 529, but the SDKs and Claude Code retry every 5xx, and Claude Code recognises an
 * overload by the `overloaded_error` type as well as by 529.
 */
import type { RouterError } from '../../core/errors.js';
import type { RenderedError } from '../ingress-adapter.js';

type AnthropicErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'billing_error'
  | 'permission_error'
  | 'not_found_error'
  | 'request_too_large'
  | 'rate_limit_error'
  | 'timeout_error'
  | 'api_error'
  | 'overloaded_error';

/** Anthropic's error type for an HTTP status. */
export function errorTypeOf(status: number): AnthropicErrorType {
  switch (status) {
    case 400:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 402:
      return 'billing_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 408:
    case 504:
      return 'timeout_error';
    case 503:
    case 529:
      return 'overloaded_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

/** The envelope's JSON text, also the data of an in-stream `error` event. */
export function renderErrorBody(error: RouterError): string {
  return JSON.stringify({
    type: 'error',
    error: { type: errorTypeOf(error.status), message: error.message },
  });
}

/** An error before any byte of the answer: the router's status, the envelope, and Retry-After when known. */
export function mapErrorEnvelope(error: RouterError): RenderedError {
  const rendered: RenderedError = { status: error.status, body: renderErrorBody(error) };
  if (error.retryAfterSeconds !== undefined) {
    rendered.headers = { 'retry-after': String(Math.ceil(error.retryAfterSeconds)) };
  }
  return rendered;
}
