/**
 * The traffic profile of the request log, for `forecast --from-log`: requests per day, mean tokens per
 * request, the cached share of input and the tier mix, measured over a window that ends now.
 */

import { RouterError } from '../core/errors.js';
import type { TierName } from '../core/tiers.js';
import { maxRequestQueryLimit, type RequestStore } from '../store/request-store.js';
import { formatUtcTime } from './format-values.js';
import { isTierName, type TierMix } from './parse-option-values.js';

const dayMs = 86_400_000;
/** A log a few seconds old would give an infinite daily rate; a minute is the shortest span measured. */
const minimumSpanMs = 60_000;

/** What was measured, and over which window (documented under `forecast --json` in docs/cli-json.md). */
export interface LogTrafficMeasurement {
  /** The start of the window asked for (`--since`, default 30 days). */
  since: string;
  /** The end of the window: now. */
  until: string;
  /** Where the measured span starts: `since`, or the first logged request when the log is younger. */
  measuredFrom: string;
  /** The length of the measured span in days: the divisor of `requestsPerDay`. */
  days: number;
  requests: number;
  /** Requests logged without a tier (failed before routing, or sent to a concrete model): not in the mix. */
  requestsWithoutTier: number;
  measured: {
    requestsPerDay: number;
    inputTokens: number;
    outputTokens: number;
    cachedShare: number;
    /** Null when no request in the window has a tier. */
    mix: TierMix | null;
  };
}

/**
 * Measures the log from `since` to `now`. When the log holds nothing older than `since`, the span starts
 * at the first logged request instead: a router installed five days ago must not have its daily rate
 * divided by thirty. Throws RouterError `not_found` when the window holds no request at all.
 */
export async function measureLogTraffic(
  store: RequestStore,
  since: number,
  now: number,
): Promise<LogTrafficMeasurement> {
  const groups = await store.spend({ by: 'tier', since });
  const totals = { requests: 0, prompt: 0, completion: 0, cached: 0 };
  const perTier: Record<TierName, number> = { high: 0, medium: 0, low: 0 };
  for (const group of groups) {
    totals.requests += group.requests;
    totals.prompt += group.promptTokens;
    totals.completion += group.completionTokens;
    totals.cached += group.cachedTokens;
    if (isTierName(group.group)) perTier[group.group] += group.requests;
  }
  if (totals.requests === 0) {
    throw new RouterError(
      'not_found',
      `no requests logged since ${formatUtcTime(since)}: nothing to measure (try a longer --since)`,
    );
  }
  const older = await store.queryRequests({ until: since, limit: 1 });
  const measuredFrom = older.length > 0 ? since : await findFirstRequestTime(store, since);
  const spanMs = Math.max(now - measuredFrom, minimumSpanMs);
  const days = spanMs / dayMs;
  const tiered = perTier.high + perTier.medium + perTier.low;
  return {
    since: new Date(since).toISOString(),
    until: new Date(now).toISOString(),
    measuredFrom: new Date(measuredFrom).toISOString(),
    days,
    requests: totals.requests,
    requestsWithoutTier: totals.requests - tiered,
    measured: {
      requestsPerDay: totals.requests / days,
      inputTokens: Math.round(totals.prompt / totals.requests),
      outputTokens: Math.round(totals.completion / totals.requests),
      // Cached tokens are part of the prompt tokens; a share above 1 would be a logging fault, not traffic.
      cachedShare: totals.prompt === 0 ? 0 : Math.min(1, totals.cached / totals.prompt),
      mix:
        tiered === 0
          ? null
          : { high: perTier.high / tiered, medium: perTier.medium / tiered, low: perTier.low / tiered },
    },
  };
}

/**
 * The time of the first request at or after `since`. The store lists newest first, so this finds the
 * first UTC day with traffic and reads that day; on a day with more records than one query returns, the
 * start of the day is close enough for a daily rate.
 */
async function findFirstRequestTime(store: RequestStore, since: number): Promise<number> {
  const days = await store.spend({ by: 'day', since });
  const first = days[0];
  if (first === undefined) return since;
  const dayStart = Date.parse(`${first.group}T00:00:00Z`);
  if (!Number.isFinite(dayStart)) return since;
  const from = Math.max(since, dayStart);
  const records = await store.queryRequests({
    since: from,
    until: dayStart + dayMs,
    limit: maxRequestQueryLimit,
  });
  const earliest = records.at(-1);
  if (earliest === undefined || records.length === maxRequestQueryLimit) return from;
  return earliest.createdAt;
}
