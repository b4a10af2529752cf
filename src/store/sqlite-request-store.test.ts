import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RouterError } from '../core/errors.js';
import { openSqliteConnection, type SqliteDriverName, sqliteDriverWorks } from './sqlite-driver.js';
import { SqliteRequestStore } from './sqlite-request-store.js';
import { describeRequestStoreConformance, makeRequestRecord } from './test-support/request-store.case.js';

const directories: string[] = [];

function temporaryDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'pareto-store-'));
  directories.push(directory);
  return directory;
}

afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

const drivers: readonly SqliteDriverName[] = ['node', 'better-sqlite3'];

for (const driver of drivers) {
  const works = sqliteDriverWorks(driver);
  if (!works) {
    // One line in the test output, so a skipped library is never silent.
    console.info(
      `SqliteRequestStore on ${driver}: skipped, the library cannot open a database on Node.js ${process.versions.node}` +
        (driver === 'node'
          ? ' (node:sqlite needs 22.13 or later)'
          : ' (better-sqlite3 missing or built for another Node.js)'),
    );
  }
  describe.skipIf(!works)(`with ${driver}`, () => {
    describeRequestStoreConformance(`SqliteRequestStore (${driver})`, async () => {
      const directory = mkdtempSync(join(tmpdir(), 'pareto-store-case-'));
      const filePath = join(directory, 'pareto-router.db');
      const store = new SqliteRequestStore({ filePath, driver });
      const raw = openSqliteConnection(filePath, 5000, driver);
      return {
        store,
        appliedMigrations: () => store.appliedMigrations(),
        execute: async (sql) => {
          raw.exec(sql);
        },
        dispose: async () => {
          raw.close();
          rmSync(directory, { recursive: true, force: true });
        },
      };
    });
  });
}

describe('SqliteRequestStore on disk', () => {
  it('creates missing data directories and uses WAL mode', async () => {
    const filePath = join(temporaryDirectory(), 'nested', 'deeper', 'pareto-router.db');
    const store = new SqliteRequestStore({ filePath });
    await store.migrate();
    await store.close();
    const inspect = openSqliteConnection(filePath, 5000);
    try {
      expect(inspect.pragma('journal_mode')).toBe('wal');
    } finally {
      inspect.close();
    }
  });

  it('keeps records across a restart', async () => {
    const filePath = join(temporaryDirectory(), 'pareto-router.db');
    const first = new SqliteRequestStore({ filePath });
    await first.migrate();
    await first.insertRequests([makeRequestRecord({ id: 'gen-persisted' })]);
    await first.close();
    const second = new SqliteRequestStore({ filePath });
    await second.migrate();
    expect((await second.getRequest('gen-persisted'))?.id).toBe('gen-persisted');
    await second.close();
  });

  it('refuses an unusable data directory with config_invalid naming the path and the reason', () => {
    // A path below a regular file fails for every user, root included (chmod would not stop root).
    const blocker = join(temporaryDirectory(), 'not-a-directory');
    writeFileSync(blocker, 'x');
    const filePath = join(blocker, 'sub', 'pareto-router.db');
    let caught: unknown;
    try {
      new SqliteRequestStore({ filePath });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RouterError);
    const error = caught as RouterError;
    expect(error.code).toBe('config_invalid');
    expect(error.message).toContain(join(blocker, 'sub'));
    expect(error.message).toMatch(/ENOTDIR/);
  });

  it('refuses a database path that cannot be opened as a file', () => {
    // A directory where the file should be: fails for every user, like the case above.
    const directory = temporaryDirectory();
    mkdirSync(join(directory, 'pareto-router.db'));
    const error = captureError(
      () => new SqliteRequestStore({ filePath: join(directory, 'pareto-router.db') }),
    );
    expect(error?.code).toBe('config_invalid');
    expect(error?.message).toContain(join(directory, 'pareto-router.db'));
  });

  it('closes twice without throwing', async () => {
    const store = new SqliteRequestStore({ filePath: join(temporaryDirectory(), 'pareto-router.db') });
    await store.close();
    await expect(store.close()).resolves.toBeUndefined();
  });
});

function captureError(action: () => unknown): RouterError | undefined {
  try {
    action();
  } catch (error) {
    if (error instanceof RouterError) return error;
    throw error;
  }
  return undefined;
}
