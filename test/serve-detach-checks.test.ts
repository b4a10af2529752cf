/**
 * `serve` detaches an ArrayBuffer while it starts, so V8 compiles the hot paths with detach checks from
 * the beginning instead of throwing the optimised code away when undici's parser memory first grows under
 * load (src/server/settle-detach-checks.ts). V8 reports the moment with --trace-protector-invalidation.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from './support/built-bin.js';
import { startServe } from './support/serve-process.js';

let dataDir: string;

beforeAll(async () => {
  await ensureBuilt();
  dataDir = mkdtempSync(join(tmpdir(), 'pareto-router-detach-'));
}, 180_000);

afterAll(() => {
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
});

describe('serve and V8 detach checks', () => {
  it('gives up the no-detached-buffer assumption at start, before any call', async () => {
    const serve = await startServe({ dataDir, demo: true, nodeArgs: ['--trace-protector-invalidation'] });
    // Only the health check is called. V8 prints through C stdio, which a pipe buffers until exit, so the
    // process is stopped cleanly for its output to be flushed.
    expect((await fetch(`${serve.url}/health`)).status).toBe(200);
    serve.child.kill('SIGTERM');
    expect(await serve.exited, serve.stderr()).toBe(0);
    expect(serve.stdout()).toContain('Invalidating protector cell ArrayBufferDetaching');
  }, 60_000);
});
