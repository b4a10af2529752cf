/**
 * The one error type of the router. Every failure that reaches a client, a log or a test carries a
 * stable `code`; the HTTP status comes from one table, so the same failure always renders the same way.
 */

/** Stable error codes. Adding one means adding its status to `statusByCode`. */
export type ErrorCode =
  | 'invalid_request'
  | 'invalid_json'
  | 'body_too_large'
  | 'unauthorized'
  | 'budget_exceeded'
  | 'forbidden_model'
  | 'unknown_model'
  | 'no_candidate'
  | 'not_found'
  | 'rate_limited'
  | 'timeout'
  | 'upstream_rate_limited'
  | 'upstream_server_error'
  | 'upstream_bad_request'
  | 'upstream_unauthorized'
  | 'upstream_connect_failed'
  | 'upstream_timeout_first_byte'
  | 'upstream_timeout_first_token'
  | 'upstream_stream_idle'
  | 'upstream_stream_cut'
  | 'upstream_bad_response'
  | 'context_length_exceeded'
  | 'content_policy'
  | 'all_candidates_failed'
  | 'no_upstream'
  | 'model_not_served'
  | 'forbidden_origin'
  | 'unsupported_media_type'
  | 'headers_too_large'
  | 'overloaded'
  | 'client_closed'
  | 'snapshot_invalid'
  | 'snapshot_not_found'
  | 'import_failed'
  | 'config_invalid'
  | 'internal';

/** HTTP status for each code: the one table from code to status. */
export const statusByCode: Readonly<Record<ErrorCode, number>> = {
  invalid_request: 400,
  invalid_json: 400,
  body_too_large: 413,
  unauthorized: 401,
  budget_exceeded: 402,
  forbidden_model: 403,
  unknown_model: 400,
  no_candidate: 404,
  not_found: 404,
  rate_limited: 429,
  timeout: 408,
  upstream_rate_limited: 429,
  upstream_server_error: 502,
  upstream_bad_request: 400,
  upstream_unauthorized: 502,
  upstream_connect_failed: 502,
  upstream_timeout_first_byte: 504,
  upstream_timeout_first_token: 504,
  upstream_stream_idle: 504,
  upstream_stream_cut: 502,
  upstream_bad_response: 502,
  context_length_exceeded: 400,
  content_policy: 400,
  all_candidates_failed: 502,
  no_upstream: 503,
  model_not_served: 404,
  forbidden_origin: 403,
  unsupported_media_type: 415,
  headers_too_large: 431,
  overloaded: 503,
  client_closed: 499,
  snapshot_invalid: 500,
  snapshot_not_found: 404,
  import_failed: 500,
  config_invalid: 500,
  internal: 500,
};

export interface RouterErrorOptions {
  /** Overrides the status from the table (an upstream 503 stays a 503, for example). */
  status?: number;
  /** Whether another attempt (same model or the next candidate) may succeed. */
  retryable?: boolean;
  /** Extra fields rendered under `error.metadata`. Never put secrets here. */
  metadata?: Record<string, unknown>;
  /** Seconds the caller should wait, when known (rendered as Retry-After). */
  retryAfterSeconds?: number;
  cause?: unknown;
}

/** The router's error: a stable code, an HTTP status, whether a retry may help, and the cause. */
export class RouterError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly retryable: boolean;
  readonly metadata: Record<string, unknown> | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message: string, options: RouterErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RouterError';
    this.code = code;
    this.status = options.status ?? statusByCode[code];
    this.retryable = options.retryable ?? false;
    this.metadata = options.metadata;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** True when `value` is a RouterError (also across module copies). */
export function isRouterError(value: unknown): value is RouterError {
  return value instanceof RouterError;
}

/** Wraps anything thrown into a RouterError, keeping the original as the cause. */
export function toRouterError(value: unknown, fallbackCode: ErrorCode = 'internal'): RouterError {
  if (value instanceof RouterError) return value;
  const message = value instanceof Error ? value.message : String(value);
  return new RouterError(fallbackCode, message, { cause: value });
}
