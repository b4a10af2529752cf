import { describe, expect, it } from 'vitest';
import type { ChatRequest } from '../../core/chat-request.js';
import type { UpstreamEndpoint } from '../protocol-adapter.js';
import { createOpenaiRequest } from './create-openai-request.js';

const endpoint: UpstreamEndpoint = {
  name: 'openrouter',
  protocol: 'openai',
  baseUrl: 'https://openrouter.ai/api/v1',
  apiKey: 'sk-or-test',
};

function bodyOf(request: ChatRequest, target: UpstreamEndpoint = endpoint): Record<string, unknown> {
  return JSON.parse(createOpenaiRequest(request, target).http.body) as Record<string, unknown>;
}

const baseRequest: ChatRequest = {
  model: 'deepseek/deepseek-chat-v3.1',
  messages: [{ role: 'user', content: 'Write a binary search.' }],
};

describe('createOpenaiRequest', () => {
  it('posts to /chat/completions with a bearer key and a JSON content type', () => {
    const { http, warnings } = createOpenaiRequest(baseRequest, endpoint);
    expect(http.path).toBe('/chat/completions');
    expect(http.headers).toEqual({ 'content-type': 'application/json', authorization: 'Bearer sk-or-test' });
    expect(warnings).toEqual([]);
    expect(JSON.parse(http.body)).toEqual(baseRequest);
  });

  it('sends no authorization header without a key and merges the endpoint headers', () => {
    const local: UpstreamEndpoint = {
      name: 'ollama',
      protocol: 'openai',
      baseUrl: 'http://127.0.0.1:11434/v1',
      headers: { 'X-Title': 'pareto-router', 'HTTP-Referer': 'https://example.test' },
    };
    expect(createOpenaiRequest(baseRequest, local).http.headers).toEqual({
      'content-type': 'application/json',
      'x-title': 'pareto-router',
      'http-referer': 'https://example.test',
    });
  });

  it('lets the configured key win over a configured Authorization header, without a duplicate', () => {
    const headers = createOpenaiRequest(baseRequest, {
      ...endpoint,
      headers: { Authorization: 'Bearer stale' },
    }).http.headers;
    expect(headers).toEqual({ 'content-type': 'application/json', authorization: 'Bearer sk-or-test' });
  });

  it('removes the router-only fields and keeps other plugins', () => {
    const body = bodyOf({
      ...baseRequest,
      models: ['openai/gpt-5', 'anthropic/claude-sonnet-4.5'],
      session_id: 'conversation-42',
      plugins: [
        { id: 'pareto-router', min_coding_score: 0.8 },
        { id: 'web', max_results: 3 },
      ],
    });
    expect(body.models).toBeUndefined();
    expect(body.session_id).toBeUndefined();
    expect(body.plugins).toEqual([{ id: 'web', max_results: 3 }]);
    expect('models' in body).toBe(false);
  });

  it('drops plugins entirely when only the router plugin was there', () => {
    const body = bodyOf({ ...baseRequest, plugins: [{ id: 'pareto-router', min_coding_score: 0.5 }] });
    expect('plugins' in body).toBe(false);
  });

  it('passes unknown fields through unchanged', () => {
    const body = bodyOf({
      ...baseRequest,
      temperature: 0.2,
      provider: { order: ['DeepInfra'], allow_fallbacks: false },
      transforms: ['middle-out'],
      reasoning_effort: 'high',
      prompt_cache_key: 'repo-123',
      tools: [{ type: 'function', function: { name: 'read_file', parameters: { type: 'object' } } }],
    });
    expect(body).toMatchObject({
      temperature: 0.2,
      provider: { order: ['DeepInfra'], allow_fallbacks: false },
      transforms: ['middle-out'],
      reasoning_effort: 'high',
      prompt_cache_key: 'repo-123',
      tools: [{ type: 'function', function: { name: 'read_file', parameters: { type: 'object' } } }],
    });
  });

  it('puts the output cap under the endpoint maxTokensField', () => {
    const openai: UpstreamEndpoint = { ...endpoint, name: 'openai', maxTokensField: 'max_completion_tokens' };
    const fromMaxTokens = bodyOf({ ...baseRequest, max_tokens: 2048 }, openai);
    expect(fromMaxTokens.max_completion_tokens).toBe(2048);
    expect('max_tokens' in fromMaxTokens).toBe(false);

    const deepseek: UpstreamEndpoint = { ...endpoint, name: 'deepseek', maxTokensField: 'max_tokens' };
    const fromCompletion = bodyOf({ ...baseRequest, max_completion_tokens: 4096 }, deepseek);
    expect(fromCompletion.max_tokens).toBe(4096);
    expect('max_completion_tokens' in fromCompletion).toBe(false);
  });

  it('warns when both caps are set and differ, and sends max_completion_tokens', () => {
    const openai: UpstreamEndpoint = { ...endpoint, maxTokensField: 'max_tokens' };
    const { http, warnings } = createOpenaiRequest(
      { ...baseRequest, max_tokens: 1000, max_completion_tokens: 3000 },
      openai,
    );
    const body = JSON.parse(http.body) as Record<string, unknown>;
    expect(body.max_tokens).toBe(3000);
    expect('max_completion_tokens' in body).toBe(false);
    expect(warnings).toEqual([
      'max_tokens (1000) and max_completion_tokens (3000) differ; sent max_tokens: 3000',
    ]);
  });

  it('leaves the caps as the caller sent them when the endpoint names no field', () => {
    const body = bodyOf({ ...baseRequest, max_tokens: 512, max_completion_tokens: 1024 });
    expect(body.max_tokens).toBe(512);
    expect(body.max_completion_tokens).toBe(1024);
  });

  it('asks for usage on streams and keeps other stream options', () => {
    expect(bodyOf({ ...baseRequest, stream: true }).stream_options).toEqual({ include_usage: true });
    const body = bodyOf({
      ...baseRequest,
      stream: true,
      stream_options: { include_usage: false, include_obfuscation: false } as { include_usage: boolean },
    });
    expect(body.stream).toBe(true);
    expect(body.stream_options).toEqual({ include_usage: true, include_obfuscation: false });
  });

  it('drops stream_options on a call that does not stream, with a warning', () => {
    const { http, warnings } = createOpenaiRequest(
      { ...baseRequest, stream_options: { include_usage: true } },
      endpoint,
    );
    expect('stream_options' in (JSON.parse(http.body) as object)).toBe(false);
    expect(warnings).toEqual(['stream_options dropped: it applies only when stream is true']);
  });

  it('never changes the request it was given', () => {
    const request: ChatRequest = {
      ...baseRequest,
      stream: true,
      stream_options: { include_usage: false },
      max_tokens: 100,
      models: ['a', 'b'],
      session_id: 's',
      plugins: [{ id: 'pareto-router', min_coding_score: 0.9 }, { id: 'web' }],
    };
    const before = structuredClone(request);
    const plugins = request.plugins;
    createOpenaiRequest(request, { ...endpoint, maxTokensField: 'max_completion_tokens' });
    expect(request).toEqual(before);
    expect(request.plugins).toBe(plugins);
  });
});
