/**
 * Every request body a hostile run against `serve --demo` found to draw a 5xx or an error chunk, replayed
 * against a demo router: each must get a 4xx in the envelope, or a 200 without an error inside it, and
 * the ordinary call after them all must still go to the model it went to before. The bodies live beside
 * the repository (`../shared/fuzz-findings`), never in it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoRouter, startDemoRouter } from './test-support/demo-router.js';

const repoRoot = resolve(import.meta.dirname, '..', '..');
const findingsDir = resolve(repoRoot, '..', 'shared', 'fuzz-findings');
const present = existsSync(findingsDir);
if (!present) console.log(`fuzz-findings regression skipped: ${findingsDir} is absent`);
const files = present
  ? readdirSync(findingsDir)
      .filter((name) => name.startsWith('fuzz-') || name.startsWith('manual-'))
      .filter((name) => name.endsWith('.body') || name.endsWith('.json'))
      .sort()
  : [];

interface Reply {
  status: number;
  headers: Headers;
  text: string;
}

async function post(url: string, body: string | Buffer): Promise<Reply> {
  const response = await fetch(`${url}/api/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

const ordinary = JSON.stringify({
  model: 'openrouter/pareto-code',
  messages: [{ role: 'user', content: 'Write a function that reverses a string.' }],
  plugins: [{ id: 'pareto-router', min_coding_score: 0.5 }],
});

/** The error events inside a 200 stream (an SSE `data:` payload with an `error` member). */
function errorChunks(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('data: ') && line !== 'data: [DONE]')
    .filter((line) => {
      try {
        return (JSON.parse(line.slice(6)) as { error?: unknown }).error !== undefined;
      } catch {
        return true;
      }
    });
}

describe.skipIf(!present)('fuzz findings replayed against a demo router', () => {
  let demo: DemoRouter;
  let modelBefore: string | null;
  let readyBefore: unknown;

  beforeAll(async () => {
    demo = await startDemoRouter();
    const before = await post(demo.url, ordinary);
    expect(before.status).toBe(200);
    modelBefore = before.headers.get('x-pareto-model');
    readyBefore = await (await fetch(`${demo.url}/ready`)).json();
  });
  afterAll(async () => {
    await demo?.close();
  });

  it.each(files)('%s gets a 4xx in the envelope or a clean 200', async (name) => {
    const reply = await post(demo.url, readFileSync(resolve(findingsDir, name)));
    expect(reply.status, reply.text.slice(0, 300)).toBeLessThan(500);
    if (reply.status >= 400) {
      const envelope = JSON.parse(reply.text) as { error: { code: number; message: string } };
      expect(envelope.error.code).toBe(reply.status);
      expect(envelope.error.message.length).toBeGreaterThan(0);
    } else {
      expect(reply.status).toBe(200);
      expect(errorChunks(reply.text)).toEqual([]);
    }
  });

  it('serves the ordinary call with the same model afterwards, every model still servable', async () => {
    const after = await post(demo.url, ordinary);
    expect(after.status).toBe(200);
    expect(after.headers.get('x-pareto-model')).toBe(modelBefore);
    expect(await (await fetch(`${demo.url}/ready`)).json()).toEqual(readyBefore);
    const metrics = await (await fetch(`${demo.url}/metrics`)).text();
    expect(metrics).not.toMatch(/pareto_router_circuit_state\{[^}]*\} 2/);
    // The demo's upstreams are labelled by their preset names, not lumped together as `other`.
    expect(metrics).toMatch(/pareto_router_requests_total\{[^}]*upstream="[a-z]+"[^}]*status="200"/);
    expect(metrics).not.toContain('upstream="other"');
  });
});
