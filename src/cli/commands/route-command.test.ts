import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../test-support/cli-fixture.js';
import type { RouteReport } from './route-command.js';

function parseReport(stdout: string): RouteReport {
  return JSON.parse(stdout) as RouteReport;
}

describe('route', () => {
  it('prints the tier, the candidates in order with role and reason, and every dropped model', async () => {
    const run = await runCli(['route', '--min-coding-score', '0.8']);
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('snapshot 2026-11: min_coding_score 0.8 -> high tier, cheapest first');
    const candidates = run.stdout
      .split('\n')
      .filter((line) => /^\s*\d+\s+(primary|fallback|neighbour)\s/.test(line))
      .map((line) => line.trim().split(/\s+/).slice(1, 3).join(' '));
    expect(candidates).toEqual([
      'primary beta/coder-pro',
      'fallback acme/sonnet-mid',
      'fallback acme/opus-large',
      'neighbour gamma/open-coder',
      'neighbour beta/flash',
      'neighbour delta/legacy',
    ]);
    expect(run.stdout).toMatch(
      /1\s+primary\s+beta\/coder-pro\s+high\s+0\.750\s+\$3\.4375\s+\$3\.4375\/M blended/,
    );
    expect(run.stdout).toContain('dropped (3):');
    expect(run.stdout).toMatch(/delta\/tiny\s+low\s+other_tier\s+percentile 0 is in the low tier, not high/);
    expect(run.stdout).toMatch(/zeta\/unscored\s+-\s+unbenchmarked/);
  });

  it('--tier balanced routes in the medium tier, and --json carries the whole plan', async () => {
    const run = await runCli(['route', '--tier', 'balanced', '--json']);
    expect(run.exitCode).toBe(0);
    const report = parseReport(run.stdout);
    expect(report.tier).toBe('medium');
    expect(report.minCodingScore).toBe(0.5);
    expect(report.request.tierAlias).toBe('balanced');
    expect(report.candidates[0]).toMatchObject({
      modelId: 'gamma/open-coder',
      role: 'primary',
      tier: 'medium',
    });
    expect(report.candidates.map((candidate) => candidate.role)).toEqual([
      'primary',
      'fallback',
      'fallback',
      'neighbour',
      'neighbour',
      'neighbour',
    ]);
    // Every shortlist model has exactly one decision.
    expect(report.decisions).toHaveLength(9);
    expect(new Set(report.decisions.map((decision) => decision.modelId)).size).toBe(9);
  });

  it('applies the capability, size and pattern constraints', async () => {
    const run = await runCli([
      'route',
      '--min-coding-score',
      '0.1',
      '--tools',
      '--max-tokens',
      '8000',
      '--exclude',
      'gamma/*',
      '--json',
    ]);
    const report = parseReport(run.stdout);
    const reasonOf = (id: string) => report.decisions.find((decision) => decision.modelId === id)?.reason;
    expect(reasonOf('gamma/mini')).toBe('excluded');
    expect(reasonOf('gamma/open-coder')).toBe('excluded');
    expect(reasonOf('delta/tiny')).toBe('max_tokens_too_large');
    // Nothing left in low: the router steps up to medium.
    expect(report.steppedTo).toBe('medium');
    expect(report.candidates[0]?.modelId).toBe('beta/flash');
    expect(report.request).toMatchObject({ needsTools: true, maxTokens: 8000, exclude: ['gamma/*'] });
  });

  it('says which constraints the request carried', async () => {
    const run = await runCli(['route', '--tools', '--images', '--max-price', '5', '--exclude', 'acme/*']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout.split('\n')[1]).toBe(
      'request: tools, image input, max_price $5/M blended, exclude acme/*',
    );
    const plain = await runCli(['route']);
    expect(plain.stdout).not.toContain('request:');
  });

  it('--allow takes several patterns, with commas too', async () => {
    const run = await runCli(['route', '--allow', 'acme/*,delta/legacy', 'beta/flash', '--json']);
    const report = parseReport(run.stdout);
    expect(report.request.allow).toEqual(['acme/*', 'delta/legacy', 'beta/flash']);
    expect(report.candidates.map((candidate) => candidate.modelId)).toEqual([
      'acme/sonnet-mid',
      'acme/opus-large',
      'beta/flash',
      'delta/legacy',
    ]);
  });

  it('--nitro ranks by reference throughput', async () => {
    const run = await runCli(['route', '--nitro', '--json']);
    const report = parseReport(run.stdout);
    expect(report.nitro).toBe(true);
    expect(report.candidates[0]).toMatchObject({ modelId: 'acme/sonnet-mid', throughputSource: 'reference' });
  });

  it('--prompt-file estimates the prompt and drops models whose context is too small', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'pareto-route-'));
    try {
      const file = join(directory, 'prompt.txt');
      await writeFile(file, 'x'.repeat(200_000), 'utf8');
      const run = await runCli(['route', '--tier', 'low', '--prompt-file', file, '--json']);
      const report = parseReport(run.stdout);
      expect(report.request.estimatedPromptTokens).toBe(50_004);
      const tiny = report.decisions.find((decision) => decision.modelId === 'delta/tiny');
      expect(tiny?.reason).toBe('context_too_small');
      expect(report.candidates[0]?.modelId).toBe('gamma/mini');
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('nothing fits: the plan, then one line with the reasons, exit 1', async () => {
    const run = await runCli(['route', '--max-price', '0.1']);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toBe(
      'pareto-router: no model fits: 8 over max_price $0.1/M, 1 in another tier than high and its neighbour\n',
    );
    expect(run.stdout).toMatch(
      /acme\/opus-large\s+high\s+over_max_price\s+blended price \$30\/M > max_price \$0\.1\/M/,
    );
  });

  it('nothing fits with --json: the JSON plan on stdout, the reason on stderr', async () => {
    const run = await runCli(['route', '--max-price', '0', '--json']);
    expect(run.exitCode).toBe(1);
    const report = parseReport(run.stdout);
    expect(report.candidates).toEqual([]);
    expect(report.request.maxPrice).toBe(0);
    expect(run.stderr).toBe('pareto-router: no model fits: 9 over max_price $0/M\n');
  });
});
