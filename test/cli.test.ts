/**
 * End to end: the real bin (`node bin/pareto-router.js`) on the built package and the shipped
 * snapshots, as a user runs it. Builds `dist/` first when it is missing or older than the sources.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binPath, ensureBuilt, rootDir } from './support/built-bin.js';

const bin = binPath;

interface BinRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

function execute(command: string, args: string[], environment: NodeJS.ProcessEnv): Promise<BinRun> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd: rootDir, env: environment, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ exitCode: code, stdout, stderr });
      },
    );
  });
}

let dataDir: string;

/** Runs the bin with a clean environment: no user data directory, no colour, no provider keys. */
function runBin(args: string[]): Promise<BinRun> {
  return execute(process.execPath, [bin, ...args], {
    PATH: process.env.PATH,
    HOME: dataDir,
    PARETO_ROUTER_DATA_DIR: dataDir,
    NO_COLOR: '1',
  });
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'pareto-cli-e2e-'));
  await ensureBuilt();
}, 180_000);

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('the pareto-router bin', () => {
  it('--help lists the commands and exits 0', async () => {
    const run = await runBin(['--help']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('Usage: pareto-router');
    for (const command of ['serve', 'models', 'route', 'frontier', 'forecast', 'index']) {
      expect(run.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
    }
    expect(run.stderr).toBe('');
  });

  it('route --min-coding-score 0.5 picks a medium-tier primary on the shipped snapshot', async () => {
    const run = await runBin(['route', '--min-coding-score', '0.5']);
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/^snapshot \S+: min_coding_score 0\.5 -> medium tier/);
    expect(run.stdout).toMatch(/^\s*1\s+primary\s+\S+\/\S+\s+medium\s/m);
    const json = await runBin(['route', '--min-coding-score', '0.5', '--json']);
    const plan = JSON.parse(json.stdout) as { tier: string; candidates: { role: string; tier: string }[] };
    expect(plan.tier).toBe('medium');
    expect(plan.candidates[0]?.role).toBe('primary');
  });

  it('models --json parses and lists the shortlist', async () => {
    const run = await runBin(['models', '--json']);
    expect(run.exitCode).toBe(0);
    const report = JSON.parse(run.stdout) as {
      snapshotVersion: string;
      scope: string;
      models: { id: string; blendedPrice: number; shortlist: boolean }[];
    };
    expect(report.scope).toBe('shortlist');
    expect(report.snapshotVersion).toMatch(/^\d{4}-\d{2}/);
    expect(report.models.length).toBeGreaterThan(3);
    for (const model of report.models) {
      expect(model.shortlist).toBe(true);
      expect(model.id).toMatch(/^[\w.-]+\/[\w.:-]+$/);
      expect(model.blendedPrice).toBeGreaterThanOrEqual(0);
    }
  });

  it('a bad score exits 2 with one line on stderr and nothing on stdout', async () => {
    const run = await runBin(['route', '--min-coding-score', '1.5']);
    expect(run.exitCode).toBe(2);
    expect(run.stdout).toBe('');
    const lines = run.stderr.split('\n').filter((line) => line !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^pareto-router: option '--min-coding-score <score>' argument '1\.5' is invalid/,
    );
  });

  it('nothing fits: exit 1 and the reasons on one line', async () => {
    const run = await runBin(['route', '--max-price', '0']);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/^pareto-router: no model fits: \d+ over max_price \$0\/M.*\n$/);
  });
});

const canReplaceProcess = typeof (process as { execve?: unknown }).execve === 'function';

describe('the bin run as a program', () => {
  /**
   * Runs the bin through a symlink, as npm installs it, with a preload that reports node's own flags
   * (one line per process image: a restarted `serve` reports twice).
   */
  async function runProgram(
    args: string[],
    nodeOptions = '',
  ): Promise<{ run: BinRun; execArgv: string[][] }> {
    const linkDir = await mkdtemp(join(tmpdir(), 'pareto-bin-link-'));
    try {
      const link = join(linkDir, 'pareto-router');
      await symlink(bin, link);
      const report = join(linkDir, 'report-exec-argv.mjs');
      await writeFile(
        report,
        'process.stderr.write("EXECARGV " + JSON.stringify(process.execArgv) + "\\n");\n',
      );
      const run = await execute(link, args, {
        PATH: process.env.PATH,
        HOME: dataDir,
        NODE_OPTIONS: `--import ${report} ${nodeOptions}`.trim(),
      });
      const execArgv = run.stderr
        .split('\n')
        .filter((text) => text.startsWith('EXECARGV '))
        .map((line) => JSON.parse(line.slice(9)) as string[]);
      return { run, execArgv };
    } finally {
      await rm(linkDir, { recursive: true, force: true });
    }
  }

  it("is a plain node program: no shell line, which npm's Windows shim could not run", async () => {
    const text = await readFile(bin, 'utf8');
    expect(text.split('\n', 1)[0]).toBe('#!/usr/bin/env node');
    expect(text).not.toMatch(/^":"/m);
  });

  it("runs other commands in one process with node's defaults", async () => {
    const { run, execArgv } = await runProgram(['--version']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(execArgv).toEqual([[]]);
  });

  it.skipIf(!canReplaceProcess)(
    `restarts serve once with the small young generation and two V8 helper threads${canReplaceProcess ? '' : ` (skipped: Node.js ${process.versions.node} has no process.execve; serve runs with node's defaults there)`}`,
    async () => {
      // A bad port ends serve right after the restart, at argument checking.
      const { run, execArgv } = await runProgram(['serve', '--port', 'eighty']);
      expect(run.exitCode).toBe(2);
      expect(execArgv).toEqual([[], ['--max-semi-space-size=4', '--v8-pool-size=2']]);
    },
  );

  it.skipIf(!canReplaceProcess)(
    `leaves each of those options to NODE_OPTIONS when it sets it${canReplaceProcess ? '' : ' (skipped: no process.execve on this Node.js)'}`,
    async () => {
      const semi = await runProgram(['serve', '--port', 'eighty'], '--max-semi-space-size=8');
      expect(semi.execArgv.at(-1)).toEqual(['--v8-pool-size=2']);
      const both = await runProgram(
        ['serve', '--port', 'eighty'],
        '--max-semi-space-size=8 --v8-pool-size=3',
      );
      expect(both.run.exitCode).toBe(2);
      expect(both.execArgv).toEqual([[]]);
    },
  );

  it("without process.execve (Windows, Node.js 20) serve runs in one process with node's defaults", async () => {
    // Hiding execve with a preload stands in for a Node.js that lacks it.
    const { run, execArgv } = await runProgram(
      ['serve', '--port', 'eighty'],
      `--import data:text/javascript,delete%20process.execve`,
    );
    expect(run.exitCode).toBe(2);
    expect(execArgv).toEqual([[]]);
  });
});
