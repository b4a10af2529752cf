/**
 * The official clients, unchanged, against a live router backed by the fake upstream: each must see the
 * concrete model name and correct usage, and nothing may fail their response validation.
 */
import { createOpenRouter } from '@openrouter/ai-sdk-provider';
import { OpenRouter } from '@openrouter/sdk';
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
  it('sends the documented pareto-router call and reads completion.model', async () => {
    const openRouter = new OpenRouter({ apiKey: 'sk-or-anything', serverURL: `${gateway.url}/api/v1` });
    const completion = await openRouter.chat.send({
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
    const openRouter = new OpenRouter({ apiKey: 'sk-or-anything', serverURL: `${gateway.url}/api/v1` });
    const stream = await openRouter.chat.send({
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
