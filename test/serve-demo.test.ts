/**
 * The quickstart: `pareto-router serve --demo`, run as a program the way `npx pareto-router` runs it,
 * answers plain and streamed calls to `openrouter/pareto-code` from the built-in fake upstream, labels
 * itself as a demo, writes each call's request line within seconds, and stops cleanly on SIGTERM.
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
  dataDir = mkdtempSync(join(tmpdir(), 'pareto-router-demo-'));
  // `info`, as the quickstart runs it: the request lines are part of what is checked.
  serve = await startServe({ dataDir, demo: true, asProgram: true, logLevel: 'info' });
}, 180_000);

afterAll(async () => {
  if (serve !== undefined && serve.child.exitCode === null) serve.child.kill('SIGKILL');
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
});

function ask(stream: boolean): Promise<Response> {
  return fetch(`${serve.url}/api/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'openrouter/pareto-code',
      messages: [{ role: 'user', content: 'Write a function that reverses a string.' }],
      plugins: [{ id: 'pareto-router', min_coding_score: 0.5 }],
      stream,
    }),
  });
}

describe('serve --demo', () => {
  it('says at start that every answer comes from the fake upstream', () => {
    expect(serve.stderr()).toMatch(
      /^DEMO MODE: every answer comes from the built-in fake upstream at http:\/\//m,
    );
  });

  it('answers a plain call with a concrete model, a demo provider and a cost', async () => {
    const response = await ask(false);
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      model: string;
      provider: string;
      choices: { message: { content: string } }[];
      usage: { cost: number; completion_tokens: number };
    };
    expect(body.model).toMatch(/^[\w.-]+\/[\w.:-]+$/);
    expect(body.model).not.toContain('pareto-code');
    expect(body.provider).toMatch(/ \(demo\)$/);
    expect(body.choices[0]?.message.content.length).toBeGreaterThan(0);
    expect(body.usage.completion_tokens).toBeGreaterThan(0);
    expect(body.usage.cost).toBeGreaterThan(0);
    expect(response.headers.get('x-pareto-tier')).toBe('medium');
  });

  it('streams an answer chunk by chunk, with usage at the end and then [DONE]', async () => {
    const response = await ask(true);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const data = (await response.text())
      .split('\n')
      .filter((line) => line.startsWith('data: '))
      .map((line) => line.slice(6));
    expect(data.at(-1)).toBe('[DONE]');
    const chunks = data.slice(0, -1).map(
      (text) =>
        JSON.parse(text) as {
          choices: { delta?: { content?: string | null } }[];
          usage?: { cost: number };
        },
    );
    const text = chunks.map((chunk) => chunk.choices[0]?.delta?.content ?? '').join('');
    expect(chunks.filter((chunk) => (chunk.choices[0]?.delta?.content ?? '') !== '').length).toBeGreaterThan(
      1,
    );
    expect(text.length).toBeGreaterThan(0);
    expect(chunks.at(-1)?.usage?.cost).toBeGreaterThan(0);
  });

  it("writes a lone call's request line within a few seconds", async () => {
    const response = await ask(false);
    expect(response.status).toBe(200);
    const id = ((await response.json()) as { id: string }).id;
    // Lines are written in 4 KB batches; a quiet router's one line must not wait for 4 KB of others.
    await expect
      .poll(() => serve.stdout().includes(`"request_id":"${id}"`), { timeout: 5_000, interval: 50 })
      .toBe(true);
  });

  it('stops with status 0 on SIGTERM', async () => {
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
  });
});
