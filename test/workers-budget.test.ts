/**
 * `serve --workers 2` without Redis, on SQLite in a data directory of its own, in front of the fake
 * upstream: budgets and rate limits are kept by the primary, so they hold across the two workers as they
 * do in one process, and every worker reports the same spend.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockUpstream, startMockUpstream } from '../src/mock-upstream/index.js';
import { type ApiKeyPatch, createApiKeyRecord } from '../src/store/api-key.js';
import { sqliteFileName } from '../src/store/create-request-store.js';
import { SqliteRequestStore } from '../src/store/sqlite-request-store.js';
import { makeRequestRecord } from '../src/store/test-support/request-store.case.js';
import { ensureBuilt } from './support/built-bin.js';
import { callWithKey, type KeyedCallResult } from './support/call-with-key.js';
import { type RunningServe, startServe } from './support/serve-process.js';

// Every answer reports the 2,000 tokens a call may use at most, so each costs about its worst case.
const defaultScript = { latencyMs: 0, tokensPerSecond: 0, usage: { completionTokens: 2_000 } };

let workDir: string;
let store: SqliteRequestStore;
let mock: MockUpstream;
let serve: RunningServe;
const keys: Record<'budget' | 'rate' | 'crash', { key: string; id: string }> = {
  budget: { key: '', id: '' },
  rate: { key: '', id: '' },
  crash: { key: '', id: '' },
};
// One candidate, so a call's worst case is close to its real cost (about $0.0025).
const oneModel = {
  plugins: [{ id: 'pareto-router', min_coding_score: 0.2, allowed_models: ['openai/gpt-5.4-nano'] }],
};

async function addKey(settings: ApiKeyPatch): Promise<{ key: string; id: string }> {
  const created = createApiKeyRecord({ name: 'workers key', ...settings }, Date.now());
  await store.createKey(created.record);
  return { key: created.key, id: created.record.id };
}

/** One call to the `serve --workers 2` under test. */
function call(key: string, extra: Record<string, unknown> = {}): Promise<KeyedCallResult> {
  return callWithKey(serve.url, key, extra);
}

/**
 * The process ids that logged a request line naming `keyId` (pino puts its pid on every line; a rate
 * limit refusal names the key in its error message only).
 */
function pidsServing(keyId: string): Set<number> {
  const pids = new Set<number>();
  for (const line of serve.stdout().split('\n')) {
    if (!line.includes(keyId)) continue;
    try {
      const entry = JSON.parse(line) as { pid?: number };
      if (entry.pid !== undefined) pids.add(entry.pid);
    } catch {
      // A line cut by the capture: not a request line.
    }
  }
  return pids;
}

async function waitFor(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

describe('serve --workers 2 without Redis', () => {
  beforeAll(async () => {
    await ensureBuilt();
    workDir = mkdtempSync(join(tmpdir(), 'pareto-router-workers-'));
    const dataDir = join(workDir, 'data');
    store = new SqliteRequestStore({ filePath: join(dataDir, sqliteFileName) });
    await store.migrate();
    mock = await startMockUpstream({ defaultScript });
    keys.budget = await addKey({ limitTotalUsd: 1 });
    // Spend logged before the router ever saw the key: the primary has a worker read it from the log.
    await store.insertRequests([
      makeRequestRecord({
        id: `gen-seed-${keys.budget.id}`,
        createdAt: Date.now() - 1_000,
        keyId: keys.budget.id,
        costUsd: 0.95,
      }),
    ]);
    keys.rate = await addKey({ rateLimitPerMinute: 10 });
    keys.crash = await addKey({ limitTotalUsd: 0.05 });
    serve = await startServe({
      args: ['--workers', '2'],
      dataDir,
      upstreamUrl: `${mock.url}/api/v1`,
      logLevel: 'info',
    });
    await waitFor(
      () => (serve.stderr().match(/^worker \d+ listening on /gm) ?? []).length === 2,
      'both workers to listen',
      30_000,
    );
  }, 120_000);

  afterAll(async () => {
    if (serve !== undefined && serve.child.exitCode === null) {
      serve.child.kill('SIGTERM');
      await serve.exited;
    }
    await mock?.close();
    await store?.close();
    if (workDir !== undefined) rmSync(workDir, { recursive: true, force: true });
  });

  it('keeps a budget exact over both workers: 150 concurrent calls against $0.05 left', async () => {
    const limit = 1;
    // $0.05 buys about 20 calls of the one model: a ledger per worker would let about twice that through.
    const results = await Promise.all(Array.from({ length: 150 }, () => call(keys.budget.key, oneModel)));
    const served = results.filter((result) => result.status === 200);
    const refused = results.filter((result) => result.status === 402);
    expect(served.length + refused.length).toBe(150);
    expect(served.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]?.message).toMatch(
      /^total budget exceeded: limit \$1\.00, spent \$0\.9\d+.*, this call may cost up to \$0\.\d+/,
    );
    expect(refused[0]?.metadata).toMatchObject({ limit: 'total', limit_usd: 1 });
    const maxCall = Math.max(...served.map((result) => result.cost));
    const spent = served.reduce((sum, result) => sum + result.cost, 0);
    expect(0.95 + spent).toBeLessThanOrEqual(limit + maxCall + 1e-9);
    // Both workers took calls (each logs its own request lines).
    await waitFor(() => pidsServing(keys.budget.id).size === 2, 'request lines from both workers');

    // What every worker reports is what the log holds, once it is flushed.
    await waitFor(
      async () => Math.abs((await store.keySpend(keys.budget.id, 0)) - (0.95 + spent)) < 1e-9,
      'the log to flush',
    );
    const logged = await store.keySpend(keys.budget.id, 0);
    const usages = await Promise.all(
      Array.from({ length: 8 }, async () => {
        const response = await fetch(`${serve.url}/api/v1/key`, {
          headers: { authorization: `Bearer ${keys.budget.key}` },
        });
        return ((await response.json()) as { data: { usage: number } }).data.usage;
      }),
    );
    for (const usage of usages) expect(usage).toBeCloseTo(logged, 9);
  }, 60_000);

  it('holds a per-minute rate limit of 10 over both workers', async () => {
    const results = await Promise.all(Array.from({ length: 30 }, () => call(keys.rate.key)));
    const served = results.filter((result) => result.status === 200).length;
    const limited = results.filter((result) => result.status === 429);
    expect(limited.length).toBe(30 - served);
    expect(served).toBeGreaterThanOrEqual(10);
    expect(served).toBeLessThanOrEqual(11);
    expect(limited[0]?.message).toBe(`key ${keys.rate.id} is over its limit of 10 requests per minute`);
    expect(Number(limited[0]?.retryAfter)).toBeGreaterThanOrEqual(1);
    await waitFor(() => pidsServing(keys.rate.id).size === 2, 'request lines from both workers');
  }, 60_000);

  it('releases what a killed worker held: its calls were never billed', async () => {
    mock.script('openai/gpt-5.4-nano', { ...defaultScript, latencyMs: 6_000 });
    const failed: KeyedCallResult = {
      status: 0,
      model: undefined,
      cost: 0,
      message: '',
      metadata: undefined,
      retryAfter: null,
    };
    const calls = Array.from({ length: 40 }, () => call(keys.crash.key, oneModel).catch(() => failed));
    // Every call the budget admits is held, in flight at the upstream; the rest are refused.
    await waitFor(
      () => mock.attempts('openai/gpt-5.4-nano') >= 19,
      'the admitted calls to reach the upstream',
    );
    await sleep(200);
    const admitted = mock.attempts('openai/gpt-5.4-nano');
    expect(admitted).toBeLessThanOrEqual(20);
    const held = await call(keys.crash.key, oneModel);
    expect(held.status).toBe(402);

    const victim = Number(/^worker (\d+) listening on /m.exec(serve.stderr())?.[1]);
    process.kill(victim, 'SIGKILL');
    await waitFor(
      () => serve.stderr().includes(`worker ${victim} exited`),
      'the primary to see the worker go',
    );
    mock.script('openai/gpt-5.4-nano', defaultScript);
    // The killed worker's holds are gone, so the budget has room again.
    const after = await call(keys.crash.key, oneModel);
    expect(after.status).toBe(200);

    const results = await Promise.all(calls);
    const cut = results.filter((result) => result.status === 0 || result.status >= 500).length;
    const served = results.filter((result) => result.status === 200);
    expect(cut).toBeGreaterThan(0);
    expect(served.length + cut).toBe(admitted);
    // Only what was answered is billed.
    const billed = [...served, after].reduce((sum, result) => sum + result.cost, 0);
    await waitFor(
      async () => Math.abs((await store.keySpend(keys.crash.id, 0)) - billed) < 1e-9,
      'the log to hold the answered calls',
    );
  }, 60_000);
});
