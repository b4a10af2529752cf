/**
 * Per-key requests per minute, as a token bucket: a key may burst up to its per-minute limit and then
 * gets one request every 60/limit seconds. A bucket is two numbers, so memory is bounded by the number
 * of keys kept, which is capped.
 */

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * The contract the request path uses; a shared (Redis) limiter can implement it with the same
 * arguments (time is passed in, never read).
 */
export interface KeyRateLimiter {
  /** Takes one request from the key's allowance; the caller turns a refusal into a 429 with Retry-After. */
  take(keyId: string, limitPerMinute: number, now: number): RateDecision | Promise<RateDecision>;
}

export interface RateLimiterOptions {
  /** Buckets kept in memory; beyond this the least recently used go (a forgotten bucket starts full). */
  maxKeys?: number;
}

export const defaultRateLimiterMaxKeys = 100_000;

const minuteMs = 60_000;

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** The in-memory token-bucket limiter of one router process. */
export class RateLimiter implements KeyRateLimiter {
  readonly #maxKeys: number;
  /** Map order is recency order, for eviction. */
  readonly #buckets = new Map<string, Bucket>();

  constructor(options: RateLimiterOptions = {}) {
    this.#maxKeys = options.maxKeys ?? defaultRateLimiterMaxKeys;
  }

  take(keyId: string, limitPerMinute: number, now: number): RateDecision {
    if (!Number.isFinite(limitPerMinute) || limitPerMinute <= 0) {
      // A limit of zero blocks the key; there is no refill to wait for, so the caller retries in a minute.
      return { allowed: false, retryAfterSeconds: 60 };
    }
    const ratePerMs = limitPerMinute / minuteMs;
    let bucket = this.#buckets.get(keyId);
    if (bucket === undefined) {
      if (this.#buckets.size >= this.#maxKeys) this.#evictOldest();
      bucket = { tokens: limitPerMinute, updatedAt: now };
    } else {
      this.#buckets.delete(keyId);
      // A clock step backwards must not mint tokens; a lowered limit caps what was saved up.
      const elapsed = Math.max(0, now - bucket.updatedAt);
      bucket.tokens = Math.min(limitPerMinute, bucket.tokens + elapsed * ratePerMs);
      bucket.updatedAt = Math.max(bucket.updatedAt, now);
    }
    this.#buckets.set(keyId, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    const waitMs = (1 - bucket.tokens) / ratePerMs;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  }

  /** Drops a key's bucket (after its limit changed, for example); it starts full again. */
  forget(keyId: string): void {
    this.#buckets.delete(keyId);
  }

  /** Buckets held in memory. */
  get size(): number {
    return this.#buckets.size;
  }

  #evictOldest(): void {
    const oldest = this.#buckets.keys().next();
    if (oldest.done !== true) this.#buckets.delete(oldest.value);
  }
}
