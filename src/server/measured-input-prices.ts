/**
 * The input prices `price_source: "weighted_avg"` routes by: per model, the prompt tokens of the router's
 * own request log over a window (cache reads and writes included), priced at the index's prices. The
 * totals are read from the store in the background, never while a request waits: a request that finds
 * them stale starts one refresh and routes on what is there (the list price for a model with no traffic
 * yet). Routing itself stays pure: it receives the prices.
 */
import { effectiveInputPrice, type PromptTokenTotals } from '../core/effective-input-price.js';
import type { ModelIndex } from '../core/model-index.js';
import type { InputPriceView } from '../core/route.js';
import type { RequestStore } from '../store/request-store.js';

export interface MeasuredInputPricesOptions {
  /** How far back the request log is read. Default 7 days. */
  windowMs?: number;
  /** Totals older than this are refreshed when a request asks for them. Default 5 minutes. */
  maxAgeMs?: number;
  /** Called when a refresh fails; the previous totals stay in use. */
  onError?: (error: unknown) => void;
}

const defaultWindowMs = 7 * 24 * 60 * 60 * 1000;
const defaultMaxAgeMs = 5 * 60 * 1000;

export class MeasuredInputPrices {
  readonly #store: Pick<RequestStore, 'promptTokenTotals'>;
  readonly #windowMs: number;
  readonly #maxAgeMs: number;
  readonly #onError: (error: unknown) => void;
  #totals: ReadonlyMap<string, PromptTokenTotals> = new Map();
  #refreshedAt = Number.NEGATIVE_INFINITY;
  /** When the last read started, successful or not: what staleness is measured from. */
  #attemptedAt = Number.NEGATIVE_INFINITY;
  #refreshing: Promise<void> | undefined;
  #closed = false;
  /** Prices per index, worked out once per refresh (an index carries the prices they are made from). */
  #views = new WeakMap<ModelIndex, InputPriceView>();

  constructor(store: Pick<RequestStore, 'promptTokenTotals'>, options: MeasuredInputPricesOptions = {}) {
    this.#store = store;
    this.#windowMs = options.windowMs ?? defaultWindowMs;
    this.#maxAgeMs = options.maxAgeMs ?? defaultMaxAgeMs;
    this.#onError = options.onError ?? (() => undefined);
  }

  /** When the totals in use were read (epoch ms); -Infinity before the first refresh finished. */
  get refreshedAt(): number {
    return this.#refreshedAt;
  }

  /**
   * The measured prices for `index`, by model id (undefined where the log has no prompt tokens for the
   * model). Starts a background refresh when the totals are older than the maximum age.
   */
  viewFor(index: ModelIndex, now: number): InputPriceView {
    if (now - this.#attemptedAt > this.#maxAgeMs && this.#refreshing === undefined && !this.#closed) {
      this.refresh(now).catch(() => undefined);
    }
    let view = this.#views.get(index);
    if (view === undefined) {
      const prices = new Map<string, number>();
      for (const [modelId, totals] of this.#totals) {
        const model = index.byId.get(modelId);
        if (model === undefined) continue;
        const price = effectiveInputPrice(model.pricing, totals);
        if (price !== undefined) prices.set(modelId, price);
      }
      view = { get: (modelId) => prices.get(modelId) };
      this.#views.set(index, view);
    }
    return view;
  }

  /** Reads the totals of the window ending at `now`; one read at a time (a second call joins the first). */
  refresh(now: number): Promise<void> {
    if (this.#refreshing !== undefined) return this.#refreshing;
    this.#attemptedAt = now;
    const reading = this.#store
      .promptTokenTotals({ since: now - this.#windowMs })
      .then((rows) => {
        const totals = new Map<string, PromptTokenTotals>();
        for (const row of rows) {
          totals.set(row.model, {
            promptTokens: row.promptTokens,
            cachedTokens: row.cachedTokens,
            cacheWriteTokens: row.cacheWriteTokens,
          });
        }
        this.#totals = totals;
        this.#views = new WeakMap();
        this.#refreshedAt = now;
      })
      .catch((error: unknown) => {
        // Tried again by the first request after the maximum age, not by every request.
        this.#onError(error);
        throw error;
      })
      .finally(() => {
        this.#refreshing = undefined;
      });
    this.#refreshing = reading;
    return reading;
  }

  /** Waits for a refresh under way, so the store can close after it; no refresh starts afterwards. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#refreshing?.catch(() => undefined);
  }
}
