/**
 * Live stream latencies per model, from real streams: the time to first token (from sending the request
 * to the first content token, reasoning and tool-call tokens included) and the longest silence between
 * two messages of one stream after its first token. The last `window` samples of each are kept in a
 * ring; the 95th percentile (nearest rank) is computed on demand and cached until the next sample. The
 * executor derives each model's first-token and stall limits from them.
 */

/** A percentile of a model's samples, and how many samples it rests on. */
export interface LatencyPercentile {
  p95Ms: number;
  samples: number;
}

class Ring {
  readonly values: number[] = [];
  next = 0;
  p95: number | undefined;

  add(value: number, window: number): void {
    if (this.values.length < window) this.values.push(value);
    else this.values[this.next] = value;
    this.next = (this.next + 1) % window;
    this.p95 = undefined;
  }

  percentile(): LatencyPercentile | undefined {
    if (this.values.length === 0) return undefined;
    if (this.p95 === undefined) {
      const sorted = [...this.values].sort((a, b) => a - b);
      this.p95 = sorted[Math.ceil(0.95 * sorted.length) - 1] as number;
    }
    return { p95Ms: this.p95, samples: this.values.length };
  }
}

export class LatencyStats {
  readonly #window: number;
  readonly #firstToken = new Map<string, Ring>();
  readonly #streamGap = new Map<string, Ring>();

  constructor(window = 100) {
    this.#window = window;
  }

  /**
   * Records one successful stream: its time to first token and its longest silence after it, each in
   * milliseconds (null when not measured). Non-finite or negative values are ignored.
   */
  record(modelId: string, firstTokenMs: number | null, longestGapMs: number | null): void {
    this.#add(this.#firstToken, modelId, firstTokenMs);
    this.#add(this.#streamGap, modelId, longestGapMs);
  }

  /** The p95 time to first token of the model's recent streams. */
  firstToken(modelId: string): LatencyPercentile | undefined {
    return this.#firstToken.get(modelId)?.percentile();
  }

  /** The p95 of the longest silence of the model's recent streams. */
  streamGap(modelId: string): LatencyPercentile | undefined {
    return this.#streamGap.get(modelId)?.percentile();
  }

  #add(rings: Map<string, Ring>, modelId: string, value: number | null): void {
    if (value === null || !Number.isFinite(value) || value < 0) return;
    let ring = rings.get(modelId);
    if (ring === undefined) {
      ring = new Ring();
      rings.set(modelId, ring);
    }
    ring.add(value, this.#window);
  }
}
