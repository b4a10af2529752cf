import { describe, expect, it } from 'vitest';
import type { ChatRequest } from '../../core/chat-request.js';
import { fixturesOf } from '../test-support/read-fixture.js';
import { geminiAdapter } from './index.js';

const { json: fixture } = fixturesOf('gemini');

const endpoint = {
  name: 'gemini',
  protocol: 'gemini',
  baseUrl: 'https://example.invalid/v1beta',
  apiKey: 'k',
} as const;

describe('geminiAdapter', () => {
  it('speaks the gemini protocol', () => {
    expect(geminiAdapter.protocol).toBe('gemini');
  });

  it('round-trips tool calls: the parsed answer, sent back with results, becomes functionCall and functionResponse parts', () => {
    const result = geminiAdapter.parseResponse(fixture('response-function-call.json'));
    const followUp: ChatRequest = {
      model: 'gemini-2.5-pro',
      messages: [
        { role: 'user', content: 'Summarise the entry point and the package.' },
        { role: 'assistant', content: result.content, tool_calls: result.toolCalls },
        ...result.toolCalls.map((call, index) => ({
          role: 'tool' as const,
          tool_call_id: call.id,
          content: index === 0 ? 'export {}' : '{"name":"demo"}',
        })),
      ],
    };
    const { http } = geminiAdapter.buildRequest(followUp, endpoint);
    expect(JSON.parse(http.body).contents).toEqual([
      { role: 'user', parts: [{ text: 'Summarise the entry point and the package.' }] },
      {
        role: 'model',
        parts: [
          { text: "I'll look at both files." },
          {
            functionCall: { name: 'read_file', args: { path: 'src/index.ts' } },
            thoughtSignature: 'skip_thought_signature_validator',
          },
          { functionCall: { name: 'read_file', args: { path: 'package.json' } } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'read_file', response: { result: 'export {}' } } },
          { functionResponse: { name: 'read_file', response: { name: 'demo' } } },
        ],
      },
    ]);
  });

  it('maps errors through mapError', () => {
    const error = geminiAdapter.mapError(
      503,
      '{"error":{"code":503,"message":"busy","status":"UNAVAILABLE"}}',
      undefined,
    );
    expect(error.code).toBe('upstream_server_error');
  });
});
