/**
 * The official clients, unchanged, against a live router backed by the fake upstream: each must see the
 * concrete model name and correct usage, and nothing may fail their response validation.
 */
import { createOpenRouter } from '@openrouter/ai-sdk-provider';
import { HTTPClient, OpenRouter } from '@openrouter/sdk';
import { generateText, streamText } from 'ai';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type GatewayFixture, startGateway } from './test-support/gateway-fixture.js';

let gateway: GatewayFixture;

beforeAll(async () => {
  gateway = await startGateway();
});
afterAll(async () => {
  await gateway.close();
});
beforeEach(() => {
  gateway.mock.reset();
  gateway.mock.script('alpha', {
    answer: 'export const add = (a: number, b: number) => a + b;',
    usage: { promptTokens: 42, completionTokens: 17, cachedTokens: 10 },
  });
});

const messages = [{ role: 'user' as const, content: 'Write an add function in TypeScript.' }];
const plugins = [{ id: 'pareto-router', min_coding_score: 0.8 }];

describe('openai SDK', () => {
  const client = () => new OpenAI({ apiKey: 'sk-anything', baseURL: `${gateway.url}/api/v1`, maxRetries: 0 });

  it('lists models', async () => {
    const ids: string[] = [];
    for await (const model of client().models.list()) ids.push(model.id);
    expect(ids.slice(0, 2)).toEqual(['openrouter/pareto-code', 'openrouter/pareto-code:nitro']);
    expect(ids).toContain('lab/alpha');
  });

  it('reports an unknown plugin field in x-pareto-warnings', async () => {
    const { response } = await client()
      .chat.completions.create({
        model: 'openrouter/pareto-code',
        messages,
        // @ts-expect-error plugins is an OpenRouter extension the OpenAI types do not know
        plugins: [{ id: 'pareto-router', min_coding_scroe: 0.2 }],
      })
      .withResponse();
    expect(response.headers.get('x-pareto-warnings')).toBe(
      'plugins[0].min_coding_scroe is not a pareto-router field and was ignored (did you mean min_coding_score?)',
    );
  });

  it('non-streaming', async () => {
    const completion = await client().chat.completions.create({
      model: 'openrouter/pareto-code',
      messages,
      // @ts-expect-error plugins is an OpenRouter extension the OpenAI types do not know
      plugins,
    });
    expect(completion.model).toBe('lab/alpha');
    expect(completion.choices[0]?.message.content).toContain('add');
    expect(completion.usage?.prompt_tokens).toBe(42);
    expect(completion.usage?.completion_tokens).toBe(17);
    expect(completion.usage?.prompt_tokens_details?.cached_tokens).toBe(10);
  });

  it('streaming', async () => {
    const stream = await client().chat.completions.create({
      model: 'openrouter/pareto-code',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined | null;
    const models = new Set<string>();
    for await (const chunk of stream) {
      models.add(chunk.model);
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect([...models]).toEqual(['lab/alpha']);
    expect(text).toBe('export const add = (a: number, b: number) => a + b;');
    expect(usage?.completion_tokens).toBe(17);
  });
});

describe('@openrouter/sdk', () => {
  /** A client whose responses' headers are kept, through the SDK's own response hook. */
  function sdkClient() {
    const headers: Headers[] = [];
    const httpClient = new HTTPClient();
    httpClient.addHook('response', (response) => {
      headers.push(response.headers);
    });
    const client = new OpenRouter({
      apiKey: 'sk-or-anything',
      serverURL: `${gateway.url}/api/v1`,
      httpClient,
    });
    return { client, headers };
  }

  it('lists models: models.list() passes its response validation', async () => {
    const { client } = sdkClient();
    const page = await client.models.list();
    const models = page.result.data;
    expect(models[0]?.id).toBe('openrouter/pareto-code');
    expect(page.result.totalCount).toBe(models.length);
    const alpha = models.find((model) => model.id === 'lab/alpha');
    expect(alpha).toMatchObject({
      contextLength: 100_000,
      defaultParameters: null,
      supportedVoices: null,
      links: { details: '' },
      pricing: { prompt: '0.000001', completion: '0.000004' },
    });
  });

  it('sends the documented pareto-router call and reads completion.model', async () => {
    const { client } = sdkClient();
    const completion = await client.chat.send({
      chatRequest: {
        model: 'openrouter/pareto-code',
        messages,
        plugins: [{ id: 'pareto-router', minCodingScore: 0.8 }],
      },
    });
    if (!('model' in completion)) throw new Error('expected a non-streamed result');
    expect(completion.model).toBe('lab/alpha');
    expect(completion.usage?.promptTokens).toBe(42);
    expect(completion.usage?.completionTokens).toBe(17);
  });

  it('streams', async () => {
    const { client } = sdkClient();
    const stream = await client.chat.send({
      chatRequest: { model: 'openrouter/pareto-code', messages, stream: true },
    });
    if ('model' in stream) throw new Error('expected a stream');
    let text = '';
    let completionTokens = 0;
    for await (const chunk of stream) {
      expect(chunk.model).toBe('lab/alpha');
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.usage) completionTokens = chunk.usage.completionTokens;
    }
    expect(text).toContain('add');
    expect(completionTokens).toBe(17);
  });

  it('calls tools', async () => {
    gateway.mock.script('alpha', { toolCall: { name: 'read_file', arguments: { path: 'src/add.ts' } } });
    const { client } = sdkClient();
    const completion = await client.chat.send({
      chatRequest: {
        model: 'openrouter/pareto-code',
        messages,
        plugins: [{ id: 'pareto-router', minCodingScore: 0.8 }],
        tools: [
          {
            type: 'function',
            function: {
              name: 'read_file',
              description: 'Read a file of the repository',
              parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
            },
          },
        ],
      },
    });
    if (!('model' in completion)) throw new Error('expected a non-streamed result');
    const choice = completion.choices[0];
    expect(choice?.finishReason).toBe('tool_calls');
    expect(choice?.message.toolCalls?.[0]?.function).toEqual({
      name: 'read_file',
      arguments: '{"path":"src/add.ts"}',
    });
  });

  it('flags the plugin entry the SDK emptied by dropping fields its types do not know', async () => {
    const { client, headers } = sdkClient();
    // The snake_case field of the JSON API: the SDK's types have minCodingScore, and it drops this one.
    const plugin = { id: 'pareto-router', min_coding_score: 0.2 } as unknown as { id: 'pareto-router' };
    const completion = await client.chat.send({
      chatRequest: { model: 'openrouter/pareto-code', messages, plugins: [plugin] },
    });
    if (!('model' in completion)) throw new Error('expected a non-streamed result');
    expect(gateway.mock.requests().at(-1)?.model).toBe('alpha');
    expect(headers.at(-1)?.get('x-pareto-warnings')).toMatch(
      /^plugins\[0\] sets nothing but its id, so the high tier applies; @openrouter\/sdk drops plugin fields/,
    );
  });

  it('returns the routing decision as openrouter_metadata on request, plain and streamed', async () => {
    const { client } = sdkClient();
    const completion = await client.chat.send({
      xOpenRouterMetadata: 'enabled',
      chatRequest: {
        model: 'openrouter/pareto-code',
        messages,
        plugins: [{ id: 'pareto-router', minCodingScore: 0.8 }],
      },
    });
    if (!('model' in completion)) throw new Error('expected a non-streamed result');
    const metadata = completion.openrouterMetadata;
    expect(metadata).toMatchObject({
      requested: 'openrouter/pareto-code',
      strategy: 'pareto',
      attempt: 1,
      attempts: [{ model: 'lab/alpha', provider: 'openai', status: 200 }],
      isByok: false,
      region: null,
      params: { qualityFloor: 0.8 },
    });
    expect(metadata?.endpoints.available[0]).toEqual({
      model: 'lab/alpha',
      provider: 'openai',
      selected: true,
    });
    const stage = metadata?.pipeline?.[0];
    expect(stage).toMatchObject({ type: 'plugin', name: 'pareto-router' });
    expect(stage?.data?.tier).toBe('high');
    expect(stage?.data?.candidates[0]).toMatchObject({ model: 'lab/alpha', role: 'primary' });

    const stream = await client.chat.send({
      xOpenRouterMetadata: 'enabled',
      chatRequest: { model: 'openrouter/pareto-code', messages, stream: true },
    });
    if ('model' in stream) throw new Error('expected a stream');
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.at(-1)?.openrouterMetadata?.strategy).toBe('pareto');
    expect(chunks.slice(0, -1).every((chunk) => chunk.openrouterMetadata === undefined)).toBe(true);
  });
});

describe('Vercel AI SDK with @openrouter/ai-sdk-provider', () => {
  const provider = () => createOpenRouter({ apiKey: 'sk-or-anything', baseURL: `${gateway.url}/api/v1` });

  it('generateText', async () => {
    const result = await generateText({
      model: provider().chat('openrouter/pareto-code', { extraBody: { plugins } }),
      prompt: 'Write an add function in TypeScript.',
    });
    expect(result.response.modelId).toBe('lab/alpha');
    expect(result.text).toContain('add');
    expect(result.usage.inputTokens).toBe(42);
    expect(result.usage.outputTokens).toBe(17);
  });

  it('streamText', async () => {
    const result = streamText({
      model: provider().chat('openrouter/pareto-code'),
      prompt: 'Write an add function in TypeScript.',
    });
    let text = '';
    for await (const part of result.textStream) text += part;
    expect(text).toBe('export const add = (a: number, b: number) => a + b;');
    expect((await result.response).modelId).toBe('lab/alpha');
    expect((await result.usage).outputTokens).toBe(17);
  });
});
