/**
 * The coding percentile: a model's rank, in 0..1, within the benchmarked coding field of one snapshot.
 *
 * How it is computed (deterministic; only the values below enter it):
 * 1. The field is every model of the snapshot (shortlisted or not) with at least one counted benchmark.
 * 2. Each benchmark name is its own scale (`SWE-Bench Pro` and `SWE-Bench Pro (AA hard subset)` are
 *    different scales). Where a model has several figures for one benchmark name, the most recent date
 *    counts; on equal dates the highest value.
 * 3. Per benchmark, each model that has it gets a mid-rank percentile among the models that have it:
 *    (models strictly below + (models equal - 1) / 2) / (n - 1). A benchmark with fewer than two models
 *    says nothing about rank and is skipped.
 * 4. The combined coding score is the weighted mean of those per-benchmark percentiles, with the weights
 *    of `defaultBenchmarkWeights` (the Artificial Analysis indices are primary). Missing benchmarks are
 *    simply absent from the mean: a model is never penalised for a benchmark nobody ran on it.
 * 5. The coding percentile is the mid-rank percentile of the combined score across the field (same
 *    formula as step 3), so the field spreads evenly over 0..1 and tiers hold comparable counts.
 *    A model with no counted benchmark has no percentile (null) and is never routed to by a bar.
 */
import { lowerBound } from './lower-bound.js';
import type { BenchmarkResult, ModelEntry } from './model-index.js';

/** Weight of each benchmark in the combined score; unlisted benchmarks weigh `otherBenchmarkWeight`. */
export const defaultBenchmarkWeights: Readonly<Record<string, number>> = {
  'Artificial Analysis Coding Index': 3,
  'Artificial Analysis Coding Agent Index': 3,
  'SWE-Bench Verified': 2,
  'SWE-Bench Pro': 2,
  'Terminal-Bench': 1.5,
  // Versions are separate leaderboards (different task sets), each ranked on its own, same weight.
  'Terminal-Bench 2.0': 1.5,
  'Terminal-Bench 2.1': 1.5,
  'Aider Polyglot': 1,
  LiveCodeBench: 1,
};

export const otherBenchmarkWeight = 1;

export interface CodingPercentileOptions {
  weights?: Readonly<Record<string, number>>;
  otherWeight?: number;
}

/** Mid-rank percentile of each value among `values` (ties share a rank); one value gets 0.5. */
export function midRankPercentiles(values: readonly number[]): number[] {
  const n = values.length;
  if (n === 0) return [];
  if (n === 1) return [0.5];
  const sorted = [...values].sort((a, b) => a - b);
  return values.map((value) => {
    const below = lowerBound(sorted, value);
    const equal = lowerBound(sorted, nextUp(value)) - below;
    return (below + (equal - 1) / 2) / (n - 1);
  });
}

function nextUp(value: number): number {
  // The smallest double above `value`, so lowerBound counts every element equal to value.
  if (value === Number.POSITIVE_INFINITY) return value;
  const buffer = new Float64Array([value]);
  const bits = new BigInt64Array(buffer.buffer);
  if (value === 0) return Number.MIN_VALUE;
  bits[0] = (bits[0] as bigint) + (value > 0 ? 1n : -1n);
  return buffer[0] as number;
}

/** The figure that counts for each benchmark of one model (most recent date, then highest value). */
export function countedBenchmarks(benchmarks: readonly BenchmarkResult[]): Map<string, BenchmarkResult> {
  const counted = new Map<string, BenchmarkResult>();
  for (const result of benchmarks) {
    if (!Number.isFinite(result.value)) continue;
    const current = counted.get(result.benchmark);
    if (
      current === undefined ||
      result.date > current.date ||
      (result.date === current.date && result.value > current.value)
    ) {
      counted.set(result.benchmark, result);
    }
  }
  return counted;
}

export interface CodingRank {
  codingScore: number | null;
  codingPercentile: number | null;
}

/** Coding score and percentile of every model, in the order given (see the module comment). */
export function computeCodingPercentiles(
  models: readonly Pick<ModelEntry, 'id' | 'benchmarks'>[],
  options: CodingPercentileOptions = {},
): CodingRank[] {
  const weights = options.weights ?? defaultBenchmarkWeights;
  const otherWeight = options.otherWeight ?? otherBenchmarkWeight;
  const counted = models.map((model) => countedBenchmarks(model.benchmarks));

  const byBenchmark = new Map<string, { modelIndex: number; value: number }[]>();
  counted.forEach((benchmarks, modelIndex) => {
    for (const [name, result] of benchmarks) {
      let list = byBenchmark.get(name);
      if (list === undefined) {
        list = [];
        byBenchmark.set(name, list);
      }
      list.push({ modelIndex, value: result.value });
    }
  });

  const weightedSum = new Array<number>(models.length).fill(0);
  const weightTotal = new Array<number>(models.length).fill(0);
  for (const [name, entries] of byBenchmark) {
    if (entries.length < 2) continue;
    const weight = weights[name] ?? otherWeight;
    if (weight <= 0) continue;
    const percentiles = midRankPercentiles(entries.map((entry) => entry.value));
    entries.forEach((entry, position) => {
      weightedSum[entry.modelIndex] =
        (weightedSum[entry.modelIndex] as number) + weight * (percentiles[position] as number);
      weightTotal[entry.modelIndex] = (weightTotal[entry.modelIndex] as number) + weight;
    });
  }

  const scores: (number | null)[] = models.map((_, index) => {
    const total = weightTotal[index] as number;
    return total > 0 ? (weightedSum[index] as number) / total : null;
  });
  const scoredIndexes = scores.flatMap((score, index) => (score === null ? [] : [index]));
  const percentiles = midRankPercentiles(scoredIndexes.map((index) => scores[index] as number));
  const result: CodingRank[] = scores.map((score) => ({ codingScore: score, codingPercentile: null }));
  scoredIndexes.forEach((modelIndex, position) => {
    (result[modelIndex] as CodingRank).codingPercentile = roundTo(percentiles[position] as number, 6);
  });
  for (const rank of result) if (rank.codingScore !== null) rank.codingScore = roundTo(rank.codingScore, 6);
  return result;
}

function roundTo(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
