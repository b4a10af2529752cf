import { buildModelIndex } from '../build-model-index.js';
import type { IndexSnapshot, ModelEntry, ModelIndex } from '../model-index.js';

/** A model entry with plain defaults, for tests. `score` becomes a single benchmark figure. */
export function syntheticModel(
  id: string,
  score: number | null,
  price: number,
  overrides: Partial<ModelEntry> = {},
): ModelEntry {
  return {
    id,
    name: id,
    pricing: { input: price, output: price },
    contextLength: 200_000,
    maxOutputTokens: 32_000,
    capabilities: { tools: true, structuredOutput: true, reasoning: true, imageInput: true },
    benchmarks:
      score === null
        ? []
        : [{ benchmark: 'Synthetic Bench', value: score, source: 'test', date: '2026-01-01' }],
    upstreams: [{ upstream: 'openrouter', model: id }],
    sources: [],
    shortlist: true,
    ...overrides,
  };
}

/** Builds an index from entries, as the router would from a snapshot file. */
export function syntheticIndex(models: ModelEntry[], version = '2026-11'): ModelIndex {
  const snapshot: IndexSnapshot = { schemaVersion: 1, version, createdAt: '2026-11-01T00:00:00Z', models };
  return buildModelIndex(snapshot);
}

/**
 * Ten models with scores 0..90 in steps of 10, so percentiles are 0, 1/9, ... 1: tiers hold
 * low = s0..s20 (0, .111, .222), medium = s30..s50 (.333, .444, .556), high = s60..s90 (.667 .. 1).
 * Price is deliberately not monotonic in quality.
 */
export function tenModelIndex(): ModelIndex {
  const prices = [1, 0.5, 2, 4, 3, 5, 20, 10, 15, 30];
  return syntheticIndex(
    prices.map((price, position) => syntheticModel(`lab/s${position * 10}`, position * 10, price)),
  );
}
