/**
 * The dashboard's aggregates, computed by the database so a page over a log of any size receives a few
 * hundred rows, never the log. Each query is one text per engine: they differ only where SQLite and
 * PostgreSQL spell JSON access differently (the ingress and sticky outcome live in `settings`, the
 * attempts in a JSON array).
 */
import { RouterError } from '../core/errors.js';
import type { Placeholder } from './build-store-queries.js';

export type StoreDialect = 'sqlite' | 'postgres';

/** The window and bucket size of one dashboard read. */
export interface DashboardStatsQuery {
  /** Epoch milliseconds, inclusive. */
  since: number;
  /** Epoch milliseconds, exclusive. */
  until: number;
  /** Width of one traffic bucket in milliseconds; the window holds at most `maxDashboardBuckets`. */
  bucketMs: number;
}

export const maxDashboardBuckets = 500;

/** Requests, tokens and spend of one model and tier in one time bucket. */
export interface TrafficBucketRow {
  /** Epoch milliseconds of the bucket's start (buckets are aligned to multiples of their width). */
  bucketStart: number;
  /** The answering model, or null when none answered. */
  model: string | null;
  tier: string | null;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  cacheWriteTokens: number;
  costUsd: number;
}

/** Latency figures of one answering model (nearest-rank percentiles). */
export interface ModelLatencyRow {
  model: string;
  requests: number;
  latencyP50Ms: number;
  latencyP95Ms: number;
  /** Null when no request of the model reported a first token. */
  ttftP50Ms: number | null;
  ttftP95Ms: number | null;
}

/** Failed attempts of one model for one reason. */
export interface FallbackReasonRow {
  model: string;
  errorCode: string;
  attempts: number;
}

/** Prompt and cache-read tokens of one group (a model or an ingress protocol). */
export interface CacheRow {
  group: string;
  requests: number;
  promptTokens: number;
  cachedTokens: number;
}

export interface DashboardStats {
  traffic: TrafficBucketRow[];
  latency: ModelLatencyRow[];
  /** Requests that needed more than one attempt. */
  requestsWithFallback: number;
  fallbackReasons: FallbackReasonRow[];
  cacheByModel: CacheRow[];
  cacheByIngress: CacheRow[];
  /** Requests whose session had a sticky model that took the call, and ones where it did not. */
  sticky: { hits: number; misses: number };
}

export interface DashboardQueries {
  traffic: { text: string; values: unknown[] };
  latency: { text: string; values: unknown[] };
  fallbackCount: { text: string; values: unknown[] };
  fallbackReasons: { text: string; values: unknown[] };
  cacheByModel: { text: string; values: unknown[] };
  cacheByIngress: { text: string; values: unknown[] };
  sticky: { text: string; values: unknown[] };
}

/** Checks the window and builds every query of one dashboard read. */
export function buildDashboardQueries(
  query: DashboardStatsQuery,
  dialect: StoreDialect,
  placeholder: Placeholder,
): DashboardQueries {
  checkDashboardQuery(query);
  const window = `created_at >= ${placeholder(1)} AND created_at < ${placeholder(2)}`;
  const values = [query.since, query.until];
  const settingsText = (field: string) =>
    dialect === 'sqlite' ? `json_extract(settings, '$.${field}')` : `(settings->>'${field}')`;
  const attemptsLength =
    dialect === 'sqlite' ? 'json_array_length(attempts)' : 'jsonb_array_length(attempts)';
  const attemptRows =
    dialect === 'sqlite'
      ? "requests, json_each(requests.attempts) AS attempt WHERE json_extract(attempt.value, '$.errorCode') IS NOT NULL"
      : "requests, jsonb_array_elements(requests.attempts) AS attempt(value) WHERE (attempt.value->>'errorCode') IS NOT NULL";
  const attemptField = (field: string) =>
    dialect === 'sqlite' ? `json_extract(attempt.value, '$.${field}')` : `(attempt.value->>'${field}')`;
  // Buckets are aligned to the epoch; the bucket size comes first in the text, as SQLite numbers its
  // placeholders by position.
  const bucket = `(created_at / CAST(${placeholder(1)} AS BIGINT))`;
  const trafficWindow = `created_at >= ${placeholder(2)} AND created_at < ${placeholder(3)}`;
  const ingress = settingsText('ingress');
  // Nearest-rank percentiles with window functions, which both engines have: the value at rank
  // ceil(n * p), written with integer arithmetic so neither engine needs a CEIL function.
  const percentile = (column: string, rankColumn: string, countColumn: string, percent: number) =>
    `MIN(CASE WHEN ${rankColumn} = (${countColumn} * ${percent} + 99) / 100 THEN ${column} END)`;
  return {
    traffic: {
      text:
        `SELECT ${bucket} AS bucket, model, tier, COUNT(*) AS requests, ` +
        'COALESCE(SUM(prompt_tokens), 0) AS prompt_tokens, COALESCE(SUM(completion_tokens), 0) AS completion_tokens, ' +
        'COALESCE(SUM(cached_tokens), 0) AS cached_tokens, COALESCE(SUM(cache_write_tokens), 0) AS cache_write_tokens, ' +
        `COALESCE(SUM(cost_usd), 0) AS cost_usd FROM requests WHERE ${trafficWindow} ` +
        'GROUP BY 1, 2, 3 ORDER BY 1, 2, 3',
      values: [query.bucketMs, ...values],
    },
    latency: {
      text:
        'SELECT model, COUNT(*) AS requests, ' +
        `${percentile('latency_ms', 'latency_rank', 'answered', 50)} AS latency_p50, ` +
        `${percentile('latency_ms', 'latency_rank', 'answered', 95)} AS latency_p95, ` +
        `${percentile('time_to_first_token_ms', 'ttft_rank', 'with_ttft', 50)} AS ttft_p50, ` +
        `${percentile('time_to_first_token_ms', 'ttft_rank', 'with_ttft', 95)} AS ttft_p95 ` +
        'FROM (SELECT model, latency_ms, time_to_first_token_ms, ' +
        'ROW_NUMBER() OVER (PARTITION BY model ORDER BY latency_ms) AS latency_rank, ' +
        'COUNT(*) OVER (PARTITION BY model) AS answered, ' +
        // Rows without a first token rank last and above the count, so they are never picked.
        'ROW_NUMBER() OVER (PARTITION BY model ORDER BY CASE WHEN time_to_first_token_ms IS NULL THEN 1 ELSE 0 END, time_to_first_token_ms) AS ttft_rank, ' +
        'COUNT(time_to_first_token_ms) OVER (PARTITION BY model) AS with_ttft ' +
        `FROM requests WHERE ${window} AND model IS NOT NULL) AS ranked GROUP BY model ORDER BY model`,
      values,
    },
    fallbackCount: {
      text: `SELECT COUNT(*) AS requests FROM requests WHERE ${window} AND ${attemptsLength} > 1`,
      values,
    },
    fallbackReasons: {
      text:
        `SELECT ${attemptField('model')} AS model, ${attemptField('errorCode')} AS error_code, COUNT(*) AS attempts ` +
        `FROM ${attemptRows} AND requests.created_at >= ${placeholder(1)} AND requests.created_at < ${placeholder(2)} ` +
        'GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT 200',
      values,
    },
    cacheByModel: {
      text:
        'SELECT model AS group_value, COUNT(*) AS requests, COALESCE(SUM(prompt_tokens), 0) AS prompt_tokens, ' +
        `COALESCE(SUM(cached_tokens), 0) AS cached_tokens FROM requests WHERE ${window} AND model IS NOT NULL ` +
        'GROUP BY model ORDER BY model',
      values,
    },
    cacheByIngress: {
      text:
        `SELECT COALESCE(${ingress}, 'chat') AS group_value, COUNT(*) AS requests, ` +
        'COALESCE(SUM(prompt_tokens), 0) AS prompt_tokens, COALESCE(SUM(cached_tokens), 0) AS cached_tokens ' +
        `FROM requests WHERE ${window} AND model IS NOT NULL GROUP BY 1 ORDER BY 1`,
      values,
    },
    sticky: {
      text:
        `SELECT ${settingsText('sticky')} AS outcome, COUNT(*) AS requests FROM requests WHERE ${window} ` +
        `AND ${settingsText('sticky')} IS NOT NULL GROUP BY 1`,
      values,
    },
  };
}

/** Raw rows of each query, as either engine returns them (PostgreSQL sums come back as strings). */
export interface DashboardRawRows {
  traffic: readonly Record<string, unknown>[];
  latency: readonly Record<string, unknown>[];
  fallbackCount: readonly Record<string, unknown>[];
  fallbackReasons: readonly Record<string, unknown>[];
  cacheByModel: readonly Record<string, unknown>[];
  cacheByIngress: readonly Record<string, unknown>[];
  sticky: readonly Record<string, unknown>[];
}

/** Numbers as numbers, buckets as timestamps. */
export function mapDashboardRows(rows: DashboardRawRows, query: DashboardStatsQuery): DashboardStats {
  const sticky = { hits: 0, misses: 0 };
  for (const row of rows.sticky) {
    if (row.outcome === 'hit') sticky.hits += Number(row.requests);
    else if (row.outcome === 'miss') sticky.misses += Number(row.requests);
  }
  const cacheRow = (row: Record<string, unknown>): CacheRow => ({
    group: String(row.group_value),
    requests: Number(row.requests),
    promptTokens: Number(row.prompt_tokens),
    cachedTokens: Number(row.cached_tokens),
  });
  return {
    traffic: rows.traffic
      .map((row) => ({
        bucketStart: Number(row.bucket) * query.bucketMs,
        model: textOrNull(row.model),
        tier: textOrNull(row.tier),
        requests: Number(row.requests),
        promptTokens: Number(row.prompt_tokens),
        completionTokens: Number(row.completion_tokens),
        cachedTokens: Number(row.cached_tokens),
        cacheWriteTokens: Number(row.cache_write_tokens),
        costUsd: Number(row.cost_usd),
      }))
      // The engines order nulls differently; no model (a failed call) comes first in each bucket here.
      .sort(
        (left, right) =>
          left.bucketStart - right.bucketStart ||
          compareNullable(left.model, right.model) ||
          compareNullable(left.tier, right.tier),
      ),
    latency: rows.latency.map((row) => ({
      model: String(row.model),
      requests: Number(row.requests),
      latencyP50Ms: Number(row.latency_p50),
      latencyP95Ms: Number(row.latency_p95),
      ttftP50Ms: numberOrNull(row.ttft_p50),
      ttftP95Ms: numberOrNull(row.ttft_p95),
    })),
    requestsWithFallback: Number(rows.fallbackCount[0]?.requests ?? 0),
    fallbackReasons: rows.fallbackReasons.map((row) => ({
      model: String(row.model),
      errorCode: String(row.error_code),
      attempts: Number(row.attempts),
    })),
    cacheByModel: rows.cacheByModel.map(cacheRow),
    cacheByIngress: rows.cacheByIngress.map(cacheRow),
    sticky,
  };
}

function compareNullable(left: string | null, right: string | null): number {
  if (left === right) return 0;
  if (left === null) return -1;
  if (right === null) return 1;
  return left < right ? -1 : 1;
}

function textOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

function numberOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

function checkDashboardQuery(query: DashboardStatsQuery): void {
  for (const field of ['since', 'until', 'bucketMs'] as const) {
    if (!Number.isSafeInteger(query[field]) || query[field] < 0) {
      throw new RouterError(
        'invalid_request',
        `${field} must be a non-negative whole number of milliseconds, got ${String(query[field])}`,
      );
    }
  }
  if (query.until <= query.since) {
    throw new RouterError('invalid_request', `until (${query.until}) must be after since (${query.since})`);
  }
  if (query.bucketMs < 1000) {
    throw new RouterError('invalid_request', `bucket must be at least 1000 ms, got ${query.bucketMs}`);
  }
  const buckets = Math.ceil((query.until - query.since) / query.bucketMs);
  if (buckets > maxDashboardBuckets) {
    throw new RouterError(
      'invalid_request',
      `the window holds ${buckets} buckets, more than the ${maxDashboardBuckets} allowed; widen the bucket`,
    );
  }
}
