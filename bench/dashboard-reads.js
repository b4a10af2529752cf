// Dashboard aggregates over a request log of N records (default 100,000) in SQLite: how long one read
// takes and how long it holds the event loop, on the main thread and on the read worker.
// Usage: npm run build && node bench/dashboard-reads.js [records]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const { SqliteRequestStore } = await import('../dist/store/sqlite-request-store.js');
const { WorkerDashboardReads } = await import('../dist/store/worker-dashboard-reads.js');

const total = Number(process.argv[2] ?? 100_000);
const directory = mkdtempSync(join(tmpdir(), 'pareto-router-dashboard-bench-'));
const store = new SqliteRequestStore({ filePath: join(directory, 'requests.db') });
await store.migrate();
const now = Date.now();
const models = ['lab/a', 'lab/b', 'lab/c', 'lab/d', 'lab/e', 'lab/f'];
const ingresses = ['chat', 'messages', 'responses', 'gemini'];
let batch = [];
for (let position = 0; position < total; position += 1) {
  const model = models[position % models.length];
  batch.push({
    id: `gen-${position}`,
    createdAt: now - Math.floor((position / total) * 23 * 3_600_000),
    keyId: null,
    requestedModel: 'pareto-code',
    settings: { ingress: ingresses[position % 4], sticky: position % 3 === 0 ? 'miss' : 'hit' },
    tier: 'high',
    attempts: [{ model, upstream: 'u', status: 200, errorCode: null, durationMs: 1 }],
    model,
    upstream: 'u',
    promptTokens: 1000,
    completionTokens: 100,
    cachedTokens: 500,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
    costUsd: 0.001,
    latencyMs: 100 + (position % 300),
    timeToFirstTokenMs: 50,
    outputTokensPerSecond: 80,
    sessionHash: null,
    finishReason: 'stop',
    streamed: true,
    status: 200,
    errorCode: null,
  });
  if (batch.length === 5000) {
    await store.insertRequests(batch);
    batch = [];
  }
}
if (batch.length > 0) await store.insertRequests(batch);

const bucketMs = 1_800_000;
const until = (Math.floor(now / bucketMs) + 1) * bucketMs;
const query = { since: until - 86_400_000, until, bucketMs };
const reads = new WorkerDashboardReads(store.filePath, store);

/** Runs one read while a 2 ms timer notes the longest time the event loop could not run it. */
async function measure(label, read) {
  let stall = 0;
  let expected = performance.now() + 2;
  let running = true;
  const tick = () => {
    const at = performance.now();
    stall = Math.max(stall, at - expected);
    expected = at + 2;
    if (running) setTimeout(tick, 2);
  };
  setTimeout(tick, 2);
  await new Promise((resolve) => setTimeout(resolve, 10));
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await read();
  const took = performance.now() - started;
  const used = process.cpuUsage(cpuBefore);
  const cpu = (used.user + used.system) / 1000;
  await new Promise((resolve) => setTimeout(resolve, 20));
  running = false;
  console.log(
    `${label}: ${Math.round(took)} ms per read, longest event-loop stall ${Math.round(stall)} ms, process CPU (all threads) ${Math.round(cpu)} ms`,
  );
}

console.log(`${total} records, 24-hour window in 30-minute buckets`);
for (let round = 0; round < 3; round += 1) {
  await measure('main thread', () => store.dashboardStats(query));
  await measure('read worker', () => reads.dashboardStats(query));
}
await store.close();
rmSync(directory, { recursive: true, force: true });
process.exit(0);
