import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RouterError } from '../core/errors.js';
import { loadSnapshot } from '../index/snapshot-store.js';
import { commandNameOf, describeFailure, oneLine, packageVersion } from './main.js';
import { fixtureSnapshot, runCli } from './test-support/cli-fixture.js';

/** Exactly one line, prefixed with the program name, and no stack frame. */
function expectOneErrorLine(stderr: string): string {
  const lines = stderr.split('\n').filter((line) => line !== '');
  expect(lines).toHaveLength(1);
  const line = lines[0] as string;
  expect(line.startsWith('pareto-router: ')).toBe(true);
  expect(line).not.toMatch(/\bat .+:\d+:\d+/);
  return line;
}

describe('main: help and version', () => {
  it('--help lists the commands on stdout and exits 0', async () => {
    const run = await runCli(['--help']);
    expect(run.exitCode).toBe(0);
    for (const command of [
      'serve',
      'models',
      'route',
      'frontier',
      'forecast',
      'keys',
      'logs',
      'spend',
      'index',
      'mock-upstream',
    ]) {
      expect(run.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
    }
    expect(run.stderr).toBe('');
  });

  it('--version prints the package version', async () => {
    const run = await runCli(['--version']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout.trim()).toBe(packageVersion());
    expect(packageVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('route --help documents the flags', async () => {
    const run = await runCli(['route', '--help']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('--min-coding-score <score>');
    expect(run.stdout).toContain('--max-price <usd>');
  });
});

describe('commandNameOf', () => {
  it('finds the command after the program options, and nothing for help or unknown names', () => {
    expect(commandNameOf(['route', '--json'])).toBe('route');
    expect(commandNameOf(['--snapshot', '2026-05', '--data-dir', '/x', 'models'])).toBe('models');
    expect(commandNameOf(['--snapshot=2026-05', 'frontier'])).toBe('frontier');
    expect(commandNameOf(['--help'])).toBeUndefined();
    expect(commandNameOf(['help', 'route'])).toBeUndefined();
    expect(commandNameOf(['modles'])).toBeUndefined();
    expect(commandNameOf([])).toBeUndefined();
  });
});

describe('main: usage errors are one line and exit 2', () => {
  it.each([
    [['route', '--min-coding-score', '1.5'], /--min-coding-score <score>.*'1\.5' is invalid.*0\.\.1/],
    [['route', '--min-coding-score', 'abc'], /'abc' is invalid/],
    [['route', '--tier', 'ultra'], /'ultra' is invalid.*quick/],
    [['route', '--max-price', '-1'], /--max-price <usd>.*'-1' is invalid.*>= 0/],
    [['route', '--max-tokens', '0'], /--max-tokens <n>.*'0' is invalid/],
    [['route', '--min-coding-score', '0.5', '--tier', 'high'], /cannot be used with/],
    [['models', '--jsn'], /unknown option '--jsn'.*Did you mean --json\?/],
    [['modles'], /unknown command 'modles'.*Did you mean models\?/],
    [['models', 'extra'], /too many arguments/],
    [['models', '--tier', 'ultra'], /'ultra' is invalid/],
    [['route', '--snapshot', '../../etc/passwd'], /'\.\.\/\.\.\/etc\/passwd' is invalid/],
    [['forecast', '--input-tokens', '1', '--output-tokens', '1'], /--requests-per-day <n>.*not specified/],
    [
      [
        'forecast',
        '--requests-per-day',
        '10',
        '--input-tokens',
        '1',
        '--output-tokens',
        '1',
        '--mix',
        'high=0.5,low=0.4',
      ],
      /'high=0\.5,low=0\.4' is invalid.*sum to 1, they sum to 0\.9/,
    ],
    [
      [
        'forecast',
        '--requests-per-day',
        '10',
        '--input-tokens',
        '1',
        '--output-tokens',
        '1',
        '--mix',
        'ultra=1',
      ],
      /unknown tier "ultra"/,
    ],
    [
      ['route', '--prompt-file', '/nonexistent/prompt.txt'],
      /cannot read --prompt-file "\/nonexistent\/prompt\.txt": no such file/,
    ],
  ])('%j', async (args, message) => {
    const run = await runCli(args);
    expect(run.exitCode).toBe(2);
    expect(expectOneErrorLine(run.stderr)).toMatch(message);
    expect(run.stdout).toBe('');
  });

  it('no command at all shows the help on stderr and exits 2', async () => {
    const run = await runCli([]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('Usage: pareto-router');
    expect(run.stdout).toBe('');
  });
});

describe('main: other failures are one line and exit 1', () => {
  it('a snapshot the store cannot load', async () => {
    const run = await runCli(['models'], {
      loadSnapshot: async () => {
        throw new RouterError('snapshot_invalid', 'snapshots/2099-01.json: not valid JSON: Unexpected token');
      },
    });
    expect(run.exitCode).toBe(1);
    expect(expectOneErrorLine(run.stderr)).toBe(
      'pareto-router: snapshots/2099-01.json: not valid JSON: Unexpected token',
    );
  });

  it('a multi-line message from anywhere still comes out as one line', () => {
    expect(describeFailure(new Error('first\nsecond'))).toEqual({ exitCode: 1, message: 'first second' });
    expect(describeFailure('plain')).toEqual({ exitCode: 1, message: 'plain' });
    expect(oneLine("error: unknown option '--x'\n(Did you mean --y?)")).toBe(
      "unknown option '--x' (Did you mean --y?)",
    );
  });
});

describe('main: the real snapshot store', () => {
  let dataDir: string;
  let shippedVersion: string | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'pareto-cli-'));
    await mkdir(join(dataDir, 'snapshots'));
    await writeFile(
      join(dataDir, 'snapshots', '2099-01.json'),
      '{"schemaVersion": 1, "version": "2099-01", ',
      'utf8',
    );
    await writeFile(
      join(dataDir, 'snapshots', '2098-01.json'),
      `${JSON.stringify(fixtureSnapshot('2098-01'))}\n`,
      'utf8',
    );
    shippedVersion = await loadSnapshot({ dataDir: join(dataDir, 'none') }).then(
      (snapshot) => snapshot.version,
      () => undefined,
    );
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  // These use the process context's loader, so only output is replaced.
  const realStore = { loadSnapshot: (request: Parameters<typeof loadSnapshot>[0]) => loadSnapshot(request) };

  it('a corrupt latest snapshot in --data-dir: one line naming the file, exit 1', async () => {
    const run = await runCli(['models', '--data-dir', dataDir], realStore);
    expect(run.exitCode).toBe(1);
    const line = expectOneErrorLine(run.stderr);
    expect(line).toContain('2099-01.json');
    expect(line).toMatch(/not valid JSON/);
  });

  it('the same through the program-level options, pinned', async () => {
    const run = await runCli(['--data-dir', dataDir, '--snapshot', '2099-01', 'route'], realStore);
    expect(run.exitCode).toBe(1);
    expect(expectOneErrorLine(run.stderr)).toContain('2099-01.json');
  });

  it('a good pinned snapshot in --data-dir loads', async () => {
    const run = await runCli(['models', '--json', '--data-dir', dataDir, '--snapshot', '2098-01'], realStore);
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    const report = JSON.parse(run.stdout) as { snapshotVersion: string; models: unknown[] };
    expect(report.snapshotVersion).toBe('2098-01');
    expect(report.models).toHaveLength(9);
  });

  it('an unknown pinned version lists what exists', async () => {
    const run = await runCli(['models', '--data-dir', dataDir, '--snapshot', '2001-01'], realStore);
    expect(run.exitCode).toBe(1);
    expect(expectOneErrorLine(run.stderr)).toMatch(/snapshot "2001-01" not found; available: .*2098-01/);
  });

  it('the shipped snapshot routes when there is one', async (context) => {
    if (shippedVersion === undefined) context.skip('no shipped snapshot in snapshots/');
    const run = await runCli(['route', '--json', '--data-dir', join(dataDir, 'none')], realStore);
    expect(run.exitCode).toBe(0);
    const report = JSON.parse(run.stdout) as { snapshotVersion: string; candidates: unknown[] };
    expect(report.snapshotVersion).toBe(shippedVersion);
    expect(report.candidates.length).toBeGreaterThan(0);
  });
});
