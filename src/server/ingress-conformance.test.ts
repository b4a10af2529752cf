/**
 * The promises every ingress protocol keeps, run through each of them (chat completions, Anthropic
 * Messages, OpenAI Responses, Gemini) against a router backed by the fake upstream: one pipeline, so
 * routing, conversion to each upstream protocol, failover before the first byte, stream rescue after
 * content, the mid-stream error rule and the error envelope must hold alike on every door.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayFixture, startGateway } from './test-support/gateway-fixture.js';
import { ingressClients, postJson, postSse } from './test-support/ingress-clients.js';

let gateway: GatewayFixture;

beforeAll(async () => {
  gateway = await startGateway();
  // The fake's OpenAI-protocol models continue a prefill (as OpenRouter's do), so the medium tier can
  // rescue a stream too.
  const openai = gateway.router.app.catalog.upstreams.find((upstream) => upstream.name === 'openai');
  if (openai !== undefined) openai.prefill = true;
});
afterAll(async () => {
  await gateway.close();
});
afterEach(() => {
  gateway.mock.reset();
});

const answer = 'one two three four five six seven eight';

/**
 * How to break a stream on the path that is this ingress's own: the models that fail before content and
 * the one whose stream is cut. Messages and Gemini callers reach their own protocol's upstream (beta,
 * gamma) on the native path, whose relayed stream is then continued by a converted attempt.
 */
const ownPath: Record<string, { failing: string[]; cut: string }> = {
  chat: { failing: [], cut: 'alpha' },
  responses: { failing: ['alpha'], cut: 'beta' },
  messages: { failing: ['alpha'], cut: 'beta' },
  gemini: { failing: ['alpha', 'beta'], cut: 'gamma' },
};

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

  it('continues a stream cut after content on the next candidate: one answer, no error', async () => {
    for (const model of ['alpha', 'beta', 'gamma']) gateway.mock.script(model, { answer });
    gateway.mock.script('alpha', { answer, faults: [{ type: 'cut', afterChunks: 3 }] });
    const call = client.call('pareto-code@0.9', `Write an add function (${client.name}, rescued).`, true);
    const response = await postSse(gateway.url, call.path, call.body);
    expect(response.status).toBe(200);
    expect(client.readStream(response.messages)).toMatchObject({
      text: answer,
      error: undefined,
      completed: true,
    });
    expect(gateway.mock.attempts('beta')).toBe(1);
  });

  it('continues a stream cut on its own protocol’s path in the same message', async () => {
    const path = ownPath[client.name] as (typeof ownPath)[string];
    // Every model answers the same, whichever the plan continues on.
    for (const model of ['alpha', 'beta', 'gamma', 'delta', 'mid-a', 'mid-b', 'mid-c']) {
      gateway.mock.script(model, { answer });
    }
    for (const model of path.failing) {
      gateway.mock.script(model, { answer, faults: [{ type: 'status', status: 503 }] });
    }
    gateway.mock.script(path.cut, { answer, faults: [{ type: 'cut', afterChunks: 3 }] });
    const call = client.call('pareto-code@0.9', `Write an add function (${client.name}, own path).`, true);
    const response = await postSse(gateway.url, call.path, call.body);
    expect(client.readStream(response.messages)).toMatchObject({
      text: answer,
      error: undefined,
      completed: true,
    });
    const cutRequest = gateway.mock.requests().find((request) => request.model === path.cut);
    expect(cutRequest?.protocol).toBe(
      path.cut === 'alpha' ? 'openai' : path.cut === 'beta' ? 'anthropic' : 'gemini',
    );
    if (client.name === 'messages') {
      // One message with one text block: the continuation went on in the block the relayed stream opened.
      const events = response.messages.map((message) => JSON.parse(message.data));
      expect(events.filter((event) => event.type === 'message_start')).toHaveLength(1);
      const blocks = events.filter((event) => event.type === 'content_block_start');
      expect(blocks.map((event) => [event.index, event.content_block.type])).toEqual([[0, 'text']]);
      const deltas = events.filter((event) => event.type === 'content_block_delta');
      expect(deltas.every((event) => event.index === 0)).toBe(true);
    }
  });

  it('ends with its in-band error naming the cut when no fallback accepts a prefill', async () => {
    // Its own router: the refusals it learns would change the fallbacks of the other cases.
    const local = await startGateway();
    try {
      local.mock.script('alpha', { answer, faults: [{ type: 'cut', afterChunks: 3 }] });
      local.mock.script('beta', { answer, prefill: 'refuse' });
      local.mock.script('gamma', { answer, prefill: 'refuse' });
      const call = client.call('pareto-code@0.9', 'Write an add function.', true);
      const response = await postSse(local.url, call.path, call.body);
      expect(response.status).toBe(200);
      const reading = client.readStream(response.messages);
      expect(reading.text).toBe('one two three ');
      expect(reading.completed).toBe(false);
      expect(reading.error).toContain('closed the connection before its answer was complete');
      expect(reading.error).not.toMatch(/400|prefill/);
      expect([local.mock.attempts('beta'), local.mock.attempts('gamma')]).toEqual([1, 1]);
    } finally {
      await local.close();
    }
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
