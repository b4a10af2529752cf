import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../test-support/cli-fixture.js';
import type { FrontierReport } from './frontier-command.js';

describe('frontier', () => {
  it('lists frontier models first, cheapest first, then the dominated ones with what dominates them', async () => {
    const run = await runCli(['frontier']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain(
      'snapshot 2026-11: 6 of 8 benchmarked shortlist models on the Pareto frontier',
    );
    const rows = run.stdout
      .split('\n')
      .filter((line) => /^(\*|dominated)\s/.test(line))
      .map((line) => line.split(/\s+/).slice(0, 2).join(' '));
    expect(rows).toEqual([
      '* delta/tiny',
      '* gamma/mini',
      '* gamma/open-coder',
      '* beta/coder-pro',
      '* acme/sonnet-mid',
      '* acme/opus-large',
      'dominated beta/flash',
      'dominated delta/legacy',
    ]);
    expect(run.stdout).toMatch(/dominated\s+beta\/flash\s+medium\s+0\.500\s+\$0\.85\s+gamma\/open-coder/);
    expect(run.stdout).toContain('not placed (no coding benchmark): zeta/unscored');
  });

  it('--json has the documented shape', async () => {
    const run = await runCli(['frontier', '--json']);
    const report = JSON.parse(run.stdout) as FrontierReport;
    expect(report.svgFile).toBeNull();
    expect(report.unbenchmarked).toEqual(['zeta/unscored']);
    expect(report.models[0]).toEqual({
      id: 'delta/tiny',
      name: 'delta/tiny',
      tier: 'low',
      codingPercentile: 0,
      blendedPrice: expect.closeTo(0.0875, 12),
      onFrontier: true,
      dominatedBy: null,
    });
    expect(report.models.find((model) => model.id === 'delta/legacy')?.dominatedBy).toBe('gamma/open-coder');
  });

  it('names in the table the model that beats each dominated one, and how', async () => {
    const run = await runCli(['frontier']);
    expect(run.stdout).toMatch(
      /dominated\s+delta\/legacy\s+medium.*gamma\/open-coder \(better and cheaper\)/,
    );
  });

  it('--svg writes the chart', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'pareto-frontier-'));
    try {
      const file = join(directory, 'frontier.svg');
      const run = await runCli(['frontier', '--svg', file, '--json'], {
        writeTextFile: async (path, text) => {
          const { writeFile } = await import('node:fs/promises');
          await writeFile(path, text, 'utf8');
        },
      });
      expect(run.exitCode).toBe(0);
      expect((JSON.parse(run.stdout) as FrontierReport).svgFile).toBe(file);
      const svg = await readFile(file, 'utf8');
      expect(svg.startsWith('<?xml')).toBe(true);
      expect(svg).toContain('snapshot 2026-11');
      for (const id of ['delta/tiny', 'gamma/open-coder', 'acme/opus-large', 'delta/legacy'])
        expect(svg).toContain(id);
      // The tier picks route() makes with no live state are marked.
      expect(svg).toContain('high pick');
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('--svg into a missing folder is a usage error', async () => {
    const run = await runCli(['frontier', '--svg', '/nonexistent-folder/x.svg']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/^pareto-router: cannot write --svg "\/nonexistent-folder\/x\.svg": ENOENT/);
  });
});
