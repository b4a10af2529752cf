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
    expect(run.stdout).toContain(
      'snapshot 2026-11: min_coding_score 0.8 -> high tier, cheapest first (pareto rule)',
    );
    const candidates = run.stdout
      .split('\n')
      .filter((line) => /^\s*\d+\s+(primary|fallback|neighbour)\s/.test(line))
      .map((line) => line.trim().split(/\s+/).slice(1, 3).join(' '));
    // Up the high tier's frontier, then below the bar, best first.
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
    expect(run.stdout).toMatch(/2\s+fallback\s+acme\/sonnet-mid.*next up the frontier; \$6\/M blended/);
    expect(run.stdout).toMatch(
      /4\s+neighbour\s+gamma\/open-coder.*below the bar, best first; percentile 0\.625/,
    );
    expect(run.stdout).toContain('dropped (3):');
    expect(run.stdout).toMatch(/delta\/tiny\s+low\s+beyond_fallbacks/);
    expect(run.stdout).toMatch(/zeta\/unscored\s+-\s+unbenchmarked/);
  });

  it('--policy bands keeps to the tier bands, as the hosted router does', async () => {
    const run = await runCli(['route', '--min-coding-score', '0.8', '--policy', 'bands']);
    expect(run.stdout).toContain('-> high tier, cheapest first (bands rule)');
    expect(run.stdout).toMatch(/delta\/tiny\s+low\s+other_tier\s+percentile 0 is in the low tier, not high/);
    const low = parseReport((await runCli(['route', '--tier', 'low', '--policy', 'bands', '--json'])).stdout);
    expect(low.rule).toBe('bands');
    expect(low.request.policy).toBe('bands');
    expect(low.candidates[0]?.modelId).toBe('delta/tiny');
    const bad = await runCli(['route', '--policy', 'cheapest']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/--policy.*cheapest.*pareto, bands/);
  });

  it('names the model that beats a dropped one, and says why the primary comes from a higher tier', async () => {
    // Under a $4 input cap every model but opus-large fits; delta/legacy ($2 input, 0.375) is beaten by
    // beta/flash ($0.3, 0.5), the cheapest model that beats it, and is left out of the six.
    const capped = await runCli(['route', '--max-price', '4']);
    expect(capped.stdout).toMatch(
      /delta\/legacy\s+medium\s+dominated\s+dominated by beta\/flash \(better and cheaper\)/,
    );
    // Without the two low models, the cheapest model that clears a low bar is gamma/open-coder (medium).
    const stepped = await runCli([
      'route',
      '--min-coding-score',
      '0.1',
      '--exclude',
      'delta/tiny,gamma/mini',
    ]);
    expect(stepped.stdout).toContain(
      'the cheapest model at or above the low bar is in the medium tier: it beats every eligible low model on price and percentile',
    );
  });

  it('--tier balanced routes from the medium bar up, and --json carries the whole plan', async () => {
    const run = await runCli(['route', '--tier', 'balanced', '--json']);
    expect(run.exitCode).toBe(0);
    const report = parseReport(run.stdout);
    expect(report.tier).toBe('medium');
    expect(report.rule).toBe('pareto');
    expect(report.minCodingScore).toBe(0.5);
    expect(report.request.tierAlias).toBe('balanced');
    expect(report.candidates[0]).toMatchObject({
      modelId: 'gamma/open-coder',
      role: 'primary',
      tier: 'medium',
    });
    expect(report.candidates.map((candidate) => candidate.modelId)).toEqual([
      'gamma/open-coder',
      'beta/coder-pro',
      'acme/sonnet-mid',
      'beta/flash',
      'delta/legacy',
      'acme/opus-large',
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
    const run = await runCli([
      'route',
      '--tools',
      '--images',
      '--max-blended-price',
      '5',
      '--exclude',
      'acme/*',
    ]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout.split('\n')[1]).toBe(
      'request: tools, image input, max_blended_price $5/M, exclude acme/*',
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

  it('--max-price is the hosted max_price: tiers bypassed, the best model under an input-price cap first', async () => {
    // Input at or under $0.4: open-coder ($0.4, 0.625), flash ($0.3, 0.5), mini ($0.1, 0.25) and tiny
    // ($0.05, 0): each cheaper one is worse, so all four are on the frontier, best first.
    const run = await runCli(['route', '--max-price', '0.4', '--json']);
    const report = parseReport(run.stdout);
    expect(report.tier).toBeNull();
    expect(report.maxInputPrice).toBe(0.4);
    expect(report.candidates.map((candidate) => candidate.modelId)).toEqual([
      'gamma/open-coder',
      'beta/flash',
      'gamma/mini',
      'delta/tiny',
    ]);
    const text = await runCli(['route', '--max-price', '0.4']);
    expect(text.stdout.split('\n')[0]).toBe(
      'snapshot 2026-11: max_price $0.4/M of input -> tiers bypassed, best under the cap first',
    );
    expect(text.stdout).toMatch(/beta\/flash.*on the frontier; input \$0\.3\/M \(list price\)/);
  });

  it('nothing fits: the plan, then one line with the reasons, exit 1', async () => {
    const run = await runCli(['route', '--max-price', '0.01']);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toBe('pareto-router: no model fits: 9 over max_price $0.01/M of input\n');
    expect(run.stdout).toMatch(
      /acme\/opus-large\s+high\s+over_max_price\s+input price \$15\/M > max_price \$0\.01\/M/,
    );
    const blended = await runCli(['route', '--max-blended-price', '0.05', '--policy', 'bands']);
    expect(blended.stderr).toBe('pareto-router: no model fits: 9 over max_blended_price $0.05/M\n');
  });

  it('nothing fits with --json: the JSON plan on stdout, the reason on stderr', async () => {
    const run = await runCli(['route', '--max-price', '0', '--json']);
    expect(run.exitCode).toBe(1);
    const report = parseReport(run.stdout);
    expect(report.candidates).toEqual([]);
    expect(report.request.maxPrice).toBe(0);
    expect(run.stderr).toBe('pareto-router: no model fits: 9 over max_price $0/M of input\n');
  });
});
