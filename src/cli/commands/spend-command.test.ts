import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestRecord } from '../../store/request-record.js';
import { runCli } from '../test-support/cli-fixture.js';
import { day, fixtureNow, type SeededLog, seedRequestLog } from '../test-support/request-log-fixture.js';
import type { SpendReport } from './spend-command.js';

let log: SeededLog;

beforeAll(async () => {
  log = await seedRequestLog();
});

afterAll(async () => {
  await log.remove();
});

const spend = (...args: string[]) =>
  runCli(['spend', ...args, '--data-dir', log.dataDir], { now: () => fixtureNow });

async function spendJson(...args: string[]): Promise<SpendReport> {
  const run = await spend(...args, '--json');
  expect(run.stderr).toBe('');
  expect(run.exitCode).toBe(0);
  return JSON.parse(run.stdout) as SpendReport;
}

/** The seeded records' own sums, computed here rather than trusted from the store. */
function sums(records: readonly RequestRecord[]) {
  return {
    requests: records.length,
    costUsd: records.reduce((sum, record) => sum + record.costUsd, 0),
    promptTokens: records.reduce((sum, record) => sum + record.promptTokens, 0),
    completionTokens: records.reduce((sum, record) => sum + record.completionTokens, 0),
    cachedTokens: records.reduce((sum, record) => sum + record.cachedTokens, 0),
  };
}

function expectTotals(actual: SpendReport['total'], records: readonly RequestRecord[]): void {
  const expected = sums(records);
  expect(actual.requests).toBe(expected.requests);
  expect(actual.costUsd).toBeCloseTo(expected.costUsd, 12);
  expect(actual.promptTokens).toBe(expected.promptTokens);
  expect(actual.completionTokens).toBe(expected.completionTokens);
  expect(actual.cachedTokens).toBe(expected.cachedTokens);
}

describe('spend', () => {
  it('totals per model equal the sums of the seeded records', async () => {
    const report = await spendJson();
    expect(report.by).toBe('model');
    expect(report.since).toBeNull();
    expectTotals(report.total, log.records);
    expect(report.total.costUsd).toBeCloseTo(0.01045, 12);
    for (const row of report.rows) {
      const members = log.records.filter((record) => (record.model ?? '(none)') === row.group);
      expect(row.requests).toBe(members.length);
      expect(row.costUsd).toBeCloseTo(sums(members).costUsd, 12);
      expect(row.promptTokens).toBe(sums(members).promptTokens);
    }
    // Highest cost first; the failed request has no model.
    expect(report.rows.map((row) => row.group)).toEqual([
      'beta/coder-pro',
      'gamma/open-coder',
      'delta/tiny',
      '(none)',
    ]);
    expect(report.rows[1]).toEqual({
      group: 'gamma/open-coder',
      name: null,
      requests: 2,
      costUsd: expect.closeTo(0.00392, 12),
      promptTokens: 5000,
      completionTokens: 1200,
      cachedTokens: 0,
    });
  });

  it('--by key names the keys; --by tier and --by day group as asked', async () => {
    const byKey = await spendJson('--by', 'key');
    expect(byKey.rows.map((row) => [row.group, row.name, row.requests])).toEqual([
      [log.ciKey.id, 'ci-bot', 2],
      [log.dashboardKey.id, 'dashboard', 2],
      ['(none)', null, 1],
    ]);
    expect(byKey.rows[0]?.costUsd).toBeCloseTo(0.006375 + 0.0016, 12);

    const byTier = await spendJson('--by', 'tier');
    expect(Object.fromEntries(byTier.rows.map((row) => [row.group, row.requests]))).toEqual({
      high: 1,
      medium: 2,
      low: 1,
      '(none)': 1,
    });

    const byDay = await spendJson('--by', 'day');
    expect(byDay.rows.map((row) => [row.group, row.requests])).toEqual([
      ['2026-11-10', 1],
      ['2026-11-15', 1],
      ['2026-11-18', 1],
      ['2026-11-20', 2],
    ]);
    for (const report of [byKey, byTier, byDay]) expectTotals(report.total, log.records);
  });

  it('--since and --key narrow the window', async () => {
    const recent = await spendJson('--since', '3d');
    expect(recent.since).toBe(new Date(fixtureNow - 3 * day).toISOString());
    expectTotals(
      recent.total,
      log.records.filter((record) => record.createdAt >= fixtureNow - 3 * day),
    );
    const ci = await spendJson('--key', log.ciKey.id, '--by', 'tier');
    expect(ci.keyId).toBe(log.ciKey.id);
    expectTotals(
      ci.total,
      log.records.filter((record) => record.keyId === log.ciKey.id),
    );
  });

  it('prints a table with shares and a total line', async () => {
    const run = await spend('--by', 'key');
    expect(run.exitCode).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe('spend by key, all logged requests: $0.01045 over 5 requests');
    expect(lines[2]).toMatch(
      /^key\s+name\s+requests\s+cost\s+share\s+per request\s+input\s+cached\s+output$/,
    );
    expect(run.stdout).toMatch(
      new RegExp(
        `^${log.ciKey.id}\\s+ci-bot\\s+2\\s+\\$0\\.007975\\s+76\\.3%\\s+\\$0\\.003987\\s+4k\\s+1k\\s+1k$`,
        'm',
      ),
    );
    expect(run.stdout).toMatch(/^total\s+5\s+\$0\.01045\s+100\.0%\s+\$0\.00209\s+8k\s+1k\s+2k$/m);
  });

  it('an empty window says so', async () => {
    const run = await spend('--since', '10m');
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe('no requests logged (since 2026-11-20 11:50:00Z)\n');
  });

  it.each([
    [['--by', 'provider'], /--by <grouping>.*'provider' is invalid.*model, tier, key, day/],
    [['--since', '-1d'], /--since <when>.*'-1d' is invalid/],
  ])('refuses %j with one line and exit 2', async (flags, pattern) => {
    const run = await spend(...flags);
    expect(run.exitCode).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(pattern);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('an unknown --key exits 1', async () => {
    const run = await spend('--key', 'key_doesnotexist');
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/^pareto-router: unknown key id "key_doesnotexist"/);
  });
});
