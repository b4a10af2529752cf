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
  gateway = await startGateway();
});
afterAll(async () => {
  await gateway.close();
});
afterEach(() => {
  gateway.mock.reset();
});

// Each request is its own conversation, so a sticky session from one test never steers the next.
let conversation = 0;
const routedRequest = () => ({
  model: 'openrouter/pareto-code',
  messages: [{ role: 'user', content: `Write a function that reverses a string. (#${++conversation})` }],
});

describe('gateway faults: rate limits', () => {
  it('honours a short Retry-After by waiting and retrying the same model', async () => {
    gateway.mock.script('alpha', { faults: [{ type: 'status', status: 429, retryAfter: '1' }] });
    const started = Date.now();
    const response = await postChat(gateway.url, routedRequest());
    expect(response.status).toBe(200);
    expect(response.json.model).toBe('lab/alpha');
    expect(gateway.mock.attempts('alpha')).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(response.headers.get('x-pareto-attempts')).toBe('2');
  });

  it('fails over when Retry-After is longer than the router waits', async () => {
    gateway.mock.script('alpha', {
      faults: [{ type: 'status', status: 429, retryAfter: '30' }],
      repeatFault: true,
    });
    const response = await postChat(gateway.url, routedRequest());
    expect(response.status).toBe(200);
    expect(response.json.model).toBe('lab/beta');
    expect(gateway.mock.attempts('alpha')).toBe(1);
  });

  it('backs off without Retry-After, bounded per model, then fails over', async () => {
    gateway.mock.script('alpha', { faults: [{ type: 'status', status: 429 }], repeatFault: true });
    const started = Date.now();
    const response = await postChat(gateway.url, routedRequest());
    expect(response.json.model).toBe('lab/beta');
    expect(gateway.mock.attempts('alpha')).toBe(2);
    // One backoff of at least half the 40 ms base: never a tight loop.
    expect(Date.now() - started).toBeGreaterThanOrEqual(20);
  });
});

describe('gateway faults: server errors and connections', () => {
  it('retries a single 500 once on the same model', async () => {
    gateway.mock.script('alpha', { faults: [{ type: 'status', status: 500 }] });
    const response = await postChat(gateway.url, routedRequest());
    expect(response.json.model).toBe('lab/alpha');
    expect(gateway.mock.attempts('alpha')).toBe(2);
  });

  it.each([502, 503])('fails over on a persistent %i', async (status) => {
    gateway.mock.script('alpha', { faults: [{ type: 'status', status }], repeatFault: true });
    const response = await postChat(gateway.url, routedRequest());
    expect(response.status).toBe(200);
    expect(response.json.model).toBe('lab/beta');
    expect(gateway.mock.attempts('alpha')).toBe(1);
    expect(gateway.mock.attempts('beta')).toBe(1);
  });

  it('fails over on a connection reset', async () => {
    gateway.mock.script('alpha', { faults: [{ type: 'reset' }], repeatFault: true });
    const response = await postChat(gateway.url, routedRequest());
    expect(response.json.model).toBe('lab/beta');
    expect(gateway.mock.attempts('alpha')).toBe(1);
  });

  it('fails over from a silent model after the first-byte limit without retrying it', async () => {
    gateway.mock.script('alpha', { faults: [{ type: 'no_response' }], repeatFault: true });
    const response = await postChat(gateway.url, routedRequest());
    expect(response.status).toBe(200);
    expect(response.json.model).toBe('lab/beta');
    expect(gateway.mock.attempts('alpha')).toBe(1);
  });

  it('reports the answering model and bills only its usage after a failover', async () => {
    gateway.mock.script('alpha', { faults: [{ type: 'status', status: 503 }], repeatFault: true });
    gateway.mock.script('beta', { usage: { promptTokens: 1_000, completionTokens: 500 } });
    const response = await postChat(gateway.url, routedRequest());
    expect(response.json.model).toBe('lab/beta');
    expect(response.json.usage.prompt_tokens).toBe(1_000);
    expect(response.json.usage.completion_tokens).toBe(500);
    // beta: $2/M input, $8/M output -> 1000 * 2e-6 + 500 * 8e-6 = 0.006
    expect(response.json.usage.cost).toBeCloseTo(0.006, 10);
  });

  it('returns 502 in the error envelope when every candidate fails', async () => {
    // The plan: up the high tier's frontier (alpha, beta, gamma), delta, then the best below the bar.
    for (const model of ['alpha', 'beta', 'gamma', 'delta', 'mid-c', 'mid-b']) {
      gateway.mock.script(model, { faults: [{ type: 'status', status: 502 }], repeatFault: true });
    }
    const response = await postChat(gateway.url, routedRequest());
    expect(response.status).toBe(502);
    expect(response.json.error.code).toBe(502);
    expect(response.json.error.metadata.attempts).toHaveLength(6);
    expect(JSON.stringify(response.json)).not.toContain('sk-test');
  });
});

describe('gateway faults: 400s that must not be retried', () => {
  it('goes to a candidate with a larger context after context_length_exceeded', async () => {
    gateway.mock.script('alpha', { faults: [{ type: 'context_length_exceeded' }], repeatFault: true });
    const response = await postChat(gateway.url, routedRequest());
    expect(response.status).toBe(200);
    expect(response.json.model).toBe('lab/gamma');
    expect(gateway.mock.attempts('alpha')).toBe(1);
    expect(gateway.mock.attempts('beta')).toBe(0);
  });

  it('returns the upstream reason for a content-policy refusal without retrying', async () => {
    gateway.mock.script('alpha', { faults: [{ type: 'content_policy' }], repeatFault: true });
    const response = await postChat(gateway.url, routedRequest());
    expect(response.status).toBe(400);
    expect(response.json.error.metadata.error_code).toBe('content_policy');
    expect(response.json.error.message.length).toBeGreaterThan(10);
    expect(gateway.mock.attempts('alpha')).toBe(1);
    expect(gateway.mock.attempts('beta')).toBe(0);
  });
});

describe('gateway faults: streams', () => {
  it('fails over transparently when a stream is cut before any content', async () => {
    gateway.mock.script('alpha', { faults: [{ type: 'cut', afterChunks: 0 }], repeatFault: true });
    const response = await postChatStream(gateway.url, routedRequest());
    expect(response.status).toBe(200);
    expect(response.done).toBe(true);
    const content = response.chunks.filter((chunk) => chunk.choices?.length > 0);
    expect(content.every((chunk) => chunk.model === 'lab/beta')).toBe(true);
    expect(streamedText(response.chunks).length).toBeGreaterThan(10);
    expect(response.chunks.some((chunk) => chunk.error !== undefined)).toBe(false);
    // The headers wait for content, so they name the model that answered, not the one that broke.
    expect(response.headers.get('x-pareto-model')).toBe('lab/beta');
    expect(response.headers.get('x-pareto-attempts')).toBe('2');
  });

  it('ends with an error chunk, never a truncated success, when a stream is cut after content and no other candidate can continue it', async () => {
    gateway.mock.script('alpha', { faults: [{ type: 'cut', afterChunks: 3 }], repeatFault: true });
    const response = await postChatStream(gateway.url, { ...routedRequest(), model: 'lab/alpha' });
    expect(response.status).toBe(200);
    const last = response.chunks.at(-1);
    expect(last.error).toBeDefined();
    expect(last.error.message).toBe(
      'the upstream closed the connection before its answer was complete (no final chunk)',
    );
    expect(last.choices[0].finish_reason).toBe('error');
    expect(response.chunks.some((chunk) => chunk.usage !== undefined)).toBe(false);
    expect(response.chunks.some((chunk) => chunk.choices?.[0]?.finish_reason === 'stop')).toBe(false);
    expect(gateway.mock.attempts('beta')).toBe(0);
  });

  it('ends with an error chunk when a stream stalls after content and no other candidate can continue it', async () => {
    gateway.mock.script('alpha', { faults: [{ type: 'stall', afterChunks: 2 }], repeatFault: true });
    const response = await postChatStream(gateway.url, { ...routedRequest(), model: 'lab/alpha' });
    const last = response.chunks.at(-1);
    expect(last.choices[0].finish_reason).toBe('error');
    expect(last.error.metadata.error_code).toBe('upstream_stream_idle');
  });

  it.each([
    ['cut', { type: 'cut', afterChunks: 3 }],
    ['stall', { type: 'stall', afterChunks: 2 }],
    ['in-stream error', { type: 'midstream_error', afterChunks: 2 }],
  ] as const)(
    'continues a stream broken by a %s after content on the next candidate',
    async (_name, fault) => {
      const answer = 'one two three four five six seven eight';
      gateway.mock.script('alpha', { answer, faults: [fault], repeatFault: true });
      gateway.mock.script('beta', { answer });
      const response = await postChatStream(gateway.url, routedRequest());
      expect(streamedText(response.chunks)).toBe(answer);
      expect(response.chunks.some((chunk) => chunk.error !== undefined)).toBe(false);
      expect(response.chunks.some((chunk) => chunk.choices?.[0]?.finish_reason === 'stop')).toBe(true);
      expect(response.done).toBe(true);
    },
  );

  it('fails over when the first token is too slow', async () => {
    gateway.mock.script('alpha', {
      faults: [{ type: 'slow_first_token', delayMs: 3_000 }],
      repeatFault: true,
    });
    const response = await postChatStream(gateway.url, routedRequest());
    expect(
      response.chunks
        .filter((chunk) => chunk.choices?.length > 0)
        .every((chunk) => chunk.model === 'lab/beta'),
    ).toBe(true);
    expect(gateway.mock.attempts('alpha')).toBe(1);
    expect(response.done).toBe(true);
  });

  it('skips a malformed chunk and completes the answer', async () => {
    gateway.mock.script('alpha', { faults: [{ type: 'malformed_chunk', atChunk: 2 }] });
    const response = await postChatStream(gateway.url, routedRequest());
    expect(response.done).toBe(true);
    expect(response.chunks.at(-1).usage.completion_tokens).toBeGreaterThan(0);
    expect(response.chunks.some((chunk) => chunk.error !== undefined)).toBe(false);
  });

  it('finishes promptly with usage when the upstream never sends [DONE]', async () => {
    gateway.mock.script('alpha', { faults: [{ type: 'no_done' }] });
    const started = Date.now();
    const response = await postChatStream(gateway.url, routedRequest());
    expect(response.done).toBe(true);
    const usageChunks = response.chunks.filter((chunk) => chunk.usage !== undefined);
    expect(usageChunks).toHaveLength(1);
    expect(usageChunks[0].choices).toEqual([]);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('turns an in-stream upstream error after content into an error chunk when nothing can continue it', async () => {
    gateway.mock.script('alpha', { faults: [{ type: 'midstream_error', afterChunks: 2 }] });
    const response = await postChatStream(gateway.url, { ...routedRequest(), model: 'lab/alpha' });
    expect(response.chunks.at(-1).choices[0].finish_reason).toBe('error');
  });
});

describe('gateway: circuit breaker', () => {
  it('opens after repeated failures, skips the model, then probes and closes', async () => {
    const local = await startGateway({ circuitBreaker: { failureThreshold: 2, openMs: 400 } });
    try {
      local.mock.script('alpha', { faults: [{ type: 'status', status: 503 }], repeatFault: true });
      await postChat(local.url, routedRequest());
      await postChat(local.url, routedRequest());
      expect(local.mock.attempts('alpha')).toBe(2);
      const skipped = await postChat(local.url, routedRequest());
      expect(skipped.json.model).toBe('lab/beta');
      expect(local.mock.attempts('alpha')).toBe(2);
      const explain = (await fetch(`${local.url}/api/v1/router/explain`).then((response) =>
        response.json(),
      )) as any;
      expect(explain.decisions.find((decision: any) => decision.modelId === 'lab/alpha').reason).toBe(
        'unavailable',
      );
      local.mock.script('alpha', {});
      await new Promise((resolve) => setTimeout(resolve, 450));
      const probe = await postChat(local.url, routedRequest());
      expect(probe.json.model).toBe('lab/alpha');
      const after = await postChat(local.url, routedRequest());
      expect(after.json.model).toBe('lab/alpha');
    } finally {
      await local.close();
    }
  });
});

describe('gateway: concrete models', () => {
  it('follows a models fallback list', async () => {
    gateway.mock.script('alpha', { faults: [{ type: 'status', status: 503 }], repeatFault: true });
    const response = await postChat(gateway.url, {
      models: ['lab/alpha', 'lab/mid-b'],
      messages: userMessage,
    });
    expect(response.json.model).toBe('lab/mid-b');
    expect(response.headers.get('x-pareto-tier')).toBe('none');
    expect(gateway.mock.attempts('alpha')).toBe(1);
  });
});

describe('gateway: connection refused', () => {
  it('fails over when an upstream refuses connections', async () => {
    const local = await startGateway();
    try {
      const closedPort = 'http://127.0.0.1:9/v1';
      local.router.app.catalog.upstreams.find((upstream) => upstream.name === 'openai')!.baseUrl = closedPort;
      const response = await postChat(local.url, routedRequest());
      expect(response.status).toBe(200);
      expect(response.json.model).toBe('lab/beta');
    } finally {
      await local.close();
    }
  });
});
