/**
 * Live output throughput per model, from real streams: the last `window` samples in a ring, the median
 * computed on demand and cached until the next sample.
 */

export class ThroughputStats {
  readonly #window: number;
  readonly #samples = new Map<string, { values: number[]; next: number; median: number | undefined }>();

  constructor(window = 50) {
    this.#window = window;
  }

  /** Records one stream's output throughput in tokens per second. Non-finite or non-positive values are ignored. */
  record(modelId: string, tokensPerSecond: number): void {
    if (!Number.isFinite(tokensPerSecond) || tokensPerSecond <= 0) return;
    let ring = this.#samples.get(modelId);
    if (ring === undefined) {
      ring = { values: [], next: 0, median: undefined };
      this.#samples.set(modelId, ring);
    }
    if (ring.values.length < this.#window) ring.values.push(tokensPerSecond);
    else ring.values[ring.next] = tokensPerSecond;
    ring.next = (ring.next + 1) % this.#window;
    ring.median = undefined;
  }

  /** Median throughput and sample count, or undefined when the model has no samples. */
  p50(modelId: string): { tokensPerSecond: number; samples: number } | undefined {
    const ring = this.#samples.get(modelId);
    if (ring === undefined || ring.values.length === 0) return undefined;
    if (ring.median === undefined) {
      const sorted = [...ring.values].sort((a, b) => a - b);
      const middle = sorted.length >> 1;
      ring.median =
        sorted.length % 2 === 1
          ? (sorted[middle] as number)
          : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
    }
    return { tokensPerSecond: ring.median, samples: ring.values.length };
  }
}
