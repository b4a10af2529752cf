import { describe, expect, it } from 'vitest';
import type { ChatRequest } from '../../core/chat-request.js';
import type { UpstreamEndpoint } from '../protocol-adapter.js';
import { createNativeOpenaiRequest } from './create-native-openai-request.js';
import { createOpenaiRequest } from './create-openai-request.js';

const endpoint: UpstreamEndpoint = {
  name: 'openrouter',
  protocol: 'openai',
  baseUrl: 'http://x',
  apiKey: 'k',
};
const messages = [{ role: 'user', content: 'hi "there" {' }];

/** What the general path sends: the router fields taken out by the body check, then the OpenAI build. */
function generalBuild(body: Record<string, unknown>, target: UpstreamEndpoint) {
  const { plugins, models: _models, provider: _provider, session_id: _session, ...forward } = body;
  const others = Array.isArray(plugins) ? plugins.filter((plugin) => plugin.id !== 'pareto-router') : [];
  const request = { ...forward, model: 'vendor/model' } as ChatRequest;
  if (others.length > 0) request.plugins = others;
  return createOpenaiRequest(request, target);
}

const bodies: [string, Record<string, unknown>, UpstreamEndpoint][] = [
  ['a plain body', { model: 'pareto-code', messages }, endpoint],
  [
    'router fields beside caller fields',
    {
      model: 'pareto-code',
      models: ['a/b'],
      session_id: 's',
      provider: { order: ['x'] },
      plugins: [{ id: 'pareto-router', min_coding_score: 0.8 }, { id: 'web' }],
      messages,
      temperature: 0.5,
      metadata: { a: 1 },
    },
    endpoint,
  ],
  ['only the router plugin', { model: 'm', messages, plugins: [{ id: 'pareto-router' }] }, endpoint],
  ['an empty plugin list', { model: 'm', messages, plugins: [] }, endpoint],
  [
    'a stream with its own options',
    { model: 'm', messages, stream: true, stream_options: { x: 1 } },
    endpoint,
  ],
  [
    'stream options without a stream',
    { model: 'm', messages, stream_options: { include_usage: true } },
    endpoint,
  ],
  [
    'two different caps to an endpoint that wants max_completion_tokens',
    { model: 'm', messages, max_tokens: 10, max_completion_tokens: 20 },
    { ...endpoint, maxTokensField: 'max_completion_tokens', headers: { 'X-Title': 'app' } },
  ],
  [
    'a cap to an endpoint that wants max_tokens',
    { model: 'm', messages, max_completion_tokens: 20 },
    { ...endpoint, maxTokensField: 'max_tokens' },
  ],
];

describe('createNativeOpenaiRequest', () => {
  it.each(bodies)('sends what the general path sends, with its warnings: %s', (_name, body, target) => {
    const text = JSON.stringify(body, null, 1);
    const native = createNativeOpenaiRequest(
      { body, headers: {}, text },
      'vendor/model',
      body.stream === true,
      target,
    );
    const general = generalBuild(body, target);
    expect(JSON.parse(native.body)).toEqual(JSON.parse(general.http.body));
    expect(native.headers).toEqual(general.http.headers);
    expect(native.path).toBe(general.http.path);
    expect(native.warnings ?? []).toEqual(general.warnings);
  });

  it('keeps the caller bytes it does not change', () => {
    const text = '{"model":"m","messages":[{"role":"user","content":"x"}],"temperature":1.0,"top_p":0.50}';
    const native = createNativeOpenaiRequest(
      { body: JSON.parse(text), headers: {}, text },
      'u',
      false,
      endpoint,
    );
    expect(native.body).toBe(
      '{"model":"u","messages":[{"role":"user","content":"x"}],"temperature":1.0,"top_p":0.50}',
    );
  });

  it('serialises the parsed body when the text cannot be spliced (an escaped model key)', () => {
    const text = '{"mod\\u0065l":"m","messages":[]}';
    const native = createNativeOpenaiRequest(
      { body: JSON.parse(text), headers: {}, text },
      'u',
      false,
      endpoint,
    );
    expect(JSON.parse(native.body)).toEqual({ model: 'u', messages: [] });
  });
});
