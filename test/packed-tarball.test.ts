/**
 * The package as users get it: `npm pack` (whose `prepare` builds dist/), then, in an empty folder,
 * `npx --package ./pareto-router-<version>.tgz pareto-router serve --demo`, one call, and a clean stop.
 * npm installs the dependencies from the registry into a throw-away cache; nothing else is reached.
 * Optional dependencies are left out, as on a machine that cannot build native code: the request log
 * then runs on node:sqlite, which needs Node.js 22.13 or later.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rootDir } from './support/built-bin.js';

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
const hasNodeSqlite = major > 22 || (major === 22 && minor >= 13);

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, timeout: number) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(command, args, { cwd, env, timeout, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
}

let work: string;
let registryReachable = false;
let tarball: string | undefined;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'pareto-router-pack-'));
  if (!hasNodeSqlite) return;
  const ping = await run('npm', ['ping'], work, { ...process.env }, 20_000);
  registryReachable = ping.code === 0;
  if (!registryReachable) return;
  const packed = await run('npm', ['pack', '--pack-destination', work], rootDir, { ...process.env }, 240_000);
  if (packed.code !== 0) throw new Error(`npm pack failed:\n${packed.stderr}`);
  const name = readdirSync(work).find((file) => /^pareto-router-.+\.tgz$/.test(file));
  tarball = name === undefined ? undefined : join(work, name);
}, 300_000);

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

const skipReason = !hasNodeSqlite
  ? ` (skipped: Node.js ${process.versions.node} has no node:sqlite, and installing the optional better-sqlite3 compiles it for minutes; CI runs this on Node.js 22 and 24)`
  : '';

describe.skipIf(!hasNodeSqlite)(`the packed tarball${skipReason}`, () => {
  it('carries a built dist and the bin, and no test files', async ({ skip }) => {
    if (!registryReachable) skip('the npm registry is not reachable: npm pack and npx cannot run');
    expect(tarball).toBeDefined();
    const listing = await run('tar', ['tzf', tarball as string], work, { ...process.env }, 30_000);
    const files = listing.stdout.split('\n');
    expect(files).toContain('package/bin/pareto-router.js');
    expect(files).toContain('package/dist/cli/main.js');
    expect(files.some((file) => /\.test\.js$/.test(file))).toBe(false);
  });

  it('npx --package ./pareto-router-*.tgz pareto-router serve --demo answers a call in an empty folder', async ({
    skip,
  }) => {
    if (!registryReachable) skip('the npm registry is not reachable: npm pack and npx cannot run');
    const empty = join(work, 'empty');
    const dataDir = join(work, 'data');
    rmSync(empty, { recursive: true, force: true });
    await run('mkdir', ['-p', empty], work, { ...process.env }, 5_000);
    const child = spawn(
      'npx',
      [
        '--yes',
        '--package',
        tarball as string,
        '--',
        'pareto-router',
        'serve',
        '--demo',
        '--port',
        '0',
        '--data-dir',
        dataDir,
      ],
      {
        cwd: empty,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          // The caller's npm and TLS settings (registry, proxy, CA certificates) stay; the router's own
          // variables and any provider key do not.
          ...Object.fromEntries(
            Object.entries(process.env).filter(
              ([name]) => !/^PARETO_ROUTER_|_API_KEY$|_BASE_URL$|^DATABASE_URL$|^PORT$|^HOST$/.test(name),
            ),
          ),
          npm_config_cache: join(work, 'npm-cache'),
          npm_config_omit: 'optional',
          npm_config_update_notifier: 'false',
          PARETO_ROUTER_LOG_LEVEL: 'warn',
        },
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`serve did not start:\n${stderr}`)), 180_000);
        child.stderr.on('data', () => {
          const match = /listening on (http:\/\/\S+)/.exec(stderr);
          if (match?.[1] !== undefined) {
            clearTimeout(timer);
            resolve(match[1]);
          }
        });
        exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`npx exited with ${code}:\n${stderr}`));
        });
      });
      const response = await fetch(`${url}/api/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'openrouter/pareto-code',
          messages: [{ role: 'user', content: 'Write a function that reverses a string.' }],
        }),
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { choices: { message: { content: string } }[] };
      expect(body.choices[0]?.message.content.length).toBeGreaterThan(0);
      expect(stderr).toMatch(/^DEMO MODE/m);
    } finally {
      // npx runs the bin in a child of its own: stop the whole group.
      if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGTERM');
      await exited;
    }
    expect(existsSync(join(dataDir, 'pareto-router.db'))).toBe(true);
  }, 240_000);
});
