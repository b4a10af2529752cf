/**
 * The two limits of one streamed attempt, fitted to the model: how long to wait for its first token
 * (from sending the request; reasoning and tool-call tokens count) and how long a silence after it may
 * last. Each is `multiplier` x the p95 the model showed on its recent streams through this router,
 * bounded below by `floorMs` and above by the configured ceiling (`timeouts.firstTokenMs`,
 * `timeouts.streamIdleMs`). Until a model has `minSamples` streams, its first-token limit rests on the
 * index's reference time to first token when there is one, else both limits are `defaultMs`. The last
 * candidate of a plan waits for its first token up to the ceiling: failing over fast helps only when
 * there is somewhere to go.
 */
import {
  defaultLearnedTimeouts,
  type LearnedTimeoutConfig,
  type TimeoutConfig,
} from '../config/router-config.js';
import type { LatencyPercentile, LatencyStats } from '../state/latency-stats.js';

export interface StreamDeadlines {
  firstTokenMs: number;
  idleMs: number;
  /** How the first-token limit was set, for the error message that names it. */
  firstTokenBasis: string;
  /** How the stall limit was set. */
  idleBasis: string;
}

/** A limit and the words that explain it. */
interface Limit {
  ms: number;
  basis: string;
}

/**
 * One learned limit: `multiplier` x `percentile.p95Ms` (or x `referenceMs` without enough samples),
 * within [floor, ceiling]; `defaultMs` (at most the ceiling) when neither is known.
 */
export function learnedLimit(
  percentile: LatencyPercentile | undefined,
  referenceMs: number | undefined,
  settings: LearnedTimeoutConfig,
  ceilingMs: number,
): Limit {
  if (!settings.enabled) return { ms: ceilingMs, basis: 'the configured limit' };
  const bounded = (ms: number) =>
    Math.min(ceilingMs, Math.max(Math.min(settings.floorMs, ceilingMs), Math.round(ms)));
  if (percentile !== undefined && percentile.samples >= settings.minSamples) {
    return {
      ms: bounded(settings.multiplier * percentile.p95Ms),
      basis: `${settings.multiplier} x the model's p95 of ${Math.round(percentile.p95Ms)} ms over ${percentile.samples} streams`,
    };
  }
  if (referenceMs !== undefined && referenceMs > 0) {
    return {
      ms: bounded(settings.multiplier * referenceMs),
      basis: `${settings.multiplier} x the index's reference of ${Math.round(referenceMs)} ms`,
    };
  }
  return { ms: Math.min(settings.defaultMs, ceilingMs), basis: 'the default for a model without samples' };
}

/**
 * The limits for one streamed attempt on `modelId`. `referenceFirstTokenMs` is the index's figure, when
 * it has one; `lastCandidate` is true when no other candidate remains to fail over to.
 */
export function streamDeadlines(
  modelId: string,
  referenceFirstTokenMs: number | undefined,
  latency: LatencyStats,
  timeouts: TimeoutConfig,
  lastCandidate: boolean,
): StreamDeadlines {
  const settings = timeouts.learned ?? defaultLearnedTimeouts;
  const firstToken = lastCandidate
    ? { ms: timeouts.firstTokenMs, basis: 'the configured limit, as no other candidate remains' }
    : learnedLimit(latency.firstToken(modelId), referenceFirstTokenMs, settings, timeouts.firstTokenMs);
  const idle = learnedLimit(latency.streamGap(modelId), undefined, settings, timeouts.streamIdleMs);
  return {
    firstTokenMs: firstToken.ms,
    idleMs: idle.ms,
    firstTokenBasis: firstToken.basis,
    idleBasis: idle.basis,
  };
}
