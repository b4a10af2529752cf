import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeyAuthenticator } from '../auth/authenticate-request.js';
import { BudgetLedger } from '../auth/budget-ledger.js';
import { createTempStore, type TempStore } from '../auth/test-support/temp-store.js';
import { hashApiKey, isApiKeyFormat } from '../store/api-key.js';
import { type AdminContext, handleAdminRequest, matchAdminRoute } from './handle-admin-request.js';

const masterKey = 'test-master-key-0123456789';
const clock = Date.UTC(2025, 5, 11, 15);

let temp: TempStore;
let server: Server;
let baseUrl: string;
let context: AdminContext & { authenticator: KeyAuthenticator };

async function startServer(masterKeyValue: string | undefined): Promise<void> {
  const authenticator = new KeyAuthenticator({
    store: temp.store,
    now: () => clock,
    masterKey: masterKeyValue,
  });
  context = {
    store: temp.store,
    authenticator,
    ledger: new BudgetLedger({ store: temp.store }),
    masterKey: masterKeyValue,
    now: () => clock,
  };
  server = createServer((request, response) => {
    const url = request.url ?? '/';
    handleAdminRequest(context, request, response, url, request.method ?? 'GET').then((handled) => {
      if (!handled) {
        response.writeHead(418, { 'content-type': 'text/plain' });
        response.end('not admin');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeEach(async () => {
  temp = await createTempStore();
  await startServer(masterKey);
});
afterEach(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await temp.dispose();
});

interface Answer {
  status: number;
  headers: Headers;
  json: Record<string, any>;
  text: string;
}

async function call(
  method: string,
  path: string,
  body?: unknown,
  options: { auth?: string | null; raw?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  const auth = options.auth === undefined ? `Bearer ${masterKey}` : options.auth;
  if (auth !== null) headers.authorization = auth;
  let payload: string | undefined = options.raw;
  if (body !== undefined) payload = JSON.stringify(body);
  if (payload !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${baseUrl}${path}`, { method, headers, body: payload ?? null });
  const text = await response.text();
  let json: Record<string, any> = {};
  try {
    json = JSON.parse(text) as Record<string, any>;
  } catch {
    json = {};
  }
  return { status: response.status, headers: response.headers, json, text };
}

function expectEnvelope(answer: Answer, status: number, message: RegExp): void {
  expect(answer.status).toBe(status);
  expect(answer.json.error.code).toBe(status);
  expect(answer.json.error.message).toMatch(message);
  expect(typeof answer.json.error.metadata).toBe('object');
}

describe('matchAdminRoute', () => {
  it('matches the key collection and single keys only', () => {
    expect(matchAdminRoute('/api/v1/keys')).toEqual({});
    expect(matchAdminRoute('/api/v1/keys/?x=1')).toEqual({});
    expect(matchAdminRoute('/api/v1/keys/key_abc')).toEqual({ id: 'key_abc' });
    expect(matchAdminRoute('/api/v1/key')).toBeNull();
    expect(matchAdminRoute('/api/v1/keysmith')).toBeNull();
    expect(matchAdminRoute('/api/v1/chat/completions')).toBeNull();
  });
});

describe('handleAdminRequest', () => {
  it('leaves other paths to the router', async () => {
    const answer = await call('GET', '/api/v1/models');
    expect(answer.status).toBe(418);
  });

  it('creates a key, shows the secret once, and stores only its hash', async () => {
    const created = await call('POST', '/api/v1/keys', {
      name: 'ci agent',
      default_min_coding_score: 0.7,
      prevent_overrides: true,
      allowed_models: ['anthropic/*'],
      excluded_models: ['anthropic/claude-opus-4.1'],
      limit_daily_usd: 5,
      limit_monthly_usd: 50,
      limit_total_usd: 500,
      rate_limit_per_minute: 60,
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    const key = created.json.key as string;
    expect(isApiKeyFormat(key)).toBe(true);
    expect(created.json.data).toMatchObject({
      name: 'ci agent',
      label: `pr-${key.slice(3, 11)}...`,
      default_min_coding_score: 0.7,
      prevent_overrides: true,
      allowed_models: ['anthropic/*'],
      excluded_models: ['anthropic/claude-opus-4.1'],
      limit_daily_usd: 5,
      limit_monthly_usd: 50,
      limit_total_usd: 500,
      rate_limit_per_minute: 60,
      created_at: new Date(clock).toISOString(),
      revoked_at: null,
      disabled: false,
    });
    expect(created.text).not.toContain(hashApiKey(key));
    const stored = await temp.store.getKey(created.json.data.id);
    expect(stored?.hash).toBe(hashApiKey(key));

    const listed = await call('GET', '/api/v1/keys');
    expect(listed.status).toBe(200);
    expect(listed.json.data).toHaveLength(1);
    expect(listed.text).not.toContain(key);
    expect(listed.text).not.toContain(hashApiKey(key));
    expect(listed.text).not.toContain('"hash"');

    const read = await call('GET', `/api/v1/keys/${created.json.data.id}`);
    expect(read.status).toBe(200);
    expect(read.text).not.toContain(key);
    expect(read.json.data.usage).toEqual({
      daily_usd: 0,
      weekly_usd: 0,
      monthly_usd: 0,
      total_usd: 0,
      reserved_usd: 0,
    });
  });

  it('ends open mode as soon as the first key is created', async () => {
    expect((await context.authenticator.authenticate(undefined)).mode).toBe('open');
    const created = await call('POST', '/api/v1/keys', { name: 'first' });
    await expect(context.authenticator.authenticate(undefined)).rejects.toMatchObject({ status: 401 });
    const authenticated = await context.authenticator.authenticate(`Bearer ${created.json.key}`);
    expect(authenticated.mode).toBe('key');
  });

  it('reads a key with its spend', async () => {
    const { record } = await temp.addKey({ name: 'spender', limitDailyUsd: 10 });
    await temp.addSpend(record.id, 1.5, clock - 3_600_000);
    const read = await call('GET', `/api/v1/keys/${record.id}`);
    expect(read.json.data.usage).toMatchObject({ daily_usd: 1.5, total_usd: 1.5 });
  });

  it('updates settings, clears a limit with null, and the authenticator sees the change', async () => {
    const { key, record } = await temp.addKey({ name: 'before', limitDailyUsd: 1 });
    await context.authenticator.authenticate(`Bearer ${key}`);
    const patched = await call('PATCH', `/api/v1/keys/${record.id}`, {
      name: 'after',
      limit_daily_usd: null,
      limit_total_usd: 20,
      allowed_models: ['qwen/*'],
    });
    expect(patched.status).toBe(200);
    expect(patched.json.data).toMatchObject({
      name: 'after',
      limit_daily_usd: null,
      limit_total_usd: 20,
      allowed_models: ['qwen/*'],
    });
    const context2 = await context.authenticator.authenticate(`Bearer ${key}`);
    expect(context2.mode === 'key' && context2.key.limitTotalUsd).toBe(20);
  });

  it('revokes a key; the authenticator refuses it at once; revoking twice keeps the first time', async () => {
    const { key, record } = await temp.addKey({ name: 'leaked' });
    expect((await context.authenticator.authenticate(`Bearer ${key}`)).mode).toBe('key');
    const revoked = await call('DELETE', `/api/v1/keys/${record.id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.json.data).toMatchObject({
      id: record.id,
      disabled: true,
      revoked_at: new Date(clock).toISOString(),
    });
    await expect(context.authenticator.authenticate(`Bearer ${key}`)).rejects.toMatchObject({
      message: 'key revoked',
    });
    const again = await call('DELETE', `/api/v1/keys/${record.id}`);
    expect(again.json.data.revoked_at).toBe(new Date(clock).toISOString());
  });

  it('answers 404 for unknown key ids on every single-key route', async () => {
    for (const method of ['GET', 'PATCH', 'DELETE']) {
      const answer = await call(
        method,
        '/api/v1/keys/key_doesnotexist',
        method === 'PATCH' ? { name: 'x' } : undefined,
      );
      expectEnvelope(answer, 404, /^no key with id "key_doesnotexist"$/);
    }
    const long = await call('GET', `/api/v1/keys/${'x'.repeat(500)}`);
    expectEnvelope(long, 404, /no key with id "x{64}\.\.\."/);
  });

  it('requires the master key, and never echoes what was sent', async () => {
    const { key } = await temp.addKey();
    const cases: (string | null)[] = [null, 'Bearer wrong-master-key', `Bearer ${key}`, masterKey];
    for (const auth of cases) {
      const answer = await call('GET', '/api/v1/keys', undefined, { auth });
      expectEnvelope(answer, 401, /master key/);
      expect(answer.text).not.toContain(key);
      expect(answer.text).not.toContain('wrong-master-key');
    }
    const create = await call('POST', '/api/v1/keys', { name: 'x' }, { auth: 'Bearer nope' });
    expect(create.status).toBe(401);
    expect(await temp.store.listKeys()).toHaveLength(1);
  });

  it('answers 404 with a clear message when no master key is configured', async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await startServer(undefined);
    const answer = await call('GET', '/api/v1/keys', undefined, { auth: `Bearer ${masterKey}` });
    expectEnvelope(answer, 404, /admin API is disabled: set PARETO_ROUTER_MASTER_KEY/);
  });

  it('refuses unsupported methods with 405 and Allow', async () => {
    const collection = await call('PUT', '/api/v1/keys', { name: 'x' });
    expectEnvelope(collection, 405, /PUT is not supported on \/api\/v1\/keys; use GET or POST/);
    expect(collection.headers.get('allow')).toBe('GET, POST');
    const single = await call('POST', '/api/v1/keys/key_abc');
    expectEnvelope(single, 405, /use GET or PATCH or DELETE/);
    expect(single.headers.get('allow')).toBe('GET, PATCH, DELETE');
  });

  const badBodies: [string, unknown, RegExp, string | undefined][] = [
    ['malformed JSON', '{"name": ', /not valid JSON/, undefined],
    ['an empty body', '', /request body is empty/, undefined],
    ['an array', ['name'], /must be a JSON object/, undefined],
    ['no name', { limit_daily_usd: 1 }, /^name is required$/, 'name'],
    ['an empty name', { name: '  ' }, /^name must be a non-empty string/, 'name'],
    [
      'an unknown field',
      { name: 'x', limit_usd: 5 },
      /^unknown field "limit_usd"; expected one of name, /,
      'limit_usd',
    ],
    [
      'a negative limit',
      { name: 'x', limit_daily_usd: -5 },
      /^limit_daily_usd must not be negative, got -5$/,
      'limit_daily_usd',
    ],
    [
      'an absurd limit',
      { name: 'x', limit_monthly_usd: 1e12 },
      /^limit_monthly_usd is above the maximum of 1000000000 USD, got 1000000000000$/,
      'limit_monthly_usd',
    ],
    [
      'a limit that is a string',
      { name: 'x', limit_total_usd: '5' },
      /^limit_total_usd is invalid: .*got "5"$/,
      'limit_total_usd',
    ],
    [
      'a fractional rate limit',
      { name: 'x', rate_limit_per_minute: 2.5 },
      /^rate_limit_per_minute must be a whole number/,
      'rate_limit_per_minute',
    ],
    [
      'a score above 1',
      { name: 'x', default_min_coding_score: 1.5 },
      /^default_min_coding_score must be a number between 0 and 1, got 1.5$/,
      'default_min_coding_score',
    ],
    [
      'a model list with a number',
      { name: 'x', allowed_models: ['a', 3] },
      /^allowed_models\[1\] is invalid/,
      'allowed_models[1]',
    ],
    [
      'a non-boolean switch',
      { name: 'x', prevent_overrides: 'yes' },
      /^prevent_overrides is invalid: .*got "yes"$/,
      'prevent_overrides',
    ],
  ];
  for (const [label, body, message, field] of badBodies) {
    it(`refuses a create with ${label}`, async () => {
      const answer =
        typeof body === 'string'
          ? await call('POST', '/api/v1/keys', undefined, { raw: body })
          : await call('POST', '/api/v1/keys', body);
      expectEnvelope(answer, 400, message);
      if (field !== undefined) expect(answer.json.error.metadata.field).toBe(field);
      expect(await temp.store.listKeys()).toHaveLength(0);
    });
  }

  it('refuses patches that change nothing or are invalid, leaving the key as it was', async () => {
    const { record } = await temp.addKey({ name: 'stable', limitDailyUsd: 3 });
    expectEnvelope(await call('PATCH', `/api/v1/keys/${record.id}`, {}), 400, /changes nothing/);
    expectEnvelope(
      await call('PATCH', `/api/v1/keys/${record.id}`, { limit_daily_usd: -1 }),
      400,
      /must not be negative/,
    );
    expectEnvelope(
      await call('PATCH', `/api/v1/keys/${record.id}`, { id: 'key_other' }),
      400,
      /unknown field "id"/,
    );
    expectEnvelope(
      await call('PATCH', `/api/v1/keys/${record.id}`, { hash: 'abc' }),
      400,
      /unknown field "hash"/,
    );
    expect(await temp.store.getKey(record.id)).toEqual(record);
  });

  it('refuses bodies over the size limit', async () => {
    const answer = await call('POST', '/api/v1/keys', undefined, {
      raw: JSON.stringify({ name: 'x', allowed_models: ['m'.repeat(1024 * 1024 * 3)] }),
    });
    expectEnvelope(answer, 413, /over the 2097152-byte limit/);
  });
});
