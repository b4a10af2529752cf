/**
 * Sticky sessions: the requests of one conversation stay on the same model and upstream for a while, so
 * the provider's prompt cache keeps hitting. Bounded: past `maxEntries` the oldest entries go first
 * (a Map keeps insertion order, and every set re-inserts).
 */

export interface StickyTarget {
  modelId: string;
  upstream: string;
}

export interface StickySessionOptions {
  ttlMs: number;
  maxEntries: number;
}

export const defaultStickySessionOptions: StickySessionOptions = { ttlMs: 10 * 60_000, maxEntries: 100_000 };

export class StickySessions {
  readonly #options: StickySessionOptions;
  readonly #entries = new Map<string, StickyTarget & { expiresAt: number }>();

  constructor(options: StickySessionOptions = defaultStickySessionOptions) {
    this.#options = options;
  }

  get(sessionKey: string, now: number): StickyTarget | undefined {
    const entry = this.#entries.get(sessionKey);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= now) {
      this.#entries.delete(sessionKey);
      return undefined;
    }
    return { modelId: entry.modelId, upstream: entry.upstream };
  }

  set(sessionKey: string, target: StickyTarget, now: number): void {
    this.#entries.delete(sessionKey);
    // Written out, not spread: see `executionResult` in execute-chat.ts.
    this.#entries.set(sessionKey, {
      modelId: target.modelId,
      upstream: target.upstream,
      expiresAt: now + this.#options.ttlMs,
    });
    if (this.#entries.size > this.#options.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
  }

  get size(): number {
    return this.#entries.size;
  }
}
