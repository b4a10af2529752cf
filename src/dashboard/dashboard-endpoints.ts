/**
 * The bodies of the dashboard's JSON endpoints. Each reads aggregates from the store (bounded by the
 * number of buckets, models and reasons) or a bounded page of records, never the whole log.
 */
import { keyLabel } from '../admin/render-key-info.js';
import { computeCost } from '../core/compute-cost.js';
import { RouterError } from '../core/errors.js';
import type { IndexSnapshot } from '../core/model-index.js';
import { route } from '../core/route.js';
import { diffSnapshots } from '../index/diff-snapshots.js';
import { compareSnapshotVersions, loadSnapshotSync } from '../index/snapshot-store.js';
import type { RouterApp } from '../server/router-app.js';
import type { DashboardStats, DashboardStatsQuery } from '../store/build-dashboard-queries.js';
import type { RequestRecord } from '../store/request-record.js';

/** Reads the store's dashboard aggregates for a window. */
export type StatsReader = (query: DashboardStatsQuery) => Promise<DashboardStats>;

const minute = 60_000;
const hour = 60 * minute;

/** The windows the page offers: how far back, and how wide one bucket is. */
export const dashboardWindows: Readonly<Record<string, { spanMs: number; bucketMs: number }>> = {
  '1h': { spanMs: hour, bucketMs: minute },
  '24h': { spanMs: 24 * hour, bucketMs: 30 * minute },
  '7d': { spanMs: 7 * 24 * hour, bucketMs: 4 * hour },
  '30d': { spanMs: 30 * 24 * hour, bucketMs: 24 * hour },
};

export const maxRecentRequests = 200;
const defaultRecentRequests = 50;
const maxKeysShown = 500;

/** The window a query names (`window=1h|24h|7d|30d`, default 24h), aligned to whole buckets. */
export function resolveWindow(query: URLSearchParams, now: number): DashboardStatsQuery & { name: string } {
  const name = query.get('window') ?? '24h';
  const window = dashboardWindows[name];
  if (window === undefined) {
    throw new RouterError(
      'invalid_request',
      `window must be one of ${Object.keys(dashboardWindows).join(', ')}, got "${name}"`,
    );
  }
  const until = (Math.floor(now / window.bucketMs) + 1) * window.bucketMs;
  return { name, since: until - window.spanMs, until, bucketMs: window.bucketMs };
}

function windowOf(window: DashboardStatsQuery & { name: string }) {
  return { name: window.name, since: window.since, until: window.until, bucket_ms: window.bucketMs };
}

/**
 * Requests, tokens and spend per bucket, model and tier, with what the same tokens would have cost on
 * the model the high tier picks now (the saving), and fallbacks with their reasons.
 */
export async function renderTraffic(app: RouterApp, stats: StatsReader, query: URLSearchParams, now: number) {
  const window = resolveWindow(query, now);
  const result = await stats(window);
  const index = app.defaultIndex;
  const highPick = route({}, index, undefined, app.routePolicy, { decisions: 'when_empty' }).candidates[0];
  const highModel = highPick === undefined ? undefined : index.byId.get(highPick.modelId);
  const totals = { requests: 0, prompt_tokens: 0, completion_tokens: 0, cost_usd: 0, high_tier_cost_usd: 0 };
  const byTier = new Map<string, { requests: number; cost_usd: number; tokens: number }>();
  const byModel = new Map<string, { requests: number; cost_usd: number; tokens: number }>();
  const buckets = result.traffic.map((row) => {
    const highCost =
      highModel === undefined || row.model === null
        ? 0
        : computeCost({ ...row, reasoningTokens: 0 }, highModel.pricing);
    totals.requests += row.requests;
    totals.prompt_tokens += row.promptTokens;
    totals.completion_tokens += row.completionTokens;
    totals.cost_usd += row.costUsd;
    totals.high_tier_cost_usd += highCost;
    for (const [map, group] of [
      [byTier, row.tier ?? '(none)'],
      [byModel, row.model ?? '(none)'],
    ] as const) {
      const entry = map.get(group) ?? { requests: 0, cost_usd: 0, tokens: 0 };
      entry.requests += row.requests;
      entry.cost_usd += row.costUsd;
      entry.tokens += row.promptTokens + row.completionTokens;
      map.set(group, entry);
    }
    return {
      start: row.bucketStart,
      model: row.model,
      tier: row.tier,
      requests: row.requests,
      prompt_tokens: row.promptTokens,
      completion_tokens: row.completionTokens,
      cached_tokens: row.cachedTokens,
      cost_usd: row.costUsd,
      high_tier_cost_usd: highCost,
    };
  });
  const grouped = (map: Map<string, { requests: number; cost_usd: number; tokens: number }>, field: string) =>
    [...map]
      .map(([group, entry]) => ({ [field]: group, ...entry }))
      .sort((left, right) => right.cost_usd - left.cost_usd || right.requests - left.requests);
  return {
    window: windowOf(window),
    high_tier_model: highModel?.id ?? null,
    totals: { ...totals, saving_usd: totals.high_tier_cost_usd - totals.cost_usd },
    by_tier: grouped(byTier, 'tier'),
    by_model: grouped(byModel, 'model'),
    buckets,
    fallbacks: {
      requests: result.requestsWithFallback,
      reasons: result.fallbackReasons.map((row) => ({
        model: row.model,
        error_code: row.errorCode,
        attempts: row.attempts,
      })),
    },
  };
}

/** Latency and time-to-first-token percentiles per model, and the live throughput nitro ranks by. */
export async function renderPerformance(
  app: RouterApp,
  stats: StatsReader,
  query: URLSearchParams,
  now: number,
) {
  const window = resolveWindow(query, now);
  const result = await stats(window);
  const throughput = app.defaultIndex.shortlist.flatMap((model) => {
    const live = app.state.throughput.p50(model.id);
    const liveEnough = live !== undefined && live.samples >= app.routePolicy.nitroMinSamples;
    if (live === undefined && model.throughputTokensPerSecond === undefined) return [];
    return [
      {
        model: model.id,
        live_tokens_per_second: live?.tokensPerSecond ?? null,
        samples: live?.samples ?? 0,
        reference_tokens_per_second: model.throughputTokensPerSecond ?? null,
        // What nitro ranks by now: the live median once it has enough streams, else the reference.
        used_by_nitro: liveEnough
          ? 'live'
          : model.throughputTokensPerSecond !== undefined
            ? 'reference'
            : 'none',
      },
    ];
  });
  return {
    window: windowOf(window),
    latency: result.latency.map((row) => ({
      model: row.model,
      requests: row.requests,
      latency_p50_ms: row.latencyP50Ms,
      latency_p95_ms: row.latencyP95Ms,
      ttft_p50_ms: row.ttftP50Ms,
      ttft_p95_ms: row.ttftP95Ms,
    })),
    throughput,
  };
}

/** Prompt-cache hit rate (cached prompt tokens / prompt tokens) per model and per ingress, and sticky outcomes. */
export async function renderCache(stats: StatsReader, query: URLSearchParams, now: number) {
  const window = resolveWindow(query, now);
  const result = await stats(window);
  const rate = (part: number, whole: number) => (whole === 0 ? null : part / whole);
  const row = (field: string) => (entry: DashboardStats['cacheByModel'][number]) => ({
    [field]: entry.group,
    requests: entry.requests,
    prompt_tokens: entry.promptTokens,
    cached_tokens: entry.cachedTokens,
    hit_rate: rate(entry.cachedTokens, entry.promptTokens),
  });
  return {
    window: windowOf(window),
    by_model: result.cacheByModel.map(row('model')),
    by_ingress: result.cacheByIngress.map(row('ingress')),
    sticky: {
      hits: result.sticky.hits,
      misses: result.sticky.misses,
      hit_rate: rate(result.sticky.hits, result.sticky.hits + result.sticky.misses),
    },
  };
}

/** The newest requests (`limit`, default 50, at most 200), one summary line each. */
export async function renderRecentRequests(app: RouterApp, query: URLSearchParams) {
  const raw = query.get('limit');
  const limit = raw === null ? defaultRecentRequests : Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > maxRecentRequests) {
    throw new RouterError(
      'invalid_request',
      `limit must be a whole number from 1 to ${maxRecentRequests}, got "${raw}"`,
    );
  }
  const records = await app.ops.store.queryRequests({ limit });
  return { data: records.map(summariseRecord) };
}

function summariseRecord(record: RequestRecord) {
  return {
    id: record.id,
    created_at: record.createdAt,
    requested_model: record.requestedModel,
    tier: record.tier,
    model: record.model,
    attempts: record.attempts.length,
    prompt_tokens: record.promptTokens,
    completion_tokens: record.completionTokens,
    cached_tokens: record.cachedTokens,
    cost_usd: record.costUsd,
    latency_ms: record.latencyMs,
    status: record.status,
    error_code: record.errorCode,
  };
}

/** One whole request record. */
export async function renderRequestRecord(app: RouterApp, id: string) {
  const record = id === '' ? null : await app.ops.store.getRequest(id);
  if (record === null)
    throw new RouterError('not_found', `no request ${JSON.stringify(id.slice(0, 80))} in the log`);
  return { data: record };
}

/** Every key with its limits and what it has used of each. */
export async function renderKeys(app: RouterApp, now: number) {
  const keys = (await app.ops.store.listKeys()).slice(0, maxKeysShown);
  const data = await Promise.all(
    keys.map(async (key) => {
      const spend = await app.ops.ledger.spend(key, now);
      return {
        id: key.id,
        name: key.name,
        label: keyLabel(key),
        revoked: key.revokedAt !== null,
        budgets: [
          { window: 'daily', used_usd: spend.dailyUsd, limit_usd: key.limitDailyUsd },
          { window: 'monthly', used_usd: spend.monthlyUsd, limit_usd: key.limitMonthlyUsd },
          { window: 'total', used_usd: spend.totalUsd, limit_usd: key.limitTotalUsd },
        ],
        rate_limit_per_minute: key.rateLimitPerMinute,
      };
    }),
  );
  return { data };
}

const snapshotDiffs = new WeakMap<RouterApp, unknown>();

/** The active snapshot, its date, the versions on disk and a diff against the one before it. */
export function renderSnapshot(app: RouterApp) {
  const active = app.defaultIndex;
  const older = app.availableVersions
    .filter((version) => compareSnapshotVersions(version, active.version) < 0)
    .sort(compareSnapshotVersions);
  const previous = older.at(-1) ?? null;
  let diff = snapshotDiffs.get(app);
  if (diff === undefined) {
    diff = previous === null ? null : diffOf(app, previous, active.version);
    snapshotDiffs.set(app, diff);
  }
  return {
    active: {
      version: active.version,
      created_at: active.createdAt,
      models: active.models.length,
      shortlist: active.shortlist.length,
    },
    available: [...app.availableVersions],
    previous,
    diff,
  };
}

function diffOf(app: RouterApp, previous: string, current: string) {
  let from: IndexSnapshot;
  let to: IndexSnapshot;
  try {
    from = loadSnapshotSync({ version: previous, dataDir: app.config.dataDir });
    to = loadSnapshotSync({ version: current, dataDir: app.config.dataDir });
  } catch (error) {
    return {
      error: `could not load snapshots to compare: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  return diffSnapshots(from, to, { blendRatio: app.config.blendRatio, cutoffs: app.routePolicy.cutoffs });
}
