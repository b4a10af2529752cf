import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { demoScripts } from './demo-scripts.js';
import { type MockUpstream, startMockUpstream } from './index.js';
import { pickCannedAnswer } from './pick-canned-answer.js';
import { postJson, postStream, type StreamEventRecord } from './test-support/mock-client.js';

let mock: MockUpstream;
const question = 'Write a TypeScript function that removes duplicates from an array.';
const canned = pickCannedAnswer(question);

beforeAll(async () => {
  mock = await startMockUpstream({ scripts: { 'fixed-*': { answer: 'from a pattern' } } });
});
afterAll(async () => {
  await mock.close();
});
afterEach(() => {
  mock.reset();
});

const openaiUrl = () => `${mock.baseUrls.openai}/chat/completions`;
const anthropicUrl = () => `${mock.baseUrls.anthropic}/messages`;
const geminiUrl = (model: string, stream = false) =>
  `${mock.baseUrls.gemini}/models/${model}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`;

const openaiRequest = (model: string, extra: Record<string, unknown> = {}) => ({
  model,
  messages: [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: question },
  ],
  ...extra,
});
const anthropicRequest = (model: string, extra: Record<string, unknown> = {}) => ({
  model,
  max_tokens: 1024,
  system: 'You are terse.',
  messages: [{ role: 'user', content: [{ type: 'text', text: question }] }],
  ...extra,
});
const geminiRequest = (extra: Record<string, unknown> = {}) => ({
  systemInstruction: { parts: [{ text: 'You are terse.' }] },
  contents: [{ role: 'user', parts: [{ text: question }] }],
  ...extra,
});
const promptTokens = Math.ceil(('You are terse.'.length + question.length) / 4);

const readFileTool = {
  name: 'read_file',
  parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
};

function dataOf(events: StreamEventRecord[]): any[] {
  return events.filter((event) => event.json !== undefined).map((event) => event.json);
}

describe('OpenAI protocol', () => {
  it('answers a plain request with a chat.completion', async () => {
    const response = await postJson(openaiUrl(), openaiRequest('gpt-x'), { authorization: 'Bearer sk-abc' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
    const body = response.json;
    expect(body.id).toMatch(/^chatcmpl-[A-Za-z0-9]{29}$/);
    expect(body.object).toBe('chat.completion');
    expect(body.model).toBe('gpt-x');
    expect(body.choices[0].message).toEqual({ role: 'assistant', content: canned, refusal: null });
    expect(body.choices[0].finish_reason).toBe('stop');
    expect(body.usage).toEqual({
      prompt_tokens: promptTokens,
      completion_tokens: Math.ceil(canned.length / 4),
      total_tokens: promptTokens + Math.ceil(canned.length / 4),
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0 },
    });
  });

  it('streams chunks, a usage chunk when asked, then [DONE]', async () => {
    const response = await postStream(
      openaiUrl(),
      openaiRequest('gpt-x', { stream: true, stream_options: { include_usage: true } }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.error).toBeUndefined();
    expect(response.events.at(-1)!.data).toBe('[DONE]');
    const chunks = dataOf(response.events);
    expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk')).toBe(true);
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
    const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe(canned);
    expect(chunks.at(-2).choices[0].finish_reason).toBe('stop');
    expect(chunks.at(-1).choices).toEqual([]);
    expect(chunks.at(-1).usage.prompt_tokens).toBe(promptTokens);
  });

  it('sends no usage chunk unless asked', async () => {
    const response = await postStream(openaiUrl(), openaiRequest('gpt-x', { stream: true }));
    const chunks = dataOf(response.events);
    expect(chunks.some((chunk) => chunk.usage !== undefined)).toBe(false);
    expect(chunks.at(-1).choices[0].finish_reason).toBe('stop');
  });

  it('cuts at max_tokens with finish_reason length', async () => {
    mock.script('short', { answer: 'word '.repeat(100) });
    const response = await postJson(openaiUrl(), openaiRequest('short', { max_completion_tokens: 10 }));
    expect(response.json.choices[0].finish_reason).toBe('length');
    expect(response.json.choices[0].message.content).toHaveLength(40);
    expect(response.json.usage.completion_tokens).toBe(10);
  });

  it('reports reasoning and cached tokens', async () => {
    mock.script('thinker', {
      answer: 'Done.',
      reasoning: 'Let me think.',
      usage: { promptTokens: 2_000, cachedTokens: 1_500, cacheWriteTokens: 200 },
    });
    const body = (await postJson(openaiUrl(), openaiRequest('thinker'))).json;
    expect(body.choices[0].message.reasoning).toBe('Let me think.');
    expect(body.usage.prompt_tokens).toBe(2_000);
    expect(body.usage.prompt_tokens_details).toEqual({ cached_tokens: 1_500, cache_write_tokens: 200 });
    expect(body.usage.completion_tokens_details.reasoning_tokens).toBe(4);
    const streamed = dataOf(
      (await postStream(openaiUrl(), openaiRequest('thinker', { stream: true }))).events,
    );
    expect(streamed.map((chunk) => chunk.choices[0].delta.reasoning ?? '').join('')).toBe('Let me think.');
  });

  it('calls the first tool by default, plain and streamed', async () => {
    const tools = [{ type: 'function', function: readFileTool }];
    const body = (await postJson(openaiUrl(), openaiRequest('tooler', { tools }))).json;
    expect(body.choices[0].finish_reason).toBe('tool_calls');
    expect(body.choices[0].message.content).toBeNull();
    const call = body.choices[0].message.tool_calls[0];
    expect(call.id).toMatch(/^call_/);
    expect(call.function).toEqual({ name: 'read_file', arguments: '{"path":"example"}' });

    const chunks = dataOf(
      (await postStream(openaiUrl(), openaiRequest('tooler', { tools, stream: true }))).events,
    );
    const deltas = chunks.flatMap((chunk) => chunk.choices[0].delta.tool_calls ?? []);
    expect(deltas[0]).toMatchObject({
      index: 0,
      type: 'function',
      function: { name: 'read_file', arguments: '' },
    });
    expect(deltas.map((delta: any) => delta.function.arguments).join('')).toBe('{"path":"example"}');
    expect(chunks.at(-1).choices[0].finish_reason).toBe('tool_calls');
  });

  it('does not call a tool when tool_choice is none or the last turn is a tool result', async () => {
    const tools = [{ type: 'function', function: readFileTool }];
    const none = (await postJson(openaiUrl(), openaiRequest('tooler', { tools, tool_choice: 'none' }))).json;
    expect(none.choices[0].finish_reason).toBe('stop');
    const afterTool = await postJson(openaiUrl(), {
      model: 'tooler',
      tools,
      messages: [
        { role: 'user', content: question },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'read_file', arguments: '{}' } }],
        },
        { role: 'tool', tool_call_id: 'call_1', content: 'file text' },
      ],
    });
    expect(afterTool.json.choices[0].finish_reason).toBe('stop');
  });

  it('still calls a tool when a system reminder follows the user turn (as coding agents send)', async () => {
    const tools = [{ type: 'function', function: readFileTool }];
    const messages = [
      { role: 'user', content: question },
      { role: 'system', content: 'Reminder: tools are available.' },
    ];
    const openai = await postJson(openaiUrl(), { model: 'tooler', tools, messages });
    expect(openai.json.choices[0].finish_reason).toBe('tool_calls');
    const anthropic = await postJson(anthropicUrl(), {
      model: 'tooler',
      max_tokens: 100,
      tools: [{ name: 'read_file', input_schema: readFileTool.parameters }],
      messages,
    });
    expect(anthropic.json.stop_reason).toBe('tool_use');
  });

  it('answers OpenRouter-style under /api/v1 and /v1', async () => {
    const viaOpenRouter = await postJson(
      `${mock.url}/api/v1/chat/completions`,
      openaiRequest('vendor/model'),
    );
    expect(viaOpenRouter.json.model).toBe('vendor/model');
    const viaRoot = await postJson(`${mock.url}/v1/chat/completions`, openaiRequest('plain'));
    expect(viaRoot.json.choices[0].message.content).toBe(canned);
  });

  it('rejects bad JSON and a missing model in the OpenAI envelope', async () => {
    const bad = await postJson(openaiUrl(), '{"model": ');
    expect(bad.status).toBe(400);
    expect(bad.json.error.type).toBe('invalid_request_error');
    const noModel = await postJson(openaiUrl(), { messages: [] });
    expect(noModel.status).toBe(400);
    expect(noModel.json.error.message).toContain('model');
    const openRouter = await postJson(`${mock.url}/api/v1/chat/completions`, 'nope');
    expect(openRouter.json.error.code).toBe(400);
  });
});

describe('Anthropic protocol', () => {
  it('answers a plain request with a message', async () => {
    const response = await postJson(anthropicUrl(), anthropicRequest('claude-x'), { 'x-api-key': 'k' });
    expect(response.status).toBe(200);
    expect(response.headers.get('request-id')).toMatch(/^req_/);
    const body = response.json;
    expect(body.id).toMatch(/^msg_01[A-Za-z0-9]{22}$/);
    expect(body).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'claude-x',
      stop_reason: 'end_turn',
    });
    expect(body.stop_sequence).toBeNull();
    expect(body.content).toEqual([{ type: 'text', text: canned }]);
    expect(body.usage).toEqual({
      input_tokens: promptTokens,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      output_tokens: Math.ceil(canned.length / 4),
    });
  });

  it('streams the documented event sequence', async () => {
    mock.script('claude-x', { answer: 'Hello there, world.', reasoning: 'Short thought.' });
    const response = await postStream(anthropicUrl(), anthropicRequest('claude-x', { stream: true }));
    expect(response.error).toBeUndefined();
    const names = response.events.map((event) => event.event);
    expect(names[0]).toBe('message_start');
    expect(names.slice(1, 3)).toEqual(['content_block_start', 'ping']);
    expect(names.slice(-2)).toEqual(['message_delta', 'message_stop']);
    for (const event of response.events) expect(event.json.type).toBe(event.event);
    const starts = response.events.filter((event) => event.event === 'content_block_start');
    expect(starts.map((event) => event.json.content_block.type)).toEqual(['thinking', 'text']);
    const deltas = response.events
      .filter((event) => event.event === 'content_block_delta')
      .map((event) => event.json);
    expect(
      deltas
        .filter((delta) => delta.delta.type === 'thinking_delta')
        .map((delta) => delta.delta.thinking)
        .join(''),
    ).toBe('Short thought.');
    expect(deltas.some((delta) => delta.delta.type === 'signature_delta')).toBe(true);
    expect(
      deltas
        .filter((delta) => delta.index === 1)
        .map((delta) => delta.delta.text)
        .join(''),
    ).toBe('Hello there, world.');
    const messageDelta = response.events.at(-2)!.json;
    expect(messageDelta.delta.stop_reason).toBe('end_turn');
    expect(messageDelta.usage.output_tokens).toBe(Math.ceil(19 / 4) + Math.ceil(14 / 4));
  });

  it('separates cache reads and writes from input_tokens', async () => {
    mock.script('cached', { usage: { promptTokens: 1_000, cachedTokens: 700, cacheWriteTokens: 100 } });
    const body = (await postJson(anthropicUrl(), anthropicRequest('cached'))).json;
    expect(body.usage).toMatchObject({
      input_tokens: 200,
      cache_read_input_tokens: 700,
      cache_creation_input_tokens: 100,
    });
    const start = (await postStream(anthropicUrl(), anthropicRequest('cached', { stream: true }))).events[0]!;
    expect(start.json.message.usage.cache_read_input_tokens).toBe(700);
  });

  it('stops at max_tokens and uses tool_use blocks', async () => {
    mock.script('long', { answer: 'x'.repeat(400) });
    const cut = (await postJson(anthropicUrl(), anthropicRequest('long', { max_tokens: 10 }))).json;
    expect(cut.stop_reason).toBe('max_tokens');
    expect(cut.content[0].text).toHaveLength(40);

    const tools = [{ name: 'read_file', input_schema: readFileTool.parameters }];
    const called = (await postJson(anthropicUrl(), anthropicRequest('tools', { tools }))).json;
    expect(called.stop_reason).toBe('tool_use');
    expect(called.content[0]).toMatchObject({
      type: 'tool_use',
      name: 'read_file',
      input: { path: 'example' },
    });
    expect(called.content[0].id).toMatch(/^toolu_01/);

    const streamed = await postStream(anthropicUrl(), anthropicRequest('tools', { tools, stream: true }));
    const json = streamed.events
      .filter((event) => event.json?.delta?.type === 'input_json_delta')
      .map((event) => event.json.delta.partial_json)
      .join('');
    expect(JSON.parse(json)).toEqual({ path: 'example' });
  });

  it('rejects a request without max_tokens the way Anthropic does', async () => {
    const response = await postJson(anthropicUrl(), { model: 'claude-x', messages: [] });
    expect(response.status).toBe(400);
    expect(response.json).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'max_tokens: Field required' },
    });
    const bad = await postJson(anthropicUrl(), '{');
    expect(bad.json.error.type).toBe('invalid_request_error');
  });
});

describe('Gemini protocol', () => {
  it('answers generateContent', async () => {
    const response = await postJson(geminiUrl('gemini-x'), geminiRequest(), { 'x-goog-api-key': 'k' });
    expect(response.status).toBe(200);
    const body = response.json;
    expect(body.candidates[0]).toEqual({
      content: { parts: [{ text: canned }], role: 'model' },
      finishReason: 'STOP',
      index: 0,
    });
    expect(body.modelVersion).toBe('gemini-x');
    expect(body.responseId).toMatch(/^[A-Za-z0-9]{22}$/);
    expect(body.usageMetadata).toMatchObject({
      promptTokenCount: promptTokens,
      candidatesTokenCount: Math.ceil(canned.length / 4),
      totalTokenCount: promptTokens + Math.ceil(canned.length / 4),
    });
  });

  it('streams with alt=sse and ends with the finish reason and full usage', async () => {
    const response = await postStream(geminiUrl('gemini-x', true), geminiRequest());
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.raw).toContain('\r\n\r\n');
    const chunks = dataOf(response.events);
    const text = chunks
      .map((chunk) => chunk.candidates[0].content.parts.map((part: any) => part.text).join(''))
      .join('');
    expect(text).toBe(canned);
    expect(chunks.at(-1).candidates[0].finishReason).toBe('STOP');
    expect(chunks.at(-1).usageMetadata.candidatesTokenCount).toBe(Math.ceil(canned.length / 4));
  });

  it('streams a JSON array without alt=sse', async () => {
    const response = await postJson(
      `${mock.baseUrls.gemini}/models/gemini-x:streamGenerateContent`,
      geminiRequest(),
    );
    expect(Array.isArray(response.json)).toBe(true);
    expect(response.json.at(-1).candidates[0].finishReason).toBe('STOP');
  });

  it('reports thoughts and cached tokens, and MAX_TOKENS', async () => {
    mock.script('gemini-x', {
      answer: 'y'.repeat(200),
      reasoning: 'Thinking hard.',
      usage: { promptTokens: 5_000, cachedTokens: 4_000 },
    });
    const body = (
      await postJson(geminiUrl('gemini-x'), geminiRequest({ generationConfig: { maxOutputTokens: 20 } }))
    ).json;
    expect(body.candidates[0].finishReason).toBe('MAX_TOKENS');
    expect(body.candidates[0].content.parts[0]).toEqual({ text: 'Thinking hard.', thought: true });
    expect(body.candidates[0].content.parts[1].text).toHaveLength(64);
    expect(body.usageMetadata).toMatchObject({
      promptTokenCount: 5_000,
      cachedContentTokenCount: 4_000,
      thoughtsTokenCount: 4,
      candidatesTokenCount: 16,
      totalTokenCount: 5_020,
    });
  });

  it('answers with a functionCall part', async () => {
    const tools = [{ functionDeclarations: [readFileTool] }];
    const body = (await postJson(geminiUrl('gemini-x'), geminiRequest({ tools }))).json;
    expect(body.candidates[0].content.parts).toEqual([
      { functionCall: { name: 'read_file', args: { path: 'example' } } },
    ]);
    expect(body.candidates[0].finishReason).toBe('STOP');
  });

  it('rejects bad requests in the Google envelope', async () => {
    const response = await postJson(geminiUrl('gemini-x'), { prompt: 'no contents' });
    expect(response.status).toBe(400);
    expect(response.json.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
    const bad = await postJson(geminiUrl('gemini-x'), 'not json');
    expect(bad.json.error.status).toBe('INVALID_ARGUMENT');
  });
});

describe('scripts, counters and records', () => {
  it('counts attempts per model and in total, and resets them', async () => {
    await postJson(openaiUrl(), openaiRequest('one'));
    await postJson(anthropicUrl(), anthropicRequest('one'));
    await postJson(geminiUrl('two'), geminiRequest());
    expect(mock.attempts('one')).toBe(2);
    expect(mock.attempts('two')).toBe(1);
    expect(mock.attempts('three')).toBe(0);
    expect(mock.attempts()).toBe(3);
    mock.script('one', { answer: 'new' });
    expect(mock.attempts('one')).toBe(0);
    expect(mock.attempts('two')).toBe(1);
    mock.reset();
    expect(mock.attempts()).toBe(0);
    expect(mock.requests()).toEqual([]);
  });

  it('records requests with lower-cased headers and the parsed body', async () => {
    await postJson(anthropicUrl(), anthropicRequest('rec'), {
      'X-Api-Key': 'secret',
      'Anthropic-Version': '2023-06-01',
    });
    const [recorded] = mock.requests();
    expect(recorded).toMatchObject({
      protocol: 'anthropic',
      model: 'rec',
      path: '/anthropic/v1/messages',
      attempt: 1,
    });
    expect(recorded!.headers['x-api-key']).toBe('secret');
    expect(recorded!.headers['anthropic-version']).toBe('2023-06-01');
    expect(recorded!.body).toEqual(anthropicRequest('rec'));
    expect(Math.abs(recorded!.time - Date.now())).toBeLessThan(5_000);
  });

  it('matches prefix patterns and restores start-up scripts on reset', async () => {
    const first = await postJson(openaiUrl(), openaiRequest('fixed-model'));
    expect(first.json.choices[0].message.content).toBe('from a pattern');
    mock.script('fixed-model', { answer: 'exact wins' });
    const second = await postJson(openaiUrl(), openaiRequest('fixed-model'));
    expect(second.json.choices[0].message.content).toBe('exact wins');
    mock.reset();
    const third = await postJson(openaiUrl(), openaiRequest('fixed-model'));
    expect(third.json.choices[0].message.content).toBe('from a pattern');
  });

  it('paces streams and waits the scripted latency', async () => {
    mock.script('slow', { answer: 'a'.repeat(40), chunkCount: 4, tokensPerSecond: 50, latencyMs: 100 });
    const response = await postStream(openaiUrl(), openaiRequest('slow', { stream: true }));
    expect(response.headersAfterMs).toBeGreaterThanOrEqual(90);
    // 10 tokens at 50 a second: about 200 ms of generation after the headers.
    expect(response.endedAfterMs - response.headersAfterMs).toBeGreaterThanOrEqual(150);
    expect(response.endedAfterMs).toBeLessThan(2_000);
    const text = dataOf(response.events)
      .map((chunk) => chunk.choices[0].delta.content ?? '')
      .join('');
    expect(text).toBe('a'.repeat(40));
  });

  it('gives each demo model its own pace within realistic bounds', () => {
    const script = demoScripts()['*']!;
    expect(script.latencyMs).toEqual({ min: 200, max: 600 });
    expect(script.tokensPerSecond).toEqual({ min: 80, max: 200 });
  });
});
