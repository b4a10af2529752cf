import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRequestStore, sqliteFileName } from './create-request-store.js';
import { PostgresRequestStore } from './postgres-request-store.js';
import { SqliteRequestStore } from './sqlite-request-store.js';

const directories: string[] = [];

afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function dataDir(): string {
  const directory = mkdtempSync(join(tmpdir(), 'pareto-create-store-'));
  directories.push(directory);
  return join(directory, 'data');
}

describe('createRequestStore', () => {
  it('uses SQLite in the data directory when no URL is set', async () => {
    const directory = dataDir();
    for (const databaseUrl of [undefined, '', '  ']) {
      const store = createRequestStore({ databaseUrl, dataDir: directory });
      expect(store.kind).toBe('sqlite');
      expect(store).toBeInstanceOf(SqliteRequestStore);
      expect((store as SqliteRequestStore).filePath).toBe(join(directory, sqliteFileName));
      await store.close();
    }
    expect(existsSync(join(directory, sqliteFileName))).toBe(true);
  });

  it('uses PostgreSQL for postgres:// and postgresql:// URLs without connecting yet', async () => {
    for (const databaseUrl of ['postgres://router@127.0.0.1:1/db', 'POSTGRESQL://router@127.0.0.1:1/db']) {
      const store = createRequestStore({ databaseUrl, dataDir: dataDir() });
      expect(store.kind).toBe('postgres');
      expect(store).toBeInstanceOf(PostgresRequestStore);
      await store.close();
    }
  });

  it('refuses another scheme instead of silently falling back to SQLite', () => {
    expect(() =>
      createRequestStore({ databaseUrl: 'mysql://root:hunter2@db/x', dataDir: dataDir() }),
    ).toThrow(/database URL mysql:\/\/root:\*\*\*@db\/x is not supported/);
  });
});
