/**
 * A request log on disk for the operator commands' tests: a temporary data directory with the SQLite
 * store, two keys and five requests over ten days, written through the store API as the router writes them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ApiKeyRecord, createApiKeyRecord } from '../../store/api-key.js';
import { createRequestStore } from '../../store/create-request-store.js';
import type { RequestRecord } from '../../store/request-record.js';
import type { RequestStore } from '../../store/request-store.js';
import { makeFailedRequestRecord, makeRequestRecord } from '../../store/test-support/request-store.case.js';

/** The fixed "now" of every test that reads the log: 2026-11-20 12:00:00 UTC. */
export const fixtureNow = Date.UTC(2026, 10, 20, 12, 0, 0);
export const minute = 60_000;
export const hour = 60 * minute;
export const day = 24 * hour;

/** A fresh temporary data directory; `remove` deletes it. */
export async function createTemporaryDataDir(): Promise<{ dataDir: string; remove: () => Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'pareto-cli-store-'));
  return { dataDir, remove: () => rm(dataDir, { recursive: true, force: true }) };
}

/** Opens the data directory's store, migrated, runs `use`, and closes it. */
export async function withFixtureStore<Result>(
  dataDir: string,
  use: (store: RequestStore) => Promise<Result>,
): Promise<Result> {
  const store = createRequestStore({ dataDir });
  try {
    await store.migrate();
    return await use(store);
  } finally {
    await store.close();
  }
}

export interface SeededLog {
  dataDir: string;
  /** "ci-bot": made gen-1 and gen-2. */
  ciKey: ApiKeyRecord;
  /** "dashboard": made gen-3 and gen-4. */
  dashboardKey: ApiKeyRecord;
  records: RequestRecord[];
  remove: () => Promise<void>;
}

/**
 * Five requests, oldest first: gen-1 (10 days ago, high), gen-2 (5 days, medium), gen-3 (2 days,
 * medium), gen-4 (1 hour, low) and gen-5 (30 minutes ago, no key, failed before any model answered).
 * Totals: 8,000 prompt tokens (1,000 cached), 2,000 completion tokens, $0.01045.
 */
export async function seedRequestLog(): Promise<SeededLog> {
  const { dataDir, remove } = await createTemporaryDataDir();
  const ciKey = createApiKeyRecord({ name: 'ci-bot', limitDailyUsd: 5 }, fixtureNow - 20 * day).record;
  const dashboardKey = createApiKeyRecord({ name: 'dashboard' }, fixtureNow - 15 * day).record;
  const success = (overrides: Partial<RequestRecord>) =>
    makeRequestRecord({
      cachedTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
      finishReason: 'stop',
      ...overrides,
    });
  const records: RequestRecord[] = [
    success({
      id: 'gen-1',
      createdAt: fixtureNow - 10 * day,
      keyId: ciKey.id,
      tier: 'high',
      model: 'beta/coder-pro',
      promptTokens: 2000,
      cachedTokens: 1000,
      completionTokens: 500,
      costUsd: 0.006375,
      latencyMs: 4200,
      finishReason: 'tool_calls',
    }),
    success({
      id: 'gen-2',
      createdAt: fixtureNow - 5 * day,
      keyId: ciKey.id,
      tier: 'medium',
      model: 'gamma/open-coder',
      promptTokens: 2000,
      completionTokens: 500,
      costUsd: 0.0016,
      latencyMs: 1500,
    }),
    success({
      id: 'gen-3',
      createdAt: fixtureNow - 2 * day,
      keyId: dashboardKey.id,
      tier: 'medium',
      model: 'gamma/open-coder',
      promptTokens: 3000,
      completionTokens: 700,
      costUsd: 0.00232,
      latencyMs: 2300,
    }),
    success({
      id: 'gen-4',
      createdAt: fixtureNow - hour,
      keyId: dashboardKey.id,
      tier: 'low',
      model: 'delta/tiny',
      promptTokens: 1000,
      completionTokens: 300,
      costUsd: 0.000155,
      latencyMs: 640,
    }),
    makeFailedRequestRecord({ id: 'gen-5', createdAt: fixtureNow - 30 * minute, latencyMs: 35 }),
  ];
  await withFixtureStore(dataDir, async (store) => {
    await store.createKey(ciKey);
    await store.createKey(dashboardKey);
    await store.insertRequests(records);
  });
  return { dataDir, ciKey, dashboardKey, records, remove };
}
