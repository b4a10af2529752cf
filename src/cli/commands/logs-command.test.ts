import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRequestRecord } from '../../store/test-support/request-store.case.js';
import { runCli } from '../test-support/cli-fixture.js';
import { fixtureNow, type SeededLog, seedRequestLog } from '../test-support/request-log-fixture.js';
import type { LogsReport } from './logs-command.js';

let log: SeededLog;

beforeAll(async () => {
  log = await seedRequestLog();
});

afterAll(async () => {
  await log.remove();
});

const logs = (...args: string[]) =>
  runCli(['logs', ...args, '--data-dir', log.dataDir], { now: () => fixtureNow });

async function logsJson(...args: string[]): Promise<LogsReport> {
  const run = await logs(...args, '--json');
  expect(run.stderr).toBe('');
  expect(run.exitCode).toBe(0);
  return JSON.parse(run.stdout) as LogsReport;
}

function oneErrorLine(stderr: string): string {
  const lines = stderr.split('\n').filter((line) => line !== '');
  expect(lines).toHaveLength(1);
  return lines[0] as string;
}

describe('logs', () => {
  it('prints a table, newest first, with what answered, cost, latency and how it ended', async () => {
    const run = await logs();
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toBe('');
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe('5 requests, newest first');
    expect(lines[2]).toMatch(
      /^time \(UTC\)\s+generation\s+key\s+tier\s+model\s+tries\s+in\s+cached\s+out\s+cost\s+latency\s+finish \/ error$/,
    );
    const rows = lines.slice(3).filter((line) => line !== '');
    expect(rows.map((row) => /gen-\d/.exec(row)?.[0])).toEqual(['gen-5', 'gen-4', 'gen-3', 'gen-2', 'gen-1']);
    expect(rows[0]).toMatch(
      /^2026-11-20 11:30:00\s+gen-5\s+-\s+-\s+-\s+0\s+0\s+0\s+0\s+\$0\.00\s+35ms\s+all_candidates_failed \(502\)$/,
    );
    expect(rows[1]).toMatch(
      new RegExp(
        `^2026-11-20 11:00:00\\s+gen-4\\s+${log.dashboardKey.id}\\s+low\\s+delta/tiny\\s+3\\s+1k\\s+0\\s+300\\s+\\$0\\.000155\\s+640ms\\s+stop$`,
      ),
    );
    expect(rows[4]).toMatch(
      new RegExp(
        `^2026-11-10 12:00:00\\s+gen-1\\s+${log.ciKey.id}\\s+high\\s+beta/coder-pro\\s+3\\s+2k\\s+1k\\s+500\\s+\\$0\\.006375\\s+4\\.2s\\s+tool_calls$`,
      ),
    );
  });

  it('--json holds every field of each record, createdAt as ISO 8601', async () => {
    const report = await logsJson();
    expect(report).toMatchObject({ since: null, model: null, keyId: null, limit: 50, matched: 5 });
    expect(report.records.map((record) => record.id)).toEqual(['gen-5', 'gen-4', 'gen-3', 'gen-2', 'gen-1']);
    const seeded = log.records.find((record) => record.id === 'gen-1');
    expect(report.records[4]).toEqual({ ...seeded, createdAt: '2026-11-10T12:00:00.000Z' });
  });

  it('filters by --since (a duration or an ISO date), --model and --key', async () => {
    expect((await logsJson('--since', '1d')).records.map((record) => record.id)).toEqual(['gen-5', 'gen-4']);
    expect((await logsJson('--since', '45m')).records.map((record) => record.id)).toEqual(['gen-5']);
    const sinceDate = await logsJson('--since', '2026-11-15');
    expect(sinceDate.since).toBe('2026-11-15T00:00:00.000Z');
    expect(sinceDate.records.map((record) => record.id)).toEqual(['gen-5', 'gen-4', 'gen-3', 'gen-2']);
    // An offset is honoured: 2026-11-18T14:00+02:00 is 12:00 UTC, exactly gen-3's time (inclusive).
    const withOffset = await logsJson('--since', '2026-11-18T14:00+02:00');
    expect(withOffset.records.map((record) => record.id)).toEqual(['gen-5', 'gen-4', 'gen-3']);
    const byModel = await logsJson('--model', 'gamma/open-coder');
    expect(byModel.records.map((record) => record.id)).toEqual(['gen-3', 'gen-2']);
    expect(byModel.matched).toBe(2);
    const byKey = await logsJson('--key', log.ciKey.id);
    expect(byKey.records.map((record) => record.id)).toEqual(['gen-2', 'gen-1']);
    const combined = await logsJson('--key', log.dashboardKey.id, '--since', '3d', '--model', 'delta/tiny');
    expect(combined.records.map((record) => record.id)).toEqual(['gen-4']);
  });

  it('--limit cuts the list and says how many matched', async () => {
    const report = await logsJson('--limit', '2');
    expect(report.records.map((record) => record.id)).toEqual(['gen-5', 'gen-4']);
    expect(report.matched).toBe(5);
    const text = await logs('--limit', '2', '--since', '3d');
    expect(text.stdout.split('\n')[0]).toBe(
      '2 newest of 3 requests since 2026-11-17 12:00:00Z (--limit shows more)',
    );
  });

  it('says so when nothing matches', async () => {
    const run = await logs('--model', 'acme/opus-large', '--since', '1w');
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe('no requests logged since 2026-11-13 12:00:00Z, answered by acme/opus-large\n');
  });

  it.each([
    [['--since', 'yesterday'], /--since <when>.*'yesterday' is invalid.*30m, 1h, 2d/],
    [['--since', '2026-02-30'], /'2026-02-30' is invalid/],
    [['--since', '0h'], /at least 1/],
    [['--since', '2027-01-01'], /--since 2027-01-01 is in the future/],
    [['--limit', '0'], /--limit <n>.*'0' is invalid/],
    [['--limit', '20000'], /--limit <n>.*'20000' is invalid.*at most 10000/],
    [['--tier', 'high'], /unknown option '--tier'/],
  ])('refuses %j with one line and exit 2', async (flags, pattern) => {
    const run = await logs(...flags);
    expect(run.exitCode).toBe(2);
    expect(run.stdout).toBe('');
    expect(oneErrorLine(run.stderr)).toMatch(pattern);
  });

  it('an unknown --key is one line and exit 1', async () => {
    const run = await logs('--key', 'key_doesnotexist');
    expect(run.exitCode).toBe(1);
    expect(oneErrorLine(run.stderr)).toMatch(/unknown key id "key_doesnotexist"/);
  });

  it('a data directory without a log is one line and exit 1', async () => {
    const run = await runCli(['logs', '--data-dir', join(log.dataDir, 'elsewhere')], {
      now: () => fixtureNow,
    });
    expect(run.exitCode).toBe(1);
    expect(oneErrorLine(run.stderr)).toMatch(/^pareto-router: no request log at .*elsewhere/);
  });

  it('takes --data-dir before the command name too', async () => {
    const run = await runCli(['--data-dir', log.dataDir, 'logs', '--json', '--limit', '1'], {
      now: () => fixtureNow,
    });
    expect(run.exitCode).toBe(0);
    expect((JSON.parse(run.stdout) as LogsReport).records.map((record) => record.id)).toEqual(['gen-5']);
  });
});

describe('logs --restore', () => {
  const unstoredLine = (record: unknown) =>
    JSON.stringify({ level: 50, msg: 'unstored request record', unstored_request: record });

  it('stores the unstored_request records of a log file, once, and reports skipped lines', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'pareto-router-restore-'));
    try {
      const dataDir = join(directory, 'data');
      const file = join(directory, 'router.log');
      const kept = makeRequestRecord({ id: 'gen-restored-1' });
      const alsoKept = makeRequestRecord({ id: 'gen-restored-2', costUsd: 0.25 });
      writeFileSync(
        file,
        [
          JSON.stringify({ level: 30, msg: 'request', request_id: 'gen-x' }),
          unstoredLine(kept),
          unstoredLine({ ...alsoKept, id: '' }),
          unstoredLine(alsoKept),
          '',
        ].join('\n'),
      );
      const run = await runCli(['logs', '--restore', file, '--data-dir', dataDir]);
      expect(run.stdout).toContain(`restored 2 record(s) from ${file}`);
      expect(run.stderr).toContain('line 3 skipped: id must be a non-empty string');
      expect(run.stderr).toContain('1 unstored_request line(s) held no storable record');
      expect(run.exitCode).toBe(1);

      // A second run over the same file leaves the stored copies as they were.
      writeFileSync(file, `${unstoredLine(kept)}\n${unstoredLine(alsoKept)}\n`);
      const again = await runCli(['logs', '--restore', file, '--data-dir', dataDir, '--json']);
      expect(again.exitCode).toBe(0);
      expect(JSON.parse(again.stdout)).toEqual({ file, restored: 2, invalid: [] });

      const listed = await runCli(['logs', '--data-dir', dataDir, '--json']);
      const report = JSON.parse(listed.stdout) as LogsReport;
      expect(report.records.map((record) => record.id).sort()).toEqual(['gen-restored-1', 'gen-restored-2']);
      expect(report.records.find((record) => record.id === 'gen-restored-2')?.costUsd).toBe(0.25);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('refuses filters and a file it cannot read, as usage errors', async () => {
    const withFilter = await logs('--restore', 'router.log', '--since', '1h');
    expect(withFilter.exitCode).toBe(2);
    expect(oneErrorLine(withFilter.stderr)).toContain('--restore reads a log file');
    const missing = await logs('--restore', join(tmpdir(), 'pareto-router-no-such.log'));
    expect(missing.exitCode).toBe(2);
    expect(oneErrorLine(missing.stderr)).toMatch(/cannot read .*no-such\.log: ENOENT/);
  });
});
