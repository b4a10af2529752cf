/**
 * The SQLite writer thread, from the built package (a worker thread runs compiled JavaScript): batches
 * land in the database, a refused record fails its batch with the store's own error, and a thread that
 * dies hands its unconfirmed batches to the main-thread store.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRequestRecord } from '../src/store/test-support/request-store.case.js';
import { ensureBuilt, rootDir } from './support/built-bin.js';

let dataDir: string;
let built: {
  SqliteRequestStore: typeof import('../src/store/sqlite-request-store.js').SqliteRequestStore;
  WorkerRequestWrites: typeof import('../src/store/worker-request-writes.js').WorkerRequestWrites;
};

beforeAll(async () => {
  await ensureBuilt();
  const load = (path: string) => import(pathToFileURL(join(rootDir, 'dist', path)).href);
  built = {
    SqliteRequestStore: (await load('store/sqlite-request-store.js')).SqliteRequestStore,
    WorkerRequestWrites: (await load('store/worker-request-writes.js')).WorkerRequestWrites,
  };
  dataDir = mkdtempSync(join(tmpdir(), 'pareto-router-worker-writes-'));
}, 180_000);

afterAll(() => {
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
});

describe('WorkerRequestWrites', () => {
  it('writes batches on its thread, reports refused records, and falls back when the thread is gone', async () => {
    expect(built.WorkerRequestWrites.available()).toBe(true);
    const filePath = join(dataDir, 'log.db');
    const store = new built.SqliteRequestStore({ filePath });
    await store.migrate();
    const writes = new built.WorkerRequestWrites(filePath, store);
    try {
      const batch = Array.from({ length: 300 }, (_, index) => makeRequestRecord({ id: `gen-w-${index}` }));
      await writes.insertRequests(batch.slice(0, 150));
      await writes.insertRequests(batch.slice(150));
      const stored = await store.queryRequests({ limit: 1000 });
      expect(new Set(stored.map((record) => record.id))).toEqual(new Set(batch.map((record) => record.id)));

      const refused = writes.insertRequests([makeRequestRecord({ id: 'gen-bad', costUsd: Number.NaN })]);
      await expect(refused).rejects.toMatchObject({ code: 'invalid_request' });
      expect(await store.getRequest('gen-bad')).toBeNull();

      await writes.close();
      await writes.insertRequests([makeRequestRecord({ id: 'gen-after-close' })]);
      expect((await store.getRequest('gen-after-close'))?.id).toBe('gen-after-close');
    } finally {
      await writes.close();
      await store.close();
    }
  });
});
