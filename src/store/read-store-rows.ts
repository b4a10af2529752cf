/**
 * Stored rows back to records, shared by both engines. A row's JSON columns are checked against the
 * shape the writer stored: a value edited by hand or corrupted becomes an `internal` error naming the
 * row, never a record of the wrong shape.
 */
import { z } from 'zod';
import { RouterError } from '../core/errors.js';
import type { ApiKeyRecord } from './api-key.js';
import type { ApiKeyRow, RequestRow } from './map-store-rows.js';
import type { RequestRecord } from './request-record.js';

const attemptsSchema = z.array(
  z.object({
    model: z.string(),
    upstream: z.string(),
    status: z.number().nullable(),
    errorCode: z.string().nullable(),
    durationMs: z.number(),
    queueMs: z.number().optional(),
  }),
);
const settingsSchema = z.record(z.string(), z.unknown());
const modelListSchema = z.array(z.string());

/** Converts a stored request row into the record that was written. */
export function mapRequestRow(row: RequestRow): RequestRecord {
  return {
    id: row.id,
    createdAt: row.created_at,
    keyId: row.key_id,
    requestedModel: row.requested_model,
    settings: readColumn(settingsSchema, row.settings, 'requests.settings', row.id),
    tier: row.tier,
    attempts: readColumn(attemptsSchema, row.attempts, 'requests.attempts', row.id),
    model: row.model,
    upstream: row.upstream,
    promptTokens: row.prompt_tokens,
    completionTokens: row.completion_tokens,
    cachedTokens: row.cached_tokens,
    cacheWriteTokens: row.cache_write_tokens,
    reasoningTokens: row.reasoning_tokens,
    costUsd: row.cost_usd,
    latencyMs: row.latency_ms,
    timeToFirstTokenMs: row.time_to_first_token_ms,
    outputTokensPerSecond: row.output_tokens_per_second,
    sessionHash: row.session_hash,
    finishReason: row.finish_reason,
    streamed: Boolean(row.streamed),
    status: row.status,
    errorCode: row.error_code,
  };
}

/** Converts a stored key row into its record. */
export function mapApiKeyRow(row: ApiKeyRow): ApiKeyRecord {
  return {
    id: row.id,
    name: row.name,
    hash: row.hash,
    prefix: row.prefix,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
    defaultMinCodingScore: row.default_min_coding_score,
    preventOverrides: Boolean(row.prevent_overrides),
    allowedModels: readColumn(modelListSchema, row.allowed_models, 'api_keys.allowed_models', row.id),
    excludedModels: readColumn(modelListSchema, row.excluded_models, 'api_keys.excluded_models', row.id),
    limitDailyUsd: row.limit_daily_usd,
    limitMonthlyUsd: row.limit_monthly_usd,
    limitTotalUsd: row.limit_total_usd,
    rateLimitPerMinute: row.rate_limit_per_minute,
  };
}

function readColumn<T>(schema: z.ZodType<T>, value: unknown, column: string, rowId: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new RouterError('internal', `stored ${column} of ${rowId} has an unexpected shape`, {
    cause: result.error,
  });
}
