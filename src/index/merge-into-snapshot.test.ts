import { describe, expect, it } from 'vitest';
import type { BenchmarkResult } from '../core/model-index.js';
import { mergeIntoSnapshot } from './merge-into-snapshot.js';
import { testModel, testSnapshot } from './test-support/shared-data.js';

const figure = (value: number, date = '2026-05-01'): BenchmarkResult => ({
  benchmark: 'SWE-Bench Pro',
  value,
  source: 'https://example.org/pro',
  date,
});

const base = testSnapshot('2026-11', [
  testModel('a/one', {
    benchmarks: [figure(50)],
    sources: [{ field: 'pricing', source: 'old-catalog', date: '2026-01' }],
  }),
  testModel('b/two'),
]);

describe('mergeIntoSnapshot', () => {
  it('updates fields, replaces their provenance and never touches the base', () => {
    const result = mergeIntoSnapshot(
      base,
      [
        {
          id: 'a/one',
          pricing: { input: 0.5, output: 2 },
          sources: [{ field: 'pricing', source: 'new-catalog', date: '2026-12' }],
        },
      ],
      { version: '2026-12', createdAt: '2026-12-01T00:00:00.000Z' },
    );
    const model = result.snapshot.models[0];
    expect(model?.pricing).toEqual({ input: 0.5, output: 2 });
    expect(model?.sources).toEqual([{ field: 'pricing', source: 'new-catalog', date: '2026-12' }]);
    expect(result.changes).toEqual([
      { id: 'a/one', field: 'pricing', before: { input: 1, output: 2 }, after: { input: 0.5, output: 2 } },
    ]);
    expect(base.models[0]?.pricing).toEqual({ input: 1, output: 2 });
    expect(result.snapshot.version).toBe('2026-12');
  });

  it('updates a re-imported figure in place and appends new ones', () => {
    const result = mergeIntoSnapshot(
      base,
      [
        {
          id: 'a/one',
          benchmarks: [figure(55, '2026-06-01'), { ...figure(70), benchmark: 'SWE-Bench Verified' }],
        },
      ],
      { version: '2026-12', createdAt: '2026-12-01T00:00:00.000Z' },
    );
    expect(
      result.snapshot.models[0]?.benchmarks.map((entry) => [entry.benchmark, entry.value, entry.date]),
    ).toEqual([
      ['SWE-Bench Pro', 55, '2026-06-01'],
      ['SWE-Bench Verified', 70, '2026-05-01'],
    ]);
    expect(result.changes.map((change) => [change.field, change.before, change.after])).toEqual([
      ['benchmarks.SWE-Bench Pro', 50, 55],
      ['benchmarks.SWE-Bench Verified', undefined, 70],
    ]);
  });

  it('reports nothing when nothing changed', () => {
    const result = mergeIntoSnapshot(
      base,
      [{ id: 'a/one', benchmarks: [figure(50)], pricing: { output: 2, input: 1 } }],
      {
        version: '2026-12',
        createdAt: '2026-12-01T00:00:00.000Z',
      },
    );
    expect(result.changes).toEqual([]);
  });

  it('adds new models only when allowed and complete, never shortlisted', () => {
    const complete = {
      id: 'c/three',
      name: 'Three',
      pricing: { input: 1, output: 1 },
      contextLength: 1000,
      maxOutputTokens: 100,
      capabilities: { tools: true, structuredOutput: false, reasoning: false, imageInput: false },
    };
    const withoutAdding = mergeIntoSnapshot(base, [complete], {
      version: '2026-12',
      createdAt: '2026-12-01T00:00:00.000Z',
    });
    expect(withoutAdding.snapshot.models).toHaveLength(2);
    expect(withoutAdding.ignored).toEqual([{ id: 'c/three', reason: 'not in the base snapshot' }]);

    const { maxOutputTokens: _dropped, ...withoutMaxOutput } = complete;
    const adding = mergeIntoSnapshot(base, [complete, { ...withoutMaxOutput, id: 'd/four' }], {
      version: '2026-12',
      createdAt: '2026-12-01T00:00:00.000Z',
      addNew: () => true,
    });
    expect(adding.added).toEqual(['c/three']);
    expect(adding.snapshot.models.at(-1)).toMatchObject({
      id: 'c/three',
      shortlist: false,
      upstreams: [{ upstream: 'openrouter', model: 'c/three' }],
    });
    expect(adding.ignored).toEqual([{ id: 'd/four', reason: 'no max output figure' }]);
  });

  it('takes only the fields asked for', () => {
    const result = mergeIntoSnapshot(base, [{ id: 'b/two', name: 'Renamed', contextLength: 5 }], {
      version: '2026-12',
      createdAt: '2026-12-01T00:00:00.000Z',
      fields: ['contextLength'],
    });
    expect(result.snapshot.models[1]).toMatchObject({ name: 'b/two', contextLength: 5 });
  });

  it('refuses to produce an invalid snapshot', () => {
    expect(() =>
      mergeIntoSnapshot(base, [{ id: 'b/two', contextLength: -1 }], {
        version: '2026-12',
        createdAt: '2026-12-01T00:00:00.000Z',
      }),
    ).toThrow(/models\[1\]\.contextLength/);
  });
});
