/**
 * Anthropic API errors mapped to RouterErrors. Anthropic answers failures with the envelope
 * `{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}, "request_id": "..."}`
 * and sends the same `error` object inside a stream; proxies in front of it may answer plain text.
 */
import { RouterError } from '../../core/errors.js';
import { parseRetryAfter } from '../parse-retry-after.js';
import { errorEnvelopeSchema } from './anthropic-schemas.js';

/** Longest upstream message kept in a RouterError, so a huge HTML error page never fills a log line. */
const maxMessageLength = 500;

/** HTTP status of each documented error type, for in-stream errors that carry only the type. */
const statusByErrorType: Readonly<Record<string, number>> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

// "prompt is too long: 208310 tokens > 200000 maximum", and "input length and `max_tokens` exceed context
// limit: 188240 + 21333 > 200000" when the prompt fits but the requested output does not.
const contextLengthPattern =
  /prompt is too long|exceeds? (?:the )?context (?:window|limit|length)|context (?:window|length) (?:exceeded|limit)|too many tokens/i;
// "Output blocked by content filtering policy", usage-policy refusals.
const contentPolicyPattern = /content filtering|content policy|usage polic(?:y|ies)|blocked by .*polic/i;

/** The parts of an Anthropic error the mapping needs. */
export interface AnthropicErrorPayload {
  /** HTTP status, or undefined for an in-stream error (then it comes from `type`). */
  status: number | undefined;
  type: string | undefined;
  message: string;
  requestId?: string | undefined;
}

/**
 * The status kept on a server error. 529 is Anthropic's own "overloaded", which clients know as 503; other
 * 5xx statuses are kept because the failure policy retries a plain 500 but fails over on 502/503/504.
 */
function serverErrorStatus(status: number, type: string | undefined): number {
  if (status === 529 || type === 'overloaded_error') return 503;
  if (status === 408) return 504;
  return status >= 500 && status <= 599 ? status : 502;
}

/** Maps an upstream HTTP error (status, raw body text, Retry-After header) to a RouterError. */
export function mapError(status: number, bodyText: string, retryAfter: string | undefined): RouterError {
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    body = undefined;
  }
  const envelope = errorEnvelopeSchema.safeParse(body);
  if (envelope.success) {
    return mapErrorPayload(
      {
        status,
        type: envelope.data.error.type ?? undefined,
        message: envelope.data.error.message ?? '',
        requestId: envelope.data.request_id ?? undefined,
      },
      retryAfter,
    );
  }
  return mapErrorPayload({ status, type: undefined, message: bodyText.trim() }, retryAfter);
}

/** Maps a parsed Anthropic error (from an HTTP error body or an in-stream `error` event) to a RouterError. */
export function mapErrorPayload(payload: AnthropicErrorPayload, retryAfter?: string): RouterError {
  const type = payload.type;
  const status = payload.status ?? (type === undefined ? undefined : statusByErrorType[type]) ?? 500;
  const upstreamMessage = payload.message.slice(0, maxMessageLength);
  const label = type === undefined ? `${status}` : `${status} ${type}`;
  const message = `Anthropic upstream error ${label}: ${upstreamMessage || 'no message'}`;
  const metadata: Record<string, unknown> = { provider_error: upstreamMessage };
  if (type !== undefined) metadata.provider_error_type = type;
  if (payload.requestId !== undefined) metadata.provider_request_id = payload.requestId;

  if (status === 429 || type === 'rate_limit_error') {
    const retryAfterSeconds = parseRetryAfter(retryAfter);
    return new RouterError('upstream_rate_limited', message, {
      retryable: true,
      metadata,
      ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
    });
  }
  if (status >= 500 || status === 408 || type === 'overloaded_error' || type === 'api_error') {
    return new RouterError('upstream_server_error', message, {
      status: serverErrorStatus(status, type),
      retryable: true,
      metadata,
    });
  }
  // A billing error is this upstream account's fault, like a bad key: another upstream may answer.
  if (
    status === 401 ||
    status === 402 ||
    status === 403 ||
    type === 'authentication_error' ||
    type === 'billing_error' ||
    type === 'permission_error'
  ) {
    return new RouterError('upstream_unauthorized', message, { retryable: false, metadata });
  }
  if (contentPolicyPattern.test(upstreamMessage)) {
    return new RouterError('content_policy', message, { retryable: false, metadata });
  }
  if (contextLengthPattern.test(upstreamMessage)) {
    return new RouterError('context_length_exceeded', message, { retryable: false, metadata });
  }
  return new RouterError('upstream_bad_request', message, {
    status: status >= 400 && status <= 499 ? status : 400,
    retryable: false,
    metadata,
  });
}
