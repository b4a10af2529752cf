import { describe, expect, it } from 'vitest';
import { computeCost, worstCaseCost } from './compute-cost.js';

const pricing = { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 };

describe('computeCost', () => {
  it('prices cached prompt tokens at the cache-read price and writes at the cache-write price', () => {
    const usage = {
      promptTokens: 10_000,
      completionTokens: 1_000,
      cachedTokens: 8_000,
      cacheWriteTokens: 1_000,
      reasoningTokens: 200,
    };
    // 1000 uncached * 3 + 8000 * 0.3 + 1000 * 3.75 + 1000 * 15 = 3000 + 2400 + 3750 + 15000 = 24150 / 1e6
    expect(computeCost(usage, pricing)).toBeCloseTo(0.02415, 12);
  });

  it('falls back to the input price when no cache price is known', () => {
    const usage = {
      promptTokens: 1_000_000,
      completionTokens: 0,
      cachedTokens: 500_000,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
    };
    expect(computeCost(usage, { input: 2, output: 8 })).toBe(2);
  });

  it('bounds the worst case by the whole prompt at the highest prompt price plus the output cap', () => {
    expect(worstCaseCost(1_000, 2_000, pricing)).toBeCloseTo((1_000 * 3.75 + 2_000 * 15) / 1e6, 12);
  });
});
