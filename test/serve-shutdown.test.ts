/**
 * `pareto-router serve` as a process: a SIGTERM in the middle of load lets in-flight calls finish and
 * flushes the request log, so every call a client saw complete is in the log afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockUpstream, startMockUpstream } from '../src/mock-upstream/index.js';
import { SqliteRequestStore } from '../src/store/sqlite-request-store.js';
import { ensureBuilt } from './support/built-bin.js';
import { callRouter, startServe } from './support/serve-process.js';

let mock: MockUpstream;
let dataDir: string;

beforeAll(async () => {
  await ensureBuilt();
  // Slow enough that calls are in flight when the signal arrives.
  mock = await startMockUpstream({ defaultScript: { latencyMs: 40, tokensPerSecond: 0 } });
  dataDir = mkdtempSync(join(tmpdir(), 'pareto-router-sigterm-'));
}, 180_000);

afterAll(async () => {
  await mock?.close();
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
});

describe('serve under SIGTERM', () => {
  it('loses no completed request', async () => {
    const { child, url, stderr, exited } = await startServe({ dataDir, upstreamUrl: `${mock.url}/api/v1` });
    const completed: string[] = [];
    let refused = 0;
    let signalled = false;
    const worker = async () => {
      for (;;) {
        try {
          const { status, id } = await callRouter(url);
          if (status === 200 && id !== undefined) completed.push(id);
          else throw new Error(`status ${status}`);
        } catch {
          // Once the server stops accepting, new calls fail: that is the end of this worker's load.
          refused += 1;
          if (signalled) return;
          throw new Error('a call failed before the signal');
        }
        if (completed.length >= 200 && !signalled) {
          signalled = true;
          child.kill('SIGTERM');
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    expect(await exited, stderr()).toBe(0);
    expect(stderr()).toContain('SIGTERM');
    expect(completed.length).toBeGreaterThanOrEqual(200);
    expect(refused).toBeGreaterThan(0);

    const store = new SqliteRequestStore({ filePath: join(dataDir, 'pareto-router.db') });
    try {
      const records = await store.queryRequests({ limit: 10_000 });
      const logged = new Set(records.map((record) => record.id));
      const missing = completed.filter((id) => !logged.has(id));
      expect(missing).toEqual([]);
      expect(records.filter((record) => record.status === 200).length).toBeGreaterThanOrEqual(
        completed.length,
      );
    } finally {
      await store.close();
    }
  }, 120_000);

  it('with --workers 2, stops every worker and exits after keep-alive calls', async () => {
    const workersDir = mkdtempSync(join(tmpdir(), 'pareto-router-sigterm-workers-'));
    try {
      const { child, url, stderr, exited } = await startServe({
        dataDir: workersDir,
        upstreamUrl: `${mock.url}/api/v1`,
        args: ['--workers', '2'],
      });
      const ids: string[] = [];
      // fetch keeps its connections alive, as agents' HTTP clients do.
      for (let call = 0; call < 8; call += 1) {
        const { status, id } = await callRouter(url);
        expect(status).toBe(200);
        if (id !== undefined) ids.push(id);
      }
      child.kill('SIGTERM');
      // A stopped worker used to keep its IPC channel to the primary open and never exit.
      const hung = new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 30_000).unref());
      const outcome = await Promise.race([exited, hung]);
      if (outcome === 'hung') child.kill('SIGKILL');
      expect(outcome, stderr()).toBe(0);
      const store = new SqliteRequestStore({ filePath: join(workersDir, 'pareto-router.db') });
      try {
        const logged = new Set((await store.queryRequests({ limit: 100 })).map((record) => record.id));
        expect(ids.filter((id) => !logged.has(id))).toEqual([]);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(workersDir, { recursive: true, force: true });
    }
  }, 120_000);
});
