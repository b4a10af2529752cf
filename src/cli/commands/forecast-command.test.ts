import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticModel } from '../../core/test-support/synthetic-index.js';
import { runCli } from '../test-support/cli-fixture.js';
import { day, fixtureNow, type SeededLog, seedRequestLog } from '../test-support/request-log-fixture.js';
import type { ForecastReport } from './forecast-command.js';

const profile = ['--requests-per-day', '1000', '--input-tokens', '2000', '--output-tokens', '500'];

describe('forecast', () => {
  it('prices each tier at the model the router would pick first, and the mix', async () => {
    const run = await runCli(['forecast', ...profile, '--json']);
    expect(run.exitCode).toBe(0);
    const report = JSON.parse(run.stdout) as ForecastReport;
    expect(report.days).toBe(30);
    expect(report.profile).toEqual({
      requestsPerDay: 1000,
      inputTokens: 2000,
      outputTokens: 500,
      cachedShare: 0,
    });
    const byTier = Object.fromEntries(report.tiers.map((forecast) => [forecast.tier, forecast]));
    // high: beta/coder-pro at $1.25 in / $10 out: 2000 * 1.25e-6 + 500 * 10e-6 = $0.0075 per request.
    expect(byTier.high?.modelId).toBe('beta/coder-pro');
    expect(byTier.high?.costPerRequest).toBeCloseTo(0.0075, 12);
    expect(byTier.high?.monthlyCost).toBeCloseTo(225, 9);
    // medium: gamma/open-coder, 2000 * 0.4e-6 + 500 * 1.6e-6 = $0.0016.
    expect(byTier.medium?.modelId).toBe('gamma/open-coder');
    expect(byTier.medium?.monthlyCost).toBeCloseTo(48, 9);
    // low: delta/tiny, 2000 * 0.05e-6 + 500 * 0.2e-6 = $0.0002.
    expect(byTier.low?.modelId).toBe('delta/tiny');
    expect(byTier.low?.monthlyCost).toBeCloseTo(6, 9);
    // Default mix 0.2 / 0.5 / 0.3.
    expect(report.mix.shares).toEqual({ high: 0.2, medium: 0.5, low: 0.3 });
    expect(report.mix.monthlyCost).toBeCloseTo(0.2 * 225 + 0.5 * 48 + 0.3 * 6, 9);
  });

  it('picks each primary by the routing rule: --policy bands keeps a dominated low model', async () => {
    // Percentiles 0, 0.5, 1: the medium model is better and cheaper than the low one.
    const models = [
      syntheticModel('l/worse-dearer', 10, 1),
      syntheticModel('m/better-cheaper', 50, 0.5),
      syntheticModel('h/best', 90, 5),
    ];
    const loadSnapshot = async () => ({
      schemaVersion: 1 as const,
      version: '2026-11',
      createdAt: '2026-11-01T00:00:00Z',
      models,
    });
    const lowOf = async (policy: string[]) => {
      const run = await runCli(['forecast', ...profile, ...policy, '--json'], { loadSnapshot });
      const report = JSON.parse(run.stdout) as ForecastReport;
      return [report.policy, report.tiers.find((forecast) => forecast.tier === 'low')?.modelId];
    };
    expect(await lowOf([])).toEqual(['pareto', 'm/better-cheaper']);
    expect(await lowOf(['--policy', 'bands'])).toEqual(['bands', 'l/worse-dearer']);
  });

  it('prices cached input at the cache-read price', async () => {
    const run = await runCli(['forecast', ...profile, '--cached-share', '0.5', '--mix', 'high=1', '--json']);
    const report = JSON.parse(run.stdout) as ForecastReport;
    const byTier = Object.fromEntries(report.tiers.map((forecast) => [forecast.tier, forecast]));
    // beta/coder-pro reads cache at $0.125: 1000 * 1.25e-6 + 1000 * 0.125e-6 + 500 * 10e-6.
    expect(byTier.high?.pricing).toEqual({ input: 1.25, output: 10, cacheRead: 0.125 });
    expect(byTier.high?.costPerRequest).toBeCloseTo(0.006375, 12);
    expect(report.mix).toEqual({
      shares: { high: 1, medium: 0, low: 0 },
      monthlyCost: byTier.high?.monthlyCost,
    });
    // gamma/open-coder has no cache price: cached tokens cost the input price, so nothing changes.
    expect(byTier.medium?.costPerRequest).toBeCloseTo(0.0016, 12);
  });

  it('a large request moves each tier to the models that can hold it', async () => {
    const run = await runCli([
      'forecast',
      '--requests-per-day',
      '10',
      '--input-tokens',
      '100000',
      '--output-tokens',
      '10000',
      '--cached-share',
      '0.9',
      '--json',
    ]);
    const report = JSON.parse(run.stdout) as ForecastReport;
    const low = report.tiers.find((forecast) => forecast.tier === 'low');
    // delta/tiny has a 32k context and 4k output: the low tier's primary becomes gamma/mini.
    expect(low?.modelId).toBe('gamma/mini');
    expect(low?.costPerRequest).toBeCloseTo((100_000 * 0.1 + 10_000 * 0.4) / 1e6, 12);
  });

  it('prints a readable table', async () => {
    const run = await runCli(['forecast', ...profile, '--mix', 'high=0.5,medium=0.5,low=0']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain(
      'snapshot 2026-11: 1,000 requests/day, 2k input + 500 output tokens each, 0% of input cached, 30 days',
    );
    expect(run.stdout).toMatch(/high\s+beta\/coder-pro\s+\$3\.4375\s+\$0\.0075\s+\$7\.50\s+\$225\.00/);
    expect(run.stdout).toMatch(/low\s+delta\/tiny\s+\$0\.0875\s+\$0\.0002\s+\$0\.20\s+\$6\.00/);
    expect(run.stdout).toContain('mix (high 50%, medium 50%, low 0%): $136.50 per month');
  });
});

describe('forecast --from-log', () => {
  let log: SeededLog;

  beforeAll(async () => {
    log = await seedRequestLog();
  });

  afterAll(async () => {
    await log.remove();
  });

  const fromLog = (...args: string[]) =>
    runCli(['forecast', '--from-log', ...args, '--data-dir', log.dataDir], { now: () => fixtureNow });

  async function fromLogJson(...args: string[]): Promise<ForecastReport> {
    const run = await fromLog(...args, '--json');
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    return JSON.parse(run.stdout) as ForecastReport;
  }

  it('measures rate, tokens, cached share and tier mix from the seeded log', async () => {
    const report = await fromLogJson();
    // The default window is 30 days, but the log starts 10 days ago: the rate is taken over those 10.
    expect(report.fromLog).toEqual({
      since: new Date(fixtureNow - 30 * day).toISOString(),
      until: new Date(fixtureNow).toISOString(),
      measuredFrom: new Date(fixtureNow - 10 * day).toISOString(),
      days: 10,
      requests: 5,
      requestsWithoutTier: 1,
      measured: {
        requestsPerDay: 0.5,
        inputTokens: 1600,
        outputTokens: 400,
        cachedShare: 0.125,
        mix: { high: 0.25, medium: 0.5, low: 0.25 },
      },
      overridden: [],
    });
    expect(report.profile).toEqual({
      requestsPerDay: 0.5,
      inputTokens: 1600,
      outputTokens: 400,
      cachedShare: 0.125,
    });
    expect(report.mix.shares).toEqual({ high: 0.25, medium: 0.5, low: 0.25 });
    const byTier = Object.fromEntries(report.tiers.map((forecast) => [forecast.tier, forecast]));
    // high: beta/coder-pro, 1400 * 1.25e-6 + 200 * 0.125e-6 + 400 * 10e-6 per request, 0.5 a day, 30 days.
    expect(byTier.high?.modelId).toBe('beta/coder-pro');
    expect(byTier.high?.costPerRequest).toBeCloseTo(0.005775, 12);
    expect(byTier.high?.monthlyCost).toBeCloseTo(0.005775 * 0.5 * 30, 12);
    // medium: gamma/open-coder has no cache price, 1600 * 0.4e-6 + 400 * 1.6e-6.
    expect(byTier.medium?.costPerRequest).toBeCloseTo(0.00128, 12);
    const expectedMix =
      0.25 * (byTier.high?.monthlyCost ?? Number.NaN) +
      0.5 * (byTier.medium?.monthlyCost ?? Number.NaN) +
      0.25 * (byTier.low?.monthlyCost ?? Number.NaN);
    expect(report.mix.monthlyCost).toBeCloseTo(expectedMix, 12);
  });

  it('uses the whole window when the log is older than it', async () => {
    const report = await fromLogJson('--since', '3d');
    // gen-3 (medium), gen-4 (low) and gen-5 (no tier) fall in the window; gen-1 and gen-2 are older.
    expect(report.fromLog?.measuredFrom).toBe(new Date(fixtureNow - 3 * day).toISOString());
    expect(report.fromLog?.days).toBe(3);
    expect(report.fromLog?.requests).toBe(3);
    expect(report.profile.requestsPerDay).toBe(1);
    expect(report.profile.inputTokens).toBe(Math.round(4000 / 3));
    expect(report.profile.cachedShare).toBe(0);
    expect(report.mix.shares).toEqual({ high: 0, medium: 0.5, low: 0.5 });
  });

  it('flags given with --from-log replace the measured values, and say so', async () => {
    const report = await fromLogJson('--mix', 'high=1', '--requests-per-day', '100');
    expect(report.fromLog?.overridden).toEqual(['requestsPerDay', 'mix']);
    expect(report.fromLog?.measured.requestsPerDay).toBe(0.5);
    expect(report.profile.requestsPerDay).toBe(100);
    expect(report.profile.inputTokens).toBe(1600);
    expect(report.mix.shares).toEqual({ high: 1, medium: 0, low: 0 });
  });

  it('states the window in the readable output', async () => {
    const run = await fromLog();
    expect(run.exitCode).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe(
      'measured from the request log: 5 requests from 2026-11-10 12:00:00Z to 2026-11-20 12:00:00Z (10 days)',
    );
    expect(run.stdout).toContain('the log starts after the window asked for (since 2026-10-21 12:00:00Z)');
    expect(run.stdout).toContain('1 request without a tier');
    expect(run.stdout).toContain(
      'snapshot 2026-11: 0.5 requests/day, 1.6k input + 400 output tokens each, 12.5% of input cached, 30 days',
    );
    expect(run.stdout).toContain('mix (high 25%, medium 50%, low 25%)');
  });

  it('an empty window fails with one line and exit 1', async () => {
    const run = await fromLog('--since', '10m');
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      'pareto-router: no requests logged since 2026-11-20 11:50:00Z: nothing to measure (try a longer --since)\n',
    );
  });

  it('a window of untiered requests needs --mix', async () => {
    const run = await fromLog('--since', '45m');
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/has a tier, so there is no mix to measure: give one with --mix\n$/);
    const withMix = await fromLogJson('--since', '45m', '--mix', 'medium=1');
    expect(withMix.fromLog?.requests).toBe(1);
    // Older records exist, so the whole 45 minutes count: one request in 45 minutes is 32 a day, and the
    // output says it is a guess.
    expect(withMix.fromLog?.measuredFrom).toBe(new Date(fixtureNow - 45 * 60_000).toISOString());
    expect(withMix.profile.requestsPerDay).toBeCloseTo(32, 9);
    const text = await fromLog('--since', '45m', '--mix', 'medium=1');
    expect(text.stdout).toContain('less than a day of traffic: the daily rate is extrapolated');
  });

  it('refuses --since without --from-log, a missing profile and a missing log', async () => {
    const since = await runCli(['forecast', ...profile, '--since', '3d']);
    expect(since.exitCode).toBe(2);
    expect(since.stderr).toBe('pareto-router: --since only applies with --from-log\n');
    const missing = await runCli(['forecast', '--input-tokens', '10', '--output-tokens', '10']);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/^pareto-router: required option '--requests-per-day <n>' not specified/);
    const noLog = await runCli(['forecast', '--from-log', '--data-dir', join(log.dataDir, 'nothing-here')], {
      now: () => fixtureNow,
    });
    expect(noLog.exitCode).toBe(1);
    expect(noLog.stderr).toMatch(/^pareto-router: no request log at .*nothing-here/);
  });

  it('without --from-log the report says so', async () => {
    const run = await runCli(['forecast', ...profile, '--json']);
    expect((JSON.parse(run.stdout) as ForecastReport).fromLog).toBeNull();
  });
});

describe('forecast --from-log with --config', () => {
  it('reads the log from the configured data directory and prices on the pinned snapshot', async () => {
    const log = await seedRequestLog();
    try {
      const configPath = join(log.dataDir, 'router.yaml');
      await writeFile(configPath, `dataDir: ${JSON.stringify(log.dataDir)}\nsnapshot: "2026-05"\n`);
      const run = await runCli(['forecast', '--from-log', '--json', '--config', configPath], {
        now: () => fixtureNow,
      });
      expect(run.stderr).toBe('');
      const report = JSON.parse(run.stdout) as ForecastReport;
      expect(report.snapshotVersion).toBe('2026-05');
      expect(report.fromLog?.requests).toBe(5);
      // --snapshot on the command line still wins over the configuration.
      const pinned = await runCli(
        ['forecast', '--from-log', '--json', '--config', configPath, '--snapshot', '2026-11'],
        { now: () => fixtureNow },
      );
      expect((JSON.parse(pinned.stdout) as ForecastReport).snapshotVersion).toBe('2026-11');
    } finally {
      await log.remove();
    }
  });
});
