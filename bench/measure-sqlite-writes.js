#!/usr/bin/env node
/**
 * The request log's write path on each SQLite library this Node.js can load: records appended to the
 * real RequestLogWriter, written in batches by the SQLite writer thread (as `serve` does), then the same
 * through the store on the main thread. Prints inserts per second and CPU per insert (user + system of
 * the whole process, from /proc, all threads) for each.
 *
 *   npm run build && node bench/measure-sqlite-writes.js [--records 50000] [--runs 3] [--json]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { RequestLogWriter } from '../dist/store/request-log-writer.js';
import { sqliteDriverWorks } from '../dist/store/sqlite-driver.js';
import { SqliteRequestStore } from '../dist/store/sqlite-request-store.js';
import { WorkerRequestWrites } from '../dist/store/worker-request-writes.js';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '50000' },
    runs: { type: 'string', default: '3' },
    json: { type: 'boolean', default: false },
  },
});
const recordCount = Number(values.records);
const runs = Number(values.runs);

/** CPU seconds (user + system) of this process, every thread included, from /proc. */
function processCpuSeconds() {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** A record shaped like a routed, streamed request with one failed attempt before it. */
function record(index) {
  return {
    id: `gen-bench-${index}`,
    createdAt: Date.UTC(2026, 11, 1) + index,
    keyId: 'key_aaaaaaaaaaaa',
    requestedModel: 'openrouter/pareto-code',
    settings: { min_coding_score: 0.8, tier: 'high' },
    tier: 'high',
    attempts: [
      {
        model: 'openai/gpt-5',
        upstream: 'openrouter',
        status: 503,
        errorCode: 'upstream_server_error',
        durationMs: 812.5,
      },
      {
        model: 'anthropic/claude-sonnet-4.5',
        upstream: 'openrouter',
        status: 200,
        errorCode: null,
        durationMs: 2400,
      },
    ],
    model: 'anthropic/claude-sonnet-4.5',
    upstream: 'openrouter',
    promptTokens: 12_345,
    completionTokens: 678,
    cachedTokens: 10_000,
    cacheWriteTokens: 2_000,
    reasoningTokens: 64,
    costUsd: 0.0123456789,
    latencyMs: 3212.75,
    timeToFirstTokenMs: 456.25,
    outputTokensPerSecond: 87.3,
    sessionHash: 'f00dfeed',
    finishReason: 'stop',
    streamed: true,
    status: 200,
    errorCode: null,
  };
}

async function measure(driver, path) {
  const directory = mkdtempSync(join(os.tmpdir(), 'pareto-sqlite-bench-'));
  try {
    const store = new SqliteRequestStore({ filePath: join(directory, 'pareto-router.db'), driver });
    await store.migrate();
    const writes =
      path === 'writer thread' ? new WorkerRequestWrites(store.filePath, store, driver) : undefined;
    const writer = new RequestLogWriter({
      store: writes ?? store,
      batchSize: 500,
      capacity: recordCount + 1,
    });
    const records = Array.from({ length: recordCount }, (_, index) => record(index));
    const cpuBefore = processCpuSeconds();
    const started = performance.now();
    for (const item of records) writer.append(item);
    await writer.close();
    await writes?.close?.();
    const seconds = (performance.now() - started) / 1000;
    const cpuSeconds = processCpuSeconds() - cpuBefore;
    const stored = (await store.queryRequests({ limit: 1 })).length;
    await store.close();
    if (writer.dropped > 0 || stored !== 1) throw new Error(`${driver}: ${writer.dropped} records dropped`);
    return {
      insertsPerSecond: recordCount / seconds,
      cpuMicrosecondsPerInsert: (cpuSeconds * 1e6) / recordCount,
    };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

function median(numbers) {
  const sorted = [...numbers].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const results = [];
for (const driver of ['node', 'better-sqlite3']) {
  if (!sqliteDriverWorks(driver)) {
    results.push({
      driver,
      path: '-',
      skipped: `cannot open a database on Node.js ${process.versions.node}`,
    });
    continue;
  }
  for (const path of ['writer thread', 'main thread']) {
    const samples = [];
    await measure(driver, path); // warm-up, not counted
    for (let run = 0; run < runs; run++) samples.push(await measure(driver, path));
    results.push({
      driver,
      path,
      insertsPerSecond: Math.round(median(samples.map((sample) => sample.insertsPerSecond))),
      cpuMicrosecondsPerInsert: Number(
        median(samples.map((sample) => sample.cpuMicrosecondsPerInsert)).toFixed(1),
      ),
      samples: samples.length,
    });
  }
}

const report = { node: process.versions.node, records: recordCount, runs, cpus: os.cpus().length, results };
if (values.json) {
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
} else {
  process.stdout.write(`Node.js ${report.node}, ${recordCount} records per run, median of ${runs} runs\n`);
  for (const result of results) {
    process.stdout.write(
      result.skipped === undefined
        ? `${result.driver.padEnd(15)} ${result.path.padEnd(14)} ${String(result.insertsPerSecond).padStart(8)} inserts/s  ${String(result.cpuMicrosecondsPerInsert).padStart(6)} µs CPU/insert\n`
        : `${result.driver.padEnd(15)} skipped: ${result.skipped}\n`,
    );
  }
}
