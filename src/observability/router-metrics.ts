/**
 * The router's Prometheus metrics on a registry of its own (never prom-client's global one, so tests and
 * several routers in one process do not collide). Every label value is bounded: model ids come from the
 * index, upstreams from the configuration, and anything else is counted as `other`.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { statusByCode } from '../core/errors.js';
import { parseRouterModel } from '../core/router-model.js';
import { tierNames } from '../core/tiers.js';
import type { CircuitState } from '../state/circuit-breaker.js';
import { BucketHistogram, type HistogramSeries } from './bucket-histogram.js';

/** What one finished request reports (the lead's request path calls `observeRequest` once per request). */
export interface RequestObservation {
  /** The router model the caller named (`pareto-code`, `openrouter/pareto-code:nitro`...), null for a concrete model. */
  routerModel: string | null;
  tier: string | null;
  /** The model that answered; null when none did. */
  servedModel: string | null;
  upstream: string | null;
  /** The HTTP status sent to the caller. */
  status: number;
  /** The wire protocol the call came in on (`chat`, `messages`, `responses`, `gemini`); `chat` when absent. */
  ingress?: string;
  streamed: boolean;
  latencySeconds: number;
  timeToFirstTokenSeconds: number | null;
  /** Time spent in the router itself (parsing, routing, converting), not waiting on the upstream. */
  overheadSeconds: number | null;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
  cacheWriteTokens?: number;
  costUsd: number;
}

/** One upstream's connection pool, as a limited pool reports it. */
export interface UpstreamPoolReport {
  upstream: string;
  /** Calls waiting for a free connection. */
  queued: number;
  /** Open connections. */
  connected: number;
}

export interface CircuitStateReport {
  modelId: string;
  upstream: string;
  state: CircuitState;
}

export interface RouterMetricsOptions {
  /** Model ids that may appear as label values (the index's); others are reported as `other`. */
  knownModels?: Iterable<string>;
  /** Upstream names that may appear as label values (the configuration's). */
  knownUpstreams?: Iterable<string>;
  /** Process metrics (CPU, memory, event loop, GC); on by default. */
  defaultMetrics?: boolean;
}

/** Why the edge shed a request or connection. */
export type ShedReason =
  | 'overloaded'
  | 'body_buffer_full'
  | 'headers_timeout'
  | 'body_timeout'
  | 'headers_too_large'
  | 'bad_request'
  | 'slow_reader';

/** The label value for anything outside the known set. */
export const otherLabel = 'other';
/** The label value for "no value" (no model answered, no tier, no upstream). */
export const noneLabel = 'none';

const prefix = 'pareto_router_';

/** Whole requests: from a cached answer in tens of milliseconds to long agent turns. */
const latencyBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120, 300];
/** First token: what a user feels; most providers answer within a few seconds. */
const timeToFirstTokenBuckets = [0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 20, 60];
/** The router's own time: fractions of a millisecond when healthy. */
const overheadBuckets = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1];
/** A wait for a pooled connection: a whole short answer, or a whole long stream. */
const queueWaitBuckets = [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120];

const requestLabelNames = [
  'router_model',
  'tier',
  'served_model',
  'upstream',
  'status',
  'streamed',
  'ingress',
] as const;
const knownIngresses: ReadonlyMap<string, string> = identityMap(['chat', 'messages', 'responses', 'gemini']);
/** Status labels made once: a fresh string per request would be hashed again on every lookup. */
const statusLabels: readonly string[] = Array.from({ length: 600 }, (_, status) =>
  status >= 100 ? String(status) : 'other',
);

const circuitStateValues: Readonly<Record<CircuitState, number>> = { closed: 0, half_open: 1, open: 2 };
const knownTiers: ReadonlyMap<string, string> = identityMap(tierNames);
const knownReasons: ReadonlySet<string> = new Set(Object.keys(statusByCode));

/** One counter series with what it gained since the last scrape. */
interface PendingCount {
  labels: Record<string, string>;
  pending: number;
}

type LabelTrie = Map<string, LabelTrie | PendingCount>;

/**
 * Counter increments kept as plain numbers and handed to prom-client when it collects (at scrape time):
 * a prom-client increment hashes and validates its labels each time, about a microsecond, and a request
 * makes seven of them. Series are found through one Map per label, never through a joined string key:
 * building and hashing a fresh key string on every request cost more than all the Map lookups.
 */
class PendingCounts {
  readonly #labelNames: readonly string[];
  readonly #root: LabelTrie = new Map();
  readonly #entries: PendingCount[] = [];

  constructor(labelNames: readonly string[]) {
    this.#labelNames = labelNames;
  }

  /** The series for these label values, in `labelNames` order. */
  entry(...values: string[]): PendingCount {
    let node: LabelTrie = this.#root;
    const last = values.length - 1;
    for (let index = 0; index < last; index += 1) {
      const value = values[index] as string;
      let next = node.get(value);
      if (next === undefined) {
        next = new Map();
        node.set(value, next);
      }
      node = next as LabelTrie;
    }
    const leafValue = values[last] as string;
    let entry = node.get(leafValue) as PendingCount | undefined;
    if (entry === undefined) {
      const labels: Record<string, string> = {};
      this.#labelNames.forEach((name, index) => {
        labels[name] = values[index] as string;
      });
      entry = { labels, pending: 0 };
      node.set(leafValue, entry);
      this.#entries.push(entry);
    }
    return entry;
  }

  flushInto(counter: Counter): void {
    for (const entry of this.#entries) {
      if (entry.pending === 0) continue;
      counter.inc(entry.labels, entry.pending);
      entry.pending = 0;
    }
  }
}

type TokenKind = 'prompt' | 'completion' | 'cached' | 'cache_write' | 'reasoning';

interface ModelSeries {
  prompt: PendingCount;
  completion: PendingCount;
  cached: PendingCount;
  cacheWrite: PendingCount;
  reasoning: PendingCount;
  cost: PendingCount;
  timeToFirstToken: HistogramSeries;
  /** Not streamed, streamed. */
  latency: [HistogramSeries, HistogramSeries];
}

/** The router's metrics; `render()` serves `GET /metrics`. */
export class RouterMetrics {
  readonly registry = new Registry();
  readonly #requests: Counter;
  readonly #latency: BucketHistogram;
  readonly #timeToFirstToken: BucketHistogram;
  readonly #overhead: BucketHistogram;
  readonly #tokens: Counter;
  readonly #cost: Counter;
  readonly #fallbacks: Counter;
  readonly #circuitState: Gauge;
  readonly #logBufferDepth: Gauge;
  readonly #logDropped: Counter;
  #redisUp: Gauge | undefined;
  #redisPending: Gauge | undefined;
  readonly #registers: Registry[];
  readonly #shed: Counter;
  readonly #upstreamQueued: Gauge;
  readonly #upstreamConnections: Gauge;
  readonly #upstreamQueueWait: Histogram;
  #upstreamPools: () => readonly UpstreamPoolReport[] = () => [];
  /** Known value to the same string: labels are then always the stored strings, with their hashes cached. */
  #knownModels: ReadonlyMap<string, string>;
  #knownUpstreams: ReadonlyMap<string, string>;
  #droppedSeen = 0;
  readonly #pendingRequests = new PendingCounts(requestLabelNames);
  readonly #pendingTokens = new PendingCounts(['served_model', 'ingress', 'kind']);
  readonly #pendingCost = new PendingCounts(['served_model']);
  /** Router model names seen, with their label (parsing the name on every request costs more). */
  readonly #routerModelLabels = new Map<string, string>();
  /** Series by ingress, then by model: two Map lookups, no joined key string per request. */
  readonly #modelChildren = new Map<string, Map<string, ModelSeries>>();
  readonly #overheadChildren: [HistogramSeries, HistogramSeries];

  constructor(options: RouterMetricsOptions = {}) {
    this.#knownModels = identityMap(options.knownModels ?? []);
    this.#knownUpstreams = identityMap(options.knownUpstreams ?? []);
    const registers = [this.registry];
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
    this.#requests = new Counter({
      name: `${prefix}requests_total`,
      help: 'Requests answered, by router model, tier, served model, upstream, HTTP status, streaming and ingress protocol.',
      labelNames: [...requestLabelNames],
      registers,
      collect: () => this.#pendingRequests.flushInto(this.#requests),
    });
    this.#latency = new BucketHistogram({
      name: `${prefix}request_duration_seconds`,
      help: 'Total request latency, from arrival to the last byte.',
      labelNames: ['served_model', 'streamed'],
      buckets: latencyBuckets,
      registers,
    });
    this.#timeToFirstToken = new BucketHistogram({
      name: `${prefix}time_to_first_token_seconds`,
      help: 'Time from arrival to the first content token.',
      labelNames: ['served_model'],
      buckets: timeToFirstTokenBuckets,
      registers,
    });
    this.#overhead = new BucketHistogram({
      name: `${prefix}overhead_seconds`,
      help: "The router's own time per request, excluding the upstream.",
      labelNames: ['streamed'],
      buckets: overheadBuckets,
      registers,
    });
    this.#tokens = new Counter({
      name: `${prefix}tokens_total`,
      help: 'Tokens by served model, ingress protocol and kind (prompt, completion, cached, cache_write, reasoning).',
      labelNames: ['served_model', 'ingress', 'kind'],
      registers,
      collect: () => this.#pendingTokens.flushInto(this.#tokens),
    });
    this.#cost = new Counter({
      name: `${prefix}cost_usd_total`,
      help: 'Cost of answered requests in USD, by served model.',
      labelNames: ['served_model'],
      registers,
      collect: () => this.#pendingCost.flushInto(this.#cost),
    });
    this.#fallbacks = new Counter({
      name: `${prefix}fallbacks_total`,
      help: 'Failovers from one candidate to the next, by the model left and the error code.',
      labelNames: ['from_model', 'reason'],
      registers,
    });
    this.#circuitState = new Gauge({
      name: `${prefix}circuit_state`,
      help: 'Circuit breaker per model and upstream: 0 closed, 1 half-open, 2 open.',
      labelNames: ['model', 'upstream'],
      registers,
    });
    this.#logBufferDepth = new Gauge({
      name: `${prefix}request_log_buffer_depth`,
      help: 'Request records waiting to be written.',
      registers,
    });
    this.#logDropped = new Counter({
      name: `${prefix}request_log_dropped_total`,
      help: 'Request records dropped because the log buffer was full or the store refused them.',
      registers,
    });
    this.#shed = new Counter({
      name: `${prefix}shed_total`,
      help: 'Requests and connections the edge turned away or cut to protect the router, by reason (overloaded, body_buffer_full, headers_timeout, body_timeout, headers_too_large, bad_request, slow_reader).',
      labelNames: ['reason'],
      registers,
    });
    // Read from the pools when scraped; only a configured connection limit reports any.
    this.#upstreamQueued = new Gauge({
      name: `${prefix}upstream_queued_calls`,
      help: 'Upstream calls waiting for a free connection (only with a configured connection limit).',
      labelNames: ['upstream'],
      registers,
      collect: () => this.#collectPools(),
    });
    this.#upstreamConnections = new Gauge({
      name: `${prefix}upstream_connections`,
      help: 'Open upstream connections (only with a configured connection limit).',
      labelNames: ['upstream'],
      registers,
    });
    this.#upstreamQueueWait = new Histogram({
      name: `${prefix}upstream_queue_wait_seconds`,
      help: 'How long upstream calls that queued waited for a free connection.',
      labelNames: ['upstream'],
      buckets: queueWaitBuckets,
      registers,
    });
    this.#overheadChildren = [this.#overhead.series('false'), this.#overhead.series('true')];
    this.#registers = registers;
  }

  /**
   * The shared Redis's health, set at scrape time (only routers configured with one report it): up 1 or
   * 0, and the budget settles it has not seen yet (replayed when it returns).
   */
  setRedisState(up: boolean, pendingSettles: number): void {
    this.#redisUp ??= new Gauge({
      name: `${prefix}redis_up`,
      help: 'Whether the shared Redis answers (1) or not (0); routing goes on with local state while it is 0.',
      registers: this.#registers,
    });
    this.#redisPending ??= new Gauge({
      name: `${prefix}redis_pending_settles`,
      help: 'Budget settles made while Redis was unreachable, waiting to be reconciled.',
      registers: this.#registers,
    });
    this.#redisUp.set(up ? 1 : 0);
    if (isAmount(pendingSettles)) this.#redisPending.set(pendingSettles);
  }

  /** Counts one request or connection shed at the edge; `reason` is one of a fixed few. */
  observeShed(reason: ShedReason): void {
    this.#shed.inc({ reason });
  }

  /** Sets where the upstream pool gauges are read from when the metrics are scraped. */
  setUpstreamPoolSource(read: () => readonly UpstreamPoolReport[]): void {
    this.#upstreamPools = read;
  }

  /** Records one upstream call that waited for a free pooled connection. */
  observeUpstreamQueueWait(upstream: string, seconds: number): void {
    if (!isAmount(seconds)) return;
    this.#upstreamQueueWait.observe({ upstream: boundedLabel(upstream, this.#knownUpstreams) }, seconds);
  }

  #collectPools(): void {
    this.#upstreamQueued.reset();
    this.#upstreamConnections.reset();
    for (const pool of this.#upstreamPools()) {
      const labels = { upstream: boundedLabel(pool.upstream, this.#knownUpstreams) };
      this.#upstreamQueued.inc(labels, isAmount(pool.queued) ? pool.queued : 0);
      this.#upstreamConnections.inc(labels, isAmount(pool.connected) ? pool.connected : 0);
    }
  }

  /** Replaces the model ids allowed as label values (after an index refresh). */
  setKnownModels(modelIds: Iterable<string>): void {
    this.#knownModels = identityMap(modelIds);
  }

  /** Replaces the upstream names allowed as label values. */
  setKnownUpstreams(upstreams: Iterable<string>): void {
    this.#knownUpstreams = identityMap(upstreams);
  }

  /** Records one finished request. */
  observeRequest(observation: RequestObservation): void {
    const routerModel = this.#routerModelLabel(observation.routerModel);
    const tier = boundedLabel(observation.tier, knownTiers);
    const model = this.#modelLabel(observation.servedModel);
    const upstream = boundedLabel(observation.upstream, this.#knownUpstreams);
    const status = statusLabel(observation.status);
    const streamed = observation.streamed ? 'true' : 'false';
    const ingress = knownIngresses.get(observation.ingress ?? 'chat') ?? otherLabel;

    this.#pendingRequests.entry(routerModel, tier, model, upstream, status, streamed, ingress).pending += 1;

    const series = this.#modelSeries(model, ingress);
    if (isAmount(observation.latencySeconds)) {
      series.latency[observation.streamed ? 1 : 0].observe(observation.latencySeconds);
    }
    if (observation.overheadSeconds !== null && isAmount(observation.overheadSeconds)) {
      this.#overheadChildren[observation.streamed ? 1 : 0].observe(observation.overheadSeconds);
    }

    if (observation.timeToFirstTokenSeconds !== null && isAmount(observation.timeToFirstTokenSeconds)) {
      series.timeToFirstToken.observe(observation.timeToFirstTokenSeconds);
    }
    addCount(series.prompt, observation.promptTokens);
    addCount(series.completion, observation.completionTokens);
    addCount(series.cached, observation.cachedTokens);
    addCount(series.reasoning, observation.reasoningTokens);
    addCount(series.cacheWrite, observation.cacheWriteTokens ?? 0);
    addCount(series.cost, observation.costUsd);
  }

  /** Records a failover away from `fromModel`; `reason` is the error code that caused it. */
  observeFallback(fromModel: string, reason: string): void {
    this.#fallbacks.inc({
      from_model: this.#modelLabel(fromModel),
      reason: knownReasons.has(reason) ? reason : otherLabel,
    });
  }

  /** Replaces the circuit-breaker gauge with the given states (circuits not listed disappear). */
  setCircuitStates(states: readonly CircuitStateReport[]): void {
    this.#circuitState.reset();
    const byLabel = new Map<string, { model: string; upstream: string; value: number }>();
    for (const { modelId, upstream, state } of states) {
      const labels = {
        model: this.#modelLabel(modelId),
        upstream: boundedLabel(upstream, this.#knownUpstreams),
      };
      const key = `${labels.model}\u0000${labels.upstream}`;
      // Several unknown models share `other`: it shows the worst of them.
      const value = Math.max(byLabel.get(key)?.value ?? 0, circuitStateValues[state]);
      byLabel.set(key, { ...labels, value });
    }
    for (const { value, ...labels } of byLabel.values()) this.#circuitState.set(labels, value);
  }

  /** Reports the request-log writer's buffer depth and its cumulative count of dropped records. */
  setLogBuffer(depth: number, droppedTotal: number): void {
    if (isAmount(depth)) this.#logBufferDepth.set(depth);
    if (Number.isFinite(droppedTotal) && droppedTotal > this.#droppedSeen) {
      this.#logDropped.inc(droppedTotal - this.#droppedSeen);
      this.#droppedSeen = droppedTotal;
    }
  }

  /** The Prometheus text exposition and its content type, for `GET /metrics`. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /** `pareto-code` or `pareto-code:nitro` (pins and the `openrouter/` prefix dropped), `none` or `other`. */
  #routerModelLabel(routerModel: string | null): string {
    if (routerModel === null) return noneLabel;
    let label = this.#routerModelLabels.get(routerModel);
    if (label === undefined) {
      const parsed = parseRouterModel(routerModel);
      label = parsed === null ? otherLabel : parsed.nitro ? 'pareto-code:nitro' : 'pareto-code';
      // Callers choose these strings (pins, typos): the cache starts over rather than grow without bound.
      if (this.#routerModelLabels.size >= 256) this.#routerModelLabels.clear();
      this.#routerModelLabels.set(routerModel, label);
    }
    return label;
  }

  #modelLabel(model: string | null): string {
    return boundedLabel(model, this.#knownModels);
  }

  #modelSeries(model: string, ingress: string): ModelSeries {
    let byModel = this.#modelChildren.get(ingress);
    if (byModel === undefined) {
      byModel = new Map();
      this.#modelChildren.set(ingress, byModel);
    }
    let series = byModel.get(model);
    if (series === undefined) {
      const tokens = (kind: TokenKind) => this.#pendingTokens.entry(model, ingress, kind);
      series = {
        prompt: tokens('prompt'),
        completion: tokens('completion'),
        cached: tokens('cached'),
        cacheWrite: tokens('cache_write'),
        reasoning: tokens('reasoning'),
        cost: this.#pendingCost.entry(model),
        timeToFirstToken: this.#timeToFirstToken.series(model),
        latency: [this.#latency.series(model, 'false'), this.#latency.series(model, 'true')],
      };
      byModel.set(model, series);
    }
    return series;
  }
}

function boundedLabel(value: string | null, known: ReadonlyMap<string, string>): string {
  if (value === null) return noneLabel;
  return known.get(value) ?? otherLabel;
}

function identityMap(values: Iterable<string>): Map<string, string> {
  return new Map([...values].map((value) => [value, value]));
}

function statusLabel(status: number): string {
  return (Number.isInteger(status) ? statusLabels[status] : undefined) ?? otherLabel;
}

function isAmount(value: number): boolean {
  return Number.isFinite(value) && value >= 0;
}

function addCount(entry: PendingCount, value: number): void {
  // prom-client refuses a negative increment; a bad figure must not fail the request that reports it.
  if (value > 0 && Number.isFinite(value)) entry.pending += value;
}
