/** A small, fixed snapshot and a runner that captures what the CLI writes, for the CLI's tests. */
import type { IndexSnapshot, ModelEntry } from '../../core/model-index.js';
import { syntheticModel } from '../../core/test-support/synthetic-index.js';
import type { CliContext } from '../cli-context.js';
import { main } from '../main.js';

function model(
  id: string,
  score: number | null,
  input: number,
  output: number,
  overrides: Partial<ModelEntry> = {},
): ModelEntry {
  return syntheticModel(id, score, input, { pricing: { input, output }, ...overrides });
}

/**
 * Nine benchmarked models with scores 10..90, so percentiles are 0, 0.125 ... 1:
 * high = beta/coder-pro (.75), acme/sonnet-mid (.875), acme/opus-large (1);
 * medium = delta/legacy (.375), beta/flash (.5), gamma/open-coder (.625);
 * low = delta/tiny (0), omega/not-listed (.125, not shortlisted), gamma/mini (.25).
 * Frontier (shortlist): delta/tiny, gamma/mini, gamma/open-coder, beta/coder-pro, acme/sonnet-mid,
 * acme/opus-large; beta/flash and delta/legacy are dominated by gamma/open-coder.
 */
export function fixtureSnapshot(version = '2026-11'): IndexSnapshot {
  return {
    schemaVersion: 1,
    version,
    createdAt: '2026-11-01T00:00:00Z',
    models: [
      model('acme/opus-large', 90, 15, 75, { pricing: { input: 15, output: 75, cacheRead: 1.5 } }),
      model('acme/sonnet-mid', 80, 3, 15, {
        pricing: { input: 3, output: 15, cacheRead: 0.3 },
        throughputTokensPerSecond: 80,
      }),
      model('beta/coder-pro', 70, 1.25, 10, {
        pricing: { input: 1.25, output: 10, cacheRead: 0.125 },
        throughputTokensPerSecond: 40,
      }),
      model('gamma/open-coder', 60, 0.4, 1.6),
      model('beta/flash', 50, 0.3, 2.5),
      model('delta/legacy', 40, 2, 8, {
        capabilities: { tools: true, structuredOutput: false, reasoning: false, imageInput: false },
      }),
      model('gamma/mini', 30, 0.1, 0.4, {
        capabilities: { tools: false, structuredOutput: false, reasoning: false, imageInput: false },
      }),
      model('omega/not-listed', 20, 0.2, 0.2, { shortlist: false }),
      model('delta/tiny', 10, 0.05, 0.2, { contextLength: 32_000, maxOutputTokens: 4_096 }),
      model('zeta/unscored', null, 1, 1),
    ],
  };
}

export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs `main` on `args` (without node and script) against the fixture snapshot, capturing output. */
export async function runCli(args: string[], overrides: Partial<CliContext> = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const context: Partial<CliContext> = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    colour: false,
    progress: false,
    loadSnapshot: async (request) => fixtureSnapshot(request.version ?? '2026-11'),
    environment: {},
    ...overrides,
  };
  const exitCode = await main(['node', 'pareto-router', ...args], context);
  return { exitCode, stdout, stderr };
}
