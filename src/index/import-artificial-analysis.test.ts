import { describe, expect, it } from 'vitest';
import { createAliasResolver } from './aliases.js';
import { importArtificialAnalysis } from './import-artificial-analysis.js';

/** Shaped like `GET https://artificialanalysis.ai/api/v2/data/llms/models` (figures invented for the test). */
const response = {
  status: 200,
  prompt_options: { parallel_queries: 1, prompt_length: 'medium' },
  data: [
    {
      id: '6b1e0000-0000-4000-8000-000000000001',
      name: 'Claude Opus 4.7 (max)',
      slug: 'claude-opus-4-7',
      release_date: '2026-04-16',
      model_creator: { id: 'c1', name: 'Anthropic', slug: 'anthropic' },
      evaluations: {
        artificial_analysis_intelligence_index: 57.2,
        artificial_analysis_coding_index: 55.4,
        artificial_analysis_math_index: null,
        livecodebench: 0.807,
        scicode: 0.512,
        terminalbench_hard: null,
      },
      pricing: { price_1m_blended_3_to_1: 10, price_1m_input_tokens: 5, price_1m_output_tokens: 25 },
      median_output_tokens_per_second: 61.437,
      median_time_to_first_token_seconds: 1.234,
      median_time_to_first_answer_token: 14.2,
    },
    {
      id: '6b1e0000-0000-4000-8000-000000000002',
      name: 'DeepSeek V4 Flash',
      slug: 'deepseek-v4-flash',
      model_creator: { id: 'c2', name: 'DeepSeek', slug: 'deepseek' },
      evaluations: { artificial_analysis_coding_index: 39.8 },
      pricing: { price_1m_input_tokens: 0.14, price_1m_output_tokens: 0.28 },
      median_output_tokens_per_second: 0,
      median_time_to_first_token_seconds: 0,
    },
    {
      id: '6b1e0000-0000-4000-8000-000000000003',
      name: 'Some Unknown Model',
      slug: 'some-unknown-model',
      model_creator: { id: 'c3', name: 'Nobody', slug: 'nobody' },
      evaluations: {},
      pricing: {},
    },
  ],
};

const resolve = createAliasResolver([
  { id: 'anthropic/claude-opus-4.7', name: 'Claude Opus 4.7' },
  { id: 'deepseek/deepseek-v4-flash', name: 'DeepSeek V4 Flash' },
]);

describe('importArtificialAnalysis', () => {
  const result = importArtificialAnalysis(JSON.stringify(response), { resolve, date: '2026-08-01' });

  it('matches slugs to index ids through the alias table', () => {
    expect(result.models.map((model) => model.id)).toEqual([
      'anthropic/claude-opus-4.7',
      'deepseek/deepseek-v4-flash',
    ]);
    expect(result.unmatched).toEqual(['some-unknown-model']);
  });

  it('reads the coding index and coding evaluations, fractions as percent', () => {
    const opus = result.models[0];
    expect(opus?.benchmarks).toEqual([
      {
        benchmark: 'Artificial Analysis Coding Index',
        value: 55.4,
        metric: 'index',
        source: 'https://artificialanalysis.ai/api/v2/data/llms/models',
        date: '2026-08-01',
        note: 'Artificial Analysis model "claude-opus-4-7"',
      },
      expect.objectContaining({ benchmark: 'LiveCodeBench', value: 80.7 }),
      expect.objectContaining({ benchmark: 'SciCode', value: 51.2 }),
    ]);
  });

  it('reads throughput and time to first token (ms), ignoring zeros', () => {
    expect(result.models[0]).toMatchObject({ throughputTokensPerSecond: 61.437, timeToFirstTokenMs: 1234 });
    expect(result.models[0]?.sources?.map((source) => source.field)).toEqual([
      'throughputTokensPerSecond',
      'timeToFirstTokenMs',
    ]);
    expect(result.models[1]?.throughputTokensPerSecond).toBeUndefined();
    expect(result.models[1]?.timeToFirstTokenMs).toBeUndefined();
  });

  it('takes list prices only when asked', () => {
    expect(result.models[0]?.pricing).toBeUndefined();
    const priced = importArtificialAnalysis(response, { resolve, date: '2026-08-01', includePricing: true });
    expect(priced.models[1]?.pricing).toEqual({ input: 0.14, output: 0.28 });
  });

  it('rejects input that is not the API format', () => {
    expect(() => importArtificialAnalysis({ models: [] }, { resolve, date: '2026-08' })).toThrow(
      /"data" array/,
    );
  });
});
