#!/usr/bin/env node
/**
 * The routing decision alone: median and p99 time of one `route()` call on the shipped index and on a
 * synthetic 1,000-model index, for a few typical requests. Runs on the built package:
 *
 *   npm run build && node bench/route-bench.js [--json] [--quick] [--iterations N]
 *
 * A benchmark, not a test: it asserts nothing. With --json the result is one JSON line on stdout (the
 * summary first, which is what bench/run.js shows).
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const rootDir = dirname(dirname(fileURLToPath(import.meta.url)));
const distRoute = join(rootDir, 'dist', 'core', 'route.js');

const { values: options } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    iterations: { type: 'string' },
  },
});

if (!existsSync(distRoute)) {
  process.stderr.write('route-bench: dist/ is missing; run `npm run build` first\n');
  process.exit(1);
}

const { route } = await import('../dist/core/route.js');
const { buildModelIndex } = await import('../dist/core/build-model-index.js');
const { createModelMatcher } = await import('../dist/core/model-pattern.js');
const { loadSnapshot } = await import('../dist/index/snapshot-store.js');

const requestedIterations = options.iterations === undefined ? undefined : Number(options.iterations);
if (
  requestedIterations !== undefined &&
  !(Number.isInteger(requestedIterations) && requestedIterations > 0)
) {
  process.stderr.write(`route-bench: --iterations must be a positive integer, got "${options.iterations}"\n`);
  process.exit(2);
}

/** Deterministic pseudo-random numbers (mulberry32), so every run builds the same synthetic index. */
function createRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

/** A snapshot of `count` shortlisted models with spread-out prices, scores and capabilities. */
function syntheticSnapshot(count) {
  const random = createRandom(20261101);
  const contexts = [32_768, 131_072, 200_000, 1_048_576];
  const models = [];
  for (let position = 0; position < count; position++) {
    const input = Number((0.02 * 1.005 ** (random() * 1500)).toFixed(4));
    const id = `vendor${position % 40}/model-${position}`;
    models.push({
      id,
      name: id,
      pricing: { input, output: Number((input * (2 + random() * 6)).toFixed(4)), cacheRead: input / 10 },
      contextLength: contexts[Math.floor(random() * contexts.length)],
      maxOutputTokens: random() < 0.2 ? 8_192 : 65_536,
      capabilities: {
        tools: random() < 0.9,
        structuredOutput: random() < 0.7,
        reasoning: random() < 0.5,
        imageInput: random() < 0.5,
      },
      benchmarks: [
        {
          benchmark: 'Artificial Analysis Coding Index',
          value: Math.round(random() * 700) / 10,
          source: 'synthetic',
          date: '2026-11-01',
        },
        ...(random() < 0.5
          ? [
              {
                benchmark: 'SWE-Bench Verified',
                value: Math.round(random() * 800) / 10,
                source: 'synthetic',
                date: '2026-10-01',
              },
            ]
          : []),
      ],
      throughputTokensPerSecond: Math.round(20 + random() * 300),
      upstreams: [{ upstream: 'openrouter', model: id }],
      sources: [],
      shortlist: true,
    });
  }
  return { schemaVersion: 1, version: 'synthetic-1000', createdAt: '2026-11-01T00:00:00Z', models };
}

/** The requests every index is timed with: what typical callers send. */
const scenarios = [
  { name: 'default (high tier)', features: {} },
  { name: 'min_coding_score 0.5', features: { minCodingScore: 0.5 } },
  { name: 'nitro, score 0.8', features: { minCodingScore: 0.8, nitro: true } },
  {
    name: 'constrained',
    features: {
      minCodingScore: 0.7,
      estimatedPromptTokens: 20_000,
      maxTokens: 4_000,
      needsTools: true,
      needsStructuredOutput: true,
      maxPrice: { blended: 5 },
      excludedModels: createModelMatcher(['vendor3/*', 'vendor7/model-1*']),
    },
  },
];

function percentile(sorted, fraction) {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[rank];
}

let sink = 0;

/** Times `iterations` calls of one scenario after `warmup` untimed ones; returns microseconds per call. */
function timeScenario(index, features, warmup, iterations) {
  for (let iteration = 0; iteration < warmup; iteration++) sink += route(features, index).candidates.length;
  const samples = new Float64Array(iterations);
  for (let iteration = 0; iteration < iterations; iteration++) {
    const start = process.hrtime.bigint();
    const plan = route(features, index);
    const end = process.hrtime.bigint();
    sink += plan.candidates.length;
    samples[iteration] = Number(end - start) / 1000;
  }
  return samples;
}

function summarise(samples) {
  const sorted = Float64Array.from(samples).sort();
  let total = 0;
  for (const sample of sorted) total += sample;
  return {
    medianMicroseconds: round(percentile(sorted, 0.5)),
    p99Microseconds: round(percentile(sorted, 0.99)),
    meanMicroseconds: round(total / sorted.length),
    samples: sorted.length,
  };
}

function round(value) {
  return Math.round(value * 100) / 100;
}

function benchIndex(label, snapshot, iterations) {
  const index = buildModelIndex(snapshot);
  const warmup = Math.max(200, Math.floor(iterations / 5));
  const results = [];
  const all = [];
  for (const scenario of scenarios) {
    const samples = timeScenario(index, scenario.features, warmup, iterations);
    for (const sample of samples) all.push(sample);
    const plan = route(scenario.features, index);
    results.push({
      scenario: scenario.name,
      ...summarise(samples),
      tier: plan.tier,
      candidates: plan.candidates.length,
    });
  }
  return {
    index: label,
    snapshotVersion: snapshot.version,
    models: index.models.length,
    shortlist: index.shortlist.length,
    ...summarise(all),
    scenarios: results,
  };
}

const shippedIterations = requestedIterations ?? (options.quick ? 3_000 : 20_000);
const syntheticIterations = requestedIterations ?? (options.quick ? 300 : 2_000);

const loadAtStart = os.loadavg()[0];
let shipped;
let shippedError;
try {
  // A data directory that does not exist: only the snapshots shipped with the package count.
  const snapshot = await loadSnapshot({
    dataDir: join(os.tmpdir(), `pareto-route-bench-none-${process.pid}`),
  });
  shipped = benchIndex('shipped', snapshot, shippedIterations);
} catch (error) {
  shippedError = error instanceof Error ? error.message : String(error);
}
const synthetic = benchIndex('synthetic 1,000 models', syntheticSnapshot(1_000), syntheticIterations);

const result = {
  summary: {
    shippedMedianMicroseconds: shipped?.medianMicroseconds ?? null,
    shippedP99Microseconds: shipped?.p99Microseconds ?? null,
    synthetic1000MedianMicroseconds: synthetic.medianMicroseconds,
    synthetic1000P99Microseconds: synthetic.p99Microseconds,
  },
  node: process.version,
  cpu: os.cpus()[0]?.model ?? 'unknown',
  cores: os.cpus().length,
  // One-minute load average before and after: above the core count, other work was competing.
  loadAverage: { start: round(loadAtStart), end: round(os.loadavg()[0]) },
  indexes: shipped === undefined ? [synthetic] : [shipped, synthetic],
  ...(shippedError === undefined ? {} : { shippedError }),
  // Printed so the work cannot be optimised away; meaningless otherwise.
  checksum: sink,
};

if (options.json) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  const rows = [['index', 'scenario', 'models', 'tier', 'candidates', 'median µs', 'p99 µs', 'samples']];
  for (const entry of result.indexes) {
    for (const scenario of entry.scenarios) {
      rows.push([
        entry.index,
        scenario.scenario,
        String(entry.shortlist),
        scenario.tier,
        String(scenario.candidates),
        scenario.medianMicroseconds.toFixed(2),
        scenario.p99Microseconds.toFixed(2),
        String(scenario.samples),
      ]);
    }
    rows.push([
      entry.index,
      'all of the above',
      String(entry.shortlist),
      '',
      '',
      entry.medianMicroseconds.toFixed(2),
      entry.p99Microseconds.toFixed(2),
      String(entry.samples),
    ]);
  }
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const numeric = new Set([2, 4, 5, 6, 7]);
  const lines = rows.map((row) =>
    row
      .map((cell, column) =>
        numeric.has(column) ? cell.padStart(widths[column]) : cell.padEnd(widths[column]),
      )
      .join('  ')
      .trimEnd(),
  );
  process.stdout.write(
    `route() per decision, ${result.node}, ${result.cpu} x ${result.cores}, ` +
      `load average ${result.loadAverage.start} -> ${result.loadAverage.end}\n\n${lines.join('\n')}\n`,
  );
  if (result.loadAverage.end > result.cores) {
    process.stdout.write(`\nthe machine was busy (load above ${result.cores} cores): times are inflated\n`);
  }
  if (shippedError !== undefined) process.stdout.write(`\nshipped index not measured: ${shippedError}\n`);
}
