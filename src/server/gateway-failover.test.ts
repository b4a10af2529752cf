/**
 * Failover that finishes the answer, end to end against the fake upstream: coming back to a recovered
 * model, first-token and stall limits that fit the model, and stream rescue.
 *
 * The timing scenarios run at a tenth of real time: every default limit and every fault is divided by
 * ten (a 60 s outage becomes 6 s, a call every 4 s one every 0.4 s, a first token 20 s late one 2 s
 * late, the 15 s targets 1.5 s), so they check the same proportions the real-world defaults give without
 * taking minutes. Their time checks are functional deadlines (an answer within the target), not
 * measurements of speed.
 */
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defaultLearnedTimeouts, defaultTimeouts, type RouterConfig } from '../config/router-config.js';
import { defaultCircuitBreakerOptions } from '../state/circuit-breaker.js';
import {
  type GatewayFixture,
  postChat,
  postChatStream,
  startGateway,
  streamedText,
} from './test-support/gateway-fixture.js';

const scale = 0.1;
const scaled = (ms: number) => Math.round(ms * scale);

/** The default limits and breaker settings at a tenth of real time. */
const scaledConfig: Partial<RouterConfig> = {
  timeouts: {
    firstByteMs: scaled(defaultTimeouts.firstByteMs),
    firstTokenMs: scaled(defaultTimeouts.firstTokenMs),
    streamIdleMs: scaled(defaultTimeouts.streamIdleMs),
    keepAliveMs: scaled(defaultTimeouts.keepAliveMs),
    learned: {
      ...defaultLearnedTimeouts,
      floorMs: scaled(defaultLearnedTimeouts.floorMs),
      defaultMs: scaled(defaultLearnedTimeouts.defaultMs),
    },
  },
  circuitBreaker: {
    failureThreshold: defaultCircuitBreakerOptions.failureThreshold,
    openMs: scaled(defaultCircuitBreakerOptions.openMs),
    reopenBaseMs: scaled(defaultCircuitBreakerOptions.reopenBaseMs ?? 0),
    reopenMaxMs: scaled(defaultCircuitBreakerOptions.reopenMaxMs ?? 0),
  },
};

const answer = 'one two three four five six seven eight';

// Each request is its own conversation, so a sticky session from one call never steers the next.
let conversation = 0;
const routedRequest = () => ({
  model: 'openrouter/pareto-code',
  messages: [{ role: 'user', content: `Write a function that reverses a string. (#${++conversation})` }],
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function generation(url: string, id: string | null): Promise<any> {
  const response = await fetch(`${url}/api/v1/generation?id=${encodeURIComponent(id ?? '')}`);
  return ((await response.json()) as any).data;
}

describe('coming back to a recovered model (a tenth of real time)', () => {
  it('serves a primary down for 60 s throughout, returns to it within 15 s of its recovery, one probe at a time', async () => {
    const gateway = await startGateway(scaledConfig);
    try {
      const outageMs = scaled(60_000);
      const intervalMs = scaled(4_000);
      const targetMs = scaled(15_000);
      const startedAt = Date.now();
      gateway.mock.script('alpha', {
        faults: [{ type: 'status', status: 503 }],
        repeatFault: true,
        faultWindowMs: outageMs,
      });
      const recoveredAt = startedAt + outageMs;
      const calls: Promise<{ at: number; status: number; model: string; attempts: string | null }>[] = [];
      for (let at = 0; at <= outageMs + 2 * targetMs; at += intervalMs) {
        const due = startedAt + at;
        await sleep(Math.max(0, due - Date.now()));
        const sentAt = Date.now();
        calls.push(
          postChat(gateway.url, routedRequest()).then((response) => ({
            at: sentAt,
            status: response.status,
            model: response.json.model,
            attempts: response.headers.get('x-pareto-attempts'),
          })),
        );
      }
      const results = await Promise.all(calls);
      // Served throughout: every call answered, by the fallback while the primary was down.
      expect(results.map((result) => result.status)).toEqual(results.map(() => 200));
      // The circuit opened: calls went straight to the fallback without trying the primary.
      const skipped = results.filter((result) => result.model === 'lab/beta' && result.attempts === '1');
      expect(skipped.length).toBeGreaterThan(0);
      // Back on the primary within 15 s of its recovery.
      const late = results.filter((result) => result.at >= recoveredAt + targetMs);
      expect(late.length).toBeGreaterThan(0);
      expect(late.map((result) => result.model)).toEqual(late.map(() => 'lab/alpha'));
      // While the circuit was open, the primary saw probes only, never two at once, and few of them.
      const openedAt = Math.min(...skipped.map((result) => result.at));
      const probes = gateway.mock
        .requests()
        .filter((request) => request.model === 'alpha' && request.time >= openedAt)
        .sort((left, right) => left.time - right.time);
      for (const [index, probe] of probes.entries()) {
        const next = probes[index + 1];
        if (next !== undefined && next.time < recoveredAt) {
          expect(next.time).toBeGreaterThanOrEqual(probe.endTime ?? Number.POSITIVE_INFINITY);
        }
      }
      const probesDuringOutage = probes.filter((probe) => probe.time < recoveredAt).length;
      expect(probesDuringOutage).toBeLessThanOrEqual(6);
    } finally {
      await gateway.close();
    }
  }, 20_000);

  it('lets one probe through when many calls find the circuit half-open', async () => {
    const gateway = await startGateway({ circuitBreaker: { failureThreshold: 1, openMs: 300 } });
    try {
      gateway.mock.script('alpha', { faults: [{ type: 'status', status: 503 }] });
      expect((await postChat(gateway.url, routedRequest())).json.model).toBe('lab/beta');
      await sleep(350);
      // Recovered, but slow: the probe is still in flight when the other calls arrive.
      gateway.mock.script('alpha', { latencyMs: 300 });
      const burst = await Promise.all(
        Array.from({ length: 6 }, () => postChat(gateway.url, routedRequest())),
      );
      expect(burst.map((response) => response.status)).toEqual(burst.map(() => 200));
      expect(gateway.mock.attempts('alpha')).toBe(1);
      expect(burst.filter((response) => response.json.model === 'lab/alpha')).toHaveLength(1);
      // The probe succeeded: the circuit is closed and the primary takes every call again.
      expect((await postChat(gateway.url, routedRequest())).json.model).toBe('lab/alpha');
    } finally {
      await gateway.close();
    }
  });

  it('releases the probe of a caller that went away, so the next call probes at once', async () => {
    const gateway = await startGateway({ circuitBreaker: { failureThreshold: 1, openMs: 300 } });
    try {
      gateway.mock.script('alpha', { faults: [{ type: 'status', status: 503 }] });
      await postChat(gateway.url, routedRequest());
      await sleep(350);
      gateway.mock.script('alpha', { latencyMs: 2_000 });
      const controller = new AbortController();
      const abandoned = fetch(`${gateway.url}/api/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(routedRequest()),
        signal: controller.signal,
      }).catch(() => undefined);
      await sleep(100);
      controller.abort();
      await abandoned;
      // The router notices the closed connection and aborts the probe's upstream call.
      await sleep(200);
      gateway.mock.script('alpha', {});
      expect((await postChat(gateway.url, routedRequest())).json.model).toBe('lab/alpha');
    } finally {
      await gateway.close();
    }
  });
});

describe('a circuit per model and upstream', () => {
  it('keeps a model in use through its other upstream while one upstream is down', async () => {
    // lab/alpha is served by the `openai` upstream (as `alpha`) and by the `openrouter` pass-through (as
    // `lab/alpha`); only the first is down.
    const gateway = await startGateway({ circuitBreaker: { failureThreshold: 2, openMs: 60_000 } }, true);
    type Ready = { open_circuits: { model: string; upstream: string }[] };
    try {
      gateway.mock.script('alpha', { faults: [{ type: 'status', status: 503 }], repeatFault: true });
      const first = await postChat(gateway.url, routedRequest());
      expect(first.status).toBe(200);
      expect(first.json.model).toBe('lab/alpha');
      // The failed upstream's attempts, then the other upstream's answer, all on the same model.
      await postChat(gateway.url, routedRequest());
      const ready = (await (await fetch(`${gateway.url}/ready`)).json()) as Ready;
      expect(ready.open_circuits).toEqual([{ model: 'lab/alpha', upstream: 'openai' }]);
      const triedAfterOpen = gateway.mock.attempts('alpha');
      const later = await Promise.all(
        Array.from({ length: 5 }, () => postChat(gateway.url, routedRequest())),
      );
      // Still the cheapest high-tier model, now through the pass-through, and the dead upstream untouched.
      expect(later.map((response) => response.json.model)).toEqual(later.map(() => 'lab/alpha'));
      expect(later.map((response) => response.headers.get('x-pareto-attempts'))).toEqual(
        later.map(() => '1'),
      );
      expect(gateway.mock.attempts('alpha')).toBe(triedAfterOpen);
      expect(gateway.mock.attempts('lab/alpha')).toBeGreaterThanOrEqual(7);
      const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
      expect(metrics).toMatch(/^pareto_router_circuit_state\{model="lab\/alpha",upstream="openai"\} 2$/m);
      const explained = (await (
        await fetch(`${gateway.url}/api/v1/router/explain?min_coding_score=0.9`)
      ).json()) as { candidates: { modelId: string; upstreams: string[] }[] };
      expect(explained.candidates[0]?.modelId).toBe('lab/alpha');
    } finally {
      await gateway.close();
    }
  });

  it('takes a model out of routing only when every upstream of it has an open circuit', async () => {
    const gateway = await startGateway({ circuitBreaker: { failureThreshold: 1, openMs: 60_000 } }, true);
    try {
      gateway.mock.script('alpha', { faults: [{ type: 'status', status: 503 }], repeatFault: true });
      gateway.mock.script('lab/alpha', { faults: [{ type: 'status', status: 503 }], repeatFault: true });
      const failedOver = await postChat(gateway.url, routedRequest());
      expect(failedOver.status).toBe(200);
      expect(failedOver.json.model).not.toBe('lab/alpha');
      const attempts = gateway.mock.attempts('alpha') + gateway.mock.attempts('lab/alpha');
      const next = await postChat(gateway.url, routedRequest());
      expect(next.json.model).toBe(failedOver.json.model);
      expect(next.headers.get('x-pareto-attempts')).toBe('1');
      expect(gateway.mock.attempts('alpha') + gateway.mock.attempts('lab/alpha')).toBe(attempts);
    } finally {
      await gateway.close();
    }
  });
});

describe('first-token limits that fit the model (a tenth of real time)', () => {
  let gateway: GatewayFixture;
  beforeAll(async () => {
    gateway = await startGateway(scaledConfig);
  });
  afterAll(async () => {
    await gateway.close();
  });
  afterEach(() => {
    gateway.mock.reset();
  });

  it('fails over from a first token 20 s late, with the answer complete within 15 s', async () => {
    gateway.mock.script('alpha', { faults: [{ type: 'slow_first_token', delayMs: scaled(20_000) }] });
    const started = Date.now();
    const response = await postChatStream(gateway.url, routedRequest());
    const elapsed = Date.now() - started;
    expect(response.done).toBe(true);
    const content = response.chunks.filter((chunk) => chunk.choices?.length > 0);
    expect(content.every((chunk) => chunk.model === 'lab/beta')).toBe(true);
    expect(streamedText(response.chunks).length).toBeGreaterThan(10);
    expect(elapsed).toBeLessThan(scaled(15_000));
    const record = await generation(gateway.url, response.headers.get('x-generation-id'));
    expect(record.pareto_router.attempts[0]).toMatchObject({
      model: 'lab/alpha',
      error: 'upstream_timeout_first_token',
    });
  });

  it('counts a reasoning token as the first token', async () => {
    // The reasoning starts at once; the answer text only after more than the default limit.
    gateway.mock.script('alpha', {
      reasoning: 'Let me think about the indexes and the edge cases first. '.repeat(3),
      answer,
      tokensPerSecond: 20,
    });
    const response = await postChatStream(gateway.url, routedRequest());
    expect(response.done).toBe(true);
    expect(response.chunks.filter((chunk) => chunk.choices?.length > 0)[0].model).toBe('lab/alpha');
    expect(streamedText(response.chunks)).toBe(answer);
    expect(gateway.mock.attempts('beta')).toBe(0);
  });

  it('gives a model it has learned to be slow three times its p95, more than the default', async () => {
    // Ten answers with a first token 0.5 s out (5 s in real time): the limit becomes about 1.5 s.
    gateway.mock.script('gamma', { latencyMs: 500 });
    await Promise.all(
      Array.from({ length: 10 }, () =>
        postChatStream(gateway.url, { ...routedRequest(), model: 'lab/gamma' }),
      ),
    );
    // A first token 1.15 s late, past the 1 s default, is waited for: this model is like that.
    gateway.mock.script('gamma', { faults: [{ type: 'slow_first_token', delayMs: 1_150 }] });
    const response = await postChatStream(gateway.url, {
      ...routedRequest(),
      models: ['lab/gamma', 'lab/alpha'],
      model: undefined,
    });
    expect(response.chunks.filter((chunk) => chunk.choices?.length > 0)[0].model).toBe('lab/gamma');
    expect(gateway.mock.attempts('alpha')).toBe(0);
  });

  it('lets the last candidate take longer than the learned limit, up to the configured one', async () => {
    gateway.mock.script('alpha', { faults: [{ type: 'slow_first_token', delayMs: scaled(20_000) }] });
    const response = await postChatStream(gateway.url, { ...routedRequest(), model: 'lab/alpha' });
    expect(response.done).toBe(true);
    expect(response.chunks.filter((chunk) => chunk.choices?.length > 0)[0].model).toBe('lab/alpha');
  });
});

describe('stalls after content (a tenth of real time)', () => {
  let gateway: GatewayFixture;
  beforeAll(async () => {
    gateway = await startGateway(scaledConfig);
  });
  afterAll(async () => {
    await gateway.close();
  });
  afterEach(() => {
    gateway.mock.reset();
  });

  it('rescues a stream silent for 30 s mid-answer, with the answer complete within 15 s', async () => {
    gateway.mock.script('alpha', { answer, faults: [{ type: 'stall', afterChunks: 3 }] });
    gateway.mock.script('beta', { answer });
    const started = Date.now();
    const response = await postChatStream(gateway.url, routedRequest());
    expect(Date.now() - started).toBeLessThan(scaled(15_000));
    expect(streamedText(response.chunks)).toBe(answer);
    expect(response.chunks.some((chunk) => chunk.error !== undefined)).toBe(false);
    expect(response.done).toBe(true);
  });

  it('ends a stalled stream cleanly within 15 s when no other candidate can continue it', async () => {
    gateway.mock.script('alpha', { answer, faults: [{ type: 'stall', afterChunks: 3 }] });
    const started = Date.now();
    const response = await postChatStream(gateway.url, { ...routedRequest(), model: 'lab/alpha' });
    expect(Date.now() - started).toBeLessThan(scaled(15_000));
    expect(streamedText(response.chunks)).toBe('one two three ');
    const last = response.chunks.at(-1);
    expect(last.error.metadata.error_code).toBe('upstream_stream_idle');
    expect(last.choices[0].finish_reason).toBe('error');
  });
});

describe('stream rescue', () => {
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

  it('continues a stream cut after content: one answer, the partial text plus the continuation, both billed', async () => {
    gateway.mock.script('alpha', { answer, faults: [{ type: 'cut', afterChunks: 3 }] });
    gateway.mock.script('beta', { answer, usage: { promptTokens: 1_000, completionTokens: 500 } });
    const response = await postChatStream(gateway.url, routedRequest());
    expect(response.status).toBe(200);
    expect(streamedText(response.chunks)).toBe(answer);
    const finishes = response.chunks
      .map((chunk) => chunk.choices?.[0]?.finish_reason)
      .filter((reason) => reason != null);
    expect(finishes).toEqual(['stop']);
    expect(response.chunks.some((chunk) => chunk.error !== undefined)).toBe(false);
    // The continuation was asked for with the text sent so far as a prefill.
    const continuation = gateway.mock.requests().find((request) => request.model === 'beta');
    expect((continuation?.body as any)?.messages?.at(-1)).toEqual({
      role: 'assistant',
      content: [{ type: 'text', text: 'one two three' }],
    });
    // Both attempts are billed, each at its own prices: beta's 1,000 + 500 tokens at $2/$8 per million,
    // and alpha's estimated share (its stream was cut before its usage) at $1/$4.
    const usage = response.chunks.at(-1).usage;
    const alphaPrompt = usage.prompt_tokens - 1_000;
    const alphaCompletion = usage.completion_tokens - 500;
    expect(alphaPrompt).toBeGreaterThan(0);
    expect(alphaCompletion).toBeGreaterThan(0);
    expect(usage.cost).toBeCloseTo(0.006 + (alphaPrompt * 1 + alphaCompletion * 4) / 1e6, 12);
    // Reported in the stream and in the request log.
    expect(response.comments).toContain(
      'x-pareto-rescue from=lab/alpha upstream=openai error=upstream_stream_cut to=lab/beta via=anthropic attempts=1',
    );
    const record = await generation(gateway.url, response.headers.get('x-generation-id'));
    expect(record.pareto_router.attempts.map((attempt: any) => [attempt.model, attempt.error])).toEqual([
      ['lab/alpha', 'upstream_stream_cut'],
      ['lab/beta', null],
    ]);
    expect(record.pareto_router.settings.rescue).toEqual({
      from_model: 'lab/alpha',
      from_upstream: 'openai',
      error: 'upstream_stream_cut',
      by_model: 'lab/beta',
      by_upstream: 'anthropic',
      attempts: 1,
    });
    expect(record.total_cost).toBeCloseTo(usage.cost, 12);
    expect(record.finish_reason).toBe('stop');
  });

  it('gives the Anthropic SDK one message when a relayed native stream is continued by another model', async () => {
    gateway.mock.script('alpha', { answer, faults: [{ type: 'status', status: 503 }] });
    gateway.mock.script('beta', { answer, faults: [{ type: 'cut', afterChunks: 3 }] });
    gateway.mock.script('gamma', { answer });
    const client = new Anthropic({ apiKey: 'sk-anything', baseURL: gateway.url, maxRetries: 0 });
    const stream = client.messages.stream({
      model: 'pareto-code@0.9',
      max_tokens: 512,
      messages: [{ role: 'user', content: `Write a function that reverses a string. (#${++conversation})` }],
    });
    const message = await stream.finalMessage();
    expect(message.content).toEqual([{ type: 'text', text: answer }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(gateway.mock.requests().find((request) => request.model === 'beta')?.protocol).toBe('anthropic');
    expect(gateway.mock.attempts('gamma')).toBe(1);
  });

  it('sends the answer’s own reasoning, not the continuation’s', async () => {
    gateway.mock.script('alpha', {
      answer,
      reasoning: 'Plan first.',
      chunkCount: 8,
      faults: [{ type: 'cut', afterChunks: 11 }],
    });
    gateway.mock.script('beta', { answer, reasoning: 'Now where was I?' });
    const response = await postChatStream(gateway.url, routedRequest());
    const reasoning = response.chunks.map((chunk) => chunk.choices?.[0]?.delta?.reasoning ?? '').join('');
    expect(reasoning).toBe('Plan first.');
    expect(streamedText(response.chunks)).toBe(answer);
  });

  it('ends with a clean error naming the cut when the fallbacks refuse a prefill, and does not ask them again', async () => {
    // Its own router: the refusals it learns would change the other tests' fallbacks.
    const local = await startGateway();
    try {
      local.mock.script('alpha', { answer, faults: [{ type: 'cut', afterChunks: 3 }], repeatFault: true });
      local.mock.script('beta', { answer, prefill: 'refuse' });
      local.mock.script('gamma', { answer, prefill: 'refuse' });
      const response = await postChatStream(local.url, routedRequest());
      expect(response.status).toBe(200);
      expect(streamedText(response.chunks)).toBe('one two three ');
      const last = response.chunks.at(-1);
      expect(last.choices[0].finish_reason).toBe('error');
      expect(last.error.metadata.error_code).toBe('upstream_stream_cut');
      expect(last.error.message).toContain('closed the connection before its answer was complete');
      expect(last.error.message).not.toMatch(/400|prefill/);
      expect(response.done).toBe(true);
      // One continuation attempt each, within the bound of two.
      expect([local.mock.attempts('beta'), local.mock.attempts('gamma')]).toEqual([1, 1]);
      const again = await postChatStream(local.url, routedRequest());
      expect(again.chunks.at(-1).error.metadata.error_code).toBe('upstream_stream_cut');
      // The refusals are remembered: no storm of prefills that would be refused again.
      expect([local.mock.attempts('beta'), local.mock.attempts('gamma')]).toEqual([1, 1]);
    } finally {
      await local.close();
    }
  });

  it('refuses a continuation that starts the answer over, and lets the next candidate continue', async () => {
    const local = await startGateway();
    try {
      local.mock.script('alpha', { answer, faults: [{ type: 'cut', afterChunks: 3 }] });
      local.mock.script('beta', { answer, prefill: 'restart' });
      local.mock.script('gamma', { answer });
      const response = await postChatStream(local.url, routedRequest());
      expect(streamedText(response.chunks)).toBe(answer);
      const content = response.chunks.filter((chunk) => chunk.choices?.[0]?.delta?.content);
      expect(content.at(-1).model).toBe('lab/gamma');
      expect(local.router.app.state.prefillRefusals.refused('anthropic', 'beta', Date.now())).toBe(true);
    } finally {
      await local.close();
    }
  });

  it('skips an upstream that does not continue prefills', async () => {
    const anthropic = gateway.router.app.catalog.upstreams.find((upstream) => upstream.name === 'anthropic');
    if (anthropic === undefined) throw new Error('the fixture has an anthropic upstream');
    anthropic.prefill = false;
    try {
      gateway.mock.script('alpha', { answer, faults: [{ type: 'cut', afterChunks: 3 }] });
      gateway.mock.script('gamma', { answer });
      const response = await postChatStream(gateway.url, routedRequest());
      expect(streamedText(response.chunks)).toBe(answer);
      expect(gateway.mock.attempts('beta')).toBe(0);
    } finally {
      delete anthropic.prefill;
    }
  });

  it('does not continue a tool call cut short', async () => {
    gateway.mock.script('alpha', {
      toolCall: { name: 'read_file', arguments: { path: 'src/index.ts', reason: 'look at the entry' } },
      faults: [{ type: 'cut', afterChunks: 2 }],
    });
    const response = await postChatStream(gateway.url, routedRequest());
    expect(response.chunks.at(-1).choices[0].finish_reason).toBe('error');
    expect(gateway.mock.attempts('beta')).toBe(0);
  });

  it('can be turned off', async () => {
    const local = await startGateway({ rescue: { enabled: false, maxAttempts: 2 } });
    try {
      local.mock.script('alpha', { answer, faults: [{ type: 'cut', afterChunks: 3 }] });
      const response = await postChatStream(local.url, routedRequest());
      expect(response.chunks.at(-1).choices[0].finish_reason).toBe('error');
      expect(local.mock.attempts('beta')).toBe(0);
    } finally {
      await local.close();
    }
  });
});
