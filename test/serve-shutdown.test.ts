/**
 * `pareto-router serve` as a process: a SIGTERM in the middle of load lets in-flight calls finish and
 * flushes the request log, so every call a client saw complete is in the log afterwards.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockUpstream, startMockUpstream } from '../src/mock-upstream/index.js';
import { SqliteRequestStore } from '../src/store/sqlite-request-store.js';
import { binPath, ensureBuilt, rootDir } from './support/built-bin.js';

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

function startServe(): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  const child = spawn(process.execPath, [binPath, 'serve', '--port', '0', '--data-dir', dataDir], {
    cwd: rootDir,
    env: {
      PATH: process.env.PATH,
      HOME: dataDir,
      OPENROUTER_API_KEY: 'sk-or-test-0123456789abcdef',
      OPENROUTER_BASE_URL: `${mock.url}/api/v1`,
      PARETO_ROUTER_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${stderr}`)), 30_000);
    child.stderr?.on('data', (data: Buffer) => {
      stderr += data.toString();
      const match = /listening on (http:\/\/\S+)/.exec(stderr);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve({ child, url: match[1], stderr: () => stderr });
      }
    });
    child.stdout?.resume();
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}:\n${stderr}`)));
  });
}

describe('serve under SIGTERM', () => {
  it('loses no completed request', async () => {
    const { child, url, stderr } = await startServe();
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const completed: string[] = [];
    let refused = 0;
    let signalled = false;
    const body = JSON.stringify({
      model: 'openrouter/pareto-code',
      messages: [{ role: 'user', content: 'Write a function that adds two numbers.' }],
    });
    const worker = async () => {
      for (;;) {
        try {
          const response = await fetch(`${url}/api/v1/chat/completions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: 'Bearer test' },
            body,
          });
          const json = (await response.json()) as { id?: string };
          if (response.status === 200 && typeof json.id === 'string') completed.push(json.id);
          else throw new Error(`status ${response.status}`);
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
});
