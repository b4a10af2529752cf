/** The router's configuration after YAML, environment and defaults are merged. */
import type { BlendRatio } from '../core/blended-price.js';
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
  /** Index model id -> the model name this upstream expects, beyond what the index lists. */
  models: Record<string, string>;
}

export interface TimeoutConfig {
  /** Upstream response headers must arrive within this (time to first byte). */
  firstByteMs: number;
  /** A stream's first content token must arrive within this after the headers. */
  firstTokenMs: number;
  /** Longest silence between two stream chunks. */
  streamIdleMs: number;
  /** Interval of `: PARETO PROCESSING` comments while a stream waits for its first token. */
  keepAliveMs: number;
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
  timeouts: TimeoutConfig;
  retries: RetryConfig;
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
  /** Guards the admin API (`PARETO_ROUTER_MASTER_KEY`); the admin API is off when undefined. */
  masterKey?: string;
  /** Serve without gateway keys on a non-loopback address (`--allow-unauthenticated`). */
  allowUnauthenticated: boolean;
  /** The request log writer: batch size, buffer bound and flush interval. */
  requestLog: { batchSize: number; capacity: number; flushIntervalMs: number };
}

export const defaultTimeouts: TimeoutConfig = {
  firstByteMs: 60_000,
  firstTokenMs: 60_000,
  streamIdleMs: 60_000,
  keepAliveMs: 3_000,
};

export const defaultRetries: RetryConfig = {
  maxAttemptsPerModel: 2,
  retryAfterMaxWaitMs: 2_000,
  backoffBaseMs: 250,
  backoffMaxMs: 2_000,
};
