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

/** Latency figures of one answering model (nearest-rank percentiles, to two significant figures). */
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
  /** One pass over the window: every count and sum, grouped finely enough to roll up in memory. */
  totals: { text: string; values: unknown[] };
  /** Latency and first-token histograms per model (values to two significant figures). */
  latency: { text: string; values: unknown[] };
  fallbackReasons: { text: string; values: unknown[] };
}

/**
 * A duration rounded down to two significant figures (below 100 ms to the millisecond), so a histogram
 * has at most about a hundred bins per decade whatever the number of requests. SQLite's CAST truncates,
 * PostgreSQL's rounds, so PostgreSQL floors first.
 */
function quantize(column: string, dialect: StoreDialect): string {
  const down = (value: string) =>
    dialect === 'sqlite' ? `CAST(${value} AS INTEGER)` : `CAST(FLOOR(${value}) AS INTEGER)`;
  return (
    `CASE WHEN ${column} < 100 THEN ${down(column)} ` +
    `WHEN ${column} < 1000 THEN ${down(`${column} / 10`)} * 10 ` +
    `WHEN ${column} < 10000 THEN ${down(`${column} / 100`)} * 100 ` +
    `WHEN ${column} < 100000 THEN ${down(`${column} / 1000`)} * 1000 ` +
    `ELSE ${down(`${column} / 10000`)} * 10000 END`
  );
}

/** Checks the window and builds every query of one dashboard read. */
export function buildDashboardQueries(
  query: DashboardStatsQuery,
  dialect: StoreDialect,
  placeholder: Placeholder,
): DashboardQueries {
  checkDashboardQuery(query);
  const settingsText = (field: string) =>
    dialect === 'sqlite' ? `json_extract(settings, '$.${field}')` : `(settings->>'${field}')`;
  const attemptsLength =
    dialect === 'sqlite' ? 'json_array_length(attempts)' : 'jsonb_array_length(attempts)';
  const attemptField = (field: string) =>
    dialect === 'sqlite' ? `json_extract(attempt.value, '$.${field}')` : `(attempt.value->>'${field}')`;
  const attemptsOf =
    dialect === 'sqlite'
      ? 'json_each(failed.attempts) AS attempt'
      : 'jsonb_array_elements(failed.attempts) AS attempt(value)';
  const window = (first: number) =>
    `created_at >= ${placeholder(first)} AND created_at < ${placeholder(first + 1)}`;
  const values = [query.since, query.until];
  return {
    totals: {
      // Buckets are aligned to the epoch; the bucket size comes first in the text, as SQLite numbers
      // its placeholders by position.
      text:
        `SELECT (created_at / CAST(${placeholder(1)} AS BIGINT)) AS bucket, model, tier, ` +
        `${settingsText('ingress')} AS ingress, ${settingsText('sticky')} AS sticky, ` +
        `CASE WHEN ${attemptsLength} > 1 THEN 1 ELSE 0 END AS fell_back, COUNT(*) AS requests, ` +
        'COALESCE(SUM(prompt_tokens), 0) AS prompt_tokens, COALESCE(SUM(completion_tokens), 0) AS completion_tokens, ' +
        'COALESCE(SUM(cached_tokens), 0) AS cached_tokens, COALESCE(SUM(cache_write_tokens), 0) AS cache_write_tokens, ' +
        `COALESCE(SUM(cost_usd), 0) AS cost_usd FROM requests WHERE ${window(2)} GROUP BY 1, 2, 3, 4, 5, 6`,
      values: [query.bucketMs, ...values],
    },
    latency: {
      text:
        `SELECT model, 'latency' AS kind, ${quantize('latency_ms', dialect)} AS value, COUNT(*) AS requests ` +
        `FROM requests WHERE ${window(1)} AND model IS NOT NULL GROUP BY 1, 2, 3 UNION ALL ` +
        `SELECT model, 'ttft' AS kind, ${quantize('time_to_first_token_ms', dialect)} AS value, COUNT(*) AS requests ` +
        `FROM requests WHERE ${window(3)} AND model IS NOT NULL AND time_to_first_token_ms IS NOT NULL GROUP BY 1, 2, 3`,
      values: [...values, ...values],
    },
    fallbackReasons: {
      // Only requests that failed an attempt are expanded: more than one attempt, or none answered.
      text:
        `SELECT ${attemptField('model')} AS model, ${attemptField('errorCode')} AS error_code, COUNT(*) AS attempts ` +
        `FROM (SELECT attempts FROM requests WHERE ${window(1)} AND (model IS NULL OR ${attemptsLength} > 1)) AS failed, ` +
        `${attemptsOf} WHERE ${attemptField('errorCode')} IS NOT NULL ` +
        'GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT 200',
      values,
    },
  };
}

/** Raw rows of each query, as either engine returns them (PostgreSQL sums come back as strings). */
export interface DashboardRawRows {
  totals: readonly Record<string, unknown>[];
  latency: readonly Record<string, unknown>[];
  fallbackReasons: readonly Record<string, unknown>[];
}

interface TokenTotals {
  requests: number;
  promptTokens: number;
  cachedTokens: number;
}

/** Rolls the grouped rows up into the dashboard's views (a bounded number of rows, not the log). */
export function mapDashboardRows(rows: DashboardRawRows, query: DashboardStatsQuery): DashboardStats {
  const traffic = new Map<string, TrafficBucketRow>();
  const cacheByModel = new Map<string, TokenTotals>();
  const cacheByIngress = new Map<string, TokenTotals>();
  const sticky = { hits: 0, misses: 0 };
  let requestsWithFallback = 0;
  const addTokens = (map: Map<string, TokenTotals>, group: string, row: TrafficBucketRow) => {
    const entry = map.get(group) ?? { requests: 0, promptTokens: 0, cachedTokens: 0 };
    entry.requests += row.requests;
    entry.promptTokens += row.promptTokens;
    entry.cachedTokens += row.cachedTokens;
    map.set(group, entry);
  };
  for (const raw of rows.totals) {
    const row: TrafficBucketRow = {
      bucketStart: Number(raw.bucket) * query.bucketMs,
      model: textOrNull(raw.model),
      tier: textOrNull(raw.tier),
      requests: Number(raw.requests),
      promptTokens: Number(raw.prompt_tokens),
      completionTokens: Number(raw.completion_tokens),
      cachedTokens: Number(raw.cached_tokens),
      cacheWriteTokens: Number(raw.cache_write_tokens),
      costUsd: Number(raw.cost_usd),
    };
    const key = `${row.bucketStart}\u0000${row.model ?? ''}\u0000${row.tier ?? ''}\u0000${row.model === null}\u0000${row.tier === null}`;
    const bucket = traffic.get(key);
    if (bucket === undefined) traffic.set(key, { ...row });
    else {
      bucket.requests += row.requests;
      bucket.promptTokens += row.promptTokens;
      bucket.completionTokens += row.completionTokens;
      bucket.cachedTokens += row.cachedTokens;
      bucket.cacheWriteTokens += row.cacheWriteTokens;
      bucket.costUsd += row.costUsd;
    }
    if (row.model !== null) {
      addTokens(cacheByModel, row.model, row);
      // Records from before the ingress was logged came in on chat completions, the only ingress then.
      addTokens(cacheByIngress, textOrNull(raw.ingress) ?? 'chat', row);
    }
    if (raw.sticky === 'hit') sticky.hits += row.requests;
    else if (raw.sticky === 'miss') sticky.misses += row.requests;
    if (Number(raw.fell_back) === 1) requestsWithFallback += row.requests;
  }
  const cacheRows = (map: Map<string, TokenTotals>): CacheRow[] =>
    [...map]
      .map(([group, entry]) => ({ group, ...entry }))
      .sort((left, right) => compareNullable(left.group, right.group));
  return {
    traffic: [...traffic.values()].sort(
      (left, right) =>
        left.bucketStart - right.bucketStart ||
        compareNullable(left.model, right.model) ||
        compareNullable(left.tier, right.tier),
    ),
    latency: mapLatencyRows(rows.latency),
    requestsWithFallback,
    fallbackReasons: rows.fallbackReasons.map((row) => ({
      model: String(row.model),
      errorCode: String(row.error_code),
      attempts: Number(row.attempts),
    })),
    cacheByModel: cacheRows(cacheByModel),
    cacheByIngress: cacheRows(cacheByIngress),
    sticky,
  };
}

/** Nearest-rank percentiles from the per-model histograms. */
function mapLatencyRows(rows: readonly Record<string, unknown>[]): ModelLatencyRow[] {
  const histograms = new Map<string, { latency: [number, number][]; ttft: [number, number][] }>();
  for (const row of rows) {
    const model = String(row.model);
    const entry = histograms.get(model) ?? { latency: [], ttft: [] };
    (row.kind === 'ttft' ? entry.ttft : entry.latency).push([Number(row.value), Number(row.requests)]);
    histograms.set(model, entry);
  }
  return [...histograms]
    .filter(([, entry]) => entry.latency.length > 0)
    .sort(([left], [right]) => compareNullable(left, right))
    .map(([model, entry]) => ({
      model,
      requests: entry.latency.reduce((sum, [, count]) => sum + count, 0),
      latencyP50Ms: percentileOf(entry.latency, 50) ?? 0,
      latencyP95Ms: percentileOf(entry.latency, 95) ?? 0,
      ttftP50Ms: percentileOf(entry.ttft, 50),
      ttftP95Ms: percentileOf(entry.ttft, 95),
    }));
}

/** The value at rank ceil(n * percent / 100) of a histogram of [value, count] pairs. */
function percentileOf(histogram: [number, number][], percent: number): number | null {
  const total = histogram.reduce((sum, [, count]) => sum + count, 0);
  if (total === 0) return null;
  const rank = Math.ceil((total * percent) / 100);
  let seen = 0;
  for (const [value, count] of [...histogram].sort((left, right) => left[0] - right[0])) {
    seen += count;
    if (seen >= rank) return value;
  }
  return null;
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
