/**
 * The row shapes and column lists of both engines, and records to rows. The engines differ only in how a
 * row travels (SQLite: JSON as text, booleans as 0/1; PostgreSQL: jsonb, real booleans); each adapter
 * normalises that, and this module and read-store-rows.ts (rows back to records) are the only places
 * that know the column names. Reading is kept apart because it validates with zod, which the SQLite
 * writer thread, inserting only, then never loads.
 */
import { RouterError } from '../core/errors.js';
import type { ApiKeyRecord } from './api-key.js';
import type { RequestRecord } from './request-record.js';

/** A `requests` row with its JSON columns already parsed. */
export interface RequestRow {
  id: string;
  created_at: number;
  key_id: string | null;
  requested_model: string;
  settings: unknown;
  tier: string | null;
  attempts: unknown;
  model: string | null;
  upstream: string | null;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  cost_usd: number;
  latency_ms: number;
  time_to_first_token_ms: number | null;
  output_tokens_per_second: number | null;
  session_hash: string | null;
  finish_reason: string | null;
  streamed: boolean | number;
  status: number;
  error_code: string | null;
}

/** An `api_keys` row with its JSON columns already parsed. */
export interface ApiKeyRow {
  id: string;
  name: string;
  hash: string;
  prefix: string;
  created_at: number;
  revoked_at: number | null;
  default_min_coding_score: number | null;
  prevent_overrides: boolean | number;
  allowed_models: unknown;
  excluded_models: unknown;
  limit_daily_usd: number | null;
  limit_monthly_usd: number | null;
  limit_total_usd: number | null;
  rate_limit_per_minute: number | null;
}

/** Column order used by every INSERT into `requests`. */
export const requestColumns = [
  'id',
  'created_at',
  'key_id',
  'requested_model',
  'settings',
  'tier',
  'attempts',
  'model',
  'upstream',
  'prompt_tokens',
  'completion_tokens',
  'cached_tokens',
  'cache_write_tokens',
  'reasoning_tokens',
  'cost_usd',
  'latency_ms',
  'time_to_first_token_ms',
  'output_tokens_per_second',
  'session_hash',
  'finish_reason',
  'streamed',
  'status',
  'error_code',
] as const satisfies readonly (keyof RequestRow)[];

/** Column order used by every INSERT into `api_keys`. */
export const apiKeyColumns = [
  'id',
  'name',
  'hash',
  'prefix',
  'created_at',
  'revoked_at',
  'default_min_coding_score',
  'prevent_overrides',
  'allowed_models',
  'excluded_models',
  'limit_daily_usd',
  'limit_monthly_usd',
  'limit_total_usd',
  'rate_limit_per_minute',
] as const satisfies readonly (keyof ApiKeyRow)[];

/** Converts a record into a row; JSON columns stay values, each engine encodes them its own way. */
export function toRequestRow(record: RequestRecord): RequestRow {
  return {
    id: record.id,
    created_at: record.createdAt,
    key_id: record.keyId,
    requested_model: record.requestedModel,
    settings: record.settings,
    tier: record.tier,
    attempts: record.attempts.map((attempt) => ({
      model: attempt.model,
      upstream: attempt.upstream,
      status: attempt.status,
      errorCode: attempt.errorCode,
      durationMs: attempt.durationMs,
      ...(attempt.queueMs === undefined ? {} : { queueMs: attempt.queueMs }),
    })),
    model: record.model,
    upstream: record.upstream,
    prompt_tokens: record.promptTokens,
    completion_tokens: record.completionTokens,
    cached_tokens: record.cachedTokens,
    cache_write_tokens: record.cacheWriteTokens,
    reasoning_tokens: record.reasoningTokens,
    cost_usd: record.costUsd,
    latency_ms: record.latencyMs,
    time_to_first_token_ms: record.timeToFirstTokenMs,
    output_tokens_per_second: record.outputTokensPerSecond,
    session_hash: record.sessionHash,
    finish_reason: record.finishReason,
    streamed: record.streamed,
    status: record.status,
    error_code: record.errorCode,
  };
}

/** Converts a key record into a row. */
export function toApiKeyRow(record: ApiKeyRecord): ApiKeyRow {
  return {
    id: record.id,
    name: record.name,
    hash: record.hash,
    prefix: record.prefix,
    created_at: record.createdAt,
    revoked_at: record.revokedAt,
    default_min_coding_score: record.defaultMinCodingScore,
    prevent_overrides: record.preventOverrides,
    allowed_models: [...record.allowedModels],
    excluded_models: [...record.excludedModels],
    limit_daily_usd: record.limitDailyUsd,
    limit_monthly_usd: record.limitMonthlyUsd,
    limit_total_usd: record.limitTotalUsd,
    rate_limit_per_minute: record.rateLimitPerMinute,
  };
}

/**
 * JSON text for a JSON column. A value JSON cannot encode (a bigint, a cycle) is the writer's mistake and
 * is refused as `invalid_request`, naming the row, rather than surfacing as an engine error.
 */
export function serializeJsonColumn(value: unknown, column: string, rowId: string): string {
  try {
    const text = JSON.stringify(value);
    if (typeof text === 'string') return text;
  } catch (error) {
    throw new RouterError(
      'invalid_request',
      `${column} of ${rowId} cannot be stored as JSON: ${messageOf(error)}`,
      {
        cause: error,
      },
    );
  }
  throw new RouterError('invalid_request', `${column} of ${rowId} cannot be stored as JSON`);
}

/** Parses a JSON text column; a corrupt value becomes an `internal` error naming the row, never a crash. */
export function parseJsonColumn(text: unknown, column: string, rowId: string): unknown {
  if (typeof text !== 'string') return text;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new RouterError('internal', `stored ${column} of ${rowId} is not valid JSON: ${messageOf(error)}`, {
      cause: error,
    });
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
