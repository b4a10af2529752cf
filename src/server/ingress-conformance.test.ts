/**
 * The promises every ingress protocol keeps, run through each of them (chat completions, Anthropic
 * Messages, OpenAI Responses, Gemini) against a router backed by the fake upstream: one pipeline, so
 * routing, conversion to each upstream protocol, failover before the first byte, the mid-stream error
 * rule and the error envelope must hold alike on every door.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayFixture, startGateway } from './test-support/gateway-fixture.js';
import { ingressClients, postJson, postSse } from './test-support/ingress-clients.js';

let gateway: GatewayFixture;

beforeAll(async () => {
  gateway = await startGateway();
});
afterAll(async () => {
  await gateway.close();
});
afterEach(() => {
  gateway.mock.reset();
});

const upstreamModels = [
  ['lab/alpha', 'alpha', 'openai'],
  ['lab/beta', 'beta', 'anthropic'],
  ['lab/gamma', 'gamma', 'gemini'],
] as const;

function scriptAll(): void {
  for (const [, upstreamModel] of upstreamModels) {
    gateway.mock.script(upstreamModel, {
      answer: `${upstreamModel} says: const add = (a, b) => a + b;`,
      usage: { promptTokens: 40, completionTokens: 12 },
    });
  }
}

describe.each(ingressClients)('$name ingress', (client) => {
  it.each(upstreamModels)(
    'answers plainly from %s (upstream model %s, %s protocol)',
    async (model, upstream) => {
      scriptAll();
      const call = client.call(model, 'Write an add function.', false);
      const response = await postJson(gateway.url, call.path, call.body);
      expect(response.status, response.text).toBe(200);
      expect(client.read(response.json)).toEqual({
        text: `${upstream} says: const add = (a, b) => a + b;`,
        model,
        outputTokens: 12,
      });
      expect(response.headers.get('x-pareto-model')).toBe(model);
      // The answer's own id finds its request-log record, which names the ingress it came in on.
      const answerId: string = response.json.id ?? response.json.responseId;
      const record = await fetch(`${gateway.url}/api/v1/generation?id=${encodeURIComponent(answerId)}`);
      expect(record.status).toBe(200);
      const data = ((await record.json()) as any).data;
      expect(data.id).toBe(response.headers.get('x-generation-id'));
      expect(data.pareto_router.settings.ingress).toBe(client.name);
      expect(data.total_cost).toBeGreaterThan(0);
    },
  );

  it.each(upstreamModels)('streams from %s (upstream model %s, %s protocol)', async (model, upstream) => {
    scriptAll();
    const call = client.call(model, 'Write an add function.', true);
    const response = await postSse(gateway.url, call.path, call.body);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reading = client.readStream(response.messages);
    expect(reading).toMatchObject({
      text: `${upstream} says: const add = (a, b) => a + b;`,
      model,
      error: undefined,
      completed: true,
      outputTokens: 12,
    });
  });

  it('routes a bar named in the model, and fails over before the first byte', async () => {
    scriptAll();
    gateway.mock.script('alpha', {
      faults: [
        { type: 'status', status: 503 },
        { type: 'status', status: 503 },
      ],
    });
    for (const stream of [false, true]) {
      // A new text per call: the same conversation would stick to the model of its first answer.
      const call = client.call(
        'pareto-code@0.9',
        `Write an add function (${client.name}, streamed: ${stream}).`,
        stream,
      );
      if (stream) {
        const response = await postSse(gateway.url, call.path, call.body);
        expect(response.status).toBe(200);
        expect(client.readStream(response.messages)).toMatchObject({
          text: 'beta says: const add = (a, b) => a + b;',
          model: 'lab/beta',
          completed: true,
        });
        expect(Number(response.headers.get('x-pareto-attempts'))).toBeGreaterThan(1);
      } else {
        const response = await postJson(gateway.url, call.path, call.body);
        expect(response.status, response.text).toBe(200);
        expect(client.read(response.json).model).toBe('lab/beta');
        expect(response.headers.get('x-pareto-tier')).toBe('high');
      }
      gateway.mock.script('alpha', {
        faults: [
          { type: 'status', status: 503 },
          { type: 'status', status: 503 },
        ],
      });
    }
  });

  it('ends a stream cut after content with the protocol’s in-band error, never as a success', async () => {
    gateway.mock.script('alpha', {
      answer: 'one two three four five six seven eight',
      faults: [{ type: 'cut', afterChunks: 3 }],
    });
    const call = client.call('lab/alpha', 'Write an add function.', true);
    const response = await postSse(gateway.url, call.path, call.body);
    expect(response.status).toBe(200);
    const reading = client.readStream(response.messages);
    expect(reading.text).toBe('one two three ');
    expect(reading.error).toEqual(expect.any(String));
    expect(reading.completed).toBe(false);
  });

  it.each([
    ['a body that is not JSON', '{"model": '],
    ['a body that is not an object', '[1, 2, 3]'],
  ])('refuses %s with a 400 in its own envelope', async (_label, body) => {
    const call = client.call('pareto-code', 'x', false);
    const response = await postJson(gateway.url, call.path, body);
    expect(response.status).toBe(400);
    expect(client.isEnvelope(response.json), response.text).toBe(true);
  });

  it('refuses a wrongly typed field with a 400 in its own envelope, calling no upstream', async () => {
    const call = client.call('pareto-code', 'x', false);
    const broken = JSON.parse(JSON.stringify(call.body).replace('"x"', '42'));
    const response = await postJson(gateway.url, call.path, broken);
    expect(response.status).toBe(400);
    expect(client.isEnvelope(response.json), response.text).toBe(true);
    expect(gateway.mock.requests()).toHaveLength(0);
  });

  it.each(client.invalidBodies)('refuses %s with a 400 in its own envelope', async (_label, body) => {
    // Gemini names its model in the path; the others ignore the call's path model.
    const { path } = client.call('pareto-code', 'x', false);
    const response = await postJson(gateway.url, path, body);
    expect(response.status, response.text).toBe(400);
    expect(client.isEnvelope(response.json), response.text).toBe(true);
    expect(gateway.mock.requests()).toHaveLength(0);
  });

  it('answers an upstream failure with a 5xx in its own envelope', async () => {
    gateway.mock.script('alpha', { faults: Array(4).fill({ type: 'status', status: 500 }) });
    const call = client.call('lab/alpha', 'x', false);
    const response = await postJson(gateway.url, call.path, call.body);
    expect(response.status).toBeGreaterThanOrEqual(500);
    expect(client.isEnvelope(response.json), response.text).toBe(true);
  });
});

describe('token counts', () => {
  const text = 'Write an add function in TypeScript, with tests.';

  it('answers Messages count_tokens with an estimate, calling no upstream', async () => {
    const response = await postJson(gateway.url, '/v1/messages/count_tokens', {
      model: 'pareto-code@balanced',
      messages: [{ role: 'user', content: text }],
    });
    expect(response.status, response.text).toBe(200);
    expect(response.json).toEqual({ input_tokens: expect.any(Number) });
    expect(response.json.input_tokens).toBeGreaterThanOrEqual(Math.floor(text.length / 4));
    expect(gateway.mock.requests()).toHaveLength(0);
  });

  it('answers Gemini countTokens with an estimate, and refuses a bad body in Google’s envelope', async () => {
    const response = await postJson(gateway.url, '/v1beta/models/pareto-code:countTokens', {
      contents: [{ role: 'user', parts: [{ text }] }],
    });
    expect(response.status, response.text).toBe(200);
    expect(response.json.totalTokens).toBeGreaterThanOrEqual(Math.floor(text.length / 4));
    const bad = await postJson(gateway.url, '/v1beta/models/pareto-code:countTokens', { contents: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.status).toBe('INVALID_ARGUMENT');
    expect(gateway.mock.requests()).toHaveLength(0);
  });
});
