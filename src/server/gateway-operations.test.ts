/**
 * The operating side through the HTTP API: the request log and cost accounting, gateway keys with
 * defaults, budgets and rate limits, the admin API, metrics, secure defaults, and secrets staying out
 * of every output.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startMockUpstream } from '../mock-upstream/index.js';
import { createMemoryDestination } from '../observability/create-logger.js';
import { startRouter } from './start-router.js';
import {
  type GatewayFixture,
  gatewayConfig,
  gatewaySnapshot,
  postChat,
  postChatStream,
  startGateway,
  userMessage,
} from './test-support/gateway-fixture.js';

const masterKey = 'master-key-for-tests-0123456789abcdef';
const fixedAnswer = 'function reverse(text) { return [...text].reverse().join(""); }';

async function getJson(
  url: string,
  authorization?: string,
): Promise<{ status: number; json: any; headers: Headers }> {
  const response = await fetch(url, authorization === undefined ? {} : { headers: { authorization } });
  const text = await response.text();
  return { status: response.status, json: JSON.parse(text), headers: response.headers };
}

async function admin(
  url: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: any }> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${masterKey}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: JSON.parse(await response.text()) };
}

async function createKey(
  url: string,
  settings: Record<string, unknown>,
): Promise<{ key: string; id: string }> {
  const created = await admin(url, 'POST', '/api/v1/keys', settings);
  expect(created.status).toBe(201);
  return { key: created.json.key, id: created.json.data.id };
}

describe('request log and cost accounting', () => {
  let gateway: GatewayFixture;
  beforeAll(async () => {
    gateway = await startGateway();
  });
  afterAll(() => gateway.close());
  afterEach(() => gateway.mock.reset());

  it('logs a streamed and a non-streamed call with the same usage and cost, cached tokens at the cache price', async () => {
    const usage = { promptTokens: 1_000, completionTokens: 200, cachedTokens: 600, reasoningTokens: 50 };
    gateway.mock.script('alpha', { answer: fixedAnswer, usage });
    const plain = await postChat(gateway.url, { model: 'openrouter/pareto-code', messages: userMessage });
    const streamed = await postChatStream(gateway.url, {
      model: 'openrouter/pareto-code',
      messages: userMessage,
    });
    expect(plain.status).toBe(200);
    expect(streamed.status).toBe(200);
    // lab/alpha: input $1, cache read $0.10, output $4 per million tokens.
    const expectedCost = (400 * 1 + 600 * 0.1 + 200 * 4) / 1e6;
    expect(plain.json.usage.cost).toBeCloseTo(expectedCost, 12);
    const usageChunk = streamed.chunks.find(
      (chunk) => chunk.usage !== undefined && chunk.choices.length === 0,
    );
    expect(usageChunk.usage.cost).toBeCloseTo(expectedCost, 12);

    const plainRecord = await getJson(`${gateway.url}/api/v1/generation?id=${plain.json.id}`);
    const streamedRecord = await getJson(`${gateway.url}/api/v1/generation?id=${usageChunk.id}`);
    expect(plainRecord.status).toBe(200);
    expect(streamedRecord.status).toBe(200);
    for (const record of [plainRecord.json.data, streamedRecord.json.data]) {
      expect(record.model).toBe('lab/alpha');
      expect(record.tokens_prompt).toBe(1_000);
      expect(record.tokens_completion).toBe(200);
      expect(record.native_tokens_cached).toBe(600);
      expect(record.native_tokens_reasoning).toBe(50);
      expect(record.total_cost).toBeCloseTo(expectedCost, 12);
      expect(record.pareto_router.tier).toBe('high');
    }
    expect(plainRecord.json.data.streamed).toBe(false);
    expect(streamedRecord.json.data.streamed).toBe(true);
    expect(streamedRecord.json.data.pareto_router.time_to_first_token_ms).toBeGreaterThanOrEqual(0);
  });

  it('logs every attempt of a failed-over call and bills only the model that answered', async () => {
    gateway.mock.script('alpha', { faults: [{ type: 'status', status: 503 }], repeatFault: true });
    gateway.mock.script('beta', { usage: { promptTokens: 100, completionTokens: 10 } });
    const response = await postChat(gateway.url, { model: 'pareto-code', messages: userMessage });
    expect(response.json.model).toBe('lab/beta');
    const record = (await getJson(`${gateway.url}/api/v1/generation?id=${response.json.id}`)).json.data;
    const attempts = record.pareto_router.attempts;
    expect(attempts.map((attempt: any) => attempt.model)).toEqual(['lab/alpha', 'lab/beta']);
    expect(attempts[0].status).toBe(503);
    expect(attempts[1].status).toBe(200);
    // lab/beta: input $2, output $8.
    expect(record.total_cost).toBeCloseTo((100 * 2 + 10 * 8) / 1e6, 12);
  });

  it('logs a call no candidate answered, at no cost', async () => {
    gateway.mock.script('alpha', { faults: [{ type: 'status', status: 502 }], repeatFault: true });
    const response = await postChat(gateway.url, { model: 'lab/alpha', messages: userMessage });
    expect(response.status).toBeGreaterThanOrEqual(502);
    const id = response.headers.get('x-generation-id');
    expect(id).toMatch(/^gen-/);
    const record = (await getJson(`${gateway.url}/api/v1/generation?id=${id}`)).json.data;
    expect(record.total_cost).toBe(0);
    expect(record.tokens_prompt).toBe(0);
    expect(record.pareto_router.status).toBe(response.status);
    expect(record.model).toBe('lab/alpha');
    expect(record.pareto_router.attempts.length).toBeGreaterThanOrEqual(1);
    expect(record.pareto_router.attempts.every((attempt: any) => attempt.status === 502)).toBe(true);
  });

  it('reports settings the upstream protocol could not express, in a header and in the log', async () => {
    // lab/beta speaks the Anthropic protocol, whose maximum temperature is 1.
    const response = await postChat(gateway.url, {
      model: 'lab/beta',
      messages: userMessage,
      temperature: 1.7,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-pareto-warnings')).toMatch(/temperature 1\.7 .*sent 1/);
    const streamed = await postChatStream(gateway.url, {
      model: 'lab/beta',
      messages: userMessage,
      temperature: 1.7,
    });
    expect(streamed.headers.get('x-pareto-warnings')).toMatch(/temperature 1\.7/);
    const record = (await getJson(`${gateway.url}/api/v1/generation?id=${response.json.id}`)).json.data;
    expect(record.pareto_router.settings.warnings).toContainEqual(expect.stringMatching(/temperature 1\.7/));
    const plain = await postChat(gateway.url, {
      model: 'lab/beta',
      messages: userMessage,
      temperature: 0.5,
      max_tokens: 256,
    });
    expect(plain.headers.get('x-pareto-warnings')).toBeNull();
  });

  it('answers 400 without an id and 404 for an unknown one', async () => {
    expect((await getJson(`${gateway.url}/api/v1/generation`)).status).toBe(400);
    const unknown = await getJson(`${gateway.url}/api/v1/generation?id=gen-unknown`);
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe(404);
  });

  it('exposes Prometheus metrics for requests, tokens, cost, fallbacks and the log buffer', async () => {
    gateway.mock.script('alpha', { faults: [{ type: 'status', status: 503 }], repeatFault: true });
    await postChat(gateway.url, { model: 'pareto-code', messages: userMessage });
    const response = await fetch(`${gateway.url}/metrics`);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toMatch(/pareto_router_requests_total\{[^}]*served_model="lab\/beta"[^}]*\} [1-9]/);
    expect(text).toMatch(/pareto_router_fallbacks_total\{[^}]*model="lab\/alpha"[^}]*\} [1-9]/);
    expect(text).toContain('pareto_router_cost_usd_total');
    expect(text).toContain('pareto_router_request_log_buffer_depth');
    expect(text).toContain('pareto_router_circuit_state');
  });
});

describe('gateway keys, budgets and the admin API', () => {
  let gateway: GatewayFixture;
  beforeAll(async () => {
    gateway = await startGateway({ masterKey });
  });
  afterAll(() => gateway.close());
  afterEach(() => gateway.mock.reset());

  it('runs open until the first key exists, then needs a key on every call', async () => {
    const before = await postChat(gateway.url, { model: 'pareto-code', messages: userMessage });
    expect(before.status).toBe(200);
    const { key } = await createKey(gateway.url, { name: 'first' });
    expect(key).toMatch(/^pr-/);
    const anonymous = await postChat(gateway.url, { model: 'pareto-code', messages: userMessage });
    expect(anonymous.status).toBe(401);
    expect(anonymous.json.error.code).toBe(401);
    const wrong = await postChat(
      gateway.url,
      { model: 'pareto-code', messages: userMessage },
      {
        authorization: `Bearer pr-${'x'.repeat(43)}`,
      },
    );
    expect(wrong.status).toBe(401);
    const keyed = await postChat(
      gateway.url,
      { model: 'pareto-code', messages: userMessage },
      {
        authorization: `Bearer ${key}`,
      },
    );
    expect(keyed.status).toBe(200);
  });

  it('guards the admin API with the master key and refuses bad settings with 400', async () => {
    const noMaster = await fetch(`${gateway.url}/api/v1/keys`);
    expect(noMaster.status).toBe(401);
    for (const body of [
      { name: 'x', limit_total_usd: -1 },
      { name: 'x', limit_daily_usd: 1e12 },
      { name: 'x', default_min_coding_score: 1.5 },
      { name: 'x', unknown_field: true },
      { limit_total_usd: 1 },
    ]) {
      const response = await admin(gateway.url, 'POST', '/api/v1/keys', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(typeof response.json.error.message).toBe('string');
    }
    const malformed = await fetch(`${gateway.url}/api/v1/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${masterKey}`, 'content-type': 'application/json' },
      body: '{"name": ',
    });
    expect(malformed.status).toBe(400);
    expect((await admin(gateway.url, 'DELETE', '/api/v1/keys/no-such-key')).status).toBe(404);
    expect((await admin(gateway.url, 'PATCH', '/api/v1/keys/no-such-key', { name: 'y' })).status).toBe(404);
  });

  it("applies a key's default score, and ignores the request's score when overrides are prevented", async () => {
    const medium = await createKey(gateway.url, { name: 'medium', default_min_coding_score: 0.5 });
    const defaulted = await postChat(
      gateway.url,
      { model: 'pareto-code', messages: userMessage },
      {
        authorization: `Bearer ${medium.key}`,
      },
    );
    expect(defaulted.headers.get('x-pareto-tier')).toBe('medium');
    const overridden = await postChat(
      gateway.url,
      {
        model: 'pareto-code',
        messages: userMessage,
        plugins: [{ id: 'pareto-router', min_coding_score: 0.9 }],
      },
      { authorization: `Bearer ${medium.key}` },
    );
    expect(overridden.headers.get('x-pareto-tier')).toBe('high');

    const locked = await createKey(gateway.url, {
      name: 'locked',
      default_min_coding_score: 0.1,
      prevent_overrides: true,
    });
    const ignored = await postChat(
      gateway.url,
      {
        model: 'pareto-code',
        messages: userMessage,
        plugins: [{ id: 'pareto-router', min_coding_score: 0.9 }],
      },
      { authorization: `Bearer ${locked.key}` },
    );
    expect(ignored.headers.get('x-pareto-tier')).toBe('low');
    const record = (
      await getJson(`${gateway.url}/api/v1/generation?id=${ignored.json.id}`, `Bearer ${locked.key}`)
    ).json.data;
    expect(record.pareto_router.settings).toMatchObject({
      min_coding_score: 0.1,
      score_source: 'key',
      request_score_ignored: true,
    });
  });

  it('keeps a key inside its allowed models: 403 for a concrete model, routing narrowed for pareto-code', async () => {
    const { key } = await createKey(gateway.url, { name: 'mid only', allowed_models: ['lab/mid-*'] });
    const forbidden = await postChat(
      gateway.url,
      { model: 'lab/alpha', messages: userMessage },
      {
        authorization: `Bearer ${key}`,
      },
    );
    expect(forbidden.status).toBe(403);
    expect(forbidden.json.error.message).toContain('lab/alpha');
    const routed = await postChat(
      gateway.url,
      { model: 'pareto-code', messages: userMessage },
      {
        authorization: `Bearer ${key}`,
      },
    );
    expect(routed.status).toBe(200);
    expect(routed.json.model).toMatch(/^lab\/mid-/);
  });

  it('shows a generation only to the key that made it', async () => {
    const first = await createKey(gateway.url, { name: 'one' });
    const second = await createKey(gateway.url, { name: 'two' });
    const response = await postChat(
      gateway.url,
      { model: 'pareto-code', messages: userMessage },
      {
        authorization: `Bearer ${first.key}`,
      },
    );
    const url = `${gateway.url}/api/v1/generation?id=${response.json.id}`;
    expect((await getJson(url, `Bearer ${first.key}`)).status).toBe(200);
    expect((await getJson(url, `Bearer ${second.key}`)).status).toBe(404);
  });

  it('rate-limits a key with 429 and Retry-After', async () => {
    const { key } = await createKey(gateway.url, { name: 'slow', rate_limit_per_minute: 2 });
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let index = 0; index < 3; index += 1) {
      const response = await postChat(
        gateway.url,
        { model: 'pareto-code', messages: userMessage },
        {
          authorization: `Bearer ${key}`,
        },
      );
      statuses.push(response.status);
      if (response.status === 429) retryAfter = response.headers.get('retry-after');
    }
    expect(statuses).toEqual([200, 200, 429]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
  });

  it('refuses a revoked key with 401', async () => {
    const { key, id } = await createKey(gateway.url, { name: 'short-lived' });
    expect((await admin(gateway.url, 'DELETE', `/api/v1/keys/${id}`)).status).toBe(200);
    const response = await postChat(
      gateway.url,
      { model: 'pareto-code', messages: userMessage },
      {
        authorization: `Bearer ${key}`,
      },
    );
    expect(response.status).toBe(401);
  });

  it('holds a budget under 50 concurrent calls: overshoot at most one call, the rest get 402', async () => {
    // Each call: 20 prompt tokens and 1,000 completion tokens on lab/alpha ($1 in, $4 out per million).
    // Its worst case is reserved on the dearest candidate it could fail over to: lab/delta ($5 cache
    // write, $16 out), which the pareto rule plans after the frontier of the high tier.
    gateway.mock.script('alpha', { usage: { promptTokens: 20, completionTokens: 1_000 } });
    const callCost = (20 * 1 + 1_000 * 4) / 1e6;
    const worstCase = (20 * 5 + 1_000 * 16) / 1e6;
    const limit = 0.05;
    const { key, id } = await createKey(gateway.url, { name: 'budget', limit_total_usd: limit });
    const auth = { authorization: `Bearer ${key}` };
    const body = { model: 'pareto-code', messages: userMessage, max_tokens: 1_000 };
    const responses = await Promise.all(Array.from({ length: 50 }, () => postChat(gateway.url, body, auth)));
    const ok = responses.filter((response) => response.status === 200);
    const refused = responses.filter((response) => response.status === 402);
    expect(ok.length + refused.length).toBe(50);
    expect(ok.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]?.json.error.code).toBe(402);
    expect(refused[0]?.json.error.message).toMatch(/limit|budget/i);
    let spent = ok.reduce((sum, response) => sum + response.json.usage.cost, 0);
    expect(spent).toBeLessThanOrEqual(limit + callCost);

    // One at a time, the rest of the budget stays usable until less than one worst case is left.
    for (let call = 0; call < 20; call += 1) {
      const response = await postChat(gateway.url, body, auth);
      if (response.status === 402) break;
      expect(response.status).toBe(200);
      spent += response.json.usage.cost;
    }
    expect(spent).toBeLessThanOrEqual(limit + callCost);
    expect(spent).toBeGreaterThanOrEqual(limit - worstCase);

    const info = await getJson(`${gateway.url}/api/v1/key`, auth.authorization);
    expect(info.status).toBe(200);
    expect(info.json.data.limit).toBe(limit);
    expect(info.json.data.usage).toBeCloseTo(spent, 9);
    expect(info.json.data.limit_remaining).toBeCloseTo(Math.max(0, limit - spent), 9);
    const viaAdmin = await admin(gateway.url, 'GET', `/api/v1/keys/${id}`);
    expect(viaAdmin.json.data.usage.total_usd).toBeCloseTo(spent, 9);
  });
});

describe('secure defaults and start-up errors', () => {
  it('refuses a non-loopback bind with no key, and allows it with --allow-unauthenticated', async () => {
    const mock = await startMockUpstream();
    const dataDir = mkdtempSync(join(tmpdir(), 'pareto-router-bind-'));
    try {
      const config = gatewayConfig(mock, { host: '0.0.0.0', dataDir });
      await expect(startRouter(config, { snapshot: gatewaySnapshot(), logLevel: 'silent' })).rejects.toThrow(
        /refusing to serve on 0\.0\.0\.0 with no gateway key.*--allow-unauthenticated/,
      );
      const router = await startRouter(
        { ...config, allowUnauthenticated: true },
        { snapshot: gatewaySnapshot(), logLevel: 'silent' },
      );
      await router.close(100);
    } finally {
      await mock.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('answers 401 on a non-loopback bind that has only a master key and no gateway key yet', async () => {
    const mock = await startMockUpstream();
    const dataDir = mkdtempSync(join(tmpdir(), 'pareto-router-locked-'));
    const router = await startRouter(gatewayConfig(mock, { host: '0.0.0.0', dataDir, masterKey }), {
      snapshot: gatewaySnapshot(),
      logLevel: 'silent',
    });
    try {
      const url = `http://127.0.0.1:${router.port}`;
      const response = await postChat(url, { model: 'pareto-code', messages: userMessage });
      expect(response.status).toBe(401);
      expect(response.json.error.message).toContain('keys create');
    } finally {
      await router.close(100);
      await mock.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('names the problem when the data directory cannot be used', async () => {
    const mock = await startMockUpstream();
    const parent = mkdtempSync(join(tmpdir(), 'pareto-router-baddir-'));
    const file = join(parent, 'not-a-directory');
    writeFileSync(file, 'x');
    try {
      await expect(
        startRouter(gatewayConfig(mock, { dataDir: join(file, 'data') }), {
          snapshot: gatewaySnapshot(),
          logLevel: 'silent',
        }),
      ).rejects.toThrow(/not-a-directory/);
    } finally {
      await mock.close();
      rmSync(parent, { recursive: true, force: true });
    }
  });
});

describe('secrets stay out of every output', () => {
  it('never shows provider keys, gateway keys or the master key in logs, errors, metrics or the request log', async () => {
    const mock = await startMockUpstream();
    const dataDir = mkdtempSync(join(tmpdir(), 'pareto-router-secrets-'));
    const logs = createMemoryDestination();
    const config = gatewayConfig(mock, { dataDir, masterKey }, true);
    const router = await startRouter(config, {
      snapshot: gatewaySnapshot(),
      logDestination: logs,
      logLevel: 'debug',
    });
    const seen: string[] = [];
    try {
      const { key } = await createKey(router.url, { name: 'leak test' });
      const auth = { authorization: `Bearer ${key}` };
      mock.script('alpha', { faults: [{ type: 'status', status: 401 }], repeatFault: true });
      mock.script('beta', { faults: [{ type: 'midstream_error', afterChunks: 1 }] });
      for (const body of [
        { model: 'pareto-code', messages: userMessage },
        { model: 'lab/alpha', messages: userMessage },
        { model: 'vendor/unknown-model', messages: userMessage },
        { model: 'pareto-code', messages: [] },
      ]) {
        seen.push(JSON.stringify((await postChat(router.url, body, auth)).json));
        seen.push((await postChatStream(router.url, body, auth)).raw);
      }
      // A wrong key and the master key used on the wrong path.
      seen.push(
        JSON.stringify(
          (
            await postChat(
              router.url,
              { model: 'pareto-code', messages: userMessage },
              {
                authorization: `Bearer ${key.slice(0, -4)}abcd`,
              },
            )
          ).json,
        ),
      );
      seen.push(
        JSON.stringify(
          (
            await postChat(
              router.url,
              { model: 'pareto-code', messages: userMessage },
              {
                authorization: `Bearer ${masterKey}`,
              },
            )
          ).json,
        ),
      );
      seen.push(JSON.stringify((await admin(router.url, 'GET', '/api/v1/keys')).json));
      seen.push(await (await fetch(`${router.url}/metrics`)).text());
      seen.push(JSON.stringify((await getJson(`${router.url}/api/v1/key`, auth.authorization)).json));
      await router.app.ops.logWriter.flush();
      const records = await router.app.ops.store.queryRequests({ limit: 1000 });
      expect(records.length).toBeGreaterThanOrEqual(8);
      seen.push(JSON.stringify(records));
      await router.close(100);
      seen.push(logs.text());
      for (const file of readdirSync(dataDir))
        seen.push(readFileSync(join(dataDir, file)).toString('latin1'));

      const secrets = [
        key,
        key.slice(3),
        masterKey,
        ...config.upstreams.map((upstream) => upstream.apiKey ?? ''),
      ];
      expect(secrets.filter((secret) => secret.length >= 16)).toHaveLength(secrets.length);
      const everything = seen.join('\n');
      expect(everything.length).toBeGreaterThan(10_000);
      for (const secret of secrets)
        expect(everything.includes(secret), `leaked ${secret.slice(0, 6)}...`).toBe(false);
      expect(logs.text()).toContain('"msg":"request"');
    } finally {
      await router.close(100).catch(() => undefined);
      await mock.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
