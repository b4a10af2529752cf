import { describe, expect, it } from 'vitest';
import { createAliasResolver } from './aliases.js';
import { importBenchmarkTable } from './import-benchmark-table.js';

const resolve = createAliasResolver([
  { id: 'openai/gpt-5.5', name: 'GPT-5.5' },
  { id: 'z-ai/glm-5.1', name: 'GLM 5.1' },
]);

const csv = [
  'model,benchmark,value,source,date,metric,note',
  'openai/gpt-5.5,Terminal-Bench 2.0,82.7,https://example.org/launch,2026-04-23,percent resolved,',
  '"GLM 5.1",SWE-Bench Pro,58.4,"https://example.org/glm, table 2",2026-04-07,,"vendor-reported, ""max"" effort"',
  'Unknown Model,SWE-Bench Pro,40,https://example.org,2026-04,,',
  '',
].join('\r\n');

describe('importBenchmarkTable (CSV)', () => {
  it('reads quoted fields, resolves model names and groups figures per model', () => {
    const result = importBenchmarkTable(csv, { format: 'csv', resolve });
    expect(result.models).toEqual([
      {
        id: 'openai/gpt-5.5',
        benchmarks: [
          {
            benchmark: 'Terminal-Bench 2.0',
            value: 82.7,
            source: 'https://example.org/launch',
            date: '2026-04-23',
            metric: 'percent resolved',
          },
        ],
      },
      {
        id: 'z-ai/glm-5.1',
        benchmarks: [
          {
            benchmark: 'SWE-Bench Pro',
            value: 58.4,
            source: 'https://example.org/glm, table 2',
            date: '2026-04-07',
            note: 'vendor-reported, "max" effort',
          },
        ],
      },
    ]);
    expect(result.unmatched).toEqual(['Unknown Model']);
  });

  it('names the line of a bad row', () => {
    const bad =
      'model,benchmark,value,source,date\nopenai/gpt-5.5,X,1,s,2026-01\nopenai/gpt-5.5,X,lots,s,2026-01\n';
    expect(() => importBenchmarkTable(bad, { format: 'csv', label: 'figures.csv' })).toThrow(
      'figures.csv: line 3: value: expected a number, got "lots"',
    );
    const badDate = 'model,benchmark,value,source,date\nopenai/gpt-5.5,X,1,s,last week\n';
    expect(() => importBenchmarkTable(badDate, { format: 'csv', label: 'f.csv' })).toThrow(
      'f.csv: line 2: date: expected YYYY-MM or YYYY-MM-DD, got "last week"',
    );
    const short = 'model,benchmark,value,source,date\nopenai/gpt-5.5,X,1\n';
    expect(() => importBenchmarkTable(short, { format: 'csv', label: 'f.csv' })).toThrow(
      'f.csv: line 2: expected 5 fields, got 3',
    );
    expect(() => importBenchmarkTable('model,value\n', { format: 'csv', label: 'f.csv' })).toThrow(
      /line 1: header lacks the "benchmark" column/,
    );
  });

  it('counts lines inside quoted newlines correctly', () => {
    const text =
      'model,benchmark,value,source,date,note\nopenai/gpt-5.5,X,1,s,2026-01,"two\nlines"\nopenai/gpt-5.5,Y,nope,s,2026-01,\n';
    expect(() => importBenchmarkTable(text, { format: 'csv', label: 'f.csv' })).toThrow(
      'f.csv: line 4: value:',
    );
  });
});

describe('importBenchmarkTable (YAML)', () => {
  const yaml = `# hand-kept figures
- model: openai/gpt-5.5
  benchmark: SWE-Bench Pro
  value: 58.6
  source: https://example.org/launch
  date: 2026-04-23
- model: GLM 5.1
  benchmark: Terminal-Bench 2.0
  value: "63.5"
  source: https://example.org/glm
  date: 2026-04
  note: vendor-reported
`;

  it('reads a list of records', () => {
    const seen: number[] = [];
    const result = importBenchmarkTable(yaml, {
      format: 'yaml',
      resolve,
      onProgress: (done) => seen.push(done),
    });
    expect(result.models.map((model) => [model.id, model.benchmarks?.[0]?.value])).toEqual([
      ['openai/gpt-5.5', 58.6],
      ['z-ai/glm-5.1', 63.5],
    ]);
    expect(result.models[1]?.benchmarks?.[0]?.date).toBe('2026-04');
    expect(seen).toEqual([1, 2]);
  });

  it('names the line of a bad record', () => {
    const bad = `- model: a/b
  benchmark: X
  value: 1
  source: s
  date: 2026-01
- model: a/b
  benchmark: X
  source: s
  date: 2026-01
`;
    expect(() => importBenchmarkTable(bad, { format: 'yaml', label: 'f.yaml' })).toThrow(
      'f.yaml: line 6: value: missing',
    );
    expect(() =>
      importBenchmarkTable('- model: a\n  colour: red\n', { format: 'yaml', label: 'f.yaml' }),
    ).toThrow('f.yaml: line 1: unknown field "colour"');
    expect(() => importBenchmarkTable('model: a\n', { format: 'yaml', label: 'f.yaml' })).toThrow(
      /expected a list/,
    );
    expect(() => importBenchmarkTable('- [unclosed\n', { format: 'yaml', label: 'f.yaml' })).toThrow(
      /^f\.yaml: line \d+: /,
    );
  });
});
