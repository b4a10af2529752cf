import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type GatewayFixture,
  postChat,
  postChatStream,
  startGateway,
  streamedText,
  userMessage,
} from './test-support/gateway-fixture.js';

let gateway: GatewayFixture;

beforeAll(async () => {
  gateway = await startGateway({}, true);
});
afterAll(async () => {
  await gateway.close();
});
afterEach(() => {
  gateway.mock.reset();
});

const routed = (extra: Record<string, unknown> = {}) => ({
  model: 'openrouter/pareto-code',
  messages: userMessage,
  ...extra,
});

describe('chat completions: response shape', () => {
  it('answers in the OpenRouter schema with the concrete model, usage and cost', async () => {
    gateway.mock.script('alpha', {
      answer: 'function reverse(s) { return [...s].reverse().join(""); }',
      usage: { promptTokens: 2_000, completionTokens: 100, cachedTokens: 1_000, reasoningTokens: 20 },
    });
    const response = await postChat(
      gateway.url,
      routed({ plugins: [{ id: 'pareto-router', min_coding_score: 0.9 }] }),
    );
    expect(response.status).toBe(200);
    const body = response.json;
    expect(body.id).toMatch(/^gen-/);
    expect(response.headers.get('x-generation-id')).toBe(body.id);
    expect(body.object).toBe('chat.completion');
    expect(Number.isInteger(body.created)).toBe(true);
    expect(body.model).toBe('lab/alpha');
    expect(body.provider).toBe('openai');
    expect(body).toHaveProperty('system_fingerprint', null);
    expect(body.choices[0].message.content).toContain('reverse');
    expect(body.choices[0].finish_reason).toBe('stop');
    expect(body.choices[0].native_finish_reason).toBe('stop');
    expect(body.usage).toMatchObject({
      prompt_tokens: 2_000,
      completion_tokens: 100,
      total_tokens: 2_100,
      prompt_tokens_details: { cached_tokens: 1_000 },
      completion_tokens_details: { reasoning_tokens: 20 },
    });
    // alpha: input $1/M, cache read $0.1/M, output $4/M: 1000*1 + 1000*0.1 + 100*4 = 1500 micro-dollars
    expect(body.usage.cost).toBeCloseTo(0.0015, 12);
    expect(response.headers.get('x-pareto-tier')).toBe('high');
    expect(response.headers.get('x-pareto-model')).toBe('lab/alpha');
    expect(response.headers.get('x-pareto-attempts')).toBe('1');
    expect(Number(response.headers.get('x-pareto-overhead-ms'))).toBeGreaterThanOrEqual(0);
  });

  it('serves /v1/chat/completions with the same handler', async () => {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(routed()),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as any).model).toBe('lab/alpha');
  });

  it('routes each tier by min_coding_score and tier alias', async () => {
    const medium = await postChat(
      gateway.url,
      routed({ plugins: [{ id: 'pareto-router', min_coding_score: 0.5 }] }),
    );
    expect(medium.json.model).toBe('lab/mid-a');
    expect(medium.headers.get('x-pareto-tier')).toBe('medium');
    const low = await postChat(gateway.url, routed({ plugins: [{ id: 'pareto-router', tier: 'quick' }] }));
    expect(low.json.model).toBe('lab/low-a');
    const omitted = await postChat(gateway.url, routed());
    expect(omitted.headers.get('x-pareto-tier')).toBe('high');
  });

  it('converts through the Anthropic and Gemini protocols end to end', async () => {
    for (const [model, text] of [
      ['lab/beta', 'anthropic answer'],
      ['lab/gamma', 'gemini answer'],
    ] as const) {
      gateway.mock.script(model.slice(4), { answer: text });
      const plain = await postChat(gateway.url, { model, messages: userMessage });
      expect(plain.json.model).toBe(model);
      expect(plain.json.choices[0].message.content).toBe(text);
      const streamed = await postChatStream(gateway.url, { model, messages: userMessage });
      expect(streamedText(streamed.chunks)).toBe(text);
      expect(streamed.done).toBe(true);
    }
  });

  it('returns tool calls from every protocol', async () => {
    const tools = [
      {
        type: 'function',
        function: {
          name: 'read_file',
          description: 'Read a file',
          parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
        },
      },
    ];
    for (const model of ['lab/alpha', 'lab/beta', 'lab/gamma']) {
      gateway.mock.script(model.slice(4), {
        toolCall: { name: 'read_file', arguments: { path: 'src/index.ts' } },
      });
      const response = await postChat(gateway.url, { model, messages: userMessage, tools });
      const call = response.json.choices[0].message.tool_calls[0];
      expect(call.function.name).toBe('read_file');
      expect(JSON.parse(call.function.arguments)).toEqual({ path: 'src/index.ts' });
      expect(response.json.choices[0].finish_reason).toBe('tool_calls');
      const streamed = await postChatStream(gateway.url, { model, messages: userMessage, tools });
      const pieces = streamed.chunks.flatMap((chunk) => chunk.choices?.[0]?.delta?.tool_calls ?? []);
      expect(pieces[0].function.name).toBe('read_file');
      expect(JSON.parse(pieces.map((piece: any) => piece.function.arguments).join(''))).toEqual({
        path: 'src/index.ts',
      });
    }
  });
});

describe('chat completions: streaming', () => {
  it('streams chunks, keep-alive comments, one usage chunk with cost, then [DONE]', async () => {
    gateway.mock.script('alpha', {
      answer: 'one two three four five six',
      usage: { promptTokens: 10, completionTokens: 6 },
    });
    const response = await postChatStream(gateway.url, routed());
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    expect(response.comments).toContain('PARETO PROCESSING');
    expect(streamedText(response.chunks)).toBe('one two three four five six');
    const usageChunks = response.chunks.filter((chunk) => chunk.usage !== undefined);
    expect(usageChunks).toHaveLength(1);
    expect(usageChunks[0].choices).toEqual([]);
    expect(usageChunks[0].usage.cost).toBeCloseTo((10 * 1 + 6 * 4) / 1e6, 12);
    expect(response.chunks.at(-1)).toBe(usageChunks[0]);
    expect(response.raw.trimEnd().endsWith('data: [DONE]')).toBe(true);
    for (const chunk of response.chunks) {
      expect(chunk.model).toBe('lab/alpha');
      expect(chunk).not.toHaveProperty('system_fingerprint');
    }
    const finish = response.chunks.find(
      (chunk) => chunk.choices?.[0]?.finish_reason !== null && chunk.choices?.length,
    );
    expect(finish.choices[0].finish_reason).toBe('stop');
  });

  it('cancels the upstream call when the client disconnects', async () => {
    let upstreamClosed: () => void = () => undefined;
    const closed = new Promise<void>((resolve) => {
      upstreamClosed = resolve;
    });
    const slow = createServer((request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const chunk = JSON.stringify({
        id: 'x',
        object: 'chat.completion.chunk',
        created: 1,
        model: 'alpha',
        choices: [{ index: 0, delta: { content: 'tick ' }, finish_reason: null }],
      });
      const timer = setInterval(() => response.write(`data: ${chunk}\n\n`), 20);
      response.on('close', () => {
        clearInterval(timer);
        upstreamClosed();
      });
      request.resume();
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    const local = await startGateway({
      timeouts: { firstByteMs: 2_000, firstTokenMs: 2_000, streamIdleMs: 2_000, keepAliveMs: 1_000 },
    });
    try {
      local.router.app.catalog.upstreams.find((upstream) => upstream.name === 'openai')!.baseUrl =
        `http://127.0.0.1:${(slow.address() as AddressInfo).port}/v1`;
      const controller = new AbortController();
      const response = await fetch(`${local.url}/api/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...routed(), stream: true }),
        signal: controller.signal,
      });
      const reader = response.body!.getReader();
      await reader.read();
      controller.abort();
      await expect(
        Promise.race([
          closed.then(() => 'closed'),
          new Promise((resolve) => setTimeout(() => resolve('still open'), 2_000)),
        ]),
      ).resolves.toBe('closed');
    } finally {
      await local.close();
      slow.close();
    }
  });
});

describe('chat completions: model selection', () => {
  it('keeps a conversation on its model (sticky session) even when a cheaper one is back', async () => {
    const local = await startGateway({ circuitBreaker: { failureThreshold: 1, openMs: 60_000 } });
    try {
      local.mock.script('alpha', { faults: [{ type: 'status', status: 503 }] });
      const first = await postChat(local.url, { ...routed(), session_id: 'conversation-1' });
      expect(first.json.model).toBe('lab/beta');
      // A new, unrelated conversation: alpha's circuit is open, so it also lands on beta.
      const other = await postChat(local.url, {
        ...routed(),
        messages: [{ role: 'user', content: 'other' }],
      });
      expect(other.json.model).toBe('lab/beta');
      const again = await postChat(local.url, { ...routed(), session_id: 'conversation-1' });
      expect(again.json.model).toBe('lab/beta');
    } finally {
      await local.close();
    }
  });

  it('sticks by a hash of the first system and user message when no session id is sent', async () => {
    const local = await startGateway();
    try {
      const messages = [
        { role: 'system', content: 'You are a careful coder.' },
        { role: 'user', content: 'Refactor this module.' },
      ];
      local.mock.script('alpha', { faults: [{ type: 'status', status: 503 }] });
      const first = await postChat(local.url, { model: 'pareto-code', messages });
      expect(first.json.model).toBe('lab/beta');
      const followUp = await postChat(local.url, {
        model: 'pareto-code',
        messages: [
          ...messages,
          { role: 'assistant', content: 'Done.' },
          { role: 'user', content: 'Now add tests.' },
        ],
      });
      expect(followUp.json.model).toBe('lab/beta');
      const unrelated = await postChat(local.url, { model: 'pareto-code', messages: userMessage });
      expect(unrelated.json.model).toBe('lab/alpha');
    } finally {
      await local.close();
    }
  });

  it('ranks by throughput with :nitro', async () => {
    const response = await postChat(gateway.url, {
      model: 'openrouter/pareto-code:nitro',
      messages: [{ role: 'user', content: 'A fresh conversation for nitro.' }],
    });
    expect(response.json.model).toBe('lab/gamma');
  });

  it('routes with a pinned snapshot and rejects an unknown one', async () => {
    const pinned = await postChat(gateway.url, { ...routed(), model: 'pareto-code@2026-11' });
    expect(pinned.status).toBe(200);
    const unknown = await postChat(gateway.url, { ...routed(), model: 'pareto-code@2025-01' });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.message).toContain('2025-01');
  });

  it('fails over to another upstream of the same model', async () => {
    gateway.mock.script('alpha', { faults: [{ type: 'status', status: 503 }], repeatFault: true });
    const response = await postChat(gateway.url, { model: 'lab/alpha', messages: userMessage });
    expect(response.json.model).toBe('lab/alpha');
    expect(response.headers.get('x-pareto-upstream')).toBe('openrouter');
    expect(gateway.mock.requests().at(-1)!.model).toBe('lab/alpha');
  });

  it('passes a model the index does not know to the pass-through upstream', async () => {
    const response = await postChat(gateway.url, { model: 'vendor/brand-new-model', messages: userMessage });
    expect(response.status).toBe(200);
    expect(response.json.model).toBe('vendor/brand-new-model');
    const seen = gateway.mock.requests().at(-1)!;
    expect(seen.model).toBe('vendor/brand-new-model');
    expect(seen.path).toContain('/api/v1/chat/completions');
  });

  it('honours provider.order and provider.only for concrete models', async () => {
    await postChat(gateway.url, {
      model: 'lab/alpha',
      messages: userMessage,
      provider: { order: ['openrouter'] },
    });
    expect(gateway.mock.requests().at(-1)!.path).toContain('/api/v1/');
    const none = await postChat(gateway.url, {
      model: 'lab/alpha',
      messages: userMessage,
      provider: { only: ['nobody'] },
    });
    expect(none.status).toBe(404);
    expect(none.json.error.message).toContain('no configured upstream serves lab/alpha');
  });

  it('forwards unknown fields to OpenAI-compatible upstreams and drops router-only ones', async () => {
    await postChat(gateway.url, {
      ...routed(),
      logit_bias: { '50256': -100 },
      plugins: [{ id: 'pareto-router', min_coding_score: 0.9 }, { id: 'web' }],
      session_id: 's',
    });
    const body = gateway.mock.requests().at(-1)!.body as Record<string, unknown>;
    expect(body.logit_bias).toEqual({ '50256': -100 });
    expect(body.plugins).toEqual([{ id: 'web' }]);
    expect(body).not.toHaveProperty('session_id');
    expect(body.model).toBe('alpha');
  });
});

describe('other endpoints', () => {
  it('lists router and concrete models in the OpenRouter schema', async () => {
    const response = await fetch(`${gateway.url}/api/v1/models`);
    const body = (await response.json()) as any;
    const ids = body.data.map((model: any) => model.id);
    expect(ids).toContain('openrouter/pareto-code');
    const alpha = body.data.find((model: any) => model.id === 'lab/alpha');
    expect(alpha.pricing).toMatchObject({ prompt: '0.000001', completion: '0.000004' });
    expect(alpha.context_length).toBe(100_000);
    expect((await fetch(`${gateway.url}/v1/models`)).status).toBe(200);
  });

  it('explains the plan for a bar', async () => {
    const response = await fetch(`${gateway.url}/api/v1/router/explain?min_coding_score=0.5`);
    const plan = (await response.json()) as any;
    expect(plan.tier).toBe('medium');
    expect(plan.candidates[0].modelId).toBe('lab/mid-a');
    expect(plan.candidates[0].upstreams).toEqual(['openai', 'openrouter']);
    const bad = await fetch(`${gateway.url}/api/v1/router/explain?min_coding_score=1.5`);
    expect(bad.status).toBe(400);
  });

  it('answers health and readiness', async () => {
    expect((await fetch(`${gateway.url}/health`)).status).toBe(200);
    const ready = (await (await fetch(`${gateway.url}/ready`)).json()) as any;
    expect(ready.ready).toBe(true);
  });
});

describe('bad input gets a 4xx in the error envelope', () => {
  const send = (body: string, path = '/api/v1/chat/completions', method = 'POST') =>
    fetch(`${gateway.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: method === 'GET' ? null : body,
    });

  it.each([
    ['invalid JSON', '{"model": ', 400, /not valid JSON/],
    ['a non-object body', '[1,2]', 400, /JSON object/],
    ['an empty body', '', 400, /empty/],
    [
      'messages of the wrong type',
      JSON.stringify({ model: 'pareto-code', messages: 'hello' }),
      400,
      /messages/,
    ],
    ['an empty messages list', JSON.stringify({ model: 'pareto-code', messages: [] }), 400, /messages/],
    ['no model', JSON.stringify({ messages: userMessage }), 400, /model/],
    [
      'a wrong max_tokens type',
      JSON.stringify({ model: 'pareto-code', messages: userMessage, max_tokens: 'ten' }),
      400,
      /max_tokens/,
    ],
    [
      'a score outside 0..1',
      JSON.stringify({
        model: 'pareto-code',
        messages: userMessage,
        plugins: [{ id: 'pareto-router', min_coding_score: 1.5 }],
      }),
      400,
      /min_coding_score.*1\.5/,
    ],
    [
      'an unknown tier',
      JSON.stringify({
        model: 'pareto-code',
        messages: userMessage,
        plugins: [{ id: 'pareto-router', tier: 'ultra' }],
      }),
      400,
      /ultra/,
    ],
    [
      'a price cap nothing fits',
      JSON.stringify({
        model: 'pareto-code',
        messages: userMessage,
        plugins: [{ id: 'pareto-router', max_price: 0.01 }],
      }),
      404,
      /max_price/,
    ],
  ])('%s', async (_name, body, status, message) => {
    const response = await send(body);
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toContain('application/json');
    const json = (await response.json()) as any;
    expect(json.error.code).toBe(status);
    expect(json.error.message).toMatch(message);
  });

  it('rejects an unknown route and a wrong method', async () => {
    expect((await send('', '/api/v1/nothing', 'GET')).status).toBe(404);
    expect((await send('', '/api/v1/chat/completions', 'GET')).status).toBe(405);
  });

  it('rejects a body over the limit with 413 and stays up', async () => {
    const local = await startGateway({ bodyLimitBytes: 1024 });
    try {
      const response = await postChat(local.url, {
        model: 'pareto-code',
        messages: [{ role: 'user', content: 'x'.repeat(5_000) }],
      });
      expect(response.status).toBe(413);
      expect(response.json.error.code).toBe(413);
      expect((await postChat(local.url, routed())).status).toBe(200);
    } finally {
      await local.close();
    }
  });

  it('rejects an unknown model when no pass-through upstream exists', async () => {
    const local = await startGateway();
    try {
      const response = await postChat(local.url, { model: 'vendor/unknown', messages: userMessage });
      expect(response.status).toBe(400);
      expect(response.json.error.message).toContain('vendor/unknown');
    } finally {
      await local.close();
    }
  });
});
