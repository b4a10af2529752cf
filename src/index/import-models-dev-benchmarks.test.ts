import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAliasResolver } from './aliases.js';
import { canonicalBenchmarkName, importModelsDevBenchmarks } from './import-models-dev-benchmarks.js';
import { importOpenRouterCatalog } from './import-openrouter-catalog.js';
import { hasSharedData, sharedDataDir, sharedDataSkipNote } from './test-support/shared-data.js';

describe('canonicalBenchmarkName', () => {
  it('gives each dataset its own name', () => {
    expect(canonicalBenchmarkName('SWE-Bench Pro', { dataset: 'public' })).toBe('SWE-Bench Pro');
    expect(canonicalBenchmarkName('SWE Bench Pro')).toBe('SWE-Bench Pro');
    expect(canonicalBenchmarkName('SWE-Bench Pro', { dataset: 'hard-aa' })).toBe(
      'SWE-Bench Pro (AA hard subset)',
    );
    expect(canonicalBenchmarkName('Terminal-Bench', { version: '2.1' })).toBe('Terminal-Bench 2.1');
    expect(canonicalBenchmarkName('Terminal Bench 2.0')).toBe('Terminal-Bench 2.0');
    expect(canonicalBenchmarkName('Terminal-Bench 2.1')).toBe('Terminal-Bench 2.1');
    expect(canonicalBenchmarkName('Terminal-Bench Hard')).toBe('Terminal-Bench Hard');
    expect(canonicalBenchmarkName('Terminal-Bench')).toBe('Terminal-Bench');
    expect(canonicalBenchmarkName('SWE-Atlas Codebase QnA')).toBe('SWE-Atlas Codebase QnA');
  });
});

describe('importModelsDevBenchmarks on a small real-shaped extract', () => {
  const extract = {
    source: 'anomalyco/models.dev models/**.toml [[benchmarks]] entries (MIT)',
    commit: 'abc123',
    models: [
      {
        file: 'models/anthropic/claude-opus-4-7.toml',
        name: 'Claude Opus 4.7',
        release_date: '2026-04-16',
        benchmarks: [
          {
            name: 'SWE-Bench Pro',
            score: 64.3,
            metric: 'resolve rate',
            source: 'https://example.org/a',
            date: '2026-05-28',
          },
          {
            name: 'SWE-Bench Pro',
            score: 44.9,
            metric: 'pass@1',
            dataset: 'hard-aa',
            harness: 'Claude Code',
            variant: 'max',
            source: 'https://example.org/b',
          },
          {
            name: 'Terminal-Bench',
            score: 66.1,
            metric: 'success rate',
            harness: 'Terminus-2',
            version: '2.1',
            source: 'https://example.org/a',
            date: '2026-05-28',
          },
          { name: 'Broken', score: 'high', source: 'x' },
        ],
      },
      { file: 'models/nobody/unknown.toml', name: 'Unknown', benchmarks: [] },
    ],
  };
  const resolve = createAliasResolver([{ id: 'anthropic/claude-opus-4.7', name: 'Claude Opus 4.7' }]);
  const result = importModelsDevBenchmarks(extract, { resolve, undatedDate: '2026-07' });

  it('matches files to ids and keeps every figure with its provenance', () => {
    expect(result.commit).toBe('abc123');
    expect(result.unmatched).toEqual(['models/nobody/unknown.toml']);
    expect(result.models).toHaveLength(1);
    expect(result.models[0]?.releaseDate).toBe('2026-04-16');
    expect(result.models[0]?.benchmarks).toEqual([
      {
        benchmark: 'SWE-Bench Pro',
        value: 64.3,
        metric: 'resolve rate',
        source: 'https://example.org/a',
        date: '2026-05-28',
      },
      {
        benchmark: 'SWE-Bench Pro (AA hard subset)',
        value: 44.9,
        metric: 'pass@1',
        source: 'https://example.org/b',
        date: '2026-07',
        note: 'harness Claude Code; variant max; undated in models.dev; date is that of the capture (2026-07)',
      },
      {
        benchmark: 'Terminal-Bench 2.1',
        value: 66.1,
        metric: 'success rate',
        source: 'https://example.org/a',
        date: '2026-05-28',
        note: 'harness Terminus-2',
      },
    ]);
    expect(result.skipped).toEqual([
      { record: 'models/anthropic/claude-opus-4-7.toml benchmarks[3]', reason: expect.any(String) },
    ]);
  });
});

describe(`importModelsDevBenchmarks on the shared extract${sharedDataSkipNote}`, () => {
  it.skipIf(!hasSharedData)('matches the current models to catalog ids', () => {
    const catalog = importOpenRouterCatalog(
      readFileSync(join(sharedDataDir, 'openrouter-models-2026-07.json'), 'utf8'),
      {
        date: '2026-07',
      },
    );
    const text = readFileSync(join(sharedDataDir, 'models-dev-benchmarks.json'), 'utf8');
    const result = importModelsDevBenchmarks(text, {
      resolve: createAliasResolver(catalog.models),
      undatedDate: '2026-07',
    });
    const byId = new Map(result.models.map((model) => [model.id, model] as const));
    expect(result.models.length).toBeGreaterThan(60);
    expect(byId.get('xiaomi/mimo-v2.5-pro')?.benchmarks).toEqual([
      expect.objectContaining({ benchmark: 'SWE-Bench Verified', value: 78.9, date: '2026-07' }),
    ]);
    const gpt55 = byId.get('openai/gpt-5.5')?.benchmarks ?? [];
    expect(gpt55).toContainEqual(
      expect.objectContaining({
        benchmark: 'Terminal-Bench 2.1',
        value: 78.2,
        date: '2026-05-28',
        note: 'harness Terminus-2',
      }),
    );
    expect(gpt55).toContainEqual(
      expect.objectContaining({ benchmark: 'Artificial Analysis Coding Agent Index', value: 65.3 }),
    );
    expect(byId.get('anthropic/claude-opus-4.7')?.files).toEqual(['models/anthropic/claude-opus-4-7.toml']);
    // Claude Opus 4.8 postdates the catalog capture, so nothing matches it there.
    expect(result.unmatched).toContain('models/anthropic/claude-opus-4-8.toml');
    expect(result.skipped).toEqual([]);
  });
});
