/**
 * Google API errors mapped to RouterErrors. Google answers failures with the envelope
 * `{"error": {"code": 429, "message": "...", "status": "RESOURCE_EXHAUSTED", "details": [...]}}`, sometimes
 * wrapped in a one-element array; gateways in front of it may answer plain text.
 */
import { z } from 'zod';
import { RouterError } from '../../core/errors.js';
import { isRecord } from '../../core/is-record.js';
import { parseRetryAfter } from '../parse-retry-after.js';

/** Longest upstream message kept in a RouterError, so a huge HTML error page never fills a log line. */
const maxMessageLength = 1_000;

const errorDetailSchema = z.object({
  '@type': z.string().nullish(),
  retryDelay: z.string().nullish(),
  reason: z.string().nullish(),
});

const googleErrorSchema = z.object({
  code: z.number().nullish(),
  message: z.string().nullish(),
  status: z.string().nullish(),
  details: z.array(z.unknown()).nullish(),
});

export type GoogleError = z.infer<typeof googleErrorSchema>;

/** The error envelope; exported for the test that holds `findGoogleError`'s shortcut to it. */
export const googleErrorEnvelopeSchema = z.object({ error: googleErrorSchema });

/** HTTP status of each google.rpc canonical code name, for in-stream errors that carry only the name. */
const statusByRpcName: Readonly<Record<string, number>> = {
  INVALID_ARGUMENT: 400,
  FAILED_PRECONDITION: 400,
  OUT_OF_RANGE: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  RESOURCE_EXHAUSTED: 429,
  CANCELLED: 499,
  INTERNAL: 500,
  UNKNOWN: 500,
  DATA_LOSS: 500,
  UNIMPLEMENTED: 501,
  UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
};

const contextLengthPattern =
  /exceeds the maximum number of tokens|input token count|context (?:window|length)|too many tokens/i;
const contentPolicyPattern = /\bsafety\b|prohibited content|harm[_ ]category|\bblocklist\b/i;
const invalidKeyPattern = /api key not valid|api_key_invalid|api key expired|invalid api key/i;

/** The Google error object in `value` (an envelope or a one-element array of envelopes), if there is one. */
export function findGoogleError(value: unknown): GoogleError | undefined {
  const candidate: unknown = Array.isArray(value) ? value[0] : value;
  // Every streamed chunk is asked this, and nearly none is an error. A refused parse is far dearer than
  // this look (zod builds the issues of the failure), so only a value with an `error` object is parsed.
  if (!isRecord(candidate) || !isRecord(candidate.error)) return undefined;
  const parsed = googleErrorEnvelopeSchema.safeParse(candidate);
  return parsed.success ? parsed.data.error : undefined;
}

/** Maps an upstream HTTP error (status, raw body text, Retry-After header) to a RouterError. */
export function mapError(status: number, bodyText: string, retryAfter: string | undefined): RouterError {
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    body = undefined;
  }
  const googleError = findGoogleError(body) ?? { message: plainTextMessage(bodyText) };
  return mapGoogleError(status, googleError, retryAfter);
}

/**
 * Maps a parsed Google error object to a RouterError. `status` is the HTTP status when there is one;
 * in-stream errors pass `undefined` and the status comes from the error's own code or status name.
 */
export function mapGoogleError(
  status: number | undefined,
  googleError: GoogleError,
  retryAfter: string | undefined,
): RouterError {
  const rpcStatus = googleError.status ?? undefined;
  const httpStatus =
    status ?? googleError.code ?? (rpcStatus === undefined ? undefined : statusByRpcName[rpcStatus]) ?? 500;
  const upstreamMessage = (googleError.message ?? '').slice(0, maxMessageLength);
  const details = parseDetails(googleError.details);
  const label = rpcStatus === undefined ? `${httpStatus}` : `${httpStatus} ${rpcStatus}`;
  const message = `Gemini upstream error ${label}: ${upstreamMessage || 'no message'}`;
  const metadata: Record<string, unknown> = { provider_error: upstreamMessage };
  if (rpcStatus !== undefined) metadata.provider_status = rpcStatus;

  if (httpStatus === 429 || rpcStatus === 'RESOURCE_EXHAUSTED') {
    const retryAfterSeconds = parseRetryAfter(retryAfter) ?? parseRetryDelay(details);
    return new RouterError('upstream_rate_limited', message, {
      retryable: true,
      metadata,
      ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
    });
  }
  if (httpStatus >= 500 || httpStatus === 408) {
    // The upstream's own 5xx status is kept: the failure policy retries a plain 500 but fails over on
    // 503 and 504.
    return new RouterError('upstream_server_error', message, {
      status: httpStatus >= 500 && httpStatus <= 599 ? httpStatus : 502,
      retryable: true,
      metadata,
    });
  }
  // Google answers an invalid API key with 400 INVALID_ARGUMENT, not 401.
  if (
    httpStatus === 401 ||
    httpStatus === 403 ||
    rpcStatus === 'UNAUTHENTICATED' ||
    rpcStatus === 'PERMISSION_DENIED' ||
    details.some((detail) => detail.reason === 'API_KEY_INVALID') ||
    invalidKeyPattern.test(upstreamMessage)
  ) {
    // Retryable: the fault lies with this upstream's key, so another upstream may well succeed.
    return new RouterError('upstream_unauthorized', message, { retryable: true, metadata });
  }
  if (contextLengthPattern.test(upstreamMessage)) {
    return new RouterError('context_length_exceeded', message, { retryable: false, metadata });
  }
  if (contentPolicyPattern.test(upstreamMessage)) {
    return new RouterError('content_policy', message, { retryable: false, metadata });
  }
  return new RouterError('upstream_bad_request', message, { retryable: false, metadata });
}

function plainTextMessage(bodyText: string): string {
  return bodyText.trim().slice(0, maxMessageLength);
}

function parseDetails(details: unknown[] | null | undefined): z.infer<typeof errorDetailSchema>[] {
  if (details == null) return [];
  const parsed: z.infer<typeof errorDetailSchema>[] = [];
  for (const detail of details) {
    const result = errorDetailSchema.safeParse(detail);
    if (result.success) parsed.push(result.data);
  }
  return parsed;
}

/** The `retryDelay` of a google.rpc.RetryInfo detail, a protobuf Duration such as "12s" or "0.5s". */
function parseRetryDelay(details: z.infer<typeof errorDetailSchema>[]): number | undefined {
  for (const detail of details) {
    const match = /^(\d+(?:\.\d+)?)s$/.exec(detail.retryDelay ?? '');
    if (match?.[1] !== undefined) return Math.ceil(Number(match[1]));
  }
  return undefined;
}
