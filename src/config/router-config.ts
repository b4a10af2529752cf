/** The router's configuration after YAML, environment and defaults are merged. */
import type { BlendRatio } from '../core/blended-price.js';
import type { RoutingRule } from '../core/route.js';
import type { TierCutoffs } from '../core/tiers.js';
import type { ProtocolName } from '../providers/protocol-adapter.js';

export interface UpstreamConfig {
  name: string;
  displayName: string;
  protocol: ProtocolName;
  baseUrl: string;
  apiKey?: string;
  headers?: Record<string, string>;
  maxTokensField?: 'max_tokens' | 'max_completion_tokens';
  /** Serves any model id (used for concrete models the index does not know). */
  passthrough: boolean;
  /**
   * Continues a request that ends with an assistant turn (a prefill) rather than starting a new answer,
   * so a broken stream can be finished here. Default: true for the Anthropic and Gemini protocols and
   * OpenRouter, false for other OpenAI-compatible APIs (OpenAI answers anew; DeepSeek and Mistral need a
   * `prefix` flag). Models that refuse are learned from their 400s.
   */
  prefill?: boolean;
  /** Index model id -> the model name this upstream expects, beyond what the index lists. */
  models: Record<string, string>;
}

/**
 * Stream deadlines learned per model: `multiplier` x the p95 of the model's recent streams, at least
 * `floorMs`, at most the configured ceiling; `defaultMs` until a model has `minSamples` streams.
 */
export interface LearnedTimeoutConfig {
  enabled: boolean;
  multiplier: number;
  floorMs: number;
  defaultMs: number;
  minSamples: number;
}

/**
 * Bounds on what clients may hold at the HTTP edge: slow or idle connections, requests in flight, body
 * bytes buffered, slow stream readers. SECURITY.md lists each with its default.
 */
export interface EdgeLimits {
  /** Time to receive a request's headers (slowloris). */
  headersTimeoutMs: number;
  /** Time to receive a request's body once its headers arrived. */
  bodyTimeoutMs: number;
  /** Model calls handled at once; more get a 503 with Retry-After. */
  maxInFlightRequests: number;
  /** Request body bytes buffered at once across all requests; more get a 503 with Retry-After. */
  maxBufferedBodyBytes: number;
  /** How long a stream may wait on a client that reads nothing while a megabyte waits for it. */
  slowReaderTimeoutMs: number;
}

export const defaultEdgeLimits: EdgeLimits = {
  headersTimeoutMs: 30_000,
  bodyTimeoutMs: 60_000,
  maxInFlightRequests: 4_096,
  maxBufferedBodyBytes: 512 * 1024 * 1024,
  slowReaderTimeoutMs: 60_000,
};

export interface TimeoutConfig {
  /** Upstream response headers must arrive within this (time to first byte). */
  firstByteMs: number;
  /**
   * The longest wait for a stream's first content token (reasoning and tool-call tokens count), from
   * sending the request: the ceiling of the learned limit, and the limit of the last candidate.
   */
  firstTokenMs: number;
  /** The longest silence between two stream chunks: the ceiling of the learned limit. */
  streamIdleMs: number;
  /** Interval of `: PARETO PROCESSING` comments while a stream waits for its first token. */
  keepAliveMs: number;
  /** How the first-token and stall limits adapt to each model; defaults when absent. */
  learned?: LearnedTimeoutConfig;
}

/** Stream rescue: a stream that breaks after content is continued on another candidate. */
export interface RescueConfig {
  enabled: boolean;
  /** Continuation attempts per broken stream, across candidates. */
  maxAttempts: number;
}

export interface RetryConfig {
  /** Attempts on one model before failing over (retries of 429 and 5xx). */
  maxAttemptsPerModel: number;
  /** A Retry-After longer than this fails over instead of waiting. */
  retryAfterMaxWaitMs: number;
  /** Backoff for 429 without Retry-After: base * 2^n with full jitter, capped. */
  backoffBaseMs: number;
  backoffMaxMs: number;
}

export interface RouterConfig {
  host: string;
  port: number;
  bodyLimitBytes: number;
  dataDir: string;
  /** Pinned default snapshot version; latest when undefined. */
  snapshotVersion?: string;
  upstreams: UpstreamConfig[];
  /** Upstream names in order of preference when several serve a model; unlisted ones follow. */
  upstreamPreference: string[];
  /** Requested model name or `*` pattern -> the model name used instead (YAML `modelAliases`). */
  modelAliases?: Record<string, string>;
  tierCutoffs: TierCutoffs;
  blendRatio: BlendRatio;
  maxFallbacks: number;
  /** `routing.policy`: `pareto` (the default) or `bands` (the hosted router's plain tier bands). */
  routingPolicy: RoutingRule;
  timeouts: TimeoutConfig;
  retries: RetryConfig;
  /** Stream rescue; on with `defaultRescue` when absent. */
  rescue?: RescueConfig;
  circuitBreaker: {
    failureThreshold: number;
    openMs: number;
    /** Re-open delay after a failed probe, doubling per failed probe in a row up to `reopenMaxMs`. */
    reopenBaseMs?: number;
    reopenMaxMs?: number;
  };
  sticky: { ttlMs: number; maxEntries: number };
  demo: boolean;
  /** `postgres://` URL of a shared request log and key store; SQLite under `dataDir` when undefined. */
  databaseUrl?: string;
  /**
   * `redis://` (or `rediss://`) URL of the Redis or Valkey the instances of a fleet share live state,
   * budgets and rate limits through (`REDIS_URL`, `--redis-url`); each process keeps its own when undefined.
   */
  redisUrl?: string;
  /** Prefix of every Redis key and channel (`PARETO_ROUTER_REDIS_PREFIX`, default `pareto:`). */
  redisPrefix?: string;
  /**
   * While Redis is unreachable, let keys with budgets through on each instance's own count (true), or
   * refuse them with a 503 (false, the default) (`PARETO_ROUTER_BUDGET_FAIL_OPEN`).
   */
  budgetFailOpen?: boolean;
  /**
   * How long a budget hold lives in Redis when its instance never settles it (crashed), ms
   * (`PARETO_ROUTER_RESERVATION_TTL_MS`, default 10 minutes: longer than any call).
   */
  reservationTtlMs?: number;
  /** Guards the admin API (`PARETO_ROUTER_MASTER_KEY`); the admin API is off when undefined. */
  masterKey?: string;
  /** Serve without gateway keys on a non-loopback address (`--allow-unauthenticated`). */
  allowUnauthenticated: boolean;
  /** HTTP edge bounds; `defaultEdgeLimits` when absent. */
  limits?: EdgeLimits;
  /**
   * Browser origins (`https://app.example`) allowed to call the router: CORS preflight is answered for
   * them and their requests pass the Origin check. Loopback origins always pass.
   */
  allowedOrigins?: string[];
  /** The request log writer: batch size, buffer bound and flush interval. */
  requestLog: { batchSize: number; capacity: number; flushIntervalMs: number };
  /**
   * The same-protocol fast path (docs/performance.md): off when absent; `PARETO_ROUTER_FAST_PATH=on` or
   * YAML `fastPath: true` switches it on.
   */
  fastPath?: boolean;
  /** The upstream connection pool (YAML `upstreamPool`); no connection limit when absent. */
  upstreamPool?: UpstreamPoolConfig;
}

export interface UpstreamPoolConfig {
  /** Connections per upstream origin; calls past it wait (counted in the metrics and the request log). */
  connections?: number;
}

export const defaultLearnedTimeouts: LearnedTimeoutConfig = {
  enabled: true,
  multiplier: 3,
  floorMs: 8_000,
  defaultMs: 10_000,
  minSamples: 10,
};

export const defaultTimeouts: TimeoutConfig = {
  firstByteMs: 60_000,
  firstTokenMs: 60_000,
  streamIdleMs: 60_000,
  keepAliveMs: 3_000,
  learned: defaultLearnedTimeouts,
};

export const defaultRescue: RescueConfig = { enabled: true, maxAttempts: 2 };

export const defaultRetries: RetryConfig = {
  maxAttemptsPerModel: 2,
  retryAfterMaxWaitMs: 2_000,
  backoffBaseMs: 250,
  backoffMaxMs: 2_000,
};
