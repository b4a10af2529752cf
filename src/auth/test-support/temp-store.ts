/** A real SQLite store in a fresh temporary directory, for tests that need keys and spend. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ApiKeyPatch, type ApiKeyRecord, createApiKeyRecord } from '../../store/api-key.js';
import type { RequestRecord } from '../../store/request-record.js';
import { SqliteRequestStore } from '../../store/sqlite-request-store.js';

export interface TempStore {
  store: SqliteRequestStore;
  /** Creates and stores a key; returns the secret and the record. */
  addKey(settings?: Partial<ApiKeyPatch>, now?: number): Promise<{ key: string; record: ApiKeyRecord }>;
  /** Stores one request record costing `costUsd` for `keyId` at `createdAt`. */
  addSpend(keyId: string, costUsd: number, createdAt: number): Promise<void>;
  dispose(): Promise<void>;
}

let sequence = 0;

export async function createTempStore(): Promise<TempStore> {
  const directory = await mkdtemp(join(tmpdir(), 'pareto-auth-'));
  const store = new SqliteRequestStore({ filePath: join(directory, 'router.db') });
  await store.migrate();
  return {
    store,
    async addKey(settings = {}, now = Date.UTC(2025, 0, 1)) {
      const created = createApiKeyRecord({ name: 'test key', ...settings }, now);
      await store.createKey(created.record);
      return created;
    },
    async addSpend(keyId, costUsd, createdAt) {
      sequence += 1;
      await store.insertRequests([spendRecord(`gen-test-${sequence}`, keyId, costUsd, createdAt)]);
    },
    async dispose() {
      await store.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

function spendRecord(id: string, keyId: string, costUsd: number, createdAt: number): RequestRecord {
  return {
    id,
    createdAt,
    keyId,
    requestedModel: 'pareto-code',
    settings: {},
    tier: 'high',
    attempts: [{ model: 'alpha', upstream: 'mock', status: 200, errorCode: null, durationMs: 10 }],
    model: 'alpha',
    upstream: 'mock',
    promptTokens: 10,
    completionTokens: 5,
    cachedTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
    costUsd,
    latencyMs: 10,
    timeToFirstTokenMs: null,
    outputTokensPerSecond: null,
    sessionHash: null,
    finishReason: 'stop',
    streamed: false,
    status: 200,
    errorCode: null,
  };
}
