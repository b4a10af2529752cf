/**
 * One row of the request log: what the caller asked for, what the router tried, what answered, and what
 * it cost. Written once, after the response, and never updated.
 */
import { RouterError } from '../core/errors.js';

/** One upstream attempt inside a request (the executor may try several candidates). */
export interface RequestAttempt {
  model: string;
  upstream: string;
  /** HTTP status the upstream answered with; null when no response arrived (connect failure, timeout). */
  status: number | null;
  errorCode: string | null;
  durationMs: number;
  /** Milliseconds the call waited for a free upstream connection (a configured pool limit); absent when none. */
  queueMs?: number | undefined;
}

export interface RequestRecord {
  /** The generation id (`gen-...`), also returned to the caller. */
  id: string;
  /** Epoch milliseconds when the request arrived. */
  createdAt: number;
  keyId: string | null;
  /** The model string the caller sent (`pareto-code`, `openrouter/pareto-code:nitro`, a concrete id...). */
  requestedModel: string;
  /** The effective routing settings (min_coding_score, tier, nitro, pinned version, max_price, lists...). */
  settings: Record<string, unknown>;
  tier: string | null;
  attempts: RequestAttempt[];
  /** The model that answered, or null when none did. */
  model: string | null;
  upstream: string | null;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  costUsd: number;
  latencyMs: number;
  timeToFirstTokenMs: number | null;
  outputTokensPerSecond: number | null;
  sessionHash: string | null;
  finishReason: string | null;
  streamed: boolean;
  /** The HTTP status sent to the caller. */
  status: number;
  errorCode: string | null;
}

/** Longest id, model name or other short text column accepted; longer values are a caller bug, not data. */
export const maxRequestTextLength = 512;

/** At most this many attempts per record: the executor tries a handful of candidates, never hundreds. */
export const maxRequestAttempts = 64;

const integerFields = [
  'promptTokens',
  'completionTokens',
  'cachedTokens',
  'cacheWriteTokens',
  'reasoningTokens',
] as const;

const nullableTextFields = [
  'keyId',
  'tier',
  'model',
  'upstream',
  'sessionHash',
  'finishReason',
  'errorCode',
] as const;

const nullableMetricFields = ['timeToFirstTokenMs', 'outputTokensPerSecond'] as const;

/**
 * Why `record` cannot be stored, or null when it can. Non-finite numbers are refused rather than stored
 * as NULL or coerced, because the two engines would disagree about them and the spend sums would lie.
 */
export function findRequestRecordProblem(record: RequestRecord): string | null {
  if (typeof record.id !== 'string' || record.id.length === 0 || record.id.length > maxRequestTextLength) {
    return `id must be a non-empty string of at most ${maxRequestTextLength} characters, got ${describe(record.id)}`;
  }
  if (!Number.isSafeInteger(record.createdAt) || record.createdAt < 0) {
    return `createdAt must be epoch milliseconds, got ${describe(record.createdAt)}`;
  }
  if (typeof record.requestedModel !== 'string' || record.requestedModel.length > maxRequestTextLength) {
    return `requestedModel must be a string of at most ${maxRequestTextLength} characters, got ${describe(record.requestedModel)}`;
  }
  if (typeof record.settings !== 'object' || record.settings === null || Array.isArray(record.settings)) {
    return `settings must be an object, got ${describe(record.settings)}`;
  }
  for (const field of nullableTextFields) {
    const value = record[field];
    if (value !== null && (typeof value !== 'string' || value.length > maxRequestTextLength)) {
      return `${field} must be null or a string of at most ${maxRequestTextLength} characters, got ${describe(value)}`;
    }
  }
  for (const field of integerFields) {
    const value = record[field];
    if (!Number.isSafeInteger(value) || value < 0) {
      return `${field} must be a non-negative integer, got ${describe(value)}`;
    }
  }
  if (!isNonNegativeFinite(record.costUsd)) {
    return `costUsd must be a non-negative finite number, got ${describe(record.costUsd)}`;
  }
  if (!isNonNegativeFinite(record.latencyMs)) {
    return `latencyMs must be a non-negative finite number, got ${describe(record.latencyMs)}`;
  }
  for (const field of nullableMetricFields) {
    const value = record[field];
    if (value !== null && !isNonNegativeFinite(value)) {
      return `${field} must be null or a non-negative finite number, got ${describe(value)}`;
    }
  }
  if (typeof record.streamed !== 'boolean') {
    return `streamed must be a boolean, got ${describe(record.streamed)}`;
  }
  if (!isHttpStatus(record.status)) {
    return `status must be an HTTP status (100..599), got ${describe(record.status)}`;
  }
  return findAttemptsProblem(record.attempts);
}

/** Throws RouterError `invalid_request` naming the record, field and value when `record` cannot be stored. */
export function assertStorableRequestRecord(record: RequestRecord): void {
  const problem = findRequestRecordProblem(record);
  if (problem === null) return;
  const id = typeof record.id === 'string' ? record.id : '(no id)';
  throw new RouterError('invalid_request', `request record ${id}: ${problem}`, {
    metadata: { requestId: id },
  });
}

function findAttemptsProblem(attempts: unknown): string | null {
  if (!Array.isArray(attempts)) return `attempts must be an array, got ${describe(attempts)}`;
  if (attempts.length > maxRequestAttempts) {
    return `attempts holds ${attempts.length} entries, more than the ${maxRequestAttempts} allowed`;
  }
  for (const [index, attempt] of attempts.entries()) {
    if (typeof attempt !== 'object' || attempt === null) {
      return `attempts[${index}] must be an object, got ${describe(attempt)}`;
    }
    const { model, upstream, status, errorCode, durationMs, queueMs } = attempt as Partial<RequestAttempt>;
    if (typeof model !== 'string') return `attempts[${index}].model must be a string, got ${describe(model)}`;
    if (typeof upstream !== 'string') {
      return `attempts[${index}].upstream must be a string, got ${describe(upstream)}`;
    }
    if (status !== null && !isHttpStatus(status)) {
      return `attempts[${index}].status must be null or an HTTP status, got ${describe(status)}`;
    }
    if (errorCode !== null && typeof errorCode !== 'string') {
      return `attempts[${index}].errorCode must be null or a string, got ${describe(errorCode)}`;
    }
    if (!isNonNegativeFinite(durationMs)) {
      return `attempts[${index}].durationMs must be a non-negative finite number, got ${describe(durationMs)}`;
    }
    if (queueMs !== undefined && !isNonNegativeFinite(queueMs)) {
      return `attempts[${index}].queueMs must be absent or a non-negative finite number, got ${describe(queueMs)}`;
    }
  }
  return null;
}

function isNonNegativeFinite(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function isHttpStatus(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 100 && value <= 599;
}

function describe(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}
