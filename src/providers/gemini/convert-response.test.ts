import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RouterError } from '../../core/errors.js';
import { routerErrorOf } from '../../core/test-support/router-error-of.js';
import { fixturesOf } from '../test-support/read-fixture.js';
import { convertResponse } from './convert-response.js';

const { json: fixture } = fixturesOf('gemini');

describe('convertResponse', () => {
  it('converts a text answer with cached prompt tokens and thinking tokens', () => {
    expect(convertResponse(fixture('response-text.json'))).toEqual({
      id: 'k3hBaOXnGPSj1MkPlcKu4Qk',
      model: 'gemini-2.5-flash',
      content:
        'A binary search halves the search interval on every step, so it finds an element of a sorted array of n items in O(log n) comparisons.',
      reasoning: null,
      toolCalls: [],
      finishReason: 'stop',
      nativeFinishReason: 'STOP',
      usage: {
        promptTokens: 2112,
        completionTokens: 426,
        cachedTokens: 2048,
        cacheWriteTokens: 0,
        reasoningTokens: 395,
      },
    });
  });

  it('converts function calls to tool calls with generated ids and a tool_calls finish', () => {
    const result = convertResponse(fixture('response-function-call.json'));
    expect(result.content).toBe("I'll look at both files.");
    expect(result.toolCalls).toEqual([
      {
        id: 'call_Wl9BaNrKM8Gb1MkP9cnQqAc_0',
        type: 'function',
        function: { name: 'read_file', arguments: '{"path":"src/index.ts"}' },
      },
      {
        id: 'call_Wl9BaNrKM8Gb1MkP9cnQqAc_1',
        type: 'function',
        function: { name: 'read_file', arguments: '{"path":"package.json"}' },
      },
    ]);
    expect(result.finishReason).toBe('tool_calls');
    expect(result.nativeFinishReason).toBe('STOP');
    expect(result.usage).toMatchObject({ promptTokens: 184, completionTokens: 168, reasoningTokens: 120 });
  });

  it('separates thought parts into reasoning', () => {
    const result = convertResponse(fixture('response-thinking.json'));
    expect(result.reasoning).toBe(
      '**Checking the edge case**\n\nThe loop must stop when low passes high, otherwise an empty array loops forever.\n',
    );
    expect(result.content).toBe('Use `while (low <= high)` and return -1 after the loop.');
    expect(result.usage.completionTokens).toBe(17 + 638);
  });

  it('reads a MAX_TOKENS answer whose content has no parts', () => {
    const result = convertResponse(fixture('response-max-tokens.json'));
    expect(result.content).toBeNull();
    expect(result.finishReason).toBe('length');
    expect(result.usage).toMatchObject({ promptTokens: 12, completionTokens: 99, reasoningTokens: 99 });
  });

  it('turns a blocked prompt into a content_filter finish', () => {
    const result = convertResponse(fixture('response-prompt-blocked.json'));
    expect(result).toMatchObject({
      content: null,
      toolCalls: [],
      finishReason: 'content_filter',
      nativeFinishReason: 'PROHIBITED_CONTENT',
    });
    expect(result.usage.promptTokens).toBe(9);
  });

  it('keeps partial text of a candidate stopped for safety', () => {
    const result = convertResponse(fixture('response-safety.json'));
    expect(result.content).toBe('Here is how');
    expect(result.finishReason).toBe('content_filter');
    expect(result.nativeFinishReason).toBe('SAFETY');
  });

  it('reports a malformed function call as an error finish', () => {
    const result = convertResponse(fixture('response-malformed-function-call.json'));
    expect(result.finishReason).toBe('error');
    expect(result.nativeFinishReason).toBe('MALFORMED_FUNCTION_CALL');
    expect(result.toolCalls).toEqual([]);
  });

  it('uses the id of a function call when Gemini sends one', () => {
    const result = convertResponse({
      candidates: [
        { content: { parts: [{ functionCall: { id: 'fc-7', name: 'f', args: {} } }] }, finishReason: 'STOP' },
      ],
    });
    expect(result.toolCalls[0]?.id).toBe('fc-7');
    expect(result.toolCalls[0]?.function.arguments).toBe('{}');
  });

  it('falls back to call_<index> ids when the response has no id', () => {
    const result = convertResponse({
      candidates: [{ content: { parts: [{ functionCall: { name: 'f' } }] }, finishReason: 'STOP' }],
    });
    expect(result.toolCalls[0]?.id).toBe('call_0');
  });

  it.each([
    ['a string', 'hello'],
    ['null', null],
    ['candidates that are not a list', { candidates: 'x' }],
    ['a part whose text is a number', { candidates: [{ content: { parts: [{ text: 5 }] } }] }],
    ['negative token counts', { candidates: [], usageMetadata: { promptTokenCount: -1 } }],
    ['no candidates and no block reason', { usageMetadata: { promptTokenCount: 3 } }],
  ])('throws upstream_bad_response for %s', (_label, body) => {
    expect(routerErrorOf(() => convertResponse(body)).code).toBe('upstream_bad_response');
  });

  it('throws the mapped error for an error envelope', () => {
    const error = routerErrorOf(() =>
      convertResponse({ error: { code: 429, message: 'quota', status: 'RESOURCE_EXHAUSTED' } }),
    );
    expect(error.code).toBe('upstream_rate_limited');
  });

  it('returns a result or throws a RouterError for any JSON value', () => {
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
