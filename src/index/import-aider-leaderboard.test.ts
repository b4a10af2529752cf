import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAliasResolver } from './aliases.js';
import { importAiderLeaderboard } from './import-aider-leaderboard.js';
import { importOpenRouterCatalog } from './import-openrouter-catalog.js';
import { hasSharedData, sharedDataDir, sharedDataSkipNote } from './test-support/shared-data.js';

const sample = `- dirname: 2025-08-23-15-47-21--gpt-5-high
  test_cases: 225
  model: gpt-5 (high)
  edit_format: diff
  pass_rate_1: 52.0
  pass_rate_2: 88.0
  date: 2025-08-23
  seconds_per_case: 194.0
  total_cost: 29.0829

- dirname: 2025-02-25-20-23-07--gemini-pro
  test_cases: 225
  model: Gemini 2.0 Pro exp-02-05
  edit_format: whole
  pass_rate_2: 35.6
  date: 2025-02-25
  total_cost: 0.0000

- dirname: broken
  model: something
  date: 2025-01-01
`;

describe('importAiderLeaderboard on a small sample', () => {
  const resolve = createAliasResolver([{ id: 'openai/gpt-5', name: 'GPT-5' }]);
  const result = importAiderLeaderboard(sample, { resolve, label: 'leaderboard.yml' });

  it('maps free-text names through the alias table', () => {
    expect(result.models).toEqual([
      {
        id: 'openai/gpt-5',
        benchmarks: [
          {
            benchmark: 'Aider Polyglot',
            value: 88,
            metric: 'percent correct',
            source: 'https://aider.chat/docs/leaderboards/',
            date: '2025-08-23',
            note: 'run "gpt-5 (high)"; edit format diff',
          },
        ],
      },
    ]);
    expect(result.unmatched).toEqual(['Gemini 2.0 Pro exp-02-05']);
  });

  it('treats a total cost of 0 as unknown, not free', () => {
    expect(result.runs[0]?.totalCostUsd).toBe(29.0829);
    expect(result.runs[1]?.totalCostUsd).toBeUndefined();
  });

  it('skips an incomplete run, naming its line', () => {
    expect(result.skipped).toEqual([{ record: 'line 19', reason: expect.stringMatching(/^pass_rate_2: /) }]);
  });
});

describe(`importAiderLeaderboard on the shared leaderboard${sharedDataSkipNote}`, () => {
  it.skipIf(!hasSharedData)('reads every run and matches the well-known names', () => {
    const catalog = importOpenRouterCatalog(
      readFileSync(join(sharedDataDir, 'openrouter-models-2026-07.json'), 'utf8'),
      {
        date: '2026-07',
      },
    );
    const text = readFileSync(join(sharedDataDir, 'aider-polyglot-leaderboard.yml'), 'utf8');
    const result = importAiderLeaderboard(text, { resolve: createAliasResolver(catalog.models) });
    expect(result.runs).toHaveLength(69);
    expect(result.skipped).toEqual([]);
    const gpt5 = result.models.find((model) => model.id === 'openai/gpt-5');
    expect(gpt5?.benchmarks?.map((figure) => figure.value).sort()).toEqual([81.3, 86.7, 88]);
    expect(result.runs.find((run) => run.model === 'gpt-4o-mini-2024-07-18')?.totalCostUsd).toBe(0.3236);
    expect(result.runs.filter((run) => run.totalCostUsd === undefined).length).toBeGreaterThan(0);
  });
});
