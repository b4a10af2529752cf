#!/usr/bin/env node
/**
 * The fleet: routers sharing one Redis (a redis-server of the bench's own, on a free port) and one
 * PostgreSQL (a schema of the run's own), in front of the bench's fake upstream. Measures
 *
 * - non-streamed throughput at 32 connections spread over 1, 2 and 3 instances (Redis on);
 * - one instance with `--workers 1` and `--workers 2`, Redis on and off, each with a key with a budget
 *   and with a key without limits (so the price of exact budgets can be read off each pair: Redis round
 *   trips with Redis, the primary's IPC round trips for `--workers 2` without it);
 * - the latency a key with a budget pays, against a key without limits on the same instance, at
 *   concurrency 1, in alternating rounds: one instance on Redis (two Redis round trips: reserve, settle),
 *   and `--workers 2` without Redis (its budgets held by the primary);
 *
 * with the CPU each configuration's processes used per call, read from /proc. Run from `bench/run.js`
 * (after the router phases) or alone: `node bench/fleet-bench.js [--duration S] [--upstream PORT]`.
 * Skips with a reason when redis-server or PostgreSQL is missing.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { measureLatency, measureThroughput } from './measure-load.js';
import { startCpuAccount } from './read-cpu.js';
import {
  benchEnvironment,
  benchRequestBodies,
  findFreePort,
  spawnSystem,
  stopSystem,
  waitForHttp,
} from './start-system.js';

const benchDir = dirname(fileURLToPath(import.meta.url));
const rootDir = dirname(benchDir);
const databaseUrl = process.env.PARETO_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const connections = 32;
/** Load before each measurement, so the routers have compiled their hot paths when it starts. */
const warmUpSeconds = 3;

const body = benchRequestBodies().plain;

async function skipReason() {
  if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status !== 0) {
    return 'redis-server is not installed';
  }
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return undefined;
  } catch (error) {
    return `no PostgreSQL at ${databaseUrl.replace(/:[^:@/]*@/, ':***@')} (${error.message})`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Runs the fleet measurements; resolves with `{ measured: false, reason }` when they cannot run. */
export async function runFleetBench({ durationSeconds, upstreamPort, log = () => undefined }) {
  const reason = await skipReason();
  if (reason !== undefined) return { measured: false, reason };
  const redisPort = await findFreePort();
  const redis = spawn(
    'redis-server',
    ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const schema = `pr_bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: databaseUrl, options: `-c search_path=${schema}` });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  const dataDir = mkdtempSync(join(os.tmpdir(), 'pareto-router-fleet-bench-'));
  const { PostgresRequestStore } = await import('../dist/store/postgres-request-store.js');
  const { createApiKeyRecord } = await import('../dist/store/api-key.js');
  const store = new PostgresRequestStore({ connectionString: databaseUrl, schema });
  const running = new Set();
  try {
    await store.migrate();
    const open = createApiKeyRecord({ name: 'bench open' }, Date.now());
    const budgeted = createApiKeyRecord({ name: 'bench budget', limitTotalUsd: 1_000_000 }, Date.now());
    await store.createKey(open.record);
    await store.createKey(budgeted.record);

    const start = async ({ workers = 1, withRedis = true }) => {
      const port = await findFreePort();
      const args = [join(rootDir, 'bin', 'pareto-router.js'), 'serve', '--port', String(port)];
      args.push('--data-dir', mkdtempSync(join(dataDir, 'router-')));
      if (workers > 1) args.push('--workers', String(workers));
      const handle = spawnSystem({
        name: 'router',
        command: process.execPath,
        args,
        env: benchEnvironment({
          PARETO_ROUTER_LOG_LEVEL: 'warn',
          OPENROUTER_API_KEY: 'bench',
          OPENROUTER_BASE_URL: `http://127.0.0.1:${upstreamPort}/api/v1`,
          DATABASE_URL: databaseUrl,
          PGOPTIONS: `-c search_path=${schema}`,
          ...(withRedis
            ? { REDIS_URL: `redis://127.0.0.1:${redisPort}`, PARETO_ROUTER_REDIS_PREFIX: `${schema}:` }
            : {}),
        }),
        cwd: rootDir,
      });
      running.add(handle);
      if (!(await waitForHttp(handle, `http://127.0.0.1:${port}/health`, 30_000))) {
        throw new Error(`router did not start:\n${handle.output}`);
      }
      return { handle, url: `http://127.0.0.1:${port}/api/v1/chat/completions` };
    };
    const stop = async (instances) => {
      for (const instance of instances) {
        await stopSystem(instance.handle);
        running.delete(instance.handle);
      }
    };
    const headersFor = (key) => ({ 'content-type': 'application/json', authorization: `Bearer ${key}` });

    /** 32 connections split over the instances, all at once; CPU of the routers (and Redis) per call. */
    const load = async (instances, key) => {
      const share = Math.floor(connections / instances.length);
      const warm = instances.map((instance) =>
        measureThroughput({
          url: instance.url,
          headers: headersFor(key),
          body,
          connections: share,
          durationSeconds: warmUpSeconds,
        }),
      );
      await Promise.all(warm);
      const cpu = startCpuAccount([...instances.map((instance) => instance.handle.pid), redis.pid]);
      const results = await Promise.all(
        instances.map((instance) =>
          measureThroughput({
            url: instance.url,
            headers: headersFor(key),
            body,
            connections: share,
            durationSeconds,
          }),
        ),
      );
      const account = cpu.stop();
      const ok = results.reduce((sum, result) => sum + result.ok, 0);
      const failed = results.reduce((sum, result) => sum + result.non2xx + result.errors, 0);
      const requestsPerSecond = results.reduce((sum, result) => sum + result.requestsPerSecond, 0);
      return {
        requestsPerSecond: Math.round(requestsPerSecond),
        failed,
        cpuMicrosecondsPerCall: ok > 0 ? Math.round((account.ownSeconds * 1e6) / ok) : null,
      };
    };

    const result = {
      measured: true,
      connections,
      durationSeconds,
      instances: {},
      workers: {},
      budgetLatency: {},
    };
    for (const count of [1, 2, 3]) {
      log(`fleet: ${count} instance(s) on one Redis`);
      const instances = [];
      for (let index = 0; index < count; index += 1) instances.push(await start({}));
      result.instances[count] = await load(instances, open.key);
      await stop(instances);
    }
    for (const withRedis of [false, true]) {
      for (const workers of [1, 2]) {
        log(`fleet: --workers ${workers}, Redis ${withRedis ? 'on' : 'off'}`);
        const instance = await start({ workers, withRedis });
        const name = `${workers}-${withRedis ? 'redis' : 'local'}`;
        // Alternate which key goes first, so warming up does not favour one of them.
        const order = workers === 1 ? ['budgeted', 'open'] : ['open', 'budgeted'];
        result.workers[name] = {};
        for (const which of order) {
          result.workers[name][which] = await load([instance], which === 'open' ? open.key : budgeted.key);
        }
        await stop([instance]);
      }
    }
    log('fleet: latency of a key with a budget against one without (Redis on)');
    result.budgetLatency = await budgetLatency(await start({}));
    log('fleet: latency of a key with a budget against one without (--workers 2, Redis off)');
    result.primaryBudgetLatency = await budgetLatency(await start({ workers: 2, withRedis: false }));
    return result;

    /** Medians at concurrency 1 of both keys, in alternating rounds of 100 calls; stops the instance. */
    async function budgetLatency(instance) {
      const samples = { open: [], budgeted: [] };
      for (let round = 0; round < 10; round += 1) {
        for (const [name, key] of round % 2 === 0
          ? [
              ['open', open.key],
              ['budgeted', budgeted.key],
            ]
          : [
              ['budgeted', budgeted.key],
              ['open', open.key],
            ]) {
          const { latenciesMs } = await measureLatency({
            url: instance.url,
            headers: headersFor(key),
            body,
            amount: 100,
          });
          samples[name].push(...latenciesMs);
        }
      }
      await stop([instance]);
      const median = (values) => {
        const sorted = [...values].sort((a, b) => a - b);
        return sorted[Math.floor(sorted.length / 2)] ?? null;
      };
      const figures = {
        openMedianMs: Number(median(samples.open)?.toFixed(3)),
        budgetedMedianMs: Number(median(samples.budgeted)?.toFixed(3)),
        samples: samples.open.length,
      };
      figures.addedMs = Number((figures.budgetedMedianMs - figures.openMedianMs).toFixed(3));
      return figures;
    }
  } finally {
    for (const handle of running) await stopSystem(handle);
    redis.kill('SIGKILL');
    await store.close().catch(() => undefined);
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await admin.end().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The fleet's lines for the summary. */
export function formatFleetLines(fleet) {
  if (!fleet?.measured) return [`fleet: not measured: ${fleet?.reason ?? 'not run'}`];
  const cell = (figure) =>
    `${figure.requestsPerSecond} req/s, ${figure.cpuMicrosecondsPerCall ?? '-'} us CPU/call${figure.failed > 0 ? `, ${figure.failed} failed` : ''}`;
  return [
    `fleet (Redis + PostgreSQL, c${fleet.connections}, ${fleet.durationSeconds} s, plain calls):`,
    ...[1, 2, 3].map((count) => `  ${count} instance(s): ${cell(fleet.instances[count])}`),
    ...['1-local', '2-local', '1-redis', '2-redis'].map((name) => {
      const [workers, mode] = name.split('-');
      const figures = fleet.workers[name];
      return `  --workers ${workers}, Redis ${mode === 'redis' ? 'on ' : 'off'}: key with a budget ${cell(figures.budgeted)}; without limits ${cell(figures.open)}`;
    }),
    latencyLine('one instance, Redis on', fleet.budgetLatency),
    latencyLine('--workers 2, Redis off (the primary holds budgets)', fleet.primaryBudgetLatency),
  ];
}

function latencyLine(where, figures) {
  return `  key with a budget, ${where}, c1 median: ${figures.budgetedMedianMs} ms against ${figures.openMedianMs} ms without limits (+${figures.addedMs} ms, ${figures.samples} calls each)`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { duration: { type: 'string' }, upstream: { type: 'string' } } });
  const log = (line) => process.stderr.write(`${line}\n`);
  let upstream;
  let upstreamPort = values.upstream === undefined ? undefined : Number(values.upstream);
  if (upstreamPort === undefined) {
    upstreamPort = await findFreePort();
    upstream = spawnSystem({
      name: 'upstream',
      command: process.execPath,
      args: [join(benchDir, 'fake-upstream.js'), '--port', String(upstreamPort)],
    });
    await waitForHttp(upstream, `http://127.0.0.1:${upstreamPort}/`);
  }
  try {
    const fleet = await runFleetBench({ durationSeconds: Number(values.duration ?? 5), upstreamPort, log });
    log(
      `${os.availableParallelism()} cores, ${os.cpus()[0]?.model ?? 'unknown'}, ${new Date().toISOString()}`,
    );
    process.stdout.write(`${formatFleetLines(fleet).join('\n')}\n${JSON.stringify(fleet)}\n`);
  } finally {
    if (upstream !== undefined) await stopSystem(upstream);
    await sleep(0);
  }
}
