import { describe, expect, it } from 'vitest';
import type { UpstreamEndpoint } from '../protocol-adapter.js';
import { createGeminiRequest, geminiDefaultBaseUrl } from './create-gemini-request.js';

const endpoint: UpstreamEndpoint = {
  name: 'gemini',
  protocol: 'gemini',
  baseUrl: geminiDefaultBaseUrl,
  apiKey: 'test-key',
};

describe('createGeminiRequest', () => {
  it('builds a generateContent call authenticated with x-goog-api-key', () => {
    const { http, warnings } = createGeminiRequest(
      { model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'Hi' }] },
      endpoint,
    );
    expect(http.path).toBe('/models/gemini-2.5-flash:generateContent');
    expect(http.headers).toEqual({
      'content-type': 'application/json',
      accept: 'application/json',
      'x-goog-api-key': 'test-key',
    });
    expect(JSON.parse(http.body)).toEqual({ contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] });
    expect(warnings).toEqual([]);
  });

  it('asks for SSE when streaming', () => {
    const { http } = createGeminiRequest(
      { model: 'gemini-2.5-pro', stream: true, messages: [{ role: 'user', content: 'Hi' }] },
      endpoint,
    );
    expect(http.path).toBe('/models/gemini-2.5-pro:streamGenerateContent?alt=sse');
    expect(http.headers.accept).toBe('text/event-stream');
  });

  it.each([
    ['gemini 2.5 flash?x=1', '/models/gemini%202.5%20flash%3Fx%3D1:generateContent'],
    ['models/gemini-2.5-flash', '/models/gemini-2.5-flash:generateContent'],
    ['tunedModels/my-model-x1', '/tunedModels/my-model-x1:generateContent'],
    ['publishers/google/gemini#1', '/models/publishers/google/gemini%231:generateContent'],
  ])('encodes the model name %j but keeps its slashes', (model, path) => {
    const { http } = createGeminiRequest({ model, messages: [{ role: 'user', content: 'Hi' }] }, endpoint);
    expect(http.path).toBe(path);
  });

  it('sends extra endpoint headers and no key header without a key', () => {
    const { http } = createGeminiRequest(
      { model: 'm', messages: [{ role: 'user', content: 'Hi' }] },
      {
        name: 'proxy',
        protocol: 'gemini',
        baseUrl: 'http://127.0.0.1:9000/v1beta',
        headers: { 'x-team': 'core' },
      },
    );
    expect(http.headers).toEqual({
      'x-team': 'core',
      'content-type': 'application/json',
      accept: 'application/json',
    });
  });

  it('returns the conversion warnings', () => {
    const { warnings } = createGeminiRequest(
      { model: 'm', messages: [{ role: 'user', content: 'Hi' }], parallel_tool_calls: false },
      endpoint,
    );
    expect(warnings).toHaveLength(1);
  });
});
