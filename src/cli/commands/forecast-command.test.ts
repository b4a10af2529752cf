import { describe, expect, it } from 'vitest';
import { runCli } from '../test-support/cli-fixture.js';
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
      'snapshot 2026-11: 1,000 requests/day, 2,000 input + 500 output tokens each, 0% of input cached, 30 days',
    );
    expect(run.stdout).toMatch(/high\s+beta\/coder-pro\s+\$3\.4375\s+\$0\.0075\s+\$7\.50\s+\$225\.00/);
    expect(run.stdout).toMatch(/low\s+delta\/tiny\s+\$0\.0875\s+\$0\.0002\s+\$0\.20\s+\$6\.00/);
    expect(run.stdout).toContain('mix (high 50%, medium 50%, low 0%): $136.50 per month');
  });
});
