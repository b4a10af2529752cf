import { describe, expect, it } from 'vitest';
import type { ChatResult, FinishReason, Usage } from '../../core/chat-result.js';
import { fixturesOf } from '../../providers/test-support/read-fixture.js';
import type { ResponseIdentity } from '../ingress-adapter.js';
import { renderMessage } from './render-message.js';

const identity: ResponseIdentity = {
  id: 'gen-1733500000-a1b2c3d4e5f6a7b8c9d0',
  created: 1733500000,
  model: 'openai/gpt-5.1-codex',
  provider: 'OpenAI',
};

const usage: Usage = {
  promptTokens: 2000,
  completionTokens: 120,
  cachedTokens: 1500,
  cacheWriteTokens: 300,
  reasoningTokens: 40,
};

function result(overrides: Partial<ChatResult> = {}): ChatResult {
  return {
    content: null,
    reasoning: null,
    toolCalls: [],
    finishReason: 'stop',
    nativeFinishReason: null,
    usage,
    ...overrides,
  };
}

function render(overrides: Partial<ChatResult> = {}): Record<string, unknown> {
  return JSON.parse(renderMessage(identity, result(overrides), usage, 0.0042, undefined));
}

describe('renderMessage on the converted path', () => {
  it('renders thinking, text and tool_use blocks with Anthropic usage and the cost', () => {
    const body = render({
      content: 'Fixed the sign.',
      reasoning: 'add subtracts.',
      toolCalls: [
        { id: 'call_1', type: 'function', function: { name: 'Edit', arguments: '{"file_path":"a.ts"}' } },
        { id: 'functions.Bash:2', type: 'function', function: { name: 'Bash', arguments: '{"command":' } },
      ],
      finishReason: 'tool_calls',
      nativeFinishReason: 'tool_calls',
    });
    expect(body).toEqual({
      id: 'msg_gen-1733500000-a1b2c3d4e5f6a7b8c9d0',
      type: 'message',
      role: 'assistant',
      model: 'openai/gpt-5.1-codex',
      content: [
        { type: 'thinking', thinking: 'add subtracts.', signature: '' },
        { type: 'text', text: 'Fixed the sign.' },
        { type: 'tool_use', id: 'call_1', name: 'Edit', input: { file_path: 'a.ts' } },
        { type: 'tool_use', id: 'functions_Bash_2', name: 'Bash', input: {} },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: {
        input_tokens: 200,
        output_tokens: 120,
        cache_creation_input_tokens: 300,
        cache_read_input_tokens: 1500,
        cost: 0.0042,
      },
    });
  });

  it('never reports negative input tokens', () => {
    const odd: Usage = { ...usage, promptTokens: 10 };
    const body = JSON.parse(renderMessage(identity, result(), odd, 0, undefined));
    expect(body.usage.input_tokens).toBe(0);
  });

  it('renders an empty answer as empty content', () => {
    expect(render().content).toEqual([]);
  });

  it.each([
    ['stop', null, false, 'end_turn'],
    ['stop', null, true, 'tool_use'],
    ['length', null, false, 'max_tokens'],
    ['tool_calls', null, true, 'tool_use'],
    ['content_filter', null, false, 'refusal'],
    ['error', null, false, 'end_turn'],
    ['stop', 'stop_sequence', false, 'stop_sequence'],
    ['stop', 'pause_turn', false, 'pause_turn'],
    ['length', 'model_context_window_exceeded', false, 'model_context_window_exceeded'],
    ['stop', 'STOP', false, 'end_turn'],
  ] as const)('maps %s (native %s, tool calls %s) to %s', (finishReason, native, withTools, stopReason) => {
    const toolCalls = withTools
      ? [{ id: 't', type: 'function' as const, function: { name: 'f', arguments: '{}' } }]
      : [];
    const body = render({
      finishReason: finishReason as FinishReason,
      nativeFinishReason: native,
      toolCalls,
    });
    expect(body.stop_reason).toBe(stopReason);
  });
});

describe('renderMessage on the native path', () => {
  it('relays the upstream body with the router id and model, and the cost in its usage', () => {
    const upstream = fixturesOf('anthropic').json('response-tool-use.json') as Record<string, unknown>;
    const body = JSON.parse(renderMessage(identity, result(), usage, 0.0042, upstream));
    expect(body).toEqual({
      ...upstream,
      id: 'msg_gen-1733500000-a1b2c3d4e5f6a7b8c9d0',
      model: 'openai/gpt-5.1-codex',
      usage: {
        input_tokens: 1650,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        output_tokens: 96,
        cost: 0.0042,
      },
    });
  });

  it('fills the usage in when the upstream body has none', () => {
    const body = JSON.parse(renderMessage(identity, result(), usage, 1, { type: 'message', content: [] }));
    expect(body.usage).toEqual({
      input_tokens: 200,
      output_tokens: 120,
      cache_creation_input_tokens: 300,
      cache_read_input_tokens: 1500,
      cost: 1,
    });
  });
});
