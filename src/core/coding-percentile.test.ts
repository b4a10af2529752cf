import { describe, expect, it } from 'vitest';
import { computeCodingPercentiles, countedBenchmarks, midRankPercentiles } from './coding-percentile.js';
import type { BenchmarkResult } from './model-index.js';

const result = (benchmark: string, value: number, date = '2026-01-01'): BenchmarkResult => ({
  benchmark,
  value,
  source: 'test',
  date,
});

describe('midRankPercentiles', () => {
  it('spreads distinct values over 0..1 and shares ranks on ties', () => {
    expect(midRankPercentiles([10, 30, 20])).toEqual([0, 1, 0.5]);
    expect(midRankPercentiles([5, 5, 9])).toEqual([0.25, 0.25, 1]);
    expect(midRankPercentiles([7])).toEqual([0.5]);
    expect(midRankPercentiles([])).toEqual([]);
  });
});

describe('countedBenchmarks', () => {
  it('keeps the most recent figure per benchmark, then the highest', () => {
    const counted = countedBenchmarks([
      result('A', 50, '2026-01-01'),
      result('A', 40, '2026-03-01'),
      result('B', 10, '2026-02-01'),
      result('B', 12, '2026-02-01'),
    ]);
    expect(counted.get('A')?.value).toBe(40);
    expect(counted.get('B')?.value).toBe(12);
  });
});

describe('computeCodingPercentiles', () => {
  it('ranks by the weighted mean of per-benchmark percentiles', () => {
    const ranks = computeCodingPercentiles(
      [
        // primary index (weight 3) top, SWE-Bench Verified (weight 2) bottom: 3*1 + 2*0 = 0.6
        {
          id: 'a',
          benchmarks: [result('Artificial Analysis Coding Index', 60), result('SWE-Bench Verified', 60)],
        },
        // index bottom, SWE-Bench top: 3*0 + 2*1 = 0.4
        {
          id: 'b',
          benchmarks: [result('Artificial Analysis Coding Index', 40), result('SWE-Bench Verified', 80)],
        },
        // only on SWE-Bench, in the middle of nothing else: its own percentile among SWE-Bench takers
        { id: 'c', benchmarks: [result('SWE-Bench Verified', 70)] },
        { id: 'd', benchmarks: [] },
        // a benchmark nobody else ran is skipped
        { id: 'e', benchmarks: [result('Lonely Bench', 99)] },
      ],
      {},
    );
    expect(ranks.map((rank) => rank.codingScore)).toEqual([0.6, 0.4, 0.5, null, null]);
    expect(ranks.map((rank) => rank.codingPercentile)).toEqual([1, 0, 0.5, null, null]);
  });

  it('is deterministic whatever the input order', () => {
    const models = [
      { id: 'x', benchmarks: [result('Aider Polyglot', 70)] },
      { id: 'y', benchmarks: [result('Aider Polyglot', 80)] },
      { id: 'z', benchmarks: [result('Aider Polyglot', 60)] },
    ];
    const forward = computeCodingPercentiles(models);
    const backward = computeCodingPercentiles([...models].reverse()).reverse();
    expect(forward).toEqual(backward);
    expect(forward.map((rank) => rank.codingPercentile)).toEqual([0.5, 1, 0]);
  });
});
