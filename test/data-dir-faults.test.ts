/**
 * A data directory that cannot take writes, as `pareto-router serve` meets it for real: read-only at
 * start (as a user chmod binds, which root is not), and a disk that is full at start, fills while calls
 * are served, or is still full at shutdown. Each ends in a clear message, and no record the router
 * already had is lost: it is stored once space returns, or written into the log at shutdown, from where
 * `logs --restore` stores it.
 *
 * The full-disk cases mount a small tmpfs, so they need root with mount rights; the read-only case runs
 * the router as `nobody` when the tests run as root. Each skips with its reason where that is missing.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockUpstream, startMockUpstream } from '../src/mock-upstream/index.js';
import { SqliteRequestStore } from '../src/store/sqlite-request-store.js';
import { makeRequestRecord } from '../src/store/test-support/request-store.case.js';
import { binPath, ensureBuilt } from './support/built-bin.js';
import { callRouter, type RunningServe, spawnServe, startServe } from './support/serve-process.js';

const nobody = 65_534;
const isRoot = process.getuid?.() === 0;
let workDir: string;

/** Why the read-only case cannot run here, or undefined when it can. */
function readOnlySkipReason(): string | undefined {
  if (!isRoot) return undefined;
  // As root the router runs as `nobody`, which must be able to read the checkout and node itself.
  const probe = spawnSync(
    process.execPath,
    ['-e', `require('node:fs').accessSync(${JSON.stringify(binPath)})`],
    {
      uid: nobody,
      gid: nobody,
      stdio: 'pipe',
    },
  );
  return probe.status === 0
    ? undefined
    : 'the user nobody cannot read the checkout, so root cannot test a read-only directory';
}

/** Why a small tmpfs cannot be mounted here, or undefined when it can (mounted and unmounted once to know). */
function tmpfsSkipReason(): string | undefined {
  if (!isRoot) return 'needs root to mount a small tmpfs';
  const probe = mkdtempSync(join(tmpdir(), 'pareto-router-mount-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'pipe' });
    execFileSync('umount', [probe], { stdio: 'pipe' });
    return undefined;
  } catch (error) {
    return `cannot mount a tmpfs here: ${(error as Error).message.split('\n')[0]}`;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

/** Mounts a tmpfs of `sizeKb` at a fresh directory under the work directory. */
function mountSmallDisk(name: string, sizeKb: number): string {
  const mountPoint = join(workDir, name);
  mkdirSync(mountPoint);
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k`, 'tmpfs', mountPoint], { stdio: 'pipe' });
  mounts.push(mountPoint);
  return mountPoint;
}

/** Writes into `directory` until its file system refuses: from then on it is full. */
function fillDisk(directory: string): string {
  const filler = join(directory, 'filler');
  try {
    writeFileSync(filler, Buffer.alloc(64 * 1024 * 1024));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  }
  return filler;
}

async function bufferDepth(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const match = /^pareto_router_request_log_buffer_depth (\d+)/m.exec(text);
  if (match?.[1] === undefined) throw new Error('no buffer depth in /metrics');
  return Number(match[1]);
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function storedIds(dataDir: string): Promise<Set<string>> {
  const store = new SqliteRequestStore({ filePath: join(dataDir, 'pareto-router.db') });
  try {
    return new Set((await store.queryRequests({ limit: 10_000 })).map((record) => record.id));
  } finally {
    await store.close();
  }
}

async function callMany(url: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const { status, id } = await callRouter(url);
    expect(status).toBe(200);
    if (id !== undefined) ids.push(id);
  }
  return ids;
}

let mock: MockUpstream;
let upstreamUrl: string;
const mounts: string[] = [];
let small: string;
let tiny: string;
const readOnlySkip = readOnlySkipReason();
const tmpfsSkip = tmpfsSkipReason();
for (const reason of [readOnlySkip, tmpfsSkip]) {
  if (reason !== undefined) console.warn(`data-dir-faults: skipping a case: ${reason}`);
}

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'pareto-router-data-faults-'));
  // mkdtemp makes the directory 0700; `nobody` must be able to reach what is inside.
  chmodSync(workDir, 0o755);
  if (tmpfsSkip === undefined) {
    small = mountSmallDisk('small', 8 * 1024);
    tiny = mountSmallDisk('tiny', 256);
  }
  await ensureBuilt();
  mock = await startMockUpstream({ defaultScript: { latencyMs: 0, tokensPerSecond: 0 } });
  upstreamUrl = `${mock.url}/api/v1`;
}, 180_000);

afterAll(async () => {
  await mock?.close();
  for (const mount of mounts) {
    try {
      execFileSync('umount', [mount], { stdio: 'pipe' });
    } catch {
      // Left mounted only if a router still holds it; the process is gone by now.
    }
  }
  if (workDir !== undefined) rmSync(workDir, { recursive: true, force: true });
});

describe('a read-only data directory at start', () => {
  it.skipIf(readOnlySkip !== undefined)(
    'refuses to start and leaves the records there',
    async () => {
      const dataDir = join(workDir, 'read-only');
      mkdirSync(dataDir);
      const store = new SqliteRequestStore({ filePath: join(dataDir, 'pareto-router.db') });
      await store.migrate();
      await store.insertRequests([
        makeRequestRecord({ id: 'gen-kept-1' }),
        makeRequestRecord({ id: 'gen-kept-2' }),
      ]);
      await store.close();
      chmodSync(join(dataDir, 'pareto-router.db'), 0o444);
      chmodSync(dataDir, 0o555);

      // Root writes through any mode bits, so the router runs as `nobody`, as a service account would.
      const serve = spawnServe({ dataDir, upstreamUrl, ...(isRoot ? { uid: nobody, gid: nobody } : {}) });
      const code = await serve.exited;
      expect(code, serve.stderr()).toBe(1);
      expect(serve.stderr()).toMatch(/data directory .*read-only.* is not usable for the database: EACCES/);
      expect(serve.stderr()).not.toContain('    at ');

      chmodSync(dataDir, 0o755);
      expect(await storedIds(dataDir)).toEqual(new Set(['gen-kept-1', 'gen-kept-2']));
    },
    60_000,
  );
});

describe('a full disk', () => {
  it.skipIf(tmpfsSkip !== undefined)(
    'at start: refuses to start with the reason',
    async () => {
      const disk = tiny;
      fillDisk(disk);
      const dataDir = join(disk, 'data');
      const serve = spawnServe({ dataDir, upstreamUrl });
      const code = await serve.exited;
      expect(code, serve.stderr()).toBe(1);
      expect(serve.stderr()).toMatch(/disk is full|ENOSPC/);
      expect(serve.stderr()).not.toContain('    at ');
    },
    60_000,
  );

  it.skipIf(tmpfsSkip !== undefined)(
    'while serving: calls go on, records wait in the buffer, and are stored once space returns; at shutdown the ones still refused go into the log',
    async () => {
      const disk = small;
      const dataDir = join(disk, 'serving');
      let serve: RunningServe | undefined = await startServe({ dataDir, upstreamUrl });
      try {
        const before = await callMany(serve.url, 5);
        await waitFor(
          async () => (await bufferDepth((serve as RunningServe).url)) === 0,
          'the first records',
        );

        // The disk fills: calls still answer, and their records stay buffered instead of being dropped.
        let filler = fillDisk(disk);
        const duringFull = await callMany(serve.url, 200);
        await waitFor(async () => (await bufferDepth((serve as RunningServe).url)) > 0, 'a write to fail');
        expect(await (await fetch(`${serve.url}/metrics`)).text()).toMatch(
          /^pareto_router_request_log_dropped_total 0$/m,
        );

        // Space comes back: everything buffered is written.
        rmSync(filler);
        await waitFor(
          async () => (await bufferDepth((serve as RunningServe).url)) === 0,
          'the buffer to drain',
        );
        const afterFree = await callMany(serve.url, 5);
        await waitFor(async () => (await bufferDepth((serve as RunningServe).url)) === 0, 'the new records');

        // The disk fills again and the router is stopped while records still wait.
        filler = fillDisk(disk);
        const atShutdown = await callMany(serve.url, 200);
        serve.child.kill('SIGTERM');
        const code = await serve.exited;
        const stdout = serve.stdout();
        const stderr = serve.stderr();
        serve = undefined;
        expect(code, stderr).toBe(1);
        expect(stderr).toMatch(/could not store \d+ record\(s\) at shutdown .*unstored_request/);

        const spilled = new Set<string>();
        for (const line of stdout.split('\n')) {
          if (!line.includes('"unstored_request"')) continue;
          const parsed = JSON.parse(line) as { unstored_request: { id: string; model: unknown } };
          expect(parsed.unstored_request.model).toBeTruthy();
          spilled.add(parsed.unstored_request.id);
        }
        expect(spilled.size).toBeGreaterThan(0);

        rmSync(filler);
        const storedBefore = await storedIds(dataDir);
        const lost = [...before, ...duringFull, ...afterFree, ...atShutdown].filter(
          (id) => !storedBefore.has(id) && !spilled.has(id),
        );
        expect(lost).toEqual([]);
        for (const id of [...before, ...duringFull, ...afterFree])
          expect(storedBefore.has(id), id).toBe(true);

        // With space back, `logs --restore` puts the spilled records where they belong.
        const logFile = join(workDir, 'serve-stdout.log');
        writeFileSync(logFile, stdout);
        const restore = spawnSync(
          process.execPath,
          [binPath, 'logs', '--restore', logFile, '--data-dir', dataDir],
          {
            encoding: 'utf8',
          },
        );
        expect(restore.status, restore.stderr).toBe(0);
        expect(restore.stdout).toContain(`restored ${spilled.size} record(s)`);
        const stored = await storedIds(dataDir);
        for (const id of [...before, ...duringFull, ...afterFree, ...atShutdown])
          expect(stored.has(id), id).toBe(true);
      } finally {
        serve?.child.kill('SIGKILL');
      }
    },
    120_000,
  );
});
