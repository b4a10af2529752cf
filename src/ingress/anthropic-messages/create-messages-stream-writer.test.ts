import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { StreamEvent, Usage } from '../../core/chat-result.js';
import { RouterError } from '../../core/errors.js';
import { fixturesOf } from '../../providers/test-support/read-fixture.js';
import type { ResponseIdentity } from '../ingress-adapter.js';
import { createMessagesStreamWriter } from './create-messages-stream-writer.js';

const identity: ResponseIdentity = {
  id: 'gen-1733500000-a1b2c3d4e5f6a7b8c9d0',
  created: 1733500000,
  model: 'lab/alpha',
  provider: 'Lab',
};

const usage: Usage = {
  promptTokens: 1200,
  completionTokens: 85,
  cachedTokens: 1000,
  cacheWriteTokens: 150,
  reasoningTokens: 0,
};

function expected(name: string): string {
  return readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');
}

/** The SSE messages of a transcript as [event name, parsed data]. */
function messagesOf(text: string): [string, Record<string, unknown>][] {
  return text
    .split('\n\n')
    .filter((block) => block !== '')
    .map((block) => {
      const [eventLine, dataLine] = block.split('\n');
      expect(eventLine).toMatch(/^event: /);
      expect(dataLine).toMatch(/^data: /);
      return [eventLine!.slice('event: '.length), JSON.parse(dataLine!.slice('data: '.length))];
    });
}

function typesOf(text: string): string[] {
  return messagesOf(text).map(([event, data]) => {
    expect(data.type).toBe(event);
    return event;
  });
}

describe('createMessagesStreamWriter on the converted path', () => {
  it('writes the recorded transcript: thinking, text and two tool calls, then usage and cost', () => {
    const writer = createMessagesStreamWriter(identity);
    let text = writer.open() + writer.keepAlive();
    writer.setModel('openai/gpt-5.1-codex', 'OpenAI');
    const events: StreamEvent[] = [
      { type: 'response-metadata', id: 'chatcmpl-1', model: 'gpt-5.1-codex' },
      { type: 'reasoning-delta', text: 'The test expects 4;' },
      { type: 'reasoning-delta', text: ' add must be wrong.' },
      { type: 'text-delta', text: 'The bug is in add.' },
      { type: 'tool-call-delta', index: 0, id: 'call_abc', name: 'Edit', argumentsDelta: '{"file_path":' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '"/repo/src/math.ts"}' },
      { type: 'tool-call-delta', index: 1, id: 'functions.Bash:1', name: 'Bash', argumentsDelta: '' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: '{"command":"npx vitest run"}' },
      { type: 'usage', usage: { promptTokens: 1200 } },
      { type: 'finish', finishReason: 'tool_calls', nativeFinishReason: 'tool_calls' },
    ];
    for (const event of events) text += writer.event(event);
    text += writer.finish(usage, 0.00123, 'tool_calls');
    expect(text).toBe(expected('stream-converted.sse'));
  });

  it('opens with nothing, so a failover can still rename the model', () => {
    const writer = createMessagesStreamWriter(identity);
    expect(writer.open()).toBe('');
    expect(writer.keepAlive()).toBe('event: ping\ndata: {"type":"ping"}\n\n');
  });

  it('starts the message at finish when there was no content', () => {
    const writer = createMessagesStreamWriter(identity);
    const text = writer.finish(usage, 0, 'stop');
    expect(typesOf(text)).toEqual(['message_start', 'message_delta', 'message_stop']);
    expect(messagesOf(text)[1]![1]).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: {
        input_tokens: 50,
        output_tokens: 85,
        cache_creation_input_tokens: 150,
        cache_read_input_tokens: 1000,
        cost: 0,
      },
    });
  });

  it('prefers an Anthropic stop reason the upstream gave', () => {
    const writer = createMessagesStreamWriter(identity);
    writer.event({ type: 'text-delta', text: 'partial' });
    writer.event({ type: 'finish', finishReason: 'stop', nativeFinishReason: 'stop_sequence' });
    const [, delta] = messagesOf(writer.finish(usage, 0, 'stop')).find(
      ([event]) => event === 'message_delta',
    )!;
    expect(delta.delta).toEqual({ stop_reason: 'stop_sequence', stop_sequence: null });
  });

  it('says tool_use when tool calls came with a plain stop', () => {
    const writer = createMessagesStreamWriter(identity);
    writer.event({ type: 'tool-call-delta', index: 0, id: 'c', name: 'f', argumentsDelta: '{}' });
    writer.event({ type: 'finish', finishReason: 'stop', nativeFinishReason: 'stop' });
    const [, delta] = messagesOf(writer.finish(usage, 0, 'stop')).find(
      ([event]) => event === 'message_delta',
    )!;
    expect(delta.delta).toEqual({ stop_reason: 'tool_use', stop_sequence: null });
  });

  it('drops a late piece of a tool call whose block is closed, and mints a missing tool id', () => {
    const writer = createMessagesStreamWriter(identity);
    let text = writer.event({ type: 'tool-call-delta', index: 0, name: 'f', argumentsDelta: '{}' });
    text += writer.event({ type: 'tool-call-delta', index: 1, id: 'b', name: 'g', argumentsDelta: '{}' });
    expect(writer.event({ type: 'tool-call-delta', index: 0, argumentsDelta: 'late' })).toBe('');
    const starts = messagesOf(text).filter(([event]) => event === 'content_block_start');
    expect(starts.map(([, data]) => data.content_block)).toEqual([
      { type: 'tool_use', id: 'toolu_gen-1733500000-a1b2c3d4e5f6a7b8c9d0_0', name: 'f', input: {} },
      { type: 'tool_use', id: 'b', name: 'g', input: {} },
    ]);
  });

  it('takes the tool calls of a later upstream response as new blocks', () => {
    const writer = createMessagesStreamWriter(identity);
    let text = writer.event({ type: 'tool-call-delta', index: 0, id: 'a', name: 'f', argumentsDelta: '{}' });
    text += writer.event({ type: 'response-metadata', id: 'second' });
    text += writer.event({ type: 'tool-call-delta', index: 0, id: 'b', name: 'g', argumentsDelta: '{}' });
    expect(messagesOf(text).map(([event, data]) => [event, data.index])).toEqual([
      ['message_start', undefined],
      ['content_block_start', 0],
      ['content_block_delta', 0],
      ['content_block_stop', 0],
      ['content_block_start', 1],
      ['content_block_delta', 1],
    ]);
  });

  it('ends a failed stream with an Anthropic error event', () => {
    const writer = createMessagesStreamWriter(identity);
    writer.event({ type: 'text-delta', text: 'so far' });
    const error = new RouterError('upstream_server_error', 'the upstream closed the stream', { status: 503 });
    expect(writer.fail(error)).toBe(
      'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"the upstream closed the stream"}}\n\n',
    );
  });
});

describe('createMessagesStreamWriter on the native path', () => {
  const upstream = fixturesOf('anthropic').sse('stream-tool-use.sse');

  it('relays the recorded stream with the router id, model and cost', () => {
    const writer = createMessagesStreamWriter({ ...identity, model: 'anthropic/claude-sonnet-4.6' });
    let text = writer.open();
    for (const message of upstream) text += writer.relay(message.event, message.data);
    text += writer.finish(
      { promptTokens: 472, completionTokens: 89, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
      0.002751,
      'tool_calls',
    );
    expect(text).toBe(expected('stream-relayed.sse'));
  });

  it('holds message_delta and message_stop for finish', () => {
    const writer = createMessagesStreamWriter(identity);
    const relayed = upstream.map((message) => writer.relay(message.event, message.data)).join('');
    expect(typesOf(relayed)).not.toContain('message_delta');
    expect(typesOf(relayed)).not.toContain('message_stop');
  });

  it('starts one message after a failover between native attempts, with the second model', () => {
    const writer = createMessagesStreamWriter(identity);
    const start = (input: number) => ({
      type: 'message_start',
      message: {
        id: 'msg_up',
        type: 'message',
        role: 'assistant',
        model: 'x',
        content: [],
        usage: { input_tokens: input },
      },
    });
    expect(writer.relay('message_start', start(1))).toBe('');
    expect(
      writer.relay('error', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }),
    ).toBe('');
    writer.setModel('anthropic/claude-opus-4.7', 'Anthropic');
    writer.relay('message_start', start(2));
    const text = writer.relay('content_block_start', {
      type: 'content_block_start',
      index: 0,
      content_block: { type: 'text', text: '' },
    });
    const [[event, data]] = messagesOf(text) as [[string, Record<string, unknown>]];
    expect(event).toBe('message_start');
    expect(data.message).toEqual({
      id: 'msg_gen-1733500000-a1b2c3d4e5f6a7b8c9d0',
      type: 'message',
      role: 'assistant',
      model: 'anthropic/claude-opus-4.7',
      content: [],
      usage: { input_tokens: 2 },
    });
  });

  it('forgets a held native start when a converted attempt answers instead', () => {
    const writer = createMessagesStreamWriter(identity);
    writer.relay('message_start', {
      type: 'message_start',
      message: { id: 'msg_up', usage: { input_tokens: 9 } },
    });
    writer.setModel('google/gemini-3-pro', 'Google');
    const [[, data]] = messagesOf(writer.event({ type: 'text-delta', text: 'hi' })) as [
      [string, Record<string, unknown>],
    ];
    expect(data.message).toMatchObject({
      model: 'google/gemini-3-pro',
      usage: { input_tokens: 0, output_tokens: 0 },
    });
  });

  it('synthesizes the closing events when the upstream sent none, closing an open block', () => {
    const writer = createMessagesStreamWriter(identity);
    writer.relay('message_start', { type: 'message_start', message: { id: 'u', usage: {} } });
    writer.relay('content_block_start', {
      type: 'content_block_start',
      index: 0,
      content_block: { type: 'text', text: '' },
    });
    const text = writer.finish(usage, 0.5, 'length');
    expect(messagesOf(text)).toEqual([
      ['content_block_stop', { type: 'content_block_stop', index: 0 }],
      [
        'message_delta',
        {
          type: 'message_delta',
          delta: { stop_reason: 'max_tokens', stop_sequence: null },
          usage: {
            input_tokens: 50,
            output_tokens: 85,
            cache_creation_input_tokens: 150,
            cache_read_input_tokens: 1000,
            cost: 0.5,
          },
        },
      ],
      ['message_stop', { type: 'message_stop' }],
    ]);
  });

  it('numbers the blocks of a native attempt after those already sent', () => {
    const writer = createMessagesStreamWriter(identity);
    let text = writer.event({ type: 'text-delta', text: 'first model' });
    text += writer.relay('message_start', { type: 'message_start', message: { id: 'u' } });
    text += writer.relay('content_block_start', {
      type: 'content_block_start',
      index: 0,
      content_block: { type: 'text', text: '' },
    });
    text += writer.relay('content_block_delta', {
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'text_delta', text: 'second model' },
    });
    expect(messagesOf(text).map(([event, data]) => [event, data.index])).toEqual([
      ['message_start', undefined],
      ['content_block_start', 0],
      ['content_block_delta', 0],
      ['content_block_stop', 0],
      ['content_block_start', 1],
      ['content_block_delta', 1],
    ]);
  });

  it('continues the text block a relayed stream left open when a converted attempt rescues it', () => {
    const writer = createMessagesStreamWriter(identity);
    let text = writer.relay('message_start', { type: 'message_start', message: { id: 'u' } });
    text += writer.relay('content_block_start', {
      type: 'content_block_start',
      index: 0,
      content_block: { type: 'text', text: '' },
    });
    text += writer.relay('content_block_delta', {
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'text_delta', text: 'one two' },
    });
    // The relayed stream breaks here; another model continues the answer through converted events.
    text += writer.event({ type: 'text-delta', text: ' three' });
    text += writer.comment?.('x-pareto-rescue from=lab/beta') ?? '';
    text += writer.finish(usage, 0.01, 'stop');
    const read = messagesOf(text.replace(': x-pareto-rescue from=lab/beta\n\n', ''));
    expect(read.map(([event, data]) => [event, data.index])).toEqual([
      ['message_start', undefined],
      ['content_block_start', 0],
      ['content_block_delta', 0],
      ['content_block_delta', 0],
      ['content_block_stop', 0],
      ['message_delta', undefined],
      ['message_stop', undefined],
    ]);
    expect(text).toContain(': x-pareto-rescue from=lab/beta\n\n');
  });

  it('starts a new block for a continuation when the relayed stream broke outside a text block', () => {
    const writer = createMessagesStreamWriter(identity);
    let text = writer.relay('message_start', { type: 'message_start', message: { id: 'u' } });
    text += writer.relay('content_block_start', {
      type: 'content_block_start',
      index: 0,
      content_block: { type: 'thinking', thinking: '' },
    });
    text += writer.relay('content_block_delta', {
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'thinking_delta', thinking: 'hmm' },
    });
    text += writer.event({ type: 'text-delta', text: 'answer' });
    expect(messagesOf(text).map(([event, data]) => [event, data.index])).toEqual([
      ['message_start', undefined],
      ['content_block_start', 0],
      ['content_block_delta', 0],
      ['content_block_stop', 0],
      ['content_block_start', 1],
      ['content_block_delta', 1],
    ]);
  });
});
