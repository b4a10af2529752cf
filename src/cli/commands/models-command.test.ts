import { describe, expect, it } from 'vitest';
import { buildModelIndex } from '../../core/build-model-index.js';
import { createPalette } from '../palette.js';
import { fixtureSnapshot, runCli } from '../test-support/cli-fixture.js';
import {
  buildModelsReport,
  formatCapabilities,
  formatModelsReport,
  type ModelsReport,
} from './models-command.js';

describe('models', () => {
  it('lists the shortlist as an aligned table, best percentile first', async () => {
    const run = await runCli(['models']);
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toBe('');
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe('snapshot 2026-11: 9 models (shortlist)');
    const header = lines[2] as string;
    expect(header).toMatch(
      /^model\s+tier\s+coding\s+input\s+output\s+cache read\s+blended\s+context\s+max out\s+caps\s+frontier$/,
    );
    const rows = lines.slice(3, 12);
    expect(rows.map((row) => row.split(/\s+/)[0])).toEqual([
      'acme/opus-large',
      'acme/sonnet-mid',
      'beta/coder-pro',
      'gamma/open-coder',
      'beta/flash',
      'delta/legacy',
      'gamma/mini',
      'delta/tiny',
      'zeta/unscored',
    ]);
    expect(run.stdout).not.toContain('omega/not-listed');
    // Aligned: the blended column ends at the same offset in every row.
    const blendedEnd = header.indexOf('blended') + 'blended'.length;
    for (const row of rows) expect(row[blendedEnd - 1]).toMatch(/\d/);
    expect(rows[1]).toMatch(
      /^acme\/sonnet-mid\s+high\s+0\.875\s+\$3\s+\$15\s+\$0\.3\s+\$6\s+200k\s+32k\s+TSRI\s+\*$/,
    );
    expect(rows[4]).toMatch(
      /^beta\/flash\s+medium\s+0\.500\s+\$0\.3\s+\$2\.5\s+-\s+\$0\.85\s+200k\s+32k\s+TSRI$/,
    );
    expect(rows[8]).toMatch(/^zeta\/unscored\s+-\s+-\s/);
    // No escape codes when colour is off.
    expect(run.stdout).not.toContain('\u001b[');
  });

  it('--tier keeps one tier, --all adds models outside the shortlist', async () => {
    const high = await runCli(['models', '--tier', 'high', '--json']);
    const highReport = JSON.parse(high.stdout) as ModelsReport;
    expect(highReport.models.map((model) => model.id)).toEqual([
      'acme/opus-large',
      'acme/sonnet-mid',
      'beta/coder-pro',
    ]);
    expect(highReport.tier).toBe('high');

    const low = await runCli(['models', '--tier', 'quick', '--all']);
    expect(low.exitCode).toBe(0);
    expect(low.stdout).toContain('omega/not-listed');
    expect(low.stdout).toContain('gamma/mini');
    expect(low.stdout).not.toContain('beta/flash');
  });

  it('--json has the documented shape', async () => {
    const run = await runCli(['models', '--json']);
    const report = JSON.parse(run.stdout) as ModelsReport;
    expect(report.snapshotVersion).toBe('2026-11');
    expect(report.scope).toBe('shortlist');
    expect(report.cutoffs).toEqual({ high: 0.66, medium: 0.33 });
    expect(report.models).toHaveLength(9);
    const sonnet = report.models.find((model) => model.id === 'acme/sonnet-mid');
    expect(sonnet).toEqual({
      id: 'acme/sonnet-mid',
      name: 'acme/sonnet-mid',
      tier: 'high',
      codingPercentile: 0.875,
      codingScore: 0.875,
      pricing: { input: 3, output: 15, cacheRead: 0.3, cacheWrite: null },
      blendedPrice: 6,
      contextLength: 200_000,
      maxOutputTokens: 32_000,
      capabilities: { tools: true, structuredOutput: true, reasoning: true, imageInput: true },
      shortlist: true,
      onFrontier: true,
    });
    const unscored = report.models.find((model) => model.id === 'zeta/unscored');
    expect(unscored?.tier).toBeNull();
    expect(unscored?.codingPercentile).toBeNull();
  });

  it('colours only when asked', () => {
    const report = buildModelsReport(buildModelIndex(fixtureSnapshot()), { all: false });
    expect(formatModelsReport(report, createPalette(true))).toContain('\u001b[');
    expect(formatModelsReport(report, createPalette(false))).not.toContain('\u001b[');
  });

  it('formatCapabilities keeps four fixed positions', () => {
    expect(
      formatCapabilities({ tools: true, structuredOutput: false, reasoning: true, imageInput: false }),
    ).toBe('T-R-');
  });
});
