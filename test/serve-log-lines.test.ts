/**
 * `serve`'s request lines on standard output: buffered for speed, but a quiet router's line still appears
 * within about a second of its call, not when 4 KB of other lines have gathered behind it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from './support/built-bin.js';
import { type RunningServe, startServe } from './support/serve-process.js';

let dataDir: string;
let serve: RunningServe;

beforeAll(async () => {
  await ensureBuilt();
  dataDir = mkdtempSync(join(tmpdir(), 'pareto-router-log-lines-'));
  serve = await startServe({ dataDir, demo: true, logLevel: 'info' });
}, 180_000);

afterAll(async () => {
  if (serve !== undefined && serve.child.exitCode === null) serve.child.kill('SIGKILL');
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
});

describe('serve request lines', () => {
  it("writes a lone call's line within a few seconds", async () => {
    const response = await fetch(`${serve.url}/api/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'openrouter/pareto-code',
        messages: [{ role: 'user', content: 'Write a function that reverses a string.' }],
      }),
    });
    expect(response.status).toBe(200);
    const id = ((await response.json()) as { id: string }).id;
    // One line is a few hundred bytes: without a timed flush it would wait for 4 KB of others.
    await expect
      .poll(() => serve.stdout().includes(`"request_id":"${id}"`), { timeout: 5_000, interval: 50 })
      .toBe(true);
  });
});
