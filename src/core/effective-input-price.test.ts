import { describe, expect, it } from 'vitest';
import { effectiveInputPrice } from './effective-input-price.js';

const pricing = { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 };

describe('effectiveInputPrice', () => {
  it('weighs cache reads, cache writes and the rest by what each was billed', () => {
    // 1,000 prompt tokens: 600 cached at $0.3, 100 written at $3.75, 300 at $3 -> (180 + 375 + 900) / 1000.
    expect(
      effectiveInputPrice(pricing, { promptTokens: 1_000, cachedTokens: 600, cacheWriteTokens: 100 }),
    ).toBeCloseTo(1.455, 12);
  });

  it('is the list input price without cache traffic, and the input price where no cache price exists', () => {
    expect(effectiveInputPrice(pricing, { promptTokens: 500, cachedTokens: 0, cacheWriteTokens: 0 })).toBe(3);
    expect(
      effectiveInputPrice(
        { input: 2, output: 8 },
        { promptTokens: 500, cachedTokens: 400, cacheWriteTokens: 0 },
      ),
    ).toBe(2);
  });

  it('has no figure without prompt tokens, and never counts more cached tokens than were sent', () => {
    expect(
      effectiveInputPrice(pricing, { promptTokens: 0, cachedTokens: 0, cacheWriteTokens: 0 }),
    ).toBeUndefined();
    expect(
      effectiveInputPrice(pricing, { promptTokens: 100, cachedTokens: 500, cacheWriteTokens: 50 }),
    ).toBeCloseTo(0.3, 12);
  });
});
