/**
 * Which upstream and model pairs refused to continue a prefilled answer (a request ending with an
 * assistant turn), learned from their 400s or from a continuation that started the answer over. Stream
 * rescue skips them for `ttlMs`, then tries again: providers add and drop prefill support per model
 * (Anthropic dropped it from Claude 4.6 on; some Gemini models refuse a trailing model turn), so a
 * remembered refusal is a fact with a date, not a capability table. Bounded: past `maxEntries` the
 * oldest entry goes.
 */

export interface PrefillRefusalOptions {
  ttlMs: number;
  maxEntries: number;
}

export const defaultPrefillRefusalOptions: PrefillRefusalOptions = { ttlMs: 60 * 60_000, maxEntries: 10_000 };

export class PrefillRefusals {
  readonly #options: PrefillRefusalOptions;
  /** `upstream \0 model` -> when the refusal expires; insertion order is age order. */
  readonly #until = new Map<string, number>();

  constructor(options: PrefillRefusalOptions = defaultPrefillRefusalOptions) {
    this.#options = options;
  }

  /** Remembers that `upstream` refused a prefill for `model` at `now`. */
  record(upstream: string, model: string, now: number): void {
    const key = `${upstream}\0${model}`;
    this.#until.delete(key);
    this.#until.set(key, now + this.#options.ttlMs);
    if (this.#until.size > this.#options.maxEntries) {
      const oldest = this.#until.keys().next().value;
      if (oldest !== undefined) this.#until.delete(oldest);
    }
  }

  /** Whether `upstream` refused a prefill for `model` within the last `ttlMs`. */
  refused(upstream: string, model: string, now: number): boolean {
    const key = `${upstream}\0${model}`;
    const until = this.#until.get(key);
    if (until === undefined) return false;
    if (now < until) return true;
    this.#until.delete(key);
    return false;
  }

  get size(): number {
    return this.#until.size;
  }
}
