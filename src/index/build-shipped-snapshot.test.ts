import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { BenchmarkResult, IndexSnapshot } from '../core/model-index.js';
import { buildShippedSnapshot, readSharedDataFiles, selectFigures } from './build-shipped-snapshot.js';
import { loadSnapshotFileSync } from './load-snapshot.js';
import { parsePerTokenPrice } from './parse-price.js';
import { offCatalogModels, shippedFigures } from './shipped-models.js';
import { hasSharedData, sharedDataDir, sharedDataSkipNote } from './test-support/shared-data.js';

const snapshotsDir = fileURLToPath(new URL('../../snapshots/', import.meta.url));
const november = loadSnapshotFileSync(join(snapshotsDir, '2026-11.json'));
const may = loadSnapshotFileSync(join(snapshotsDir, '2026-05.json'));

const lineup = [
  'openai/gpt-5.5',
  'google/gemini-3.1-pro-preview',
  'anthropic/claude-opus-4.7',
  'deepseek/deepseek-v4-pro',
  'openai/gpt-5.4-mini',
  'anthropic/claude-sonnet-4.6',
  'moonshotai/kimi-k2.6',
  'x-ai/grok-4.3',
  'deepseek/deepseek-v4-flash',
  'anthropic/claude-haiku-4.5',
  'z-ai/glm-5.1',
  'xiaomi/mimo-v2.5-pro',
  'qwen/qwen3.6-max-preview',
];

const withoutCreatedAt = (snapshot: IndexSnapshot) => ({ ...snapshot, createdAt: '' });

describe('the shipped snapshots', () => {
  it('2026-11 holds the whole lineup, shortlisted, each routable through OpenRouter', () => {
    const byId = new Map(november.models.map((model) => [model.id, model] as const));
    for (const id of lineup) {
      expect(byId.get(id)?.shortlist, id).toBe(true);
    }
    for (const model of november.models) {
      expect(model.upstreams[0], model.id).toEqual({ upstream: 'openrouter', model: model.id });
    }
    expect(byId.get('anthropic/claude-opus-4.7')?.upstreams[1]).toEqual({
      upstream: 'anthropic',
      model: 'claude-opus-4-7',
    });
    expect(byId.get('google/gemini-3.1-pro-preview')?.upstreams[1]).toEqual({
      upstream: 'gemini',
      model: 'gemini-3.1-pro-preview',
    });
  });

  it('2026-05 holds nothing released or dated after May 2026', () => {
    expect(may.models.some((model) => model.id === 'z-ai/glm-5.2')).toBe(false);
    expect(november.models.some((model) => model.id === 'z-ai/glm-5.2')).toBe(true);
    for (const model of may.models) {
      for (const figure of model.benchmarks)
        expect(figure.date <= '2026-05-31', `${model.id} ${figure.date}`).toBe(true);
    }
  });

  it('every figure and field carries its provenance', () => {
    for (const model of november.models) {
      for (const field of ['pricing', 'contextLength', 'maxOutputTokens', 'capabilities']) {
        expect(
          model.sources.some((source) => source.field === field),
          `${model.id} ${field}`,
        ).toBe(true);
      }
      for (const figure of model.benchmarks) {
        expect(figure.source).toMatch(/^https:\/\//);
        expect(figure.date).toMatch(/^\d{4}-\d{2}(-\d{2})?$/);
      }
    }
  });
});

describe(`the shipped snapshots against their sources${sharedDataSkipNote}`, () => {
  it.skipIf(!hasSharedData)('rebuild identically from ../shared/data', () => {
    const files = readSharedDataFiles(sharedDataDir);
    expect(
      withoutCreatedAt(buildShippedSnapshot(files, { version: '2026-11', createdAt: november.createdAt })),
    ).toEqual(withoutCreatedAt(november));
    expect(
      withoutCreatedAt(
        buildShippedSnapshot(files, { version: '2026-05', createdAt: may.createdAt, asOf: '2026-05-31' }),
      ),
    ).toEqual(withoutCreatedAt(may));
  });

  it.skipIf(!hasSharedData)('prices, context and max output match the OpenRouter capture', () => {
    const catalog = JSON.parse(
      readFileSync(join(sharedDataDir, 'openrouter-models-2026-07.json'), 'utf8'),
    ) as {
      data: {
        id: string;
        context_length: number;
        pricing: Record<string, string>;
        top_provider: { max_completion_tokens: number | null };
      }[];
    };
    const raw = new Map(catalog.data.map((entry) => [entry.id, entry] as const));
    const offCatalog = new Set(offCatalogModels.map((model) => model.id));
    for (const model of november.models) {
      const entry = raw.get(model.id);
      if (offCatalog.has(model.id)) {
        expect(entry, model.id).toBeUndefined();
        continue;
      }
      expect(entry, model.id).toBeDefined();
      if (entry === undefined) continue;
      expect(model.pricing.input, model.id).toBe(parsePerTokenPrice(entry.pricing.prompt));
      expect(model.pricing.output, model.id).toBe(parsePerTokenPrice(entry.pricing.completion));
      expect(model.pricing.cacheRead, model.id).toBe(parsePerTokenPrice(entry.pricing.input_cache_read));
      expect(model.contextLength, model.id).toBe(entry.context_length);
      if (entry.top_provider.max_completion_tokens !== null) {
        expect(model.maxOutputTokens, model.id).toBe(entry.top_provider.max_completion_tokens);
      }
    }
    // Spot checks written out, so a conversion bug cannot hide behind itself.
    const byId = new Map(november.models.map((model) => [model.id, model] as const));
    expect(byId.get('openai/gpt-5.5')?.pricing).toEqual({ input: 5, output: 30, cacheRead: 0.5 });
    expect(byId.get('deepseek/deepseek-v4-flash')?.pricing).toEqual({
      input: 0.126,
      output: 0.252,
      cacheRead: 0.0252,
    });
    expect(byId.get('qwen/qwen3.6-max-preview')?.pricing).toEqual({
      input: 1.04,
      output: 6.24,
      cacheWrite: 1.3,
    });
  });

  it.skipIf(!hasSharedData)('every benchmark figure is one its source published', () => {
    const extract = JSON.parse(readFileSync(join(sharedDataDir, 'models-dev-benchmarks.json'), 'utf8')) as {
      models: { benchmarks: { score: number; source: string; date?: string }[] }[];
    };
    const published = new Set(
      extract.models.flatMap((model) => model.benchmarks.map((figure) => `${figure.source}|${figure.score}`)),
    );
    const curated = new Set(
      shippedFigures.map((figure) => `${figure.model}|${figure.benchmark}|${figure.source}|${figure.value}`),
    );
    const aiderRuns = readFileSync(join(sharedDataDir, 'aider-polyglot-leaderboard.yml'), 'utf8');
    for (const snapshot of [november, may]) {
      for (const model of snapshot.models) {
        for (const figure of model.benchmarks) {
          const key = `${figure.source}|${figure.value}`;
          const known =
            published.has(key) ||
            curated.has(`${model.id}|${figure.benchmark}|${figure.source}|${figure.value}`) ||
            (figure.benchmark === 'Aider Polyglot' && aiderRuns.includes(`pass_rate_2: ${figure.value}`));
          expect(known, `${snapshot.version} ${model.id} ${figure.benchmark} ${figure.value}`).toBe(true);
        }
      }
    }
  });
});

describe('selectFigures', () => {
  const figure = (
    benchmark: string,
    value: number,
    date: string,
    source = 'https://example.org',
  ): BenchmarkResult => ({
    benchmark,
    value,
    date,
    source,
  });

  it('keeps the best figure per benchmark, the earliest on ties, and only counted scales', () => {
    const selected = selectFigures([
      figure('SWE-Bench Pro', 46.1, '2026-07'),
      figure('SWE-Bench Pro', 54.2, '2026-04-20'),
      figure('SWE-Bench Verified', 79, '2026-07'),
      figure('SWE-Bench Verified', 79, '2026-04-24'),
      figure('SWE-Atlas Codebase QnA', 40, '2026-07'),
      figure('Terminal-Bench 2.1', 70, '2026-07', 'https://artificialanalysis.ai/agents/coding-agents'),
      figure(
        'Artificial Analysis Coding Agent Index',
        50,
        '2026-07',
        'https://artificialanalysis.ai/agents/coding-agents',
      ),
    ]);
    expect(selected.map((entry) => [entry.benchmark, entry.value, entry.date])).toEqual([
      ['Artificial Analysis Coding Agent Index', 50, '2026-07'],
      ['SWE-Bench Pro', 54.2, '2026-04-20'],
      ['SWE-Bench Verified', 79, '2026-04-24'],
    ]);
  });

  it('drops figures dated after the cut-off', () => {
    expect(
      selectFigures(
        [figure('SWE-Bench Pro', 60, '2026-06-01'), figure('SWE-Bench Pro', 50, '2026-05-01')],
        '2026-05-31',
      ),
    ).toEqual([figure('SWE-Bench Pro', 50, '2026-05-01')]);
  });
});
