/**
 * `pareto-router --data-dir DIR serve`: a program option before the command name reaches `serve` the
 * same as after it. The request log lands in DIR, never in `$HOME/.pareto-router`.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from './support/built-bin.js';
import { callRouter, type RunningServe, startServe } from './support/serve-process.js';

let dataDir: string;
let home: string;
let serve: RunningServe | undefined;

beforeAll(async () => {
  await ensureBuilt();
  dataDir = mkdtempSync(join(tmpdir(), 'pareto-router-global-data-'));
  home = mkdtempSync(join(tmpdir(), 'pareto-router-global-home-'));
}, 180_000);

afterAll(() => {
  if (serve !== undefined && serve.child.exitCode === null) serve.child.kill('SIGKILL');
  for (const directory of [dataDir, home]) {
    if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
  }
});

describe('pareto-router --data-dir DIR serve', () => {
  it('writes the request log into DIR, not into $HOME/.pareto-router', async () => {
    serve = await startServe({ dataDir, demo: true, dataDirFirst: true, home });
    const answer = await callRouter(serve.url);
    expect(answer.status).toBe(200);
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
    expect(existsSync(join(dataDir, 'pareto-router.db'))).toBe(true);
    expect(existsSync(join(home, '.pareto-router'))).toBe(false);
  }, 60_000);
});
