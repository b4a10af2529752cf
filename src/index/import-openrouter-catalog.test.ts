import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { displayName, importOpenRouterCatalog } from './import-openrouter-catalog.js';
import { hasSharedData, sharedDataDir, sharedDataSkipNote } from './test-support/shared-data.js';

/** Real-shaped entries of a newer `/api/v1/models` response, which carries `benchmarks`. */
const newerResponse = {
  data: [
    {
      id: 'example/coder-2',
      canonical_slug: 'example/coder-2-20260901',
      name: 'Example: Coder 2',
      created: 1788000000,
      context_length: 262144,
      architecture: {
        modality: 'text+image->text',
        input_modalities: ['text', 'image'],
        output_modalities: ['text'],
      },
      pricing: { prompt: '0.0000003', completion: '0.0000012', input_cache_read: '0.00000003' },
      top_provider: { context_length: 262144, max_completion_tokens: 65536, is_moderated: false },
      supported_parameters: ['max_tokens', 'tools', 'tool_choice', 'structured_outputs', 'include_reasoning'],
      benchmarks: {
        artificial_analysis: { agentic_index: 48.1, coding_index: 41.7, intelligence_index: 52.3 },
        design_arena: [],
      },
    },
    {
      id: 'example/chat-1',
      name: 'Example: Chat 1',
      created: 1788000001,
      context_length: 32768,
      architecture: { input_modalities: ['text'] },
      pricing: { prompt: '0.0000001', completion: '0.0000002' },
      top_provider: { context_length: 32768, max_completion_tokens: null },
      supported_parameters: ['max_tokens'],
      benchmarks: {
        artificial_analysis: { agentic_index: null, coding_index: null, intelligence_index: null },
        design_arena: [],
      },
    },
    {
      id: 'openrouter/auto',
      name: 'Auto Router',
      context_length: 2000000,
      pricing: { prompt: '-1', completion: '-1' },
    },
    { id: 'example/no-price', name: 'No price', context_length: 1000, pricing: {} },
    { name: 'no id at all' },
  ],
};

describe('importOpenRouterCatalog on a newer real-shaped response', () => {
  const result = importOpenRouterCatalog(newerResponse, { date: '2026-09-01' });

  it('converts prices exactly, reads context, max output and capabilities', () => {
    const coder = result.models.find((model) => model.id === 'example/coder-2');
    expect(coder).toMatchObject({
      name: 'Coder 2',
      pricing: { input: 0.3, output: 1.2, cacheRead: 0.03 },
      contextLength: 262144,
      maxOutputTokens: 65536,
      capabilities: { tools: true, structuredOutput: true, reasoning: true, imageInput: true },
      upstreams: [{ upstream: 'openrouter', model: 'example/coder-2' }],
      created: 1788000000,
    });
    expect(coder?.pricing?.cacheWrite).toBeUndefined();
  });

  it('turns benchmarks.artificial_analysis.coding_index into a benchmark figure', () => {
    const coder = result.models.find((model) => model.id === 'example/coder-2');
    expect(coder?.benchmarks).toEqual([
      {
        benchmark: 'Artificial Analysis Coding Index',
        value: 41.7,
        metric: 'index',
        source: 'https://openrouter.ai/api/v1/models',
        date: '2026-09-01',
        note: 'as published in the OpenRouter catalog (benchmarks.artificial_analysis.coding_index)',
      },
    ]);
    const chat = result.models.find((model) => model.id === 'example/chat-1');
    expect(chat?.benchmarks).toEqual([]);
    expect(chat?.maxOutputTokens).toBeUndefined();
    expect(chat?.capabilities).toEqual({
      tools: false,
      structuredOutput: false,
      reasoning: false,
      imageInput: false,
    });
  });

  it('skips router pseudo-models, unpriced and malformed entries, saying why', () => {
    expect(result.models.map((model) => model.id)).toEqual(['example/coder-2', 'example/chat-1']);
    expect(result.skipped).toEqual([
      { record: 'openrouter/auto', reason: 'price "-1": a router pseudo-model, not a concrete model' },
      { record: 'example/no-price', reason: 'no input/output price' },
      { record: 'data[4]', reason: expect.stringMatching(/^id: /) },
    ]);
  });

  it('records provenance per field', () => {
    const coder = result.models.find((model) => model.id === 'example/coder-2');
    expect(coder?.sources.map((source) => source.field).sort()).toEqual([
      'capabilities',
      'contextLength',
      'maxOutputTokens',
      'pricing',
    ]);
  });

  it('reports progress and rejects what is not a catalog', () => {
    const seen: [number, number][] = [];
    importOpenRouterCatalog(newerResponse, {
      date: '2026-09',
      onProgress: (done, total) => seen.push([done, total]),
    });
    expect(seen.at(-1)).toEqual([5, 5]);
    expect(() => importOpenRouterCatalog('{"models": []}', { date: '2026-09' })).toThrow(/"data" array/);
    expect(() => importOpenRouterCatalog('{oops', { date: '2026-09' })).toThrow(/not valid JSON/);
  });
});

describe(`importOpenRouterCatalog on the 2026-07 capture${sharedDataSkipNote}`, () => {
  it.skipIf(!hasSharedData)('imports every priced model with exact prices', () => {
    const text = readFileSync(join(sharedDataDir, 'openrouter-models-2026-07.json'), 'utf8');
    const result = importOpenRouterCatalog(text, { date: '2026-07' });
    expect(result.models).toHaveLength(361);
    expect(result.skipped.map((entry) => entry.record)).toEqual([
      'openrouter/pareto-code',
      'openrouter/bodybuilder',
      'openrouter/auto',
    ]);
    const byId = new Map(result.models.map((model) => [model.id, model] as const));
    expect(byId.get('openai/gpt-5.5')).toMatchObject({
      name: 'GPT-5.5',
      pricing: { input: 5, output: 30, cacheRead: 0.5 },
      contextLength: 1050000,
      maxOutputTokens: 128000,
    });
    expect(byId.get('anthropic/claude-opus-4.7')?.pricing).toEqual({
      input: 5,
      output: 25,
      cacheRead: 0.5,
      cacheWrite: 6.25,
    });
    expect(byId.get('deepseek/deepseek-v4-pro')?.pricing).toEqual({
      input: 0.435,
      output: 0.87,
      cacheRead: 0.003625,
    });
    expect(byId.get('qwen/qwen3.6-27b')?.pricing).toEqual({ input: 0.32, output: 3.2 });
    expect(byId.get('x-ai/grok-4.3')?.maxOutputTokens).toBeUndefined();
    expect(byId.get('deepseek/deepseek-v4-pro')?.capabilities.imageInput).toBe(false);
    // The 2026-07 capture predates the benchmarks field.
    expect(result.models.every((model) => model.benchmarks.length === 0)).toBe(true);
  });
});

describe('displayName', () => {
  it('drops the vendor prefix only', () => {
    expect(displayName('Anthropic: Claude Opus 4.7')).toBe('Claude Opus 4.7');
    expect(displayName('Auto Router')).toBe('Auto Router');
  });
});
