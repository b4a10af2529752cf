import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadSnapshot } from '../../index/snapshot-store.js';
import { hasSharedData, sharedDataDir, sharedDataSkipNote } from '../../index/test-support/shared-data.js';
import { detectImportFormat, registerIndexCommand } from './index-command.js';

const snapshotsDir = fileURLToPath(new URL('../../../snapshots/', import.meta.url));
const clock = () => new Date('2026-12-15T10:00:00Z');

async function run(argv: string[], isTerminal = false): Promise<string> {
  return (await runStreams(argv, isTerminal)).stdout;
}

/** What the command wrote to stdout (results) and to stderr (progress and notes). */
async function runStreams(argv: string[], isTerminal = false): Promise<{ stdout: string; stderr: string }> {
  const program = new Command('pareto-router').exitOverride();
  registerIndexCommand(program, { now: clock, isTerminal });
  const streams = { stdout: '', stderr: '' };
  const capture = (name: 'stdout' | 'stderr') =>
    vi.spyOn(process[name], 'write').mockImplementation((chunk: string | Uint8Array) => {
      streams[name] += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      return true;
    });
  const spies = [capture('stdout'), capture('stderr')];
  try {
    await program.parseAsync(argv, { from: 'user' });
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return streams;
}

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'pareto-index-cli-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('index show', () => {
  it('prints the latest snapshot as a table', async () => {
    const output = await run(['index', 'show', '--data-dir', dataDir]);
    expect(output.split('\n')[0]).toMatch(/^Snapshot 2026-11 \(created .+\): 39 models, \d+ shortlisted$/);
    expect(output).toMatch(/\*F? +openai\/gpt-5\.5 +high +0\.\d{3} +\$11\.25 +\$5 +\$30 +1\.05M/);
    expect(output).toMatch(/x-ai\/grok-4\.3 +unranked +-/);
  });

  it('prints a pinned version as JSON with derived fields', async () => {
    const output = await run(['index', 'show', '2026-05', '--json', '--data-dir', dataDir]);
    const document = JSON.parse(output) as {
      version: string;
      models: { id: string; tier: string | null; blendedPrice: number }[];
    };
    expect(document.version).toBe('2026-05');
    expect(document.models.find((model) => model.id === 'deepseek/deepseek-v4-flash')).toMatchObject({
      blendedPrice: 0.1575,
    });
    expect(document.models.some((model) => model.id === 'z-ai/glm-5.2')).toBe(false);
  });

  it('fails on one line for an unknown version', async () => {
    await expect(run(['index', 'show', '1999-01', '--data-dir', dataDir])).rejects.toThrow(
      /^snapshot "1999-01" not found; available: 2026-05, 2026-11$/,
    );
  });
});

describe('index diff', () => {
  it('compares two versions as JSON', async () => {
    const output = await run(['index', 'diff', '2026-05', '2026-11', '--json', '--data-dir', dataDir]);
    const diff = JSON.parse(output) as {
      added: { id: string }[];
      removed: unknown[];
      from: { version: string };
    };
    expect(diff.from.version).toBe('2026-05');
    expect(diff.added.map((model) => model.id)).toEqual(['z-ai/glm-5.2']);
    expect(diff.removed).toEqual([]);
  });

  it('compares two files as text', async () => {
    const output = await run([
      'index',
      'diff',
      join(snapshotsDir, '2026-11.json'),
      join(snapshotsDir, '2026-05.json'),
    ]);
    expect(output.split('\n')[0]).toBe('Snapshot 2026-11 (39 models) -> 2026-05 (38 models)');
    expect(output).toContain('- z-ai/glm-5.2');
  });
});

describe('index import', () => {
  it('imports a CSV benchmark table into a new data-dir snapshot', async () => {
    const file = join(dataDir, 'figures.csv');
    await writeFile(
      file,
      'model,benchmark,value,source,date\nGrok 4.3,Terminal-Bench 2.0,55.5,https://example.org/grok,2026-12-01\nnobody/none,X,1,s,2026-12\n',
    );
    const output = await run(['index', 'import', file, '--data-dir', dataDir]);
    expect(output).toContain(`read 1 model record(s) from ${file} (csv); wrote snapshot 2026-12`);
    expect(output).toContain('unmatched (no alias): nobody/none');
    const snapshot = await loadSnapshot({ dataDir });
    expect(snapshot.version).toBe('2026-12');
    expect(snapshot.models.find((model) => model.id === 'x-ai/grok-4.3')?.benchmarks).toEqual([
      {
        benchmark: 'Terminal-Bench 2.0',
        value: 55.5,
        source: 'https://example.org/grok',
        date: '2026-12-01',
      },
    ]);

    // A second import the same month gets the next suffix, over the chosen base.
    const again = await run([
      'index',
      'import',
      file,
      '--format',
      'csv',
      '--base',
      '2026-05',
      '--data-dir',
      dataDir,
    ]);
    expect(again).toContain('wrote snapshot 2026-12.1');
    expect(again).toContain('over 2026-05');
    expect((await readdir(join(dataDir, 'snapshots'))).sort()).toEqual(['2026-12.1.json', '2026-12.json']);
  });

  it('--json prints what was written as one JSON document', async () => {
    const file = join(dataDir, 'figures.csv');
    await writeFile(
      file,
      'model,benchmark,value,source,date\nGrok 4.3,Terminal-Bench 2.0,55.5,https://example.org/grok,2026-12-01\nnobody/none,X,1,s,2026-12\n',
    );
    const streams = await runStreams(['index', 'import', file, '--data-dir', dataDir, '--json']);
    const report = JSON.parse(streams.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({
      format: 'csv',
      records: 1,
      version: '2026-12',
      unmatched: ['nobody/none'],
    });
    expect(report.path).toBe(join(dataDir, 'snapshots', '2026-12.json'));
  });

  it('guesses the aider and Artificial Analysis formats', async () => {
    const aider = join(dataDir, 'leaderboard.yml');
    await writeFile(
      aider,
      '- dirname: x\n  model: Kimi K2.6 (thinking)\n  pass_rate_2: 71.5\n  date: 2026-05-01\n  total_cost: 0\n',
    );
    const aiderOutput = await run(['index', 'import', aider, '--data-dir', dataDir]);
    expect(aiderOutput).toContain('(aider)');
    const afterAider = await loadSnapshot({ dataDir });
    expect(afterAider.models.find((model) => model.id === 'moonshotai/kimi-k2.6')?.benchmarks).toContainEqual(
      expect.objectContaining({ benchmark: 'Aider Polyglot', value: 71.5 }),
    );

    const analysis = join(dataDir, 'aa.json');
    await writeFile(
      analysis,
      JSON.stringify({
        status: 200,
        data: [
          {
            id: 'x',
            name: 'GLM-5.1',
            slug: 'glm-5-1',
            model_creator: { id: 'z', name: 'Z AI', slug: 'zai' },
            evaluations: { artificial_analysis_coding_index: 47.5 },
            pricing: { price_1m_input_tokens: 1, price_1m_output_tokens: 3.2 },
            median_output_tokens_per_second: 45.5,
            median_time_to_first_token_seconds: 2.5,
          },
        ],
      }),
    );
    const analysisOutput = await run(['index', 'import', analysis, '--data-dir', dataDir]);
    expect(analysisOutput).toContain('(artificial-analysis)');
    const glm = (await loadSnapshot({ dataDir })).models.find((model) => model.id === 'z-ai/glm-5.1');
    expect(glm).toMatchObject({ throughputTokensPerSecond: 45.5, timeToFirstTokenMs: 2500 });
    expect(glm?.pricing.input).toBe(0.98);
  });

  it.skipIf(!hasSharedData)(
    `imports the OpenRouter catalog with a progress bar on a terminal${sharedDataSkipNote}`,
    async () => {
      const file = join(sharedDataDir, 'openrouter-models-2026-07.json');
      const onTerminal = await runStreams(['index', 'import', file, '--data-dir', dataDir], true);
      expect(onTerminal.stderr).toContain('importing [');
      expect(onTerminal.stderr).toContain('364/364');
      expect(onTerminal.stdout).not.toContain('importing [');
      expect(onTerminal.stdout).toContain('(openrouter); wrote snapshot 2026-12');
      const piped = await runStreams(['index', 'import', file, '--data-dir', dataDir], false);
      expect(piped.stderr).toContain('processed 364 record(s)\n');
      expect(piped.stdout).not.toContain('processed');
      expect(piped.stderr).not.toContain('importing [');
      expect(piped.stdout).toContain('wrote snapshot 2026-12.1');
    },
  );

  it('refuses a file it cannot read or place', async () => {
    await expect(
      run(['index', 'import', join(dataDir, 'absent.csv'), '--data-dir', dataDir]),
    ).rejects.toThrow(/absent\.csv: no such file$/);
    const odd = join(dataDir, 'notes.txt');
    await writeFile(odd, 'hello');
    await expect(run(['index', 'import', odd, '--data-dir', dataDir])).rejects.toThrow(
      /cannot tell the format; pass --format/,
    );
    await expect(run(['index', 'import', odd, '--format', 'xml', '--data-dir', dataDir])).rejects.toThrow(
      /xml/,
    );
  });
});

describe('index refresh', () => {
  let server: Server;
  let baseUrl: string;
  beforeAll(async () => {
    server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          data: [
            {
              id: 'openai/gpt-5.5',
              name: 'OpenAI: GPT-5.5',
              context_length: 1050000,
              architecture: { input_modalities: ['text', 'image'] },
              pricing: { prompt: '0.000004', completion: '0.000024' },
              top_provider: { max_completion_tokens: 128000 },
              supported_parameters: ['tools', 'structured_outputs', 'reasoning'],
            },
          ],
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('writes a refreshed snapshot and says what changed', async () => {
    const output = await run(['index', 'refresh', '--base-url', baseUrl, '--data-dir', dataDir]);
    expect(output).toMatch(
      /^wrote snapshot 2026-12 \(.+2026-12\.json\) from http:\/\/127\.0\.0\.1:\d+\/api\/v1\/models over 2026-11: \d+ change\(s\), 0 model\(s\) added\n$/,
    );
    const diff = JSON.parse(
      await run(['index', 'diff', '2026-11', '2026-12', '--json', '--data-dir', dataDir]),
    ) as {
      priceChanges: { id: string; input?: { percent: number } }[];
    };
    expect(diff.priceChanges).toEqual([
      expect.objectContaining({ id: 'openai/gpt-5.5', input: { from: 5, to: 4, percent: -20 } }),
    ]);
  });
});

describe('detectImportFormat', () => {
  it('tells the JSON formats apart by their fields', () => {
    expect(detectImportFormat('x.json', '{"models": []}')).toBe('models-dev');
    expect(detectImportFormat('x.json', '{"data": [{"id": "a", "pricing": {}}]}')).toBe('openrouter');
    expect(detectImportFormat('x.json', '{"data": [{"slug": "a", "evaluations": {}}]}')).toBe(
      'artificial-analysis',
    );
    expect(detectImportFormat('x.yaml', '- model: a\n  benchmark: b\n')).toBe('yaml');
    expect(detectImportFormat('x.CSV', 'model,benchmark')).toBe('csv');
  });
});
