/** A RouterError in Google's error envelope, as the Gemini API and its SDKs shape and read it. */
import type { RouterError } from '../../core/errors.js';

/** google.rpc canonical code names for the HTTP statuses the router answers with. */
const statusNameByHttpStatus: Readonly<Record<number, string>> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  // An exhausted budget is a quota that has run out, which Google calls RESOURCE_EXHAUSTED; the 402
  // status keeps clients from retrying it as they would a 429.
  402: 'RESOURCE_EXHAUSTED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  408: 'DEADLINE_EXCEEDED',
  409: 'ABORTED',
  413: 'INVALID_ARGUMENT',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

/** Google's error envelope. */
export interface GoogleErrorEnvelope {
  error: {
    code: number;
    message: string;
    status: string;
    details: Record<string, unknown>[];
  };
}

/** The google.rpc status name for an HTTP status (INTERNAL for unlisted 5xx, INVALID_ARGUMENT for 4xx). */
export function mapStatusName(status: number): string {
  return statusNameByHttpStatus[status] ?? (status >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT');
}

/**
 * Renders `error` as `{error: {code, message, status, details}}`. The details carry an ErrorInfo with the
 * router's stable error code (reason) and metadata, and, when a retry time is known, a RetryInfo: the
 * Gemini CLI waits for its `retryDelay` before retrying a 429.
 */
export function mapErrorEnvelope(error: RouterError): GoogleErrorEnvelope {
  // @google/genai raises an in-stream error only for a code in 400..599.
  const code = error.status >= 400 && error.status <= 599 ? error.status : 500;
  const details: Record<string, unknown>[] = [
    {
      '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
      reason: error.code.toUpperCase(),
      domain: 'pareto-router',
      metadata: stringifyMetadata(error.metadata),
    },
  ];
  if (error.retryAfterSeconds !== undefined) {
    details.push({
      '@type': 'type.googleapis.com/google.rpc.RetryInfo',
      retryDelay: `${Math.ceil(error.retryAfterSeconds)}s`,
    });
  }
  return { error: { code, message: error.message, status: mapStatusName(code), details } };
}

/** ErrorInfo metadata is a map of strings: other values are written as JSON. */
function stringifyMetadata(metadata: Record<string, unknown> | undefined): Record<string, string> {
  const strings: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata ?? {})) {
    if (value === undefined) continue;
    strings[key] = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  }
  return strings;
}
