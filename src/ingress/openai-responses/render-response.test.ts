import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ChatResult, Usage } from '../../core/chat-result.js';
import type { ResponseIdentity } from '../ingress-adapter.js';
import { renderResponse } from './render-response.js';

const identity: ResponseIdentity = {
  id: 'gen-1754490540-Xq3Lm9Pz',
  created: 1754490540,
  model: 'moonshotai/kimi-k2',
  provider: 'Moonshot AI',
};

// `completed_at` is the clock at completion: a fixed clock keeps the transcripts exact.
beforeAll(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(1754490542_000));
});
afterAll(() => {
  vi.useRealTimers();
});

const usage: Usage = {
  promptTokens: 1200,
  completionTokens: 80,
  cachedTokens: 1024,
  cacheWriteTokens: 0,
  reasoningTokens: 30,
};

function result(overrides: Partial<ChatResult>): ChatResult {
  return {
    content: null,
    reasoning: null,
    toolCalls: [],
    finishReason: 'stop',
    nativeFinishReason: 'stop',
    usage,
    ...overrides,
  };
}

function render(overrides: Partial<ChatResult>) {
  return JSON.parse(renderResponse(identity, result(overrides), usage, 0.00042));
}

describe('renderResponse', () => {
  it('renders reasoning, text and every kind of tool call as a completed Response', () => {
    const body = render({
      reasoning: 'Need the file first.',
      content: 'Reading it now.',
      finishReason: 'tool_calls',
      toolCalls: [
        { id: 'call_1', type: 'function', function: { name: 'read_file', arguments: '{"path":"a.ts"}' } },
        {
          id: 'call_2',
          type: 'function',
          function: { name: 'apply_patch--custom', arguments: '{"input":"*** Begin Patch"}' },
        },
        { id: 'call_3', type: 'function', function: { name: 'crm--find', arguments: '{"q":"x"}' } },
        {
          id: 'call_4',
          type: 'function',
          function: { name: 'shell--local_shell', arguments: '{"command":["ls"]}' },
        },
      ],
    });
    expect(body).toEqual({
      id: 'resp_gen-1754490540-Xq3Lm9Pz',
      object: 'response',
      created_at: 1754490540,
      completed_at: 1754490542,
      status: 'completed',
      background: false,
      error: null,
      incomplete_details: null,
      instructions: null,
      max_output_tokens: null,
      model: 'moonshotai/kimi-k2',
      output: [
        {
          id: 'rs_gen-1754490540-Xq3Lm9Pz_0',
          type: 'reasoning',
          summary: [{ type: 'summary_text', text: 'Need the file first.' }],
        },
        {
          id: 'msg_gen-1754490540-Xq3Lm9Pz_1',
          type: 'message',
          status: 'completed',
          content: [{ type: 'output_text', annotations: [], logprobs: [], text: 'Reading it now.' }],
          role: 'assistant',
        },
        {
          id: 'fc_gen-1754490540-Xq3Lm9Pz_2',
          type: 'function_call',
          status: 'completed',
          arguments: '{"path":"a.ts"}',
          call_id: 'call_1',
          name: 'read_file',
        },
        {
          id: 'ctc_gen-1754490540-Xq3Lm9Pz_3',
          type: 'custom_tool_call',
          status: 'completed',
          call_id: 'call_2',
          name: 'apply_patch',
          input: '*** Begin Patch',
        },
        {
          id: 'fc_gen-1754490540-Xq3Lm9Pz_4',
          type: 'function_call',
          status: 'completed',
          arguments: '{"q":"x"}',
          call_id: 'call_3',
          name: 'find',
          namespace: 'crm',
        },
        {
          id: 'lsh_gen-1754490540-Xq3Lm9Pz_5',
          type: 'local_shell_call',
          status: 'completed',
          call_id: 'call_4',
          action: {
            type: 'exec',
            command: ['ls'],
            env: {},
            timeout_ms: null,
            working_directory: null,
            user: null,
          },
        },
      ],
      parallel_tool_calls: true,
      previous_response_id: null,
      reasoning: { effort: null, summary: null },
      store: false,
      temperature: null,
      frequency_penalty: null,
      presence_penalty: null,
      text: { format: { type: 'text' } },
      tool_choice: 'auto',
      tools: [],
      top_p: null,
      truncation: 'disabled',
      usage: {
        input_tokens: 1200,
        input_tokens_details: { cached_tokens: 1024, cache_write_tokens: 0 },
        output_tokens: 80,
        output_tokens_details: { reasoning_tokens: 30 },
        total_tokens: 1280,
        cost: 0.00042,
      },
      user: null,
      metadata: {},
      provider: 'Moonshot AI',
    });
  });

  it('renders a length-capped answer as incomplete', () => {
    const body = render({ content: 'Once upon a', finishReason: 'length', nativeFinishReason: 'length' });
    expect(body.status).toBe('incomplete');
    expect(body.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(body.output[0].status).toBe('incomplete');
  });

  it('renders a content filter stop as incomplete and an error stop as failed', () => {
    expect(render({ content: 'x', finishReason: 'content_filter' }).incomplete_details).toEqual({
      reason: 'content_filter',
    });
    const failed = render({ content: null, finishReason: 'error' });
    expect(failed.status).toBe('failed');
    expect(failed.error).toEqual({
      code: 'server_error',
      message: 'the model ended its answer with an error',
    });
  });

  it('leaves empty text and reasoning out of the output', () => {
    expect(render({ content: '', reasoning: '' }).output).toEqual([]);
  });
});
