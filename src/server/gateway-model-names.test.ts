/**
 * The bar in the model name (`pareto-code@balanced`), model aliases from the configuration, and the
 * session headers coding agents send: the settings a caller that can set only a model name relies on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayFixture, postChat, startGateway, userMessage } from './test-support/gateway-fixture.js';

let gateway: GatewayFixture;

beforeAll(async () => {
  gateway = await startGateway({
    modelAliases: {
      'claude-haiku-*': 'pareto-code@quick',
      'claude-opus-*': 'pareto-code@high',
      'gpt-5-mini': 'lab/mid-b',
    },
  });
});
afterAll(async () => {
  await gateway.close();
});

async function servedBy(model: string, extra: Record<string, unknown> = {}, headers = {}) {
  const response = await postChat(gateway.url, { model, messages: userMessage, ...extra }, headers);
  expect(response.status).toBe(200);
  return { model: response.json.model as string, tier: response.headers.get('x-pareto-tier') };
}

describe('the bar in the model name', () => {
  it.each([
    ['pareto-code', 'high', 'lab/alpha'],
    ['pareto-code@balanced', 'medium', 'lab/mid-a'],
    ['openrouter/pareto-code@0.5', 'medium', 'lab/mid-a'],
    ['pareto-code@quick', 'low', 'lab/low-a'],
    ['pareto-code@0.1@2026-11', 'low', 'lab/low-a'],
    ['pareto-code@frontier', 'high', 'lab/alpha'],
  ])('%s routes to the %s tier', async (model, tier, served) => {
    expect(await servedBy(model)).toEqual({ model: served, tier });
  });

  it('composes with :nitro (the fastest at or above the bar: throughput equals the score here)', async () => {
    expect(await servedBy('pareto-code@balanced:nitro')).toEqual({ model: 'lab/gamma', tier: 'medium' });
    expect(await servedBy('pareto-code@quick:nitro', {}, {})).toEqual({ model: 'lab/gamma', tier: 'low' });
  });

  it('gives way to a plugin that names its own score', async () => {
    const plugins = [{ id: 'pareto-router', min_coding_score: 0.2 }];
    expect(await servedBy('pareto-code@high', { plugins })).toEqual({ model: 'lab/low-a', tier: 'low' });
  });

  it('refuses a malformed bar instead of routing with the defaults', async () => {
    const response = await postChat(gateway.url, { model: 'pareto-code@1.5', messages: userMessage });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
  });
});

describe('model aliases', () => {
  it('maps an agent model name matching a pattern to the configured router spec', async () => {
    expect(await servedBy('claude-haiku-4-5-20251001')).toEqual({ model: 'lab/low-a', tier: 'low' });
    expect(await servedBy('claude-opus-4-7')).toEqual({ model: 'lab/alpha', tier: 'high' });
  });

  it('maps an exact name to a concrete model', async () => {
    expect(await servedBy('gpt-5-mini')).toEqual({ model: 'lab/mid-b', tier: 'none' });
  });
});

describe('sticky sessions by agent session headers', () => {
  it.each(['x-claude-code-session-id', 'session-id', 'x-session-id'])(
    'keeps a conversation keyed by %s on the model of its first turn',
    async (header) => {
      const session = { [header]: `conversation-${header}` };
      const plugins = [{ id: 'pareto-router', min_coding_score: 0.9 }];
      // First turn: alpha fails, beta answers; the session remembers beta.
      gateway.mock.script('alpha', {
        faults: [
          { type: 'status', status: 500 },
          { type: 'status', status: 500 },
        ],
      });
      expect((await servedBy('pareto-code', { plugins }, session)).model).toBe('lab/beta');
      gateway.mock.reset();
      // Later turns, with different text, stay on beta although alpha is healthy and cheaper.
      const later = await postChat(
        gateway.url,
        { model: 'pareto-code', messages: [{ role: 'user', content: 'another turn' }], plugins },
        session,
      );
      expect(later.json.model).toBe('lab/beta');
      const fresh = await postChat(gateway.url, {
        model: 'pareto-code',
        messages: [{ role: 'user', content: 'another turn' }],
        plugins,
      });
      expect(fresh.json.model).toBe('lab/alpha');
    },
  );
});
