import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type MockUpstream, startMockUpstream } from './index.js';
import { postJson, postStream, type StreamEventRecord, sleep } from './test-support/mock-client.js';

let mock: MockUpstream;

beforeAll(async () => {
  mock = await startMockUpstream();
});
afterAll(async () => {
  await mock.close();
});
afterEach(() => {
  mock.reset();
});

type Protocol = 'openai' | 'anthropic' | 'gemini';
const protocols: Protocol[] = ['openai', 'anthropic', 'gemini'];
const answer = 'one two three four five six seven eight';

function target(
  protocol: Protocol,
  model: string,
  stream: boolean,
): { url: string; body: Record<string, unknown> } {
  const messages = [{ role: 'user', content: 'Reverse a string.' }];
  switch (protocol) {
    case 'openai':
      return { url: `${mock.baseUrls.openai}/chat/completions`, body: { model, messages, stream } };
    case 'anthropic':
      return {
        url: `${mock.baseUrls.anthropic}/messages`,
        body: { model, messages, stream, max_tokens: 512 },
      };
    case 'gemini':
      return {
        url: `${mock.baseUrls.gemini}/models/${model}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`,
        body: { contents: [{ role: 'user', parts: [{ text: 'Reverse a string.' }] }] },
      };
  }
}

function call(protocol: Protocol, model: string) {
  const { url, body } = target(protocol, model, false);
  return postJson(url, body);
}

function stream(protocol: Protocol, model: string, signal?: AbortSignal) {
  const { url, body } = target(protocol, model, true);
  return postStream(url, body, signal);
}

/** The answer text carried by one stream event, whatever the protocol. */
function eventText(event: StreamEventRecord): string {
  const json = event.json;
  if (json === undefined) return '';
  if (json.choices !== undefined) return json.choices[0]?.delta?.content ?? '';
  if (json.type === 'content_block_delta') return json.delta.text ?? '';
  if (json.candidates !== undefined)
    return json.candidates[0].content.parts.map((part: any) => part.text ?? '').join('');
  return '';
}

function contentEvents(events: StreamEventRecord[]): StreamEventRecord[] {
  return events.filter((event) => eventText(event).length > 0);
}

describe('status faults', () => {
  it('answers 429 in each protocol envelope with Retry-After', async () => {
    for (const protocol of protocols) {
      mock.script('limited', { faults: [{ type: 'status', status: 429, retryAfter: '7' }] });
      const response = await call(protocol, 'limited');
      expect(response.status).toBe(429);
      expect(response.headers.get('retry-after')).toBe('7');
      switch (protocol) {
        case 'openai':
          expect(response.json.error).toMatchObject({ type: 'requests', code: 'rate_limit_exceeded' });
          expect(response.json.error.message).toContain('limited');
          break;
        case 'anthropic':
          expect(response.json).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
          break;
        case 'gemini':
          expect(response.json.error).toMatchObject({ code: 429, status: 'RESOURCE_EXHAUSTED' });
          expect(response.json.error.details[0].retryDelay).toBe('7s');
          break;
      }
    }
  });

  it('uses the protocol error names for server errors', async () => {
    mock.script('down', { faults: [{ type: 'status', status: 529 }], repeatFault: true });
    const anthropic = await call('anthropic', 'down');
    expect(anthropic.status).toBe(529);
    expect(anthropic.json.error).toEqual({ type: 'overloaded_error', message: 'Overloaded' });
    mock.script('down', { faults: [{ type: 'status', status: 503 }], repeatFault: true });
    expect((await call('gemini', 'down')).json.error.status).toBe('UNAVAILABLE');
    const openai = await call('openai', 'down');
    expect(openai.status).toBe(503);
    expect(openai.json.error.type).toBe('server_error');
  });

  it('uses the OpenRouter envelope under /api/v1', async () => {
    mock.script('vendor/model', { faults: [{ type: 'status', status: 502 }] });
    const response = await postJson(`${mock.url}/api/v1/chat/completions`, {
      model: 'vendor/model',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(response.status).toBe(502);
    expect(response.json.error.code).toBe(502);
    expect(typeof response.json.error.message).toBe('string');
    expect(response.json.error.metadata.provider_name).toBe('Mock');
  });

  it('sends a scripted raw body as is', async () => {
    mock.script('raw', { faults: [{ type: 'status', status: 500, body: '<html>oops</html>' }] });
    const response = await call('openai', 'raw');
    expect(response.status).toBe(500);
    expect(response.text).toBe('<html>oops</html>');
  });

  it('applies faults in order, one per attempt, then answers normally', async () => {
    mock.script('sequence', {
      answer,
      faults: [
        { type: 'status', status: 500 },
        { type: 'status', status: 503 },
      ],
    });
    expect((await call('openai', 'sequence')).status).toBe(500);
    expect((await call('openai', 'sequence')).status).toBe(503);
    const third = await call('openai', 'sequence');
    expect(third.status).toBe(200);
    expect(third.headers.get('x-mock-attempt')).toBe('3');
    expect(third.json.choices[0].message.content).toBe(answer);
    expect(mock.attempts('sequence')).toBe(3);
  });

  it('repeats the last fault when asked', async () => {
    mock.script('broken', { faults: [{ type: 'status', status: 502 }], repeatFault: true });
    for (let attempt = 0; attempt < 4; attempt++)
      expect((await call('anthropic', 'broken')).status).toBe(502);
  });
});

describe('400s with each protocol real message', () => {
  it('reports context_length_exceeded', async () => {
    mock.script('small', { faults: [{ type: 'context_length_exceeded' }], repeatFault: true });
    const openai = await call('openai', 'small');
    expect(openai.status).toBe(400);
    expect(openai.json.error.code).toBe('context_length_exceeded');
    expect(openai.json.error.message).toMatch(
      /^This model's maximum context length is 128000 tokens\. However, your messages resulted in \d+ tokens/,
    );
    const anthropic = await call('anthropic', 'small');
    expect(anthropic.json.error.type).toBe('invalid_request_error');
    expect(anthropic.json.error.message).toMatch(/^prompt is too long: \d+ tokens > 200000 maximum$/);
    const gemini = await call('gemini', 'small');
    expect(gemini.json.error.status).toBe('INVALID_ARGUMENT');
    expect(gemini.json.error.message).toMatch(
      /^The input token count \(\d+\) exceeds the maximum number of tokens allowed \(1048576\)\.$/,
    );
    mock.script('small', { faults: [{ type: 'context_length_exceeded', contextWindow: 8_000 }] });
    expect((await call('openai', 'small')).json.error.message).toContain('8000 tokens');
  });

  it('reports a content-policy refusal', async () => {
    mock.script('strict', { faults: [{ type: 'content_policy' }], repeatFault: true });
    const openai = await call('openai', 'strict');
    expect(openai.status).toBe(400);
    expect(openai.json.error.code).toBe('content_policy_violation');
    const anthropic = await call('anthropic', 'strict');
    expect(anthropic.status).toBe(400);
    expect(anthropic.json.error).toEqual({
      type: 'invalid_request_error',
      message: 'Output blocked by content filtering policy',
    });
    const gemini = await call('gemini', 'strict');
    expect(gemini.status).toBe(200);
    expect(gemini.json.promptFeedback.blockReason).toBe('SAFETY');
    expect(gemini.json.candidates).toBeUndefined();
    const geminiStream = await stream('gemini', 'strict');
    expect(geminiStream.events).toHaveLength(1);
    expect(geminiStream.events[0]!.json.promptFeedback.blockReason).toBe('SAFETY');
  });
});

describe('connection faults', () => {
  it('resets the connection before any response', async () => {
    mock.script('reset', { faults: [{ type: 'reset' }] });
    await expect(call('openai', 'reset')).rejects.toThrow();
    expect(mock.attempts('reset')).toBe(1);
    expect((await call('openai', 'reset')).status).toBe(200);
  });

  it('never answers a no_response attempt', async () => {
    mock.script('silent', { faults: [{ type: 'no_response' }] });
    const { url, body } = target('anthropic', 'silent', false);
    const started = performance.now();
    await expect(
      fetch(url, { method: 'POST', body: JSON.stringify(body), signal: AbortSignal.timeout(300) }),
    ).rejects.toThrow();
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(mock.attempts('silent')).toBe(1);
  });

  it('close() destroys hung and stalled requests and resolves', async () => {
    const local = await startMockUpstream({
      scripts: {
        silent: { faults: [{ type: 'no_response' }] },
        stalled: { answer, faults: [{ type: 'stall', afterChunks: 1 }] },
        late: { latencyMs: 60_000 },
      },
    });
    const post = (model: string, stream: boolean) =>
      request(`${local.baseUrls.openai}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model, stream, messages: [{ role: 'user', content: 'hi' }] }),
      });
    const silent = post('silent', false).then(
      () => 'answered',
      () => 'failed',
    );
    const late = post('late', false).then(
      () => 'answered',
      () => 'failed',
    );
    const stalled = await post('stalled', true);
    const stalledBody = stalled.body.text().then(
      () => 'ended',
      () => 'failed',
    );
    await sleep(100);
    expect(local.attempts()).toBe(3);
    const started = performance.now();
    await local.close();
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(await silent).toBe('failed');
    expect(await late).toBe('failed');
    expect(await stalledBody).toBe('failed');
    await expect(local.close()).resolves.toBeUndefined();
  });
});

describe('stream faults', () => {
  it('delays the first chunk after sending the headers', async () => {
    mock.script('slow', { answer, faults: [{ type: 'slow_first_token', delayMs: 300 }] });
    for (const protocol of protocols) {
      mock.script('slow', { answer, faults: [{ type: 'slow_first_token', delayMs: 300 }] });
      const response = await stream(protocol, 'slow');
      expect(response.headersAfterMs).toBeLessThan(250);
      expect(response.firstByteAfterMs).toBeGreaterThanOrEqual(290);
      expect(contentEvents(response.events).map(eventText).join('')).toBe(answer);
    }
  });

  it('delays a non-streamed body after sending the headers', async () => {
    mock.script('slow', { answer, faults: [{ type: 'slow_first_token', delayMs: 300 }] });
    const started = performance.now();
    const response = await request(`${mock.baseUrls.openai}/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'slow', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(performance.now() - started).toBeLessThan(250);
    const body = (await response.body.json()) as any;
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(body.choices[0].message.content).toBe(answer);
  });

  it('cuts the connection after N content chunks', async () => {
    for (const protocol of protocols) {
      mock.script('cut', { answer, faults: [{ type: 'cut', afterChunks: 3 }] });
      const response = await stream(protocol, 'cut');
      expect(response.status).toBe(200);
      expect(response.error).toBeDefined();
      expect(contentEvents(response.events)).toHaveLength(3);
      expect(response.raw).not.toContain('[DONE]');
      expect(response.raw).not.toContain('message_stop');
      expect(response.raw).not.toContain('finishReason');
    }
  });

  it('cuts before any content with afterChunks 0', async () => {
    mock.script('cut', { answer, faults: [{ type: 'cut', afterChunks: 0 }] });
    const response = await stream('openai', 'cut');
    expect(response.error).toBeDefined();
    expect(contentEvents(response.events)).toHaveLength(0);
    expect(response.events[0]!.json.choices[0].delta.role).toBe('assistant');
  });

  it('cuts a non-streamed body in the middle', async () => {
    mock.script('cut', { answer, faults: [{ type: 'cut', afterChunks: 0 }] });
    await expect(call('openai', 'cut')).rejects.toThrow();
  });

  it('stalls after N chunks and keeps the connection open', async () => {
    for (const protocol of protocols) {
      mock.script('stall', { answer, faults: [{ type: 'stall', afterChunks: 2 }] });
      const response = await stream(protocol, 'stall', AbortSignal.timeout(400));
      expect(response.error).toBeDefined();
      expect((response.error as Error).name).toMatch(/TimeoutError|AbortError/);
      expect(contentEvents(response.events)).toHaveLength(2);
    }
  });

  it('injects one malformed chunk and then continues normally', async () => {
    for (const protocol of protocols) {
      mock.script('noisy', { answer, faults: [{ type: 'malformed_chunk', atChunk: 2 }] });
      const response = await stream(protocol, 'noisy');
      expect(response.error).toBeUndefined();
      const broken = response.events.filter((event) => event.json === undefined && event.data !== '[DONE]');
      expect(broken).toHaveLength(1);
      const brokenIndex = response.events.indexOf(broken[0]!);
      expect(contentEvents(response.events.slice(0, brokenIndex))).toHaveLength(2);
      expect(contentEvents(response.events).map(eventText).join('')).toBe(answer);
    }
  });

  it('leaves out the stream terminator with no_done', async () => {
    mock.script('open', { answer, faults: [{ type: 'no_done' }], repeatFault: true });
    const openai = await postStream(`${mock.baseUrls.openai}/chat/completions`, {
      model: 'open',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(openai.error).toBeUndefined();
    expect(openai.raw).not.toContain('[DONE]');
    expect(openai.events.at(-1)!.json.usage.completion_tokens).toBeGreaterThan(0);
    expect(openai.events.at(-2)!.json.choices[0].finish_reason).toBe('stop');
    const anthropic = await stream('anthropic', 'open');
    expect(anthropic.events.at(-1)!.event).toBe('message_delta');
    const gemini = await stream('gemini', 'open');
    expect(gemini.events.at(-1)!.json.candidates[0].finishReason).toBe('STOP');
  });

  it('sends the protocol in-stream error after N chunks', async () => {
    for (const protocol of protocols) {
      mock.script('flaky', { answer, faults: [{ type: 'midstream_error', afterChunks: 2 }] });
      const response = await stream(protocol, 'flaky');
      expect(response.error).toBeUndefined();
      expect(contentEvents(response.events)).toHaveLength(2);
      const last = response.events.at(-1)!;
      switch (protocol) {
        case 'openai':
          expect(last.json.error.message.length).toBeGreaterThan(0);
          expect(last.json.choices[0].finish_reason).toBe('error');
          break;
        case 'anthropic':
          expect(last.event).toBe('error');
          expect(last.json).toEqual({
            type: 'error',
            error: { type: 'overloaded_error', message: 'Overloaded' },
          });
          break;
        case 'gemini':
          expect(last.json.error).toMatchObject({ code: 503, status: 'UNAVAILABLE' });
          break;
      }
    }
  });

  it('sends half a JSON body for truncated_body', async () => {
    mock.script('half', { answer, faults: [{ type: 'truncated_body' }] });
    const response = await call('anthropic', 'half');
    expect(response.status).toBe(200);
    expect(response.json).toBeUndefined();
    expect(response.text.startsWith('{"id":"msg_01')).toBe(true);
    expect(response.headers.get('connection')).toBe('close');
  });

  it('cuts a stream in the middle for truncated_body', async () => {
    mock.script('half', { answer, faults: [{ type: 'truncated_body' }] });
    const response = await stream('openai', 'half');
    expect(response.error).toBeDefined();
    expect(contentEvents(response.events)).toHaveLength(4);
  });

  it('clears the pacing timer when the client goes away', async () => {
    mock.script('slowly', { answer: 'word '.repeat(200), tokensPerSecond: 2 });
    const timers = () => process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length;
    const controller = new AbortController();
    const response = await request(`${mock.baseUrls.openai}/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'slowly', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
      signal: controller.signal,
    });
    const reader = response.body[Symbol.asyncIterator]();
    await reader.next();
    await sleep(20);
    const whileStreaming = timers();
    controller.abort();
    await sleep(100);
    expect(timers()).toBeLessThan(whileStreaming);
    expect((await call('openai', 'other')).status).toBe(200);
  });
});

describe('control API', () => {
  it('scripts a model, reports attempts and resets', async () => {
    const scripted = await postJson(`${mock.url}/__mock/script`, {
      model: 'remote',
      script: { faults: [{ type: 'status', status: 503 }] },
    });
    expect(scripted.status).toBe(200);
    expect((await call('openai', 'remote')).status).toBe(503);
    expect((await call('openai', 'remote')).status).toBe(200);
    const attempts = await (await fetch(`${mock.url}/__mock/attempts`)).json();
    expect(attempts).toEqual({ total: 2, models: { remote: 2 } });
    const one = await (await fetch(`${mock.url}/__mock/attempts?model=remote`)).json();
    expect(one).toEqual({ model: 'remote', attempts: 2 });
    const requests = (await (await fetch(`${mock.url}/__mock/requests`)).json()) as { requests: unknown[] };
    expect(requests.requests).toHaveLength(2);
    expect((await postJson(`${mock.url}/__mock/reset`, {})).status).toBe(200);
    expect(mock.attempts()).toBe(0);
  });

  it('rejects an invalid script with a message naming the problem', async () => {
    const response = await postJson(`${mock.url}/__mock/script`, {
      model: 'remote',
      script: { faults: [{ type: 'status', status: 200 }] },
    });
    expect(response.status).toBe(400);
    expect(response.json.error.message).toContain('status');
    expect((await postJson(`${mock.url}/__mock/script`, '{')).status).toBe(400);
    expect((await postJson(`${mock.url}/__mock/script`, { script: {} })).status).toBe(400);
  });

  it('answers 404 for unknown routes and 405 for wrong methods', async () => {
    expect((await fetch(`${mock.url}/nowhere`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${mock.baseUrls.openai}/chat/completions`)).status).toBe(405);
    expect((await fetch(`${mock.url}/__mock/unknown`)).status).toBe(404);
  });
});

describe('outages that end', () => {
  it('applies faults only within faultWindowMs of the script being set', async () => {
    mock.script('flapping', {
      answer,
      faults: [{ type: 'status', status: 503 }],
      repeatFault: true,
      faultWindowMs: 150,
    });
    expect((await call('openai', 'flapping')).status).toBe(503);
    expect((await call('openai', 'flapping')).status).toBe(503);
    await sleep(160);
    const healthy = await call('openai', 'flapping');
    expect(healthy.status).toBe(200);
    expect(healthy.json.choices[0].message.content).toBe(answer);
  });

  it('stamps when each request ended, so tests can tell overlapping calls apart', async () => {
    mock.script('slow', { answer, latencyMs: 50 });
    await Promise.all([call('openai', 'slow'), call('openai', 'slow')]);
    const [first, second] = mock.requests();
    expect(first?.endTime).toBeGreaterThanOrEqual((first?.time ?? 0) + 40);
    expect(second?.endTime).toBeGreaterThanOrEqual((second?.time ?? 0) + 40);
  });
});

/** A one-turn request of `protocol` that ends with an assistant turn holding `prefill`. */
function prefilled(protocol: Protocol, model: string, prefill: string, streamed: boolean) {
  const { url, body } = target(protocol, model, streamed);
  if (protocol === 'gemini') {
    const contents = [...(body.contents as unknown[]), { role: 'model', parts: [{ text: prefill }] }];
    return { url, body: { ...body, contents } };
  }
  const messages = [...(body.messages as unknown[]), { role: 'assistant', content: prefill }];
  return { url, body: { ...body, messages } };
}

describe('prefilled requests', () => {
  it.each(protocols)(
    '%s: continues the answer after the prefilled text, streamed and not',
    async (protocol) => {
      mock.script('writer', { answer });
      const plain = prefilled(protocol, 'writer', 'one two three', false);
      const response = await postJson(plain.url, plain.body);
      expect(response.status).toBe(200);
      const text =
        protocol === 'openai'
          ? response.json.choices[0].message.content
          : protocol === 'anthropic'
            ? response.json.content[0].text
            : response.json.candidates[0].content.parts[0].text;
      expect(text).toBe(' four five six seven eight');
      const streamed = prefilled(protocol, 'writer', 'one two three', true);
      const events = await postStream(streamed.url, streamed.body);
      expect(events.events.map(eventText).join('')).toBe(' four five six seven eight');
    },
  );

  it.each(protocols)(
    '%s: refuses a prefill with a 400 in its own words when scripted to',
    async (protocol) => {
      mock.script('strict', { answer, prefill: 'refuse' });
      const { url, body } = prefilled(protocol, 'strict', 'one two', false);
      const response = await postJson(url, body);
      expect(response.status).toBe(400);
      expect(JSON.stringify(response.json)).toMatch(/prefill|model turn|final assistant message/);
      // A request that ends with the user turn is answered as usual.
      expect((await call(protocol, 'strict')).status).toBe(200);
    },
  );

  it('starts over when scripted to ignore the prefill, as OpenAI does', async () => {
    mock.script('restarter', { answer, prefill: 'restart' });
    const { url, body } = prefilled('openai', 'restarter', 'one two three', false);
    const response = await postJson(url, body);
    expect(response.json.choices[0].message.content).toBe(answer);
  });

  it('refuses, as Anthropic does, a prefill that ends in whitespace', async () => {
    mock.script('writer', { answer });
    const { url, body } = prefilled('anthropic', 'writer', 'one two three ', false);
    const response = await postJson(url, body);
    expect(response.status).toBe(400);
    expect(response.json.error.message).toContain('trailing whitespace');
  });
});
