/**
 * The request log and the API keys behind one interface. SQLite (embedded, the default) and PostgreSQL
 * (shared by several router instances) implement it, and one conformance suite
 * (`request-store.case.ts`) runs against both, so the server never needs to know which it talks to.
 */
import type { ApiKeyPatch, ApiKeyRecord } from './api-key.js';
import type { DashboardStats, DashboardStatsQuery } from './build-dashboard-queries.js';
import type { RequestRecord } from './request-record.js';

export type RequestStoreKind = 'sqlite' | 'postgres';

/** Time windows are half-open: `since` inclusive, `until` exclusive, both epoch milliseconds. */
export interface RequestQuery {
  since?: number;
  until?: number;
  /** The model that answered (not the one requested). */
  model?: string;
  keyId?: string;
  /** Defaults to `defaultRequestQueryLimit`; above `maxRequestQueryLimit` is refused, not clamped. */
  limit?: number;
}

export type SpendGrouping = 'model' | 'tier' | 'key' | 'day';

export interface SpendQuery {
  since?: number;
  until?: number;
  keyId?: string;
  by: SpendGrouping;
}

export interface SpendRow {
  /**
   * The model, tier or key id; for `day`, the UTC date `YYYY-MM-DD`. Requests with no value for the
   * grouping (no model answered, no tier, no key) fall in `noneGroup`.
   */
  group: string;
  requests: number;
  costUsd: number;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
}

/** Prompt tokens one model was sent over a window, for the input price it effectively charged. */
export interface PromptTokenRow {
  /** The model that answered. */
  model: string;
  requests: number;
  promptTokens: number;
  cachedTokens: number;
  cacheWriteTokens: number;
}

/** The group of requests that have no value for the grouping column. */
export const noneGroup = '(none)';

export const defaultRequestQueryLimit = 100;
export const maxRequestQueryLimit = 10_000;

export interface RequestStore {
  readonly kind: RequestStoreKind;
  /** Applies pending versioned migrations (recorded in `schema_migrations`); safe to call on every start. */
  migrate(): Promise<void>;
  /**
   * Stores a batch in one transaction: all or none. A record whose id is already stored is skipped, so a
   * batch retried after an ambiguous failure is not an error. A record that cannot be stored fails the
   * whole batch with RouterError `invalid_request` before anything is written.
   */
  insertRequests(records: readonly RequestRecord[]): Promise<void>;
  getRequest(id: string): Promise<RequestRecord | null>;
  /** Newest first (ties broken by id, descending). */
  queryRequests(query: RequestQuery): Promise<RequestRecord[]>;
  /** Totals per group; `day` groups in date order, the others by cost, highest first. */
  spend(query: SpendQuery): Promise<SpendRow[]>;
  /**
   * Prompt, cache-read and cache-write tokens per answering model over `[since, until)`, from requests
   * that sent prompt tokens; by model id. What `price_source: "weighted_avg"` prices from.
   */
  promptTokenTotals(query: { since: number; until?: number }): Promise<PromptTokenRow[]>;
  /**
   * The dashboard's aggregates over `[since, until)`: traffic per bucket, model and tier, latency
   * percentiles per model, fallback reasons, prompt-cache totals per model and per ingress, sticky-session
   * outcomes. Bounded by the number of buckets and models, whatever the size of the log.
   */
  dashboardStats(query: DashboardStatsQuery): Promise<DashboardStats>;
  /** USD spent by a key since `since` (inclusive), for its daily, monthly and total limits. */
  keySpend(keyId: string, since: number): Promise<number>;
  /** Fails with RouterError `invalid_request` when the id or hash already exists or a setting is invalid. */
  createKey(record: ApiKeyRecord): Promise<void>;
  /** Revoked keys are returned too (with `revokedAt` set), so the caller can say "revoked", not "unknown". */
  findKeyByHash(hash: string): Promise<ApiKeyRecord | null>;
  getKey(id: string): Promise<ApiKeyRecord | null>;
  /** Oldest first. */
  listKeys(): Promise<ApiKeyRecord[]>;
  /** False when the id is unknown; revoking twice keeps the first time. */
  revokeKey(id: string, at: number): Promise<boolean>;
  /** The updated key, or null when the id is unknown; an invalid patch throws `invalid_request`. */
  updateKey(id: string, patch: ApiKeyPatch): Promise<ApiKeyRecord | null>;
  /** Releases the connection(s); calling it twice is harmless. */
  close(): Promise<void>;
}
