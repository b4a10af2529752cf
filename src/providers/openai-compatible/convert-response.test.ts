import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChatResult } from '../../core/chat-result.js';
import { RouterError } from '../../core/errors.js';
import { routerErrorOf } from '../../core/test-support/router-error-of.js';
import { fixturesOf } from '../test-support/read-fixture.js';
import { convertResponse } from './convert-response.js';

const { json: fixture } = fixturesOf('openai-compatible');

describe('convertResponse', () => {
  it('converts an OpenAI text answer', () => {
    expect(convertResponse(fixture('response-text.json'))).toEqual<ChatResult>({
      id: 'chatcmpl-C3kQm8ZfJt2Yv1nWqRpL0sXa9bTe',
      model: 'gpt-4.1-2025-04-14',
      content:
        'Use `Array.prototype.toSorted()` when you need a sorted copy: it leaves the original array untouched.',
      reasoning: null,
      toolCalls: [],
      finishReason: 'stop',
      nativeFinishReason: 'stop',
      usage: {
        promptTokens: 1342,
        completionTokens: 27,
        cachedTokens: 1280,
        cacheWriteTokens: 0,
        reasoningTokens: 0,
      },
    });
  });

  it('converts OpenAI tool calls', () => {
    const result = convertResponse(fixture('response-tool-calls.json'));
    expect(result.content).toBeNull();
    expect(result.finishReason).toBe('tool_calls');
    expect(result.nativeFinishReason).toBe('tool_calls');
    expect(result.toolCalls).toEqual([
      {
        id: 'call_Xk4Wm2pQ9rTz7YbN1cVd3FsH',
        type: 'function',
        function: { name: 'read_file', arguments: '{"path":"src/index.ts"}' },
      },
      {
        id: 'call_Lm8Qe5tRw2Yu6Io0PaSd9FgJ',
        type: 'function',
        function: { name: 'run_tests', arguments: '{"pattern":"src/**/*.test.ts","watch":false}' },
      },
    ]);
    expect(result.usage.promptTokens).toBe(412);
    expect(result.usage.completionTokens).toBe(58);
  });

  it('reads OpenRouter reasoning, native finish reason and cache writes', () => {
    const result = convertResponse(fixture('response-openrouter.json'));
    expect(result.id).toBe('gen-1754490402-qW7eR9tY2uI4oP6aS8dF');
    expect(result.model).toBe('anthropic/claude-sonnet-4');
    expect(result.content).toMatch(/^The loop never terminates/);
    expect(result.reasoning).toBe(
      'The user shows a while loop. The counter is declared inside the loop body, so each iteration starts from zero.',
    );
    expect(result.finishReason).toBe('stop');
    expect(result.nativeFinishReason).toBe('end_turn');
    expect(result.usage).toEqual({
      promptTokens: 2210,
      completionTokens: 96,
      cachedTokens: 1792,
      cacheWriteTokens: 384,
      reasoningTokens: 41,
    });
  });

  it("reads DeepSeek's reasoning_content and prompt_cache_hit_tokens", () => {
    const result = convertResponse(fixture('response-deepseek-reasoning.json'));
    expect(result.content).toBe('9.11 is smaller than 9.9.');
    expect(result.reasoning).toMatch(/^Compare the integer parts/);
    expect(result.usage).toEqual({
      promptTokens: 84,
      completionTokens: 212,
      cachedTokens: 64,
      cacheWriteTokens: 0,
      reasoningTokens: 187,
    });
  });

  it('throws the mapped error of a 200 body that carries an error', () => {
    const error = routerErrorOf(() => convertResponse(fixture('response-openrouter-error.json')));
    expect(error.code).toBe('upstream_server_error');
    expect(error.retryable).toBe(true);
    expect(error.status).toBe(502);
    expect(error.message).toContain('Provider returned error');
    expect(error.message).toContain('upstream connect error');
    expect(error.metadata?.provider_name).toBe('Together');
  });

  it('maps a 200 body error with a numeric rate-limit code to upstream_rate_limited', () => {
    const error = routerErrorOf(() =>
      convertResponse({ error: { code: 429, message: 'Rate limit exceeded: free-models-per-min' } }),
    );
    expect(error.code).toBe('upstream_rate_limited');
    expect(error.retryable).toBe(true);
  });

  it('throws upstream_bad_response for malformed bodies', () => {
    for (const body of [null, 'text', 42, [], {}, { choices: 'none' }, { choices: [] }, { choices: [{}] }]) {
      const error = routerErrorOf(() => convertResponse(body));
      expect(error.code).toBe('upstream_bad_response');
      expect(error.retryable).toBe(true);
    }
  });

  it('maps finish reasons, keeping the raw value', () => {
    const answer = (finishReason: unknown, extra: Record<string, unknown> = {}) =>
      convertResponse({
        choices: [{ message: { content: 'x', ...extra }, finish_reason: finishReason }],
      });
    expect(answer('length').finishReason).toBe('length');
    expect(answer('content_filter').finishReason).toBe('content_filter');
    expect(answer('error').finishReason).toBe('error');
    expect(answer('eos')).toMatchObject({ finishReason: 'stop', nativeFinishReason: 'eos' });
    expect(answer(null)).toMatchObject({ finishReason: 'stop', nativeFinishReason: null });
    expect(
      answer('function_call', { function_call: { name: 'lookup', arguments: '{"q":1}' } }),
    ).toMatchObject({
      finishReason: 'tool_calls',
      nativeFinishReason: 'function_call',
      toolCalls: [{ type: 'function', function: { name: 'lookup', arguments: '{"q":1}' } }],
    });
  });

  it('tolerates vendor variations: part lists, object arguments, missing ids, odd counts', () => {
    const result = convertResponse({
      id: 'resp-1',
      choices: [
        {
          message: {
            content: [
              { type: 'text', text: 'Hello ' },
              { type: 'image_url', image_url: { url: 'x' } },
              { type: 'text', text: 'world' },
            ],
            tool_calls: [{ type: 'function', function: { name: 'search', arguments: { query: 'zod' } } }],
          },
          finish_reason: 'stop',
        },
      ],
      usage: { prompt_tokens: '12', completion_tokens: 7.6, completion_tokens_details: null },
    });
    expect(result.content).toBe('Hello world');
    expect(result.toolCalls).toEqual([
      { id: 'call_resp-1_0', type: 'function', function: { name: 'search', arguments: '{"query":"zod"}' } },
    ]);
    // `stop` with tool calls is reported as tool_calls: callers run tools by this value.
    expect(result.finishReason).toBe('tool_calls');
    expect(result.nativeFinishReason).toBe('stop');
    expect(result.usage).toEqual({
      promptTokens: 0,
      completionTokens: 8,
      cachedTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
    });
  });

  it('fills zero usage when the upstream sent none', () => {
    const result = convertResponse({ choices: [{ message: { content: 'ok' }, finish_reason: 'stop' }] });
    expect(result.usage).toEqual({
      promptTokens: 0,
      completionTokens: 0,
      cachedTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
    });
    expect('id' in result).toBe(false);
  });

  it('throws nothing but RouterErrors for arbitrary JSON (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        try {
          convertResponse(value);
        } catch (error) {
          expect(error).toBeInstanceOf(RouterError);
        }
      }),
    );
  });
});
