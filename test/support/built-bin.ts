/**
 * The real bin on the built package, for end-to-end tests. Builds `dist/` first when it is missing or
 * older than the sources; a lock directory keeps two test files from building at the same time.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const rootDir = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
export const binPath = join(rootDir, 'bin', 'pareto-router.js');
const builtMain = join(rootDir, 'dist', 'cli', 'main.js');
const lockDir = join(rootDir, 'node_modules', '.cache', 'pareto-router-build.lock');
const lockStaleMs = 120_000;

function newestSourceTime(directory: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceTime(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
      newest = Math.max(newest, statSync(path).mtimeMs);
    }
  }
  return newest;
}

function isStale(): boolean {
  return !existsSync(builtMain) || statSync(builtMain).mtimeMs < newestSourceTime(join(rootDir, 'src'));
}

function runTsc(): Promise<void> {
  const tsc = join(rootDir, 'node_modules', 'typescript', 'bin', 'tsc');
  // tsc emits even when some file has a type error; whether main.js exists is what matters here.
  return new Promise((resolve) => {
    execFile(process.execPath, [tsc, '-p', join(rootDir, 'tsconfig.build.json')], { cwd: rootDir }, () =>
      resolve(),
    );
  });
}

async function acquireLock(): Promise<void> {
  mkdirSync(dirname(lockDir), { recursive: true });
  for (;;) {
    try {
      mkdirSync(lockDir);
      return;
    } catch {
      const held = statSync(lockDir, { throwIfNoEntry: false });
      // A lock left by a run that was killed mid-build.
      if (held !== undefined && Date.now() - held.mtimeMs > lockStaleMs) {
        rmSync(lockDir, { recursive: true, force: true });
      }
      await sleep(100);
    }
  }
}

/** Makes sure `dist/` is current; throws when the bin's entry point cannot be built. */
export async function ensureBuilt(): Promise<void> {
  if (!isStale()) return;
  await acquireLock();
  try {
    if (isStale()) await runTsc();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
  if (!existsSync(builtMain)) throw new Error('dist/cli/main.js was not built');
}
