#!/usr/bin/env node
/**
 * The routing decision alone: median and p99 time of one `route()` call on the shipped index and on a
 * synthetic 1,000-model index, for a few typical requests, both as the gateway asks for a plan
 * (decisions only when nothing fits) and as explain does (every model explained), under the default
 * rule (pareto) and under the bands rule. Each sample is the mean of a batch of calls, as one call can
 * take less than a microsecond. Runs on the built package:
 *
 *   npm run build && node bench/route-bench.js [--json] [--quick] [--iterations N] [--rule pareto|bands]
 *
 * `--iterations N` sets the number of samples (batches) per scenario; `--rule` times one rule only (a fresh
 * process per rule keeps one rule's compiled code from shaping the other's figures).
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
    rule: { type: 'string' },
  },
});

if (options.rule !== undefined && options.rule !== 'pareto' && options.rule !== 'bands') {
  process.stderr.write(`route-bench: --rule must be pareto or bands, got "${options.rule}"\n`);
  process.exit(2);
}

if (!existsSync(distRoute)) {
  process.stderr.write('route-bench: dist/ is missing; run `npm run build` first\n');
  process.exit(1);
}

const { defaultRoutePolicy, route } = await import('../dist/core/route.js');
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

/**
 * The requests every index is timed with: what a coding client typically sends. Prompt sizes are the
 * router's own estimate (about four characters a token); most agents send tools.
 */
const scenarios = [
  {
    name: 'agent turn, default bar',
    features: { estimatedPromptTokens: 12_000, needsTools: true },
  },
  {
    name: 'score 0.5, max_tokens 4096',
    features: { minCodingScore: 0.5, estimatedPromptTokens: 3_000, maxTokens: 4_096, needsTools: true },
  },
  {
    name: 'nitro, score 0.8',
    features: { minCodingScore: 0.8, nitro: true, estimatedPromptTokens: 6_000, needsTools: true },
  },
  {
    name: 'sticky session, score 0.8',
    // The preferred model is filled in per index: the plan's second candidate, as after a failover.
    features: { minCodingScore: 0.8, estimatedPromptTokens: 6_000, needsTools: true },
    sticky: true,
  },
  {
    name: 'constrained',
    features: {
      minCodingScore: 0.7,
      estimatedPromptTokens: 20_000,
      maxTokens: 4_000,
      needsTools: true,
      needsStructuredOutput: true,
      maxPrice: { blended: 5 },
      excludedModels: createModelMatcher(['vendor3/*', 'vendor7/model-1*', 'openai/*']),
    },
  },
];

/**
 * A live view as the gateway has one: every model served, measured throughput for every other model
 * (enough samples to count for nitro), and one circuit open.
 */
function liveViewOf(index) {
  const stats = new Map();
  index.shortlist.forEach((model, position) => {
    if (position === 3) stats.set(model.id, { available: false, unavailableReason: 'circuit open' });
    else if (position % 2 === 0) {
      stats.set(model.id, {
        available: true,
        throughputP50: 40 + ((position * 37) % 260),
        throughputSamples: 20,
      });
    }
  });
  return { get: (modelId) => stats.get(modelId) };
}

/**
 * How a plan's decisions are asked for (as the gateway does, and in full as explain and the CLI do),
 * under each routing rule; the default rule (pareto) comes first.
 */
const modes = [
  { name: 'gateway', rule: 'pareto', options: { decisions: 'when_empty' } },
  { name: 'explain', rule: 'pareto', options: { decisions: 'all' } },
  { name: 'gateway', rule: 'bands', options: { decisions: 'when_empty' } },
  { name: 'explain', rule: 'bands', options: { decisions: 'all' } },
].filter((mode) => options.rule === undefined || mode.rule === options.rule);

function percentile(sorted, fraction) {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[rank];
}

let sink = 0;

/** Calls per timed sample: a decision can take well under a microsecond, so one sample times a batch. */
function batchSizeFor(run) {
  // The quickest of a few probes: a busy machine slows some of them, never speeds one up.
  let perCall = Number.POSITIVE_INFINITY;
  for (let probe = 0; probe < 5; probe++) {
    const calls = 50;
    const start = process.hrtime.bigint();
    for (let call = 0; call < calls; call++) sink += run();
    perCall = Math.min(perCall, Number(process.hrtime.bigint() - start) / calls);
  }
  return Math.max(1, Math.min(1_000, Math.ceil(10_000 / Math.max(perCall, 1))));
}

/**
 * Times `samples` batches of calls of one scenario after warming up; returns microseconds per call, one
 * figure per batch (the batch's mean).
 */
function timeScenario(run, warmupMilliseconds, samples) {
  // Warm up by time, not by count: the optimising compiler settles later on a large index.
  const warmupEnd = process.hrtime.bigint() + BigInt(warmupMilliseconds) * 1_000_000n;
  let calls = 0;
  while (calls < 500 || process.hrtime.bigint() < warmupEnd) {
    sink += run();
    calls++;
  }
  const batch = batchSizeFor(run);
  const figures = new Float64Array(samples);
  for (let sample = 0; sample < samples; sample++) {
    const start = process.hrtime.bigint();
    for (let call = 0; call < batch; call++) sink += run();
    const end = process.hrtime.bigint();
    figures[sample] = Number(end - start) / 1000 / batch;
  }
  return { figures, batch };
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
  return Math.round(value * 1000) / 1000;
}

function benchIndex(label, snapshot, samples) {
  const index = buildModelIndex(snapshot);
  const live = liveViewOf(index);
  const warmupMilliseconds = options.quick ? 50 : 200;
  const modeResults = [];
  for (const mode of modes) {
    const results = [];
    const all = [];
    const policy = { ...defaultRoutePolicy, rule: mode.rule };
    for (const scenario of scenarios) {
      let features = scenario.features;
      if (scenario.sticky) {
        const second = route(features, index, live, policy, mode.options).candidates[1];
        features = { ...features, preferredModel: second?.modelId };
      }
      const run = () => route(features, index, live, policy, mode.options).candidates.length;
      const { figures, batch } = timeScenario(run, warmupMilliseconds, samples);
      for (const figure of figures) all.push(figure);
      const plan = route(features, index, live, policy, mode.options);
      results.push({
        scenario: scenario.name,
        ...summarise(figures),
        batch,
        tier: plan.tier,
        candidates: plan.candidates.length,
        decisions: plan.decisions.length,
      });
    }
    modeResults.push({ mode: mode.name, rule: mode.rule, ...summarise(all), scenarios: results });
  }
  return {
    index: label,
    snapshotVersion: snapshot.version,
    models: index.models.length,
    shortlist: index.shortlist.length,
    modes: modeResults,
  };
}

const shippedSamples = requestedIterations ?? (options.quick ? 300 : 2_000);
const syntheticSamples = requestedIterations ?? (options.quick ? 100 : 600);

const loadAtStart = os.loadavg()[0];
let shipped;
let shippedError;
try {
  // A data directory that does not exist: only the snapshots shipped with the package count.
  const snapshot = await loadSnapshot({
    dataDir: join(os.tmpdir(), `pareto-route-bench-none-${process.pid}`),
  });
  shipped = benchIndex('shipped', snapshot, shippedSamples);
} catch (error) {
  shippedError = error instanceof Error ? error.message : String(error);
}
const synthetic = benchIndex('synthetic 1,000 models', syntheticSnapshot(1_000), syntheticSamples);

const modeOf = (entry, name, rule) => entry?.modes.find((mode) => mode.mode === name && mode.rule === rule);
const firstRule = modes[0]?.rule;
const gateway = (entry, rule = firstRule) => modeOf(entry, 'gateway', rule);
const explain = (entry, rule = firstRule) => modeOf(entry, 'explain', rule);

const result = {
  // The gateway's decision first (what bench/run.js shows), then the same with every model explained;
  // the figures are the default rule's (pareto), or the one rule --rule named.
  summary: {
    rule: firstRule,
    shippedMedianMicroseconds: gateway(shipped)?.medianMicroseconds ?? null,
    shippedP99Microseconds: gateway(shipped)?.p99Microseconds ?? null,
    synthetic1000MedianMicroseconds: gateway(synthetic)?.medianMicroseconds ?? null,
    synthetic1000P99Microseconds: gateway(synthetic)?.p99Microseconds ?? null,
    shippedExplainMedianMicroseconds: explain(shipped)?.medianMicroseconds ?? null,
    synthetic1000ExplainMedianMicroseconds: explain(synthetic)?.medianMicroseconds ?? null,
    // The same gateway figures under the bands rule, for comparison.
    shippedBandsMedianMicroseconds: gateway(shipped, 'bands')?.medianMicroseconds ?? null,
    synthetic1000BandsMedianMicroseconds: gateway(synthetic, 'bands')?.medianMicroseconds ?? null,
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
  const rows = [
    ['index', 'mode', 'scenario', 'models', 'tier', 'candidates', 'median µs', 'p99 µs', 'batch', 'samples'],
  ];
  for (const entry of result.indexes) {
    for (const mode of entry.modes) {
      for (const scenario of mode.scenarios) {
        rows.push([
          entry.index,
          `${mode.mode} (${mode.rule})`,
          scenario.scenario,
          String(entry.shortlist),
          scenario.tier ?? 'none',
          String(scenario.candidates),
          scenario.medianMicroseconds.toFixed(2),
          scenario.p99Microseconds.toFixed(2),
          String(scenario.batch),
          String(scenario.samples),
        ]);
      }
      rows.push([
        entry.index,
        `${mode.mode} (${mode.rule})`,
        'all of the above',
        String(entry.shortlist),
        '',
        '',
        mode.medianMicroseconds.toFixed(2),
        mode.p99Microseconds.toFixed(2),
        '',
        String(mode.samples),
      ]);
    }
  }
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const numeric = new Set([3, 5, 6, 7, 8, 9]);
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
      `load average ${result.loadAverage.start} -> ${result.loadAverage.end}\n` +
      'gateway: decisions listed only for empty plans; explain: every model explained. ' +
      'Each sample is the mean of one batch of calls.\n\n' +
      `${lines.join('\n')}\n`,
  );
  if (result.loadAverage.end > result.cores) {
    process.stdout.write(`\nthe machine was busy (load above ${result.cores} cores): times are inflated\n`);
  }
  if (shippedError !== undefined) process.stdout.write(`\nshipped index not measured: ${shippedError}\n`);
}
