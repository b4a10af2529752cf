import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { StreamEvent, Usage } from '../../core/chat-result.js';
import { RouterError } from '../../core/errors.js';
import type { ResponseIdentity } from '../ingress-adapter.js';
import { createResponsesStreamWriter } from './create-responses-stream-writer.js';
import { parseTranscript } from './test-support/parse-transcript.js';
import { fixtureText } from './test-support/read-fixture.js';

const identity: ResponseIdentity = {
  id: 'gen-1754490540-Xq3Lm9Pz',
  created: 1754490540,
  model: 'qwen/qwen3-coder',
  provider: 'Groq',
};

// `completed_at` is the clock at completion: a fixed clock keeps the transcripts exact.
beforeAll(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(1754490542_000));
});
afterAll(() => {
  vi.useRealTimers();
});

function usage(promptTokens: number, completionTokens: number, extra: Partial<Usage> = {}): Usage {
  return {
    promptTokens,
    completionTokens,
    cachedTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
    ...extra,
  };
}

const text = (value: string): StreamEvent => ({ type: 'text-delta', text: value });

function reasoningAndText(): string {
  const writer = createResponsesStreamWriter(identity);
  let out = writer.open() + writer.keepAlive();
  out += writer.event({ type: 'reasoning-delta', text: 'The user wants ' });
  out += writer.event({ type: 'reasoning-delta', text: 'a greeting.' });
  out += writer.event(text('Hello'));
  out += writer.event(text(' there!'));
  out += writer.event({ type: 'finish', finishReason: 'stop', nativeFinishReason: 'stop' });
  return out + writer.finish(usage(21, 9, { cachedTokens: 16, reasoningTokens: 4 }), 0.0000123, 'stop');
}

function toolCalls(): string {
  const writer = createResponsesStreamWriter(identity);
  let out = writer.open() + writer.event(text('Checking.'));
  out += writer.event({
    type: 'tool-call-delta',
    index: 0,
    id: 'call_A1',
    name: 'exec_command',
    argumentsDelta: '',
  });
  out += writer.event({ type: 'tool-call-delta', index: 0, argumentsDelta: '{"cmd":' });
  out += writer.event({
    type: 'tool-call-delta',
    index: 1,
    id: 'call_B2',
    name: 'apply_patch--custom',
    argumentsDelta: '{"input":"*** Begin Patch\\n',
  });
  out += writer.event({ type: 'tool-call-delta', index: 0, argumentsDelta: '"ls"}' });
  out += writer.event({ type: 'tool-call-delta', index: 1, argumentsDelta: '*** End Patch\\n"}' });
  return out + writer.finish(usage(100, 30), 0.0002, 'tool_calls');
}

function failedMidCall(): string {
  const writer = createResponsesStreamWriter(identity);
  let out = writer.open() + writer.event(text('Partial'));
  out += writer.event({
    type: 'tool-call-delta',
    index: 0,
    id: 'call_C3',
    name: 'exec_command',
    argumentsDelta: '{"cmd":"l',
  });
  out += writer.fail(new RouterError('upstream_stream_cut', 'the upstream closed the stream mid-answer'));
  return out + writer.finish(usage(1, 1), 0, 'stop');
}

describe('createResponsesStreamWriter: recorded transcripts', () => {
  it.each([
    ['stream-reasoning-text.sse', reasoningAndText],
    ['stream-tool-calls.sse', toolCalls],
    ['stream-failed.sse', failedMidCall],
  ])('writes %s exactly', (name, write) => {
    expect(write()).toBe(fixtureText(name));
  });

  it.each([reasoningAndText, toolCalls, failedMidCall])(
    'numbers events from 0, names each by its type, adds items in index order',
    (write) => {
      const messages = parseTranscript(write());
      expect(messages.map((message) => message.data.sequence_number)).toEqual(
        messages.map((_, index) => index),
      );
      for (const message of messages) expect(message.event).toBe(message.data.type);
      const added = messages.filter((message) => message.event === 'response.output_item.added');
      expect(added.map((message) => message.data.output_index)).toEqual(added.map((_, index) => index));
    },
  );
});

describe('createResponsesStreamWriter: events', () => {
  it('opens with response.created and response.in_progress, empty and in progress', () => {
    const messages = parseTranscript(createResponsesStreamWriter(identity).open());
    expect(messages.map((message) => message.event)).toEqual(['response.created', 'response.in_progress']);
    expect(messages[0]?.data.response).toMatchObject({
      id: 'resp_gen-1754490540-Xq3Lm9Pz',
      status: 'in_progress',
      output: [],
      usage: null,
      model: 'qwen/qwen3-coder',
    });
  });

  it('puts the real usage and cost in response.completed', () => {
    const completed = parseTranscript(reasoningAndText()).at(-1);
    expect(completed?.event).toBe('response.completed');
    expect(completed?.data.response.usage).toEqual({
      input_tokens: 21,
      input_tokens_details: { cached_tokens: 16, cache_write_tokens: 0 },
      output_tokens: 9,
      output_tokens_details: { reasoning_tokens: 4 },
      total_tokens: 30,
      cost: 0.0000123,
    });
  });

  it('ends a length-capped answer with response.incomplete and incomplete items', () => {
    const writer = createResponsesStreamWriter(identity);
    writer.open();
    writer.event(text('Once upon'));
    writer.event({ type: 'tool-call-delta', index: 0, id: 'call_1', name: 'read', argumentsDelta: '{"pa' });
    const messages = parseTranscript(writer.finish(usage(5, 64), 0.001, 'length'));
    // The cut-off call gets no output_item.done: an agent would run it.
    expect(messages.map((message) => message.event)).toEqual(['response.incomplete']);
    const response = messages.at(-1)?.data.response;
    expect(response.status).toBe('incomplete');
    expect(response.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(response.output.map((item: any) => item.status)).toEqual(['completed', 'incomplete']);
  });

  it('reports a content filter stop as incomplete', () => {
    const writer = createResponsesStreamWriter(identity);
    writer.open();
    writer.event(text('I'));
    const messages = parseTranscript(writer.finish(usage(5, 1), 0, 'content_filter'));
    expect(messages.at(-2)?.data.item.status).toBe('incomplete');
    expect(messages.at(-1)?.data.response.incomplete_details).toEqual({ reason: 'content_filter' });
  });

  it('ends an answer the model closed with an error as failed', () => {
    const writer = createResponsesStreamWriter(identity);
    writer.open();
    const messages = parseTranscript(writer.finish(usage(5, 0), 0, 'error'));
    expect(messages.map((message) => message.event)).toEqual(['error', 'response.failed']);
    expect(messages[0]?.data).toEqual({
      type: 'error',
      code: 'server_error',
      message: 'the model ended its answer with an error',
      param: null,
      sequence_number: 2,
    });
    expect(messages[1]?.data.response.error).toEqual({
      code: 'server_error',
      message: 'the model ended its answer with an error',
    });
  });

  it('fails with the OpenAI code Codex acts on and the wait it parses', () => {
    const writer = createResponsesStreamWriter(identity);
    writer.open();
    const error = new RouterError('upstream_rate_limited', 'upstream error 429: slow down', {
      retryAfterSeconds: 11.2,
    });
    const messages = parseTranscript(writer.fail(error));
    expect(messages[0]?.data).toMatchObject({
      type: 'error',
      code: 'rate_limit_exceeded',
      message: 'upstream error 429: slow down Please try again in 12s.',
    });
    expect(messages[1]?.data.response).toMatchObject({ status: 'failed', usage: null, output: [] });
  });

  it('renders custom tool input whole and local shell calls as Codex reads them', () => {
    const writer = createResponsesStreamWriter(identity);
    writer.open();
    writer.event({
      type: 'tool-call-delta',
      index: 0,
      id: 'call_sh',
      name: 'shell--local_shell',
      argumentsDelta: '{"command":["du","-sh","."],"workdir":"/srv","timeout_ms":5000}',
    });
    writer.event({
      type: 'tool-call-delta',
      index: 1,
      id: 'call_p',
      name: 'apply_patch--custom',
      argumentsDelta: 'not json',
    });
    const messages = parseTranscript(writer.finish(usage(1, 1), 0, 'tool_calls'));
    const done = messages
      .filter((message) => message.event === 'response.output_item.done')
      .map((message) => message.data.item);
    expect(done).toEqual([
      {
        id: 'lsh_gen-1754490540-Xq3Lm9Pz_0',
        type: 'local_shell_call',
        status: 'completed',
        call_id: 'call_sh',
        action: {
          type: 'exec',
          command: ['du', '-sh', '.'],
          env: {},
          timeout_ms: 5000,
          working_directory: '/srv',
          user: null,
        },
      },
      {
        id: 'ctc_gen-1754490540-Xq3Lm9Pz_1',
        type: 'custom_tool_call',
        status: 'completed',
        call_id: 'call_p',
        name: 'apply_patch',
        input: 'not json',
      },
    ]);
    expect(messages.some((message) => message.event === 'response.function_call_arguments.delta')).toBe(
      false,
    );
  });

  it('names namespaced calls with their namespace and invents a call id when the upstream gave none', () => {
    const writer = createResponsesStreamWriter(identity);
    writer.open();
    writer.event({
      type: 'tool-call-delta',
      index: 3,
      name: 'mcp__tracker__--search_issues',
      argumentsDelta: '{}',
    });
    const item = parseTranscript(writer.finish(usage(1, 1), 0, 'tool_calls')).at(-2)?.data.item;
    expect(item).toEqual({
      id: 'fc_gen-1754490540-Xq3Lm9Pz_0',
      type: 'function_call',
      status: 'completed',
      arguments: '{}',
      call_id: 'call_gen-1754490540-Xq3Lm9Pz_3',
      name: 'search_issues',
      namespace: 'mcp__tracker__',
    });
  });

  it('opens a new message item for text after a tool call, and skips empty deltas', () => {
    const writer = createResponsesStreamWriter(identity);
    writer.open();
    expect(writer.event(text(''))).toBe('');
    writer.event({ type: 'tool-call-delta', index: 0, id: 'c', name: 'f', argumentsDelta: '{}' });
    writer.event(text('After.'));
    const response = parseTranscript(writer.finish(usage(1, 1), 0, 'stop')).at(-1)?.data.response;
    expect(response.output.map((item: any) => item.type)).toEqual(['function_call', 'message']);
  });

  it('names the failover model in the closing response', () => {
    const writer = createResponsesStreamWriter(identity);
    writer.open();
    writer.setModel('deepseek/deepseek-v3.2', 'DeepSeek');
    writer.event(text('Hi'));
    const response = parseTranscript(writer.finish(usage(1, 1), 0, 'stop')).at(-1)?.data.response;
    expect(response).toMatchObject({ model: 'deepseek/deepseek-v3.2', provider: 'DeepSeek' });
  });

  it('writes nothing after the end, relays nothing and keeps alive with a comment', () => {
    const writer = createResponsesStreamWriter(identity);
    writer.open();
    expect(writer.finish(usage(1, 1), 0, 'stop')).not.toBe('');
    expect(writer.event(text('late'))).toBe('');
    expect(writer.finish(usage(1, 1), 0, 'stop')).toBe('');
    expect(writer.fail(new RouterError('upstream_stream_cut', 'x'))).toBe('');
    expect(writer.relay('response.completed', {})).toBe('');
    expect(writer.keepAlive()).toBe(': PARETO PROCESSING\n\n');
  });
});
