/**
 * A fleet: three `pareto-router serve` processes on loopback ports sharing one Redis (a redis-server of
 * this test's own, on a free port, so it can be stopped and restarted without disturbing anything else)
 * and one PostgreSQL (a schema of this run's own), in front of one fake upstream. Through them: sticky
 * turns, circuits, budgets, rate limits, a `kill -9` under load, and Redis going away and coming back.
 * Skips with a message when redis-server or PostgreSQL is missing.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockUpstream, startMockUpstream } from '../src/mock-upstream/index.js';
import { type ApiKeyPatch, createApiKeyRecord } from '../src/store/api-key.js';
import { PostgresRequestStore } from '../src/store/postgres-request-store.js';
import { makeRequestRecord } from '../src/store/test-support/request-store.case.js';
import { ensureBuilt } from './support/built-bin.js';
import { callWithKey } from './support/call-with-key.js';
import { type RunningServe, startServe } from './support/serve-process.js';

const databaseUrl = process.env.PARETO_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const reservationTtlMs = 3_000;
const defaultScript = { latencyMs: 0, tokensPerSecond: 0, usage: { completionTokens: 2_000 } };
/** `requestLog.batchSize` as the routers run it (the default): what a `kill -9` may lose at most. */
const requestLogBatchSize = 500;

async function postgresReason(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return `no PostgreSQL answers (${error instanceof Error ? error.message : String(error)})`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function redisServerReason(): string | undefined {
  const probe = spawnSync('redis-server', ['--version'], { stdio: 'pipe' });
  return probe.status === 0 ? undefined : 'redis-server is not installed';
}

const skipReason = redisServerReason() ?? (await postgresReason());
if (skipReason !== undefined) console.warn(`fleet test skipped: ${skipReason}`);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

let redisPort: number;
let redisProcess: ChildProcess | undefined;

async function startRedis(): Promise<void> {
  redisProcess = spawn(
    'redis-server',
    ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const deadline = Date.now() + 10_000;
  for (;;) {
    const probe = new Redis(redisPort, '127.0.0.1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      await probe.ping();
      return;
    } catch {
      if (Date.now() > deadline) throw new Error('redis-server did not start');
      await sleep(50);
    } finally {
      probe.disconnect();
    }
  }
}

async function stopRedis(): Promise<void> {
  const child = redisProcess;
  if (child === undefined || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

let workDir: string;
let schema: string;
let admin: pg.Client;
let store: PostgresRequestStore;
let mock: MockUpstream;
let routers: RunningServe[] = [];

async function startRouter(args: string[] = []): Promise<RunningServe> {
  return startServe({
    args,
    dataDir: mkdtempSync(join(workDir, 'router-')),
    upstreamUrl: `${mock.url}/api/v1`,
    env: {
      DATABASE_URL: databaseUrl,
      PGOPTIONS: `-c search_path=${schema}`,
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      PARETO_ROUTER_REDIS_PREFIX: `fleet-${schema}:`,
      PARETO_ROUTER_RESERVATION_TTL_MS: String(reservationTtlMs),
    },
  });
}

async function addKey(settings: ApiKeyPatch): Promise<{ key: string; id: string }> {
  const created = createApiKeyRecord({ name: 'fleet key', ...settings }, Date.now());
  await store.createKey(created.record);
  return { key: created.key, id: created.record.id };
}

const call = callWithKey;

/** A model's circuit through the fake upstream on one instance, from its /metrics: 0 closed, 1 half-open, 2 open. */
async function circuitState(url: string, model: string): Promise<number | undefined> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text
    .split('\n')
    .find((entry) => entry.startsWith(`pareto_router_circuit_state{model="${model}",upstream="openrouter"}`));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

async function loggedCost(keyId: string): Promise<{ sum: number; count: number }> {
  const result = await admin.query<{ sum: string | null; count: string }>(
    'SELECT sum(cost_usd) AS sum, count(*) AS count FROM requests WHERE key_id = $1 AND cost_usd > 0',
    [keyId],
  );
  return { sum: Number(result.rows[0]?.sum ?? 0), count: Number(result.rows[0]?.count ?? 0) };
}

/** How many request records a key has in the log, whatever their status or cost. */
async function loggedRows(keyId: string): Promise<number> {
  const result = await admin.query<{ count: string }>(
    'SELECT count(*) AS count FROM requests WHERE key_id = $1',
    [keyId],
  );
  return Number(result.rows[0]?.count ?? 0);
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** The key's total spend as the fleet counts it (`GET /api/v1/key`). */
async function keyUsage(url: string, key: string): Promise<number> {
  const response = await fetch(`${url}/api/v1/key`, { headers: { authorization: `Bearer ${key}` } });
  const json = (await response.json()) as { data: { usage: number } };
  return json.data.usage;
}

describe.skipIf(skipReason !== undefined)(
  'a fleet of three routers on one Redis and one PostgreSQL',
  () => {
    beforeAll(async () => {
      await ensureBuilt();
      workDir = mkdtempSync(join(tmpdir(), 'pareto-router-fleet-'));
      redisPort = await freePort();
      await startRedis();
      schema = `pr_fleet_${randomBytes(6).toString('hex')}`;
      admin = new pg.Client({ connectionString: databaseUrl, options: `-c search_path=${schema}` });
      await admin.connect();
      await admin.query(`CREATE SCHEMA ${schema}`);
      store = new PostgresRequestStore({ connectionString: databaseUrl, schema });
      await store.migrate();
      // Every answer reports the 2,000 tokens a call may use at most, so each costs about its worst case.
      mock = await startMockUpstream({ defaultScript: defaultScript });
      // One key first, so the routers start in keyed mode.
      await addKey({});
      routers = await Promise.all([startRouter(), startRouter(), startRouter()]);
    }, 180_000);

    afterAll(async () => {
      for (const router of routers) if (router.child.exitCode === null) router.child.kill('SIGKILL');
      await mock?.close();
      await stopRedis();
      await store?.close();
      if (admin !== undefined) {
        await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
        await admin.end();
      }
      if (workDir !== undefined) rmSync(workDir, { recursive: true, force: true });
    });

    it('keeps a worst-case-reserved budget exact: 150 concurrent calls over three against $0.05 left', async () => {
      const probeKey = await addKey({});
      const probe = await call(routers[0]?.url ?? '', probeKey.key);
      expect(probe.status).toBe(200);
      expect(probe.cost).toBeGreaterThan(0);
      const limit = 1;
      const { key, id } = await addKey({ limitTotalUsd: limit });
      // Spend logged before the fleet ever saw the key: the counters are seeded from PostgreSQL.
      await store.insertRequests([
        makeRequestRecord({
          id: `gen-seed-${id}`,
          createdAt: Date.now() - 1_000,
          keyId: id,
          costUsd: limit - 0.05,
        }),
      ]);
      // One candidate, so a call's worst case is close to its real cost: with the usual three candidates
      // the worst case is many times the real cost, and even per-instance ledgers would stay under it.
      const oneModel = {
        plugins: [{ id: 'pareto-router', min_coding_score: 0.2, allowed_models: ['openai/gpt-5.4-nano'] }],
      };
      const results = await Promise.all(
        Array.from({ length: 150 }, (_, index) => call(routers[index % 3]?.url ?? '', key, oneModel)),
      );
      const served = results.filter((result) => result.status === 200);
      const refused = results.filter((result) => result.status === 402);
      // $0.05 holds many such calls, so the bound below is a real test of the fleet's exactness.
      expect(served.length).toBeGreaterThan(5);
      expect(served.length + refused.length).toBe(150);
      expect(served.length).toBeGreaterThan(0);
      expect(refused.length).toBeGreaterThan(0);
      expect(refused[0]?.message).toMatch(/total budget exceeded/);
      const maxCall = Math.max(...served.map((result) => result.cost));
      const spent = served.reduce((sum, result) => sum + result.cost, 0);
      expect(limit - 0.05 + spent).toBeLessThanOrEqual(limit + maxCall + 1e-9);
      // What the fleet counts is what the log holds.
      await waitFor(async () => (await loggedCost(id)).count === served.length + 1, 'the log to flush');

      const logged = await loggedCost(id);
      expect(await keyUsage(routers[1]?.url ?? '', key)).toBeCloseTo(logged.sum, 9);
    });

    it('holds a per-minute rate limit across the three within one request', async () => {
      const { key } = await addKey({ rateLimitPerMinute: 12 });
      const results = await Promise.all(
        Array.from({ length: 36 }, (_, index) => call(routers[index % 3]?.url ?? '', key)),
      );
      const served = results.filter((result) => result.status === 200).length;
      expect(results.filter((result) => result.status === 429).length).toBe(36 - served);
      expect(served).toBeGreaterThanOrEqual(12);
      expect(served).toBeLessThanOrEqual(13);
    });

    it('holds a rate limit across the workers of `serve --workers 2` and the other instances', async () => {
      const workers = await startRouter(['--workers', '2']);
      try {
        await waitFor(
          async () => (workers.stderr().match(/^worker \d+ listening on /gm) ?? []).length === 2,
          'both workers to listen',
          30_000,
        );
        const { key } = await addKey({ rateLimitPerMinute: 10 });
        const targets = [workers.url, workers.url, routers[0]?.url ?? ''];
        const results = await Promise.all(
          Array.from({ length: 30 }, (_, index) => call(targets[index % 3] as string, key)),
        );
        const served = results.filter((result) => result.status === 200).length;
        expect(results.filter((result) => result.status === 429).length).toBe(30 - served);
        expect(served).toBeGreaterThanOrEqual(10);
        expect(served).toBeLessThanOrEqual(11);
      } finally {
        // Its workers go with the primary (their IPC channel closes).
        workers.child.kill('SIGKILL');
        await workers.exited;
      }
    }, 90_000);

    it("lands a conversation's turns on the same model whichever instance takes them", async () => {
      const { key } = await addKey({});
      const first = (await call(routers[0]?.url ?? '', key)).model ?? '';
      // The preferred model fails once: the conversation's first turn falls back to another model.
      mock.script(first, { ...defaultScript, faults: [{ type: 'status', status: 400 }] });
      const opening = await call(routers[0]?.url ?? '', key, { session_id: 'fleet-conversation' });
      expect(opening.status).toBe(200);
      mock.reset();
      const fallback = opening.model;
      expect(fallback).not.toBe(first);
      // A new conversation goes to the preferred model again; this one stays where it began.
      expect((await call(routers[1]?.url ?? '', key)).model).toBe(first);
      for (let turn = 0; turn < 6; turn += 1) {
        const next = await call(routers[turn % 3]?.url ?? '', key, { session_id: 'fleet-conversation' });
        expect(next.status).toBe(200);
        expect(next.model).toBe(fallback);
      }
    });

    it('honours a circuit opened by one instance on the others within one second', async () => {
      const { key } = await addKey({});
      const preferred = (await call(routers[0]?.url ?? '', key)).model ?? '';
      mock.script(preferred, {
        ...defaultScript,
        faults: [{ type: 'status', status: 500 }],
        repeatFault: true,
      });
      // Instance 0 alone meets the failures until its circuit opens.
      await waitFor(
        async () => {
          // Named directly, the model has no fallback: each call is one more failure.
          await call(routers[0]?.url ?? '', key, { model: preferred });
          return (await circuitState(routers[0]?.url ?? '', preferred)) === 2;
        },
        'the circuit to open on instance 0',
        30_000,
      );
      const openedAt = Date.now();
      for (const router of routers.slice(1)) {
        await waitFor(async () => (await circuitState(router.url, preferred)) === 2, 'the others', 1_000);
      }
      expect(Date.now() - openedAt).toBeLessThan(1_000);
      const attempts = mock.attempts(preferred);
      for (const router of routers.slice(1)) {
        const result = await call(router.url, key);
        expect(result.status).toBe(200);
        expect(result.model).not.toBe(preferred);
      }
      expect(mock.attempts(preferred)).toBe(attempts);
      mock.reset();
    });

    it('keeps serving on the other two after kill -9 of one under load; its holds expire; its log loses at most one batch', async () => {
      const { key, id } = await addKey({ limitTotalUsd: 100 });
      // The victim's own traffic, on a key of its own, so the records its log kept can be counted.
      const victimKey = await addKey({});
      // Slow answers, so calls are in flight on every instance when one is killed.
      mock.script('*', { ...defaultScript, latencyMs: 400 });
      const victim = routers[2] as RunningServe;
      const survivors = routers.slice(0, 2);
      // Two seconds of load on the victim before the kill, so its log flushes several times meanwhile.
      let killed = false;
      const answeredAt: number[] = [];
      const victimLoad = Array.from({ length: 8 }, async () => {
        while (!killed) {
          const result = await call(victim.url, victimKey.key).catch(() => undefined);
          if (result?.status === 200) answeredAt.push(Date.now());
        }
      });
      await sleep(2_000);
      const onVictim = Array.from({ length: 6 }, () => call(victim.url, key).catch(() => undefined));
      const load = Array.from({ length: 40 }, (_, index) =>
        sleep(index * 20).then(() => call(survivors[index % 2]?.url ?? '', key)),
      );
      await sleep(150);
      const redis = new Redis(redisPort, '127.0.0.1');
      redis.on('error', () => undefined);
      const holdsKey = `fleet-${schema}:holds:${id}`;
      expect(await redis.zcard(holdsKey)).toBeGreaterThanOrEqual(6);
      killed = true;
      const killAt = Date.now();
      victim.child.kill('SIGKILL');
      await victim.exited;
      const results = await Promise.all(load);
      await Promise.all(onVictim);
      await Promise.all(victimLoad);
      expect(results.map((result) => result.status)).toEqual(results.map(() => 200));
      mock.reset();
      // The victim's log lost at most the batch it had not flushed, and holds no call nobody received. A
      // write PostgreSQL was committing at the kill has ended either way once the other checks are done.
      const received = answeredAt.length;
      const logged = await loggedRows(victimKey.id);
      expect(received).toBeGreaterThan(0);
      expect(logged).toBeLessThanOrEqual(received);
      expect(received - logged).toBeLessThanOrEqual(requestLogBatchSize);
      // Calls answered well before the kill were flushed: a router that never writes its log fails here.
      if (answeredAt.some((at) => at < killAt - 1_000)) expect(logged).toBeGreaterThan(0);
      // The victim's holds are still there (nobody settled them), then dropped within their TTL.
      const killedAt = Date.now();
      expect(await redis.zcard(holdsKey)).toBeGreaterThan(0);
      await waitFor(
        async () => {
          // A reservation on a survivor drops expired holds as it checks the budget.
          await call(survivors[0]?.url ?? '', key);
          await sleep(100);
          return (await redis.zcard(holdsKey)) === 0;
        },
        'the holds of the killed instance to expire',
        reservationTtlMs + 5_000,
      );
      expect(Date.now() - killedAt).toBeLessThan(reservationTtlMs + 5_000);
      redis.disconnect();
      routers[2] = await startRouter();
    });

    it('goes on routing while Redis is down, refuses budgeted keys, and counts spend exactly after', async () => {
      const budgeted = await addKey({ limitTotalUsd: 100 });
      const open = await addKey({});
      for (let index = 0; index < 6; index += 1) {
        expect((await call(routers[index % 3]?.url ?? '', budgeted.key)).status).toBe(200);
      }
      await stopRedis();
      for (const router of routers) {
        await waitFor(
          async () =>
            ((await (await fetch(`${router.url}/ready`)).json()) as { redis?: string }).redis === 'down',
          '/ready to report Redis down',
        );
        const metrics = await (await fetch(`${router.url}/metrics`)).text();
        expect(metrics).toMatch(/^pareto_router_redis_up 0$/m);
        // Routing goes on with local state; a key with a budget is refused, clearly.
        expect((await call(router.url, open.key)).status).toBe(200);
        const refused = await call(router.url, budgeted.key);
        expect(refused.status).toBe(503);
        expect(refused.message).toMatch(/budget store \(Redis\) is unreachable/);
      }
      await startRedis();
      for (const router of routers) {
        await waitFor(
          async () =>
            ((await (await fetch(`${router.url}/ready`)).json()) as { redis?: string }).redis === 'up',
          '/ready to report Redis up',
        );
      }
      // Budgets resume on each instance once the counters can be re-seeded from a flushed log (its
      // own wait starts when it sees Redis again).
      let served = 6;
      for (const router of routers) {
        await waitFor(async () => {
          const status = (await call(router.url, budgeted.key)).status;
          if (status === 200) served += 1;
          return status === 200;
        }, 'budgets to resume');
      }
      for (let index = 0; index < 6; index += 1) {
        const result = await call(routers[index % 3]?.url ?? '', budgeted.key);
        expect(result.status).toBe(200);
        served += 1;
      }
      await waitFor(async () => (await loggedCost(budgeted.id)).count === served, 'the log to flush');
      const logged = await loggedCost(budgeted.id);
      for (const router of routers)
        expect(await keyUsage(router.url, budgeted.key)).toBeCloseTo(logged.sum, 9);
    });
  },
  300_000,
);
