/**
 * Errors of OpenAI-compatible upstreams mapped to RouterErrors. OpenAI answers
 * `{"error": {"message", "type", "code", "param"}}`, OpenRouter `{"error": {"code": <status>, "message",
 * "metadata"}}` (also inside a 200 body or a stream chunk once generation has begun); older vLLM answers the
 * error object flat, FastAPI servers `{"detail": "..."}`, Ollama `{"error": "<text>"}`, and proxies in front
 * of any of them plain text or HTML.
 */
import { RouterError } from '../../core/errors.js';
import { isRecord } from '../../core/is-record.js';
import { parseRetryAfter } from '../parse-retry-after.js';
import { type UpstreamErrorObject, upstreamErrorSchema } from './openai-response-schema.js';

/** Longest upstream message kept, so a proxy's HTML error page never fills a log line. */
const maxMessageLength = 500;

/** Status implied by an error's `code` or `type` when no HTTP status says it (200 bodies, stream chunks). */
const statusByErrorName: ReadonlyMap<string, number> = new Map(
  Object.entries({
    invalid_request_error: 400,
    context_length_exceeded: 400,
    invalid_api_key: 401,
    authentication_error: 401,
    unauthorized: 401,
    insufficient_quota: 429,
    permission_error: 403,
    permission_denied: 403,
    not_found_error: 404,
    model_not_found: 404,
    rate_limit_exceeded: 429,
    rate_limit_error: 429,
    too_many_requests: 429,
    server_error: 500,
    internal_error: 500,
    internal_server_error: 500,
    api_error: 500,
    overloaded_error: 503,
    service_unavailable: 503,
    timeout: 504,
  }),
);

const contentPolicyNames: ReadonlySet<string> = new Set([
  'content_policy_violation',
  'content_policy',
  'content_filter',
  'moderation',
  'data_inspection_failed',
]);

const contextLengthPattern =
  /maximum context length|context[ _-]?(?:length|window|size)|too many tokens|prompt is too long|input is too long|reduce the length of the messages|exceeds? (?:the )?(?:model'?s? )?max(?:imum)? (?:length|tokens|input)/i;
const contentPolicyPattern =
  /content[ _-]?(?:management[ _-])?polic|content[ _-]?filter|usage polic|\bflagged\b|\bmoderation\b|safety (?:system|filter)|inappropriate content/i;
const invalidKeyPattern = /(?:invalid|incorrect) api key|api key (?:is )?(?:not valid|invalid|expired)/i;

/**
 * The error object of `value` when it carries a top-level `error` (a body or a chunk); undefined when it
 * does not. An `error` of an unexpected type still counts, with its JSON as the message.
 */
export function findUpstreamError(value: unknown): UpstreamErrorObject | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const error: unknown = (value as { error?: unknown }).error;
  if (error === undefined || error === null || error === false) return undefined;
  const parsed = upstreamErrorSchema.safeParse(error);
  if (!parsed.success) return { message: JSON.stringify(error).slice(0, maxMessageLength) };
  return typeof parsed.data === 'string' ? { message: parsed.data } : parsed.data;
}

/** Maps an upstream HTTP error (status, raw body text, Retry-After header) to a RouterError. */
export function mapError(status: number, bodyText: string, retryAfter: string | undefined): RouterError {
  return mapUpstreamError(status, readErrorBody(bodyText), retryAfter);
}

/**
 * Maps an upstream error object to a RouterError. `status` is the HTTP status when there is one; errors
 * inside a 200 body or a stream pass undefined, and the status comes from the error's own code or type.
 */
export function mapUpstreamError(
  status: number | undefined,
  error: UpstreamErrorObject,
  retryAfter: string | undefined,
): RouterError {
  const upstreamMessage = describeUpstreamMessage(error);
  const code = error.code ?? undefined;
  const type = error.type ?? undefined;
  const names = [typeof code === 'string' ? code : undefined, type].filter(
    (name): name is string => name !== undefined,
  );
  const httpStatus = status ?? impliedStatus(code, names);
  const reasons = moderationReasons(error.metadata);

  const metadata: Record<string, unknown> = { provider_error: upstreamMessage };
  if (code !== undefined) metadata.provider_code = code;
  if (type !== undefined) metadata.provider_type = type;
  if (error.param != null) metadata.provider_param = error.param;
  const providerName = error.metadata?.provider_name;
  if (typeof providerName === 'string') metadata.provider_name = providerName;
  if (reasons.length > 0) metadata.reasons = reasons;

  const showCode = code !== undefined && code !== status;
  const label = `${status === undefined ? 'upstream error in response' : `upstream error ${status}`}${
    showCode ? ` (${code})` : ''
  }`;
  const message = `${label}: ${upstreamMessage || 'no message'}`;

  if (httpStatus === 429 && !names.includes('insufficient_quota')) {
    const retryAfterSeconds = parseRetryAfter(retryAfter);
    return new RouterError('upstream_rate_limited', message, {
      retryable: true,
      metadata,
      ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
    });
  }
  if (httpStatus === 408) {
    return new RouterError('upstream_timeout_first_byte', message, { retryable: true, metadata });
  }
  if (httpStatus !== undefined && httpStatus >= 500) {
    // The upstream's own status is kept: the failure policy retries a plain 500 but fails over on the rest.
    return new RouterError('upstream_server_error', message, {
      status: httpStatus <= 599 ? httpStatus : 502,
      retryable: true,
      metadata,
    });
  }
  if (httpStatus !== undefined && httpStatus < 400) {
    return new RouterError('upstream_bad_response', message, { retryable: true, metadata });
  }
  if (names.includes('context_length_exceeded') || contextLengthPattern.test(upstreamMessage)) {
    return new RouterError('context_length_exceeded', message, { retryable: false, metadata });
  }
  if (
    reasons.length > 0 ||
    names.some((name) => contentPolicyNames.has(name)) ||
    contentPolicyPattern.test(upstreamMessage)
  ) {
    const withReasons = reasons.length > 0 ? `${message} (reasons: ${reasons.join(', ')})` : message;
    return new RouterError('content_policy', withReasons, { retryable: false, metadata });
  }
  if (httpStatus === undefined) {
    // An error reported after the upstream accepted the call is its own failure, not the caller's.
    return new RouterError('upstream_server_error', message, { retryable: true, metadata });
  }
  // 402 (no credits) and an exhausted quota are faults of this upstream's key, like 401 and 403: another
  // upstream may well answer, but this one will not until someone acts.
  if (
    httpStatus === 401 ||
    httpStatus === 402 ||
    httpStatus === 403 ||
    names.some((name) => name === 'insufficient_quota' || name === 'invalid_api_key') ||
    invalidKeyPattern.test(upstreamMessage)
  ) {
    return new RouterError('upstream_unauthorized', message, { retryable: false, metadata });
  }
  return new RouterError('upstream_bad_request', message, { retryable: false, metadata });
}

/** The error object of an error body in any of the shapes the file comment lists. */
function readErrorBody(bodyText: string): UpstreamErrorObject {
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    return { message: bodyText.trim().slice(0, maxMessageLength) };
  }
  const enveloped = findUpstreamError(body);
  if (enveloped !== undefined) return enveloped;
  if (isRecord(body)) {
    const flat = upstreamErrorSchema.safeParse(body);
    if (flat.success && typeof flat.data !== 'string' && flat.data.message != null) return flat.data;
    const detail = body.detail;
    if (typeof detail === 'string') return { message: detail };
    if (detail !== undefined) return { message: JSON.stringify(detail).slice(0, maxMessageLength) };
  }
  return { message: bodyText.trim().slice(0, maxMessageLength) };
}

/**
 * The upstream's message, with OpenRouter's `metadata.raw` (the model provider's own error) appended: its
 * message is often just "Provider returned error", and the raw text is what tells a context overflow or a
 * refusal apart.
 */
function describeUpstreamMessage(error: UpstreamErrorObject): string {
  const message = (error.message ?? '').trim();
  const raw = error.metadata?.raw;
  const rawText = typeof raw === 'string' ? raw.trim() : raw == null ? '' : JSON.stringify(raw);
  let combined = message;
  if (message === '') combined = rawText;
  else if (rawText !== '' && !message.includes(rawText)) combined = `${message}: ${rawText}`;
  return combined.slice(0, maxMessageLength);
}

function impliedStatus(code: string | number | undefined, names: string[]): number | undefined {
  if (typeof code === 'number' && Number.isInteger(code) && code >= 400 && code <= 599) return code;
  for (const name of names) {
    const status = statusByErrorName.get(name);
    if (status !== undefined) return status;
  }
  return undefined;
}

/** OpenRouter's moderation metadata: `reasons` lists why the input was flagged. */
function moderationReasons(metadata: Record<string, unknown> | null | undefined): string[] {
  const reasons = metadata?.reasons;
  if (!Array.isArray(reasons)) return [];
  return reasons.filter((reason): reason is string => typeof reason === 'string');
}
