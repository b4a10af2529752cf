import { describe, expect, it } from 'vitest';
import { routerErrorOf } from '../../core/test-support/router-error-of.js';
import { fixturesOf } from '../test-support/read-fixture.js';
import { convertResponse } from './convert-response.js';

const { json: readFixtureJson } = fixturesOf('anthropic');

describe('convertResponse on recorded bodies', () => {
  it('converts a text answer and adds cache reads and writes to the prompt count', () => {
    expect(convertResponse(readFixtureJson('response-text.json'))).toEqual({
      id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
      model: 'claude-sonnet-4-6',
      content: 'The function returns early when `items` is empty, so the loop never runs.',
      reasoning: null,
      toolCalls: [],
      finishReason: 'stop',
      nativeFinishReason: 'end_turn',
      usage: {
        promptTokens: 412 + 1024 + 8192,
        completionTokens: 23,
        cachedTokens: 8192,
        cacheWriteTokens: 1024,
        reasoningTokens: 0,
      },
    });
  });

  it('converts tool_use blocks to tool calls with JSON arguments', () => {
    const result = convertResponse(readFixtureJson('response-tool-use.json'));
    expect(result.content).toBe("I'll read the file first.");
    expect(result.toolCalls).toEqual([
      {
        id: 'toolu_01A09q90qw90lq917835lq9',
        type: 'function',
        function: { name: 'read_file', arguments: '{"path":"src/index.ts","start_line":1}' },
      },
      {
        id: 'toolu_01B7xkQ2Ltq3Q3m6V3Yk9fAa',
        type: 'function',
        function: { name: 'list_directory', arguments: '{}' },
      },
    ]);
    expect(result.finishReason).toBe('tool_calls');
    expect(result.nativeFinishReason).toBe('tool_use');
    expect(result.usage.promptTokens).toBe(1650);
  });

  it('converts thinking to reasoning, skips redacted thinking and reads null cache counts as 0', () => {
    const result = convertResponse(readFixtureJson('response-thinking.json'));
    expect(result.reasoning).toBe('The off-by-one comes from `<=` in the loop bound.');
    expect(result.content).toBe('Change `i <= n` to `i < n`.');
    expect(result.usage).toEqual({
      promptTokens: 210,
      completionTokens: 388,
      cachedTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
    });
  });

  it('maps max_tokens to length and a refusal to content_filter', () => {
    const truncated = convertResponse(readFixtureJson('response-max-tokens.json'));
    expect([truncated.finishReason, truncated.nativeFinishReason]).toEqual(['length', 'max_tokens']);
    expect(truncated.usage.promptTokens).toBe(95);
    const refused = convertResponse(readFixtureJson('response-refusal.json'));
    expect([refused.finishReason, refused.nativeFinishReason, refused.content]).toEqual([
      'content_filter',
      'refusal',
      null,
    ]);
  });
});

describe('convertResponse on malformed bodies', () => {
  it.each([
    ['not an object', 'hello', 'body'],
    ['no content', { id: 'msg_1', stop_reason: 'end_turn' }, 'body.content'],
    ['a block without a type', { content: [{ text: 'x' }] }, 'content[0].type'],
    ['a text block without text', { content: [{ type: 'text', text: 5 }] }, 'content[0].text'],
    [
      'a tool_use block without a name',
      { content: [{ type: 'tool_use', id: 'toolu_1', input: {} }] },
      'content[0].name',
    ],
    ['a negative token count', { content: [], usage: { input_tokens: -3 } }, 'body.usage.input_tokens'],
  ])('throws upstream_bad_response for %s, naming the field', (_name, body, field) => {
    const error = routerErrorOf(() => convertResponse(body));
    expect(error.code).toBe('upstream_bad_response');
    expect(error.message).toContain(field);
  });

  it('throws the mapped error when a 200 body is an error envelope', () => {
    const error = routerErrorOf(() => convertResponse(readFixtureJson('error-overloaded.json')));
    expect([error.code, error.status, error.retryable]).toEqual(['upstream_server_error', 503, true]);
  });

  it('ignores unknown block types and fields', () => {
    const result = convertResponse({
      id: 'msg_1',
      content: [
        { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'x' } },
        { type: 'text', text: 'answer', citations: [{ type: 'web_search_result_location' }] },
      ],
      stop_reason: 'pause_turn',
      container: null,
    });
    expect([result.content, result.toolCalls, result.finishReason]).toEqual(['answer', [], 'stop']);
  });
});
