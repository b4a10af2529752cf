import { describe, expect, it } from 'vitest';
import { syntheticIndex, syntheticModel } from '../core/test-support/synthetic-index.js';
import type { PromptTokenRow } from '../store/request-store.js';
import { MeasuredInputPrices } from './measured-input-prices.js';

const index = syntheticIndex([
  syntheticModel('lab/cached', 90, 2, { pricing: { input: 2, output: 8, cacheRead: 0.2 } }),
  syntheticModel('lab/plain', 80, 1),
]);

/** A store whose reads wait until the test lets them answer, counting the reads and their windows. */
function fakeStore() {
  const reads: { since: number }[] = [];
  let answer: (rows: PromptTokenRow[]) => void = () => undefined;
  let fail: (error: Error) => void = () => undefined;
  return {
    reads,
    answer: (rows: PromptTokenRow[]) => answer(rows),
    fail: (error: Error) => fail(error),
    store: {
      promptTokenTotals(query: { since: number }) {
        reads.push(query);
        return new Promise<PromptTokenRow[]>((resolve, reject) => {
          answer = resolve;
          fail = reject;
        });
      },
    },
  };
}

const row = (model: string, promptTokens: number, cachedTokens: number): PromptTokenRow => ({
  model,
  requests: 1,
  promptTokens,
  cachedTokens,
  cacheWriteTokens: 0,
});

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('MeasuredInputPrices', () => {
  it('reads the log in the background: a request routes on what is there and never waits', async () => {
    const fake = fakeStore();
    const prices = new MeasuredInputPrices(fake.store, { windowMs: 1_000, maxAgeMs: 100 });
    // The first request finds nothing measured and starts one read of the window before it.
    expect(prices.viewFor(index, 5_000).get('lab/cached')).toBeUndefined();
    expect(prices.viewFor(index, 5_001).get('lab/cached')).toBeUndefined();
    expect(fake.reads).toEqual([{ since: 4_000 }]);
    // Half the prompt tokens read from the cache: (1 * 2 + 1 * 0.2) / 2 = $1.1 per million.
    fake.answer([row('lab/cached', 2_000, 1_000), row('lab/unknown', 10, 0)]);
    await flush();
    expect(prices.refreshedAt).toBe(5_000);
    const view = prices.viewFor(index, 5_050);
    expect(view.get('lab/cached')).toBeCloseTo(1.1, 12);
    expect(view.get('lab/plain')).toBeUndefined();
    expect(view.get('lab/unknown')).toBeUndefined();
    expect(fake.reads).toHaveLength(1);
    // Older than the maximum age: the next request starts another read.
    prices.viewFor(index, 5_101);
    expect(fake.reads).toHaveLength(2);
  });

  it('keeps the previous totals when a read fails, reports it, and tries again only after the maximum age', async () => {
    const fake = fakeStore();
    const errors: unknown[] = [];
    const prices = new MeasuredInputPrices(fake.store, {
      maxAgeMs: 100,
      onError: (error) => errors.push(error),
    });
    const first = prices.refresh(0);
    fake.answer([row('lab/cached', 1_000, 0)]);
    await first;
    prices.viewFor(index, 200);
    fake.fail(new Error('database is locked'));
    await flush();
    expect(errors.map((error) => (error as Error).message)).toEqual(['database is locked']);
    expect(prices.viewFor(index, 250).get('lab/cached')).toBe(2);
    expect(fake.reads).toHaveLength(2);
    prices.viewFor(index, 301);
    expect(fake.reads).toHaveLength(3);
  });

  it('starts no read once closed', async () => {
    const fake = fakeStore();
    const prices = new MeasuredInputPrices(fake.store);
    await prices.close();
    prices.viewFor(index, 1);
    expect(fake.reads).toEqual([]);
  });
});
