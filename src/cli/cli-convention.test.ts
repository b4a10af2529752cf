/**
 * The CLI convention (docs/cli-conventions.md), checked for every command that prints data: program
 * options before or after the command name, one number format in tables, raw but sanely rounded numbers
 * in `--json`, results on stdout and progress or notes on stderr, errors prefixed and notes not, and exit
 * codes 0 (success), 1 (failure) and 2 (usage error).
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSnapshot } from '../index/snapshot-store.js';
import type { CliContext } from './cli-context.js';
import { type CliRun, runCli } from './test-support/cli-fixture.js';
import { fixtureNow, type SeededLog, seedRequestLog } from './test-support/request-log-fixture.js';

let log: SeededLog;
let snapshotDataDir: string;
const shippedSnapshots = fileURLToPath(new URL('../../snapshots/', import.meta.url));

beforeAll(async () => {
  log = await seedRequestLog();
  // `index` reads real snapshot files: a data directory holding a copy of a shipped one.
  snapshotDataDir = await mkdtemp(join(tmpdir(), 'pareto-cli-convention-'));
  await cp(shippedSnapshots, join(snapshotDataDir, 'snapshots'), { recursive: true });
});

afterAll(async () => {
  await log?.remove();
  if (snapshotDataDir !== undefined) await rm(snapshotDataDir, { recursive: true, force: true });
});

const context: Partial<CliContext> = { now: () => fixtureNow };

interface CommandCase {
  /** The command and its arguments, without `--data-dir` and `--json`. */
  args: string[];
  /** Which data directory it reads: the seeded request log, or one holding snapshot files. */
  data: 'log' | 'snapshots';
}

/** Every command that prints data, with the arguments of an ordinary successful run. */
const commands: readonly CommandCase[] = [
  { args: ['models'], data: 'log' },
  { args: ['route', '--min-coding-score', '0.5', '--max-tokens', '2000'], data: 'log' },
  { args: ['frontier'], data: 'log' },
  {
    args: ['forecast', '--requests-per-day', '15334.686', '--input-tokens', '1200', '--output-tokens', '300'],
    data: 'log',
  },
  { args: ['forecast', '--from-log', '--since', '30d'], data: 'log' },
  { args: ['keys', 'list'], data: 'log' },
  { args: ['logs'], data: 'log' },
  { args: ['spend'], data: 'log' },
  { args: ['index', 'show'], data: 'snapshots' },
];

function dataDirOf(command: CommandCase): string {
  return command.data === 'log' ? log.dataDir : snapshotDataDir;
}

function label(command: CommandCase): string {
  return command.args.join(' ');
}

/** Every number in a JSON document, however deeply nested. */
function numbersIn(value: unknown): number[] {
  if (typeof value === 'number') return [value];
  if (Array.isArray(value)) return value.flatMap(numbersIn);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(numbersIn);
  return [];
}

describe.each(commands)('the convention for `$args`', (command) => {
  const dataDir = () => dataDirOf(command);

  it('takes --data-dir before or after the command name, with the same result', async () => {
    const after = await runCli([...command.args, '--data-dir', dataDir(), '--json'], context);
    const before = await runCli(['--data-dir', dataDir(), ...command.args, '--json'], context);
    expect(after.stderr).toBe('');
    expect(after.exitCode).toBe(0);
    expect(before).toEqual(after);
  });

  it('--json prints one JSON document on stdout, with no binary noise in its numbers', async () => {
    const run = await runCli([...command.args, '--data-dir', dataDir(), '--json'], context);
    expect(run.exitCode).toBe(0);
    const document: unknown = JSON.parse(run.stdout);
    for (const number of numbersIn(document)) {
      // 12 significant digits at most: 2.772, never 2.7720000000000002.
      expect(Number(number.toPrecision(12)), `${number} in ${label(command)} --json`).toBe(number);
    }
  });

  it('prints a table with one number format: no raw long numbers, percentages to one decimal', async () => {
    const run = await runCli([...command.args, '--data-dir', dataDir()], context);
    expect(run.exitCode).toBe(0);
    const text = run.stdout;
    expect(text.length).toBeGreaterThan(0);
    // Counts of a thousand and more have separators or a k/M suffix; dates and ids are not counts.
    const withoutDates = text.replace(/\d{4}-\d{2}(-\d{2})?([ T]\d{2}:\d{2}(:\d{2})?Z?)?/g, '');
    const withoutIds = withoutDates.replace(/\b(req|gen|key|k)[-_][\w-]+/g, '');
    expect(withoutIds, label(command)).not.toMatch(/(?<![\w.$,])\d{5,}(?![\w])/);
    expect(text, label(command)).not.toMatch(/\d+\.\d{2,}%/);
    expect(text, label(command)).not.toMatch(/\d\.\d{7,}/);
  });

  it('a usage error is one prefixed line on stderr, nothing on stdout, and exit 2', async () => {
    const run = await runCli([...command.args, '--data-dir', dataDir(), '--no-such-flag'], context);
    expect(run.exitCode).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^pareto-router: [^\n]+\n$/);
  });
});

describe('the convention for commands reading the request log', () => {
  const readers = commands.filter(
    (command) =>
      ['keys', 'logs', 'spend'].includes(command.args[0] as string) || command.args.includes('--from-log'),
  );

  it.each(readers)('`$args` on a data directory without a log: a failure, exit 1', async (command) => {
    const run = await runCli([...command.args, '--data-dir', join(log.dataDir, 'nothing-here')], context);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^pareto-router: no request log at [^\n]+\n$/);
  });
});

describe('notes are not errors', () => {
  it('keys create --json writes the key on stdout and an unprefixed note on stderr', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'pareto-cli-convention-keys-'));
    try {
      const run = await runCli(['keys', 'create', '--name', 'ci', '--data-dir', dataDir, '--json'], context);
      expect(run.exitCode).toBe(0);
      expect(JSON.parse(run.stdout)).toHaveProperty('key');
      expect(run.stderr).not.toMatch(/^pareto-router:/m);
      expect(run.stderr.length).toBeGreaterThan(0);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('number formats', () => {
  it('forecast prints rounded counts and shares, and its JSON has no binary noise', async () => {
    const args = [
      'forecast',
      '--requests-per-day',
      '15334.686',
      '--input-tokens',
      '1200',
      '--output-tokens',
      '300',
      '--cached-share',
      '0.357143',
      '--mix',
      'high=0.357143,medium=0.642857,low=0',
    ];
    const table: CliRun = await runCli(args, context);
    expect(table.exitCode).toBe(0);
    expect(table.stdout).toContain(
      '15,335 requests/day, 1.2k input + 300 output tokens each, 35.7% of input cached',
    );
    expect(table.stdout).toContain('high 35.7%, medium 64.3%, low 0%');
    const json = await runCli([...args, '--json'], context);
    expect(json.stdout).not.toMatch(/\d\.\d{13,}/);
    expect((JSON.parse(json.stdout) as { profile: { requestsPerDay: number } }).profile.requestsPerDay).toBe(
      15334.686,
    );
  });

  it('index show prints contexts like models does (1.05M), prices like the router does', async () => {
    const snapshot = await loadSnapshot({ dataDir: snapshotDataDir });
    const model = snapshot.models.find((entry) => entry.contextLength === 1_050_000);
    expect(model, 'a shipped model with a 1.05M context').toBeDefined();
    const run = await runCli(['index', 'show', '--data-dir', snapshotDataDir], context);
    const line = run.stdout.split('\n').find((text) => text.includes(` ${model?.id} `));
    expect(line).toMatch(/ 1\.05M /);
    expect(line).not.toMatch(/\$\d+\.\d0\b/);
  });
});
