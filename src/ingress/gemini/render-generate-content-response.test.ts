import { describe, expect, it } from 'vitest';
import type { ChatResult, FinishReason, Usage } from '../../core/chat-result.js';
import { fixturesOf } from '../../providers/test-support/read-fixture.js';
import type { ResponseIdentity } from '../ingress-adapter.js';
import { mapFinishReason } from './map-finish-reason.js';
import { renderGenerateContentResponse } from './render-generate-content-response.js';

const identity: ResponseIdentity = {
  id: 'gen-1764673512-Lp3sW8nQ2vRt5yUx',
  created: 1764673512,
  model: 'openai/gpt-5.1-codex',
  provider: 'OpenAI',
};

const usage: Usage = {
  promptTokens: 1200,
  completionTokens: 300,
  cachedTokens: 1024,
  cacheWriteTokens: 0,
  reasoningTokens: 120,
};

function result(overrides: Partial<ChatResult> = {}): ChatResult {
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

const render = (chatResult: ChatResult, native?: unknown) =>
  JSON.parse(renderGenerateContentResponse(identity, chatResult, usage, 0.00521, native));

describe('renderGenerateContentResponse: converted answers', () => {
  it('renders thoughts, text and function calls with ids, usage without thoughts in candidates, and the cost', () => {
    const body = render(
      result({
        reasoning: 'Check the bounds first.',
        content: 'Reading both files.',
        toolCalls: [
          {
            id: 'call_Ab12',
            type: 'function',
            function: { name: 'read_file', arguments: '{"absolute_path":"/a.ts"}' },
          },
          { id: 'call_Cd34', type: 'function', function: { name: 'glob', arguments: '' } },
        ],
        finishReason: 'tool_calls',
        nativeFinishReason: 'tool_calls',
      }),
    );
    expect(body).toEqual({
      candidates: [
        {
          content: {
            parts: [
              { text: 'Check the bounds first.', thought: true },
              { text: 'Reading both files.' },
              { functionCall: { name: 'read_file', args: { absolute_path: '/a.ts' }, id: 'call_Ab12' } },
              { functionCall: { name: 'glob', args: {}, id: 'call_Cd34' } },
            ],
            role: 'model',
          },
          finishReason: 'STOP',
          index: 0,
        },
      ],
      usageMetadata: {
        promptTokenCount: 1200,
        candidatesTokenCount: 180,
        totalTokenCount: 1500,
        cachedContentTokenCount: 1024,
        thoughtsTokenCount: 120,
        cost: 0.00521,
      },
      modelVersion: 'openai/gpt-5.1-codex',
      responseId: 'gen-1764673512-Lp3sW8nQ2vRt5yUx',
    });
  });

  it('ends an empty answer with one empty text part', () => {
    const body = render(result({ finishReason: 'content_filter', nativeFinishReason: 'content_filter' }));
    expect(body.candidates).toEqual([
      { content: { parts: [{ text: '' }], role: 'model' }, finishReason: 'SAFETY', index: 0 },
    ]);
  });

  it('reports a call with arguments that are not an object as MALFORMED_FUNCTION_CALL', () => {
    const body = render(
      result({
        content: 'Calling.',
        toolCalls: [
          { id: 'c1', type: 'function', function: { name: 'replace', arguments: '["not", "an object"]' } },
        ],
        finishReason: 'tool_calls',
      }),
    );
    expect(body.candidates[0]).toEqual({
      content: { parts: [{ text: 'Calling.' }], role: 'model' },
      finishReason: 'MALFORMED_FUNCTION_CALL',
      finishMessage: 'Malformed function call: the arguments of replace are not a JSON object',
      index: 0,
    });
  });
});

describe('renderGenerateContentResponse: relayed Gemini answers', () => {
  it('rewrites modelVersion and responseId, adds the cost, and keeps everything else', () => {
    const upstream = fixturesOf('gemini').json('response-function-call.json') as Record<string, unknown>;
    const body = render(result(), upstream);
    expect(body).toEqual({
      ...upstream,
      usageMetadata: { ...(upstream.usageMetadata as object), cost: 0.00521 },
      modelVersion: 'openai/gpt-5.1-codex',
      responseId: 'gen-1764673512-Lp3sW8nQ2vRt5yUx',
    });
    expect(body.candidates[0].content.parts[1].thoughtSignature).toBe(
      'CtMDAVSoXO7wJ0y6Xq1fzq0S3nVd4m6bAqT1f0N2rPp9kYk3Lw8x1hQpE0a7R2yq8uZc6bFv+H4QmJxN9sW0Pq',
    );
    expect(body.candidates[0].finishMessage).toBe('Model generated function call(s).');
  });

  it('renders the converted form when the native body is not a response', () => {
    const body = render(result({ content: 'Hi' }), {
      error: { code: 500, message: 'x', status: 'INTERNAL' },
    });
    expect(body.candidates[0].content.parts).toEqual([{ text: 'Hi' }]);
  });
});

describe('mapFinishReason', () => {
  it('maps each unified finish reason', () => {
    const unified: FinishReason[] = ['stop', 'length', 'tool_calls', 'content_filter', 'error'];
    expect(unified.map((reason) => mapFinishReason(reason, null))).toEqual([
      'STOP',
      'MAX_TOKENS',
      'STOP',
      'SAFETY',
      'OTHER',
    ]);
  });

  it('keeps a Gemini reason only when it agrees with the unified one', () => {
    expect(mapFinishReason('content_filter', 'PROHIBITED_CONTENT')).toBe('PROHIBITED_CONTENT');
    expect(mapFinishReason('error', 'MALFORMED_FUNCTION_CALL')).toBe('MALFORMED_FUNCTION_CALL');
    expect(mapFinishReason('tool_calls', 'STOP')).toBe('STOP');
    expect(mapFinishReason('error', 'STOP')).toBe('OTHER');
    expect(mapFinishReason('stop', 'end_turn')).toBe('STOP');
    expect(mapFinishReason('error', 'SOMETHING_NEW')).toBe('OTHER');
  });
});
