import { readFileSync } from 'node:fs';
import { createParser } from 'eventsource-parser';
import { describe, expect, it } from 'vitest';
import type { Usage } from '../../core/chat-result.js';
import { RouterError } from '../../core/errors.js';
import { fixturesOf } from '../../providers/test-support/read-fixture.js';
import type { ResponseIdentity } from '../ingress-adapter.js';
import { createGeminiStreamWriter } from './create-gemini-stream-writer.js';

const identity: ResponseIdentity = {
  id: 'gen-1764673401-Xq4vK2pLm8RtY6wZ',
  created: 1764673401,
  model: 'anthropic/claude-sonnet-4.5',
  provider: 'Anthropic',
};

const usage = (overrides: Partial<Usage> = {}): Usage => ({
  promptTokens: 10,
  completionTokens: 5,
  cachedTokens: 0,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
  ...overrides,
});

function expected(name: string): string {
  return readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');
}

/** The SSE messages of `text`, as a client reads them. */
function messages(text: string): { event: string | undefined; data: Record<string, unknown> }[] {
  const read: { event: string | undefined; data: Record<string, unknown> }[] = [];
  const parser = createParser({
    onEvent: (message) => read.push({ event: message.event, data: JSON.parse(message.data) }),
  });
  parser.feed(text);
  return read;
}

const firstCandidate = (data: Record<string, unknown>) => (data.candidates as Record<string, unknown>[])[0]!;

describe('createGeminiStreamWriter: converted answers', () => {
  it('writes thoughts, text, then each call whole, and closes with the finish reason and usage', () => {
    const writer = createGeminiStreamWriter(identity);
    let text = writer.open();
    text += writer.event({ type: 'response-metadata', id: 'msg_01', model: 'claude-sonnet-4-5' });
    text += writer.event({ type: 'reasoning-delta', text: 'The loop starts at 1, ' });
    text += writer.event({ type: 'reasoning-delta', text: 'so items[0] is skipped.' });
    text += writer.event({ type: 'text-delta', text: 'The loop skips the first item. ' });
    text += writer.event({ type: 'text-delta', text: 'Fixing it now.' });
    text += writer.event({
      type: 'tool-call-delta',
      index: 0,
      id: 'toolu_01A',
      name: 'replace',
      argumentsDelta: '',
    });
    expect(
      writer.event({
        type: 'tool-call-delta',
        index: 0,
        argumentsDelta: '{"file_path":"/home/dev/shop-api/src/cart.ts",',
      }),
    ).toBe('');
    text += writer.event({
      type: 'tool-call-delta',
      index: 0,
      argumentsDelta: '"old_string":"let i = 1","new_string":"let i = 0"}',
    });
    text += writer.event({
      type: 'tool-call-delta',
      index: 1,
      id: 'toolu_01B',
      name: 'run_shell_command',
      argumentsDelta: '{"command":"npm test"}',
    });
    text += writer.event({ type: 'usage', usage: { promptTokens: 2310 } });
    text += writer.event({ type: 'finish', finishReason: 'tool_calls', nativeFinishReason: 'tool_use' });
    text += writer.finish(
      usage({ promptTokens: 2310, completionTokens: 164, cachedTokens: 2048, reasoningTokens: 40 }),
      0.003591,
      'tool_calls',
    );
    expect(text).toBe(expected('stream-converted.expected.sse'));
    const read = messages(text);
    expect(read.map((message) => message.event)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(read.at(-1)?.data.usageMetadata).toEqual({
      promptTokenCount: 2310,
      candidatesTokenCount: 124,
      totalTokenCount: 2474,
      cachedContentTokenCount: 2048,
      thoughtsTokenCount: 40,
      cost: 0.003591,
    });
    expect(text).not.toContain('[DONE]');
  });

  it('writes a pending call before text that follows it', () => {
    const writer = createGeminiStreamWriter(identity);
    const text =
      writer.event({ type: 'tool-call-delta', index: 0, id: 'toolu_9', name: 'ls', argumentsDelta: '{}' }) +
      writer.event({ type: 'text-delta', text: 'Listing.' });
    expect(
      messages(text).map((message) => (firstCandidate(message.data).content as { parts: unknown[] }).parts),
    ).toEqual([[{ functionCall: { name: 'ls', args: {}, id: 'toolu_9' } }], [{ text: 'Listing.' }]]);
  });

  it('makes an id for a call that came without one', () => {
    const writer = createGeminiStreamWriter(identity);
    writer.event({ type: 'tool-call-delta', index: 2, name: 'ls', argumentsDelta: '' });
    const [last] = messages(writer.finish(usage(), 0, 'tool_calls'));
    expect((firstCandidate(last!.data).content as { parts: unknown[] }).parts).toEqual([
      { functionCall: { name: 'ls', args: {}, id: 'call_gen-1764673401-Xq4vK2pLm8RtY6wZ_2' } },
    ]);
  });

  it('reports a call whose arguments are not JSON as MALFORMED_FUNCTION_CALL, unless the cap cut it', () => {
    const broken = createGeminiStreamWriter(identity);
    broken.event({
      type: 'tool-call-delta',
      index: 0,
      id: 't1',
      name: 'replace',
      argumentsDelta: '{"file_path":',
    });
    const [closing] = messages(broken.finish(usage(), 0, 'tool_calls'));
    expect(firstCandidate(closing!.data)).toEqual({
      content: { parts: [{ text: '' }], role: 'model' },
      finishReason: 'MALFORMED_FUNCTION_CALL',
      finishMessage: 'Malformed function call: the arguments of replace are not a JSON object',
      index: 0,
    });

    const capped = createGeminiStreamWriter(identity);
    capped.event({
      type: 'tool-call-delta',
      index: 0,
      id: 't1',
      name: 'replace',
      argumentsDelta: '{"file_path":',
    });
    const [cut] = messages(capped.finish(usage(), 0, 'length'));
    expect(firstCandidate(cut!.data)).toEqual({
      content: { parts: [{ text: '' }], role: 'model' },
      finishReason: 'MAX_TOKENS',
      index: 0,
    });
  });

  it('keeps a Gemini finish reason that agrees, and maps the others', () => {
    const recitation = createGeminiStreamWriter(identity);
    recitation.event({ type: 'finish', finishReason: 'content_filter', nativeFinishReason: 'RECITATION' });
    expect(
      firstCandidate(messages(recitation.finish(usage(), 0, 'content_filter'))[0]!.data).finishReason,
    ).toBe('RECITATION');

    const filtered = createGeminiStreamWriter(identity);
    filtered.event({ type: 'finish', finishReason: 'content_filter', nativeFinishReason: 'refusal' });
    expect(
      firstCandidate(messages(filtered.finish(usage(), 0, 'content_filter'))[0]!.data).finishReason,
    ).toBe('SAFETY');

    const overridden = createGeminiStreamWriter(identity);
    overridden.event({ type: 'finish', finishReason: 'stop', nativeFinishReason: 'STOP' });
    expect(firstCandidate(messages(overridden.finish(usage(), 0, 'error'))[0]!.data).finishReason).toBe(
      'OTHER',
    );
  });

  it('names the new model after a failover, and writes nothing to keep alive', () => {
    const writer = createGeminiStreamWriter(identity);
    expect(writer.open()).toBe('');
    expect(writer.keepAlive()).toBe('');
    writer.setModel('openai/gpt-5.1-codex', 'OpenAI');
    const [chunk] = messages(writer.event({ type: 'text-delta', text: 'Hi' }));
    expect(chunk?.data).toEqual({
      candidates: [{ content: { parts: [{ text: 'Hi' }], role: 'model' }, index: 0 }],
      modelVersion: 'openai/gpt-5.1-codex',
      responseId: 'gen-1764673401-Xq4vK2pLm8RtY6wZ',
    });
  });

  it('fails with Google error JSON on one data line, dropping a half-built call', () => {
    const writer = createGeminiStreamWriter(identity);
    writer.event({ type: 'tool-call-delta', index: 0, id: 't1', name: 'replace', argumentsDelta: '{"a"' });
    const text = writer.fail(
      new RouterError('upstream_stream_cut', 'the upstream closed the stream before it finished', {
        status: 502,
      }),
    );
    expect(text).toBe(
      'data: {"error":{"code":502,"message":"the upstream closed the stream before it finished","status":"UNAVAILABLE","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"UPSTREAM_STREAM_CUT","domain":"pareto-router","metadata":{}}]}}\n\n',
    );
  });
});

describe('createGeminiStreamWriter: relayed Gemini streams', () => {
  const geminiIdentity = { ...identity, model: 'google/gemini-2.5-flash', provider: 'Google' };

  it('rewrites the model and id, holds the finishing chunk, and adds the cost to it', () => {
    const writer = createGeminiStreamWriter(geminiIdentity);
    let text = writer.open();
    const relayed: string[] = [];
    for (const message of fixturesOf('gemini').sse('stream-function-call.sse')) {
      relayed.push(writer.relay(message.event, message.data));
    }
    // The second chunk carries the finish reason: it waits for finish().
    expect(relayed[1]).toBe('');
    text += relayed.join('');
    text += writer.finish(
      usage({ promptTokens: 96, completionTokens: 90, reasoningTokens: 52 }),
      0.0002513,
      'tool_calls',
    );
    expect(text).toBe(expected('stream-relayed-function-call.expected.sse'));
  });

  it('relays thoughts and signatures untouched', () => {
    const writer = createGeminiStreamWriter(geminiIdentity);
    const upstream = fixturesOf('gemini').sse('stream-thinking.sse');
    let text = '';
    for (const message of upstream) text += writer.relay(message.event, message.data);
    text += writer.finish(usage(), 0.01, 'stop');
    const read = messages(text);
    expect(read).toHaveLength(upstream.length);
    for (const [index, message] of read.entries()) {
      const { modelVersion, responseId, usageMetadata, ...rest } = message.data;
      const original = upstream[index]!.data as Record<string, unknown>;
      const { modelVersion: _m, responseId: _r, usageMetadata: originalUsage, ...originalRest } = original;
      expect(rest).toEqual(originalRest);
      expect(modelVersion).toBe('google/gemini-2.5-flash');
      expect(responseId).toBe('gen-1764673401-Xq4vK2pLm8RtY6wZ');
      expect(usageMetadata).toEqual(
        index === read.length - 1 ? { ...(originalUsage as object), cost: 0.01 } : originalUsage,
      );
    }
  });

  it('holds a refused prompt and closes with it', () => {
    const writer = createGeminiStreamWriter(geminiIdentity);
    const [blocked] = fixturesOf('gemini').sse('stream-prompt-blocked.sse');
    expect(writer.relay(blocked!.event, blocked!.data)).toBe('');
    const [closing] = messages(
      writer.finish(usage({ promptTokens: 11, completionTokens: 0 }), 0.000001, 'content_filter'),
    );
    expect(closing?.data).toEqual({
      ...(blocked!.data as object),
      usageMetadata: {
        promptTokenCount: 11,
        totalTokenCount: 11,
        promptTokensDetails: [{ modality: 'TEXT', tokenCount: 11 }],
        cost: 0.000001,
      },
      modelVersion: 'google/gemini-2.5-flash',
      responseId: 'gen-1764673401-Xq4vK2pLm8RtY6wZ',
    });
  });

  it('leaves upstream error chunks to fail(), and writes a held chunk before the error', () => {
    const writer = createGeminiStreamWriter(geminiIdentity);
    const [first, error] = fixturesOf('gemini').sse('stream-error.sse');
    expect(writer.relay(first!.event, first!.data)).toContain('"text":"The answer"');
    expect(writer.relay(error!.event, error!.data)).toBe('');

    const holding = createGeminiStreamWriter(geminiIdentity);
    const [finishing] = fixturesOf('gemini').sse('stream-text.sse').slice(-1);
    holding.relay(finishing!.event, finishing!.data);
    const read = messages(holding.fail(new RouterError('internal', 'Internal error')));
    expect(read.map((message) => Object.keys(message.data))).toEqual([
      ['candidates', 'usageMetadata', 'modelVersion', 'responseId'],
      ['error'],
    ]);
  });

  it('closes a relayed stream that never sent a finishing chunk with its own', () => {
    const writer = createGeminiStreamWriter(geminiIdentity);
    const [first] = fixturesOf('gemini').sse('stream-text.sse');
    writer.relay(first!.event, first!.data);
    const [closing] = messages(writer.finish(usage(), 0.5, 'stop'));
    expect(closing?.data).toEqual({
      candidates: [{ content: { parts: [{ text: '' }], role: 'model' }, finishReason: 'STOP', index: 0 }],
      usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 15, cost: 0.5 },
      modelVersion: 'google/gemini-2.5-flash',
      responseId: 'gen-1764673401-Xq4vK2pLm8RtY6wZ',
    });
  });
});

describe('createGeminiStreamWriter: a relayed stream continued by converted events', () => {
  it('writes a call the continuation made, after the relayed chunks', () => {
    const writer = createGeminiStreamWriter({ ...identity, model: 'google/gemini-2.5-flash' });
    const [first] = fixturesOf('gemini').sse('stream-text.sse');
    let text = writer.relay(first!.event, first!.data);
    text += writer.event({ type: 'text-delta', text: ' and then' });
    text += writer.event({ type: 'tool-call-delta', index: 0, id: 'c1', name: 'run', argumentsDelta: '{}' });
    text += writer.event({ type: 'finish', finishReason: 'tool_calls', nativeFinishReason: 'STOP' });
    text += writer.finish(usage(), 0.5, 'tool_calls');
    const parts = messages(text).flatMap(
      ({ data }) => (firstCandidate(data).content as { parts: Record<string, unknown>[] }).parts,
    );
    expect(parts.at(-1)).toEqual({ functionCall: { name: 'run', args: {}, id: 'c1' } });
    expect(parts.some((part) => part.text === ' and then')).toBe(true);
  });
});

describe('createGeminiStreamWriter: bounds', () => {
  it('assembles arguments sent one UTF-16 unit at a time, a split surrogate pair included', () => {
    const writer = createGeminiStreamWriter(identity);
    const args = { path: 'notes/naïve.md', content: 'emoji 😀, 中文, é\u0000 and a lone \ud83d' };
    const json = JSON.stringify(args);
    writer.event({ type: 'tool-call-delta', index: 0, id: 't1', name: 'write_file', argumentsDelta: '' });
    for (const unit of json.split('')) {
      writer.event({ type: 'tool-call-delta', index: 0, argumentsDelta: unit });
    }
    const [closing] = messages(writer.finish(usage(), 0, 'tool_calls'));
    const parts = (firstCandidate(closing!.data).content as { parts: Record<string, unknown>[] }).parts;
    expect(parts).toEqual([{ functionCall: { name: 'write_file', args, id: 't1' } }]);
  });

  it('drops a call whose arguments outgrow the buffer, as malformed', () => {
    const writer = createGeminiStreamWriter(identity);
    const piece = 'x'.repeat(1024 * 1024);
    writer.event({
      type: 'tool-call-delta',
      index: 0,
      id: 't1',
      name: 'write_file',
      argumentsDelta: '{"content":"',
    });
    for (let index = 0; index < 5; index += 1) {
      writer.event({ type: 'tool-call-delta', index: 0, argumentsDelta: piece });
    }
    writer.event({ type: 'tool-call-delta', index: 0, argumentsDelta: '"}' });
    const [closing] = messages(writer.finish(usage(), 0, 'tool_calls'));
    expect(firstCandidate(closing!.data)).toEqual({
      content: { parts: [{ text: '' }], role: 'model' },
      finishReason: 'MALFORMED_FUNCTION_CALL',
      finishMessage: 'Malformed function call: the arguments of write_file are not a JSON object',
      index: 0,
    });
  });
});
