/**
 * The one conformance suite every RequestStore adapter runs (the shared-suite pattern): each adapter's
 * test file supplies a factory for a fresh, empty database and calls `describeRequestStoreConformance`.
 * Anything the server relies on is asserted here, so SQLite and PostgreSQL cannot drift apart.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RouterError } from '../../core/errors.js';
import { type ApiKeyPatch, type ApiKeyRecord, generateApiKey } from '../api-key.js';
import type { RequestRecord } from '../request-record.js';
import { maxRequestQueryLimit, noneGroup, type RequestStore } from '../request-store.js';
import { storeMigrations } from '../store-migrations.js';

export interface RequestStoreSubject {
  /** A store on a fresh, empty database, not yet migrated. */
  store: RequestStore;
  /** Versions recorded in `schema_migrations`, ascending (read by the adapter, not by the suite). */
  appliedMigrations(): Promise<number[]>;
  /** Runs one portable SQL statement on the same database through a separate connection. */
  execute(sql: string): Promise<void>;
  /** Removes what the factory created (temp directory, schema). Called after `store.close()`. */
  dispose(): Promise<void>;
}

const base = Date.UTC(2025, 0, 15, 12, 0, 0);
const hour = 3_600_000;
const day = 24 * hour;

/** A record with every field set, so a round trip proves each column. */
export function makeRequestRecord(overrides: Partial<RequestRecord> = {}): RequestRecord {
  return {
    id: 'gen-full-1',
    createdAt: base,
    keyId: 'key_aaaaaaaaaaaa',
    requestedModel: 'openrouter/pareto-code:nitro',
    settings: {
      min_coding_score: 0.8,
      tier: 'high',
      nitro: true,
      pinned_version: '2025-01-10',
      max_price: { prompt: 3, completion: 15 },
      allowed_models: ['anthropic/*', 'openai/gpt-5*'],
      excluded_models: ['x-ai/grok-code-fast-1'],
      note: 'ünïcødé ✓ "quoted"',
    },
    tier: 'high',
    attempts: [
      {
        model: 'openai/gpt-5',
        upstream: 'openrouter',
        status: 503,
        errorCode: 'upstream_server_error',
        durationMs: 812.5,
      },
      {
        model: 'anthropic/claude-sonnet-4.5',
        upstream: 'anthropic',
        status: null,
        errorCode: 'timeout',
        durationMs: 30_000,
      },
      {
        model: 'anthropic/claude-sonnet-4.5',
        upstream: 'openrouter',
        status: 200,
        errorCode: null,
        durationMs: 2400,
      },
    ],
    model: 'anthropic/claude-sonnet-4.5',
    upstream: 'openrouter',
    promptTokens: 12_345,
    completionTokens: 678,
    cachedTokens: 10_000,
    cacheWriteTokens: 2_000,
    reasoningTokens: 64,
    costUsd: 0.012_345_678_9,
    latencyMs: 3212.75,
    timeToFirstTokenMs: 456.25,
    outputTokensPerSecond: 87.3,
    sessionHash: 'f00dfeed',
    finishReason: 'tool_calls',
    streamed: true,
    status: 200,
    errorCode: null,
    ...overrides,
  };
}

/** A failed request: every nullable field null, counters zero. */
export function makeFailedRequestRecord(overrides: Partial<RequestRecord> = {}): RequestRecord {
  return {
    id: 'gen-failed-1',
    createdAt: base,
    keyId: null,
    requestedModel: 'pareto-code',
    settings: {},
    tier: null,
    attempts: [],
    model: null,
    upstream: null,
    promptTokens: 0,
    completionTokens: 0,
    cachedTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
    costUsd: 0,
    latencyMs: 12,
    timeToFirstTokenMs: null,
    outputTokensPerSecond: null,
    sessionHash: null,
    finishReason: null,
    streamed: false,
    status: 502,
    errorCode: 'all_candidates_failed',
    ...overrides,
  };
}

/** A key with every setting set. */
export function makeApiKeyRecord(overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  const generated = generateApiKey();
  return {
    id: 'key_aaaaaaaaaaaa',
    name: 'ci pipeline',
    hash: generated.hash,
    prefix: generated.prefix,
    createdAt: base,
    revokedAt: null,
    defaultMinCodingScore: 0.75,
    preventOverrides: true,
    allowedModels: ['anthropic/*', 'openai/gpt-5'],
    excludedModels: ['x-ai/*'],
    limitDailyUsd: 5,
    limitMonthlyUsd: 100.5,
    limitTotalUsd: 1000,
    rateLimitPerMinute: 60,
    ...overrides,
  };
}

async function expectRouterError(promise: Promise<unknown>, code: string, pattern: RegExp): Promise<void> {
  const error = await promise.then(
    () => new Error('expected a rejection'),
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(RouterError);
  expect((error as RouterError).code).toBe(code);
  expect((error as RouterError).message).toMatch(pattern);
}

/** Registers the conformance suite for one adapter. */
export function describeRequestStoreConformance(
  label: string,
  createSubject: () => Promise<RequestStoreSubject>,
): void {
  describe(`${label} conforms to RequestStore`, () => {
    let subject: RequestStoreSubject;
    let store: RequestStore;

    beforeEach(async () => {
      subject = await createSubject();
      store = subject.store;
      await store.migrate();
    });

    afterEach(async () => {
      await store.close();
      await subject.dispose();
    });

    describe('migrations', () => {
      const versions = storeMigrations.map((migration) => migration.version);

      it('records every known version once, in order', async () => {
        expect(versions.length).toBeGreaterThan(0);
        expect(await subject.appliedMigrations()).toEqual(versions);
      });

      it('is idempotent and keeps the data', async () => {
        await store.insertRequests([makeRequestRecord()]);
        await store.createKey(makeApiKeyRecord());
        await store.migrate();
        await store.migrate();
        expect(await subject.appliedMigrations()).toEqual(versions);
        expect((await store.getRequest('gen-full-1'))?.costUsd).toBe(0.012_345_678_9);
        expect(await store.listKeys()).toHaveLength(1);
      });

      it('applies only the versions a database is missing', async () => {
        await store.insertRequests([makeRequestRecord()]);
        // Version 2 creates api_keys: undo it as if the database predated it.
        await subject.execute('DROP TABLE api_keys');
        await subject.execute('DELETE FROM schema_migrations WHERE version = 2');
        expect(await subject.appliedMigrations()).toEqual([1]);
        await store.migrate();
        expect(await subject.appliedMigrations()).toEqual(versions);
        await store.createKey(makeApiKeyRecord());
        expect(await store.getKey('key_aaaaaaaaaaaa')).not.toBeNull();
        expect(await store.getRequest('gen-full-1')).not.toBeNull();
      });

      it('refuses a database migrated by a newer release', async () => {
        await subject.execute(
          "INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'from the future', 0)",
        );
        await expectRouterError(store.migrate(), 'config_invalid', /schema version 999.*newer/);
      });
    });

    describe('request log', () => {
      it('round-trips every field of a complete record', async () => {
        const record = makeRequestRecord();
        await store.insertRequests([record]);
        expect(await store.getRequest(record.id)).toEqual(record);
      });

      it('round-trips nulls, zeros, false and an empty attempts list', async () => {
        const record = makeFailedRequestRecord();
        await store.insertRequests([record]);
        const stored = await store.getRequest(record.id);
        expect(stored).toEqual(record);
        expect(stored?.attempts).toEqual([]);
        expect(stored?.streamed).toBe(false);
      });

      it('returns null for an unknown id', async () => {
        expect(await store.getRequest('gen-unknown')).toBeNull();
      });

      it('accepts an empty batch', async () => {
        await store.insertRequests([]);
        expect(await store.queryRequests({})).toEqual([]);
      });

      it('skips a record whose id is already stored, so a retried batch is harmless', async () => {
        await store.insertRequests([makeRequestRecord({ id: 'gen-a', costUsd: 1 })]);
        await store.insertRequests([
          makeRequestRecord({ id: 'gen-a', costUsd: 2 }),
          makeRequestRecord({ id: 'gen-b', costUsd: 3 }),
        ]);
        expect((await store.getRequest('gen-a'))?.costUsd).toBe(1);
        expect((await store.getRequest('gen-b'))?.costUsd).toBe(3);
      });

      it('refuses a batch holding an unstorable record and writes none of it', async () => {
        const batch = [
          makeRequestRecord({ id: 'gen-good-1' }),
          makeRequestRecord({ id: 'gen-bad', outputTokensPerSecond: Number.POSITIVE_INFINITY }),
          makeRequestRecord({ id: 'gen-good-2' }),
        ];
        await expectRouterError(
          store.insertRequests(batch),
          'invalid_request',
          /gen-bad: outputTokensPerSecond .*Infinity/,
        );
        expect(await store.getRequest('gen-good-1')).toBeNull();
        expect(await store.getRequest('gen-good-2')).toBeNull();
      });

      it('refuses settings JSON cannot encode, naming the record', async () => {
        const record = makeRequestRecord({ id: 'gen-bigint', settings: { budget: 10n } });
        await expectRouterError(store.insertRequests([record]), 'invalid_request', /gen-bigint/);
        expect(await store.getRequest('gen-bigint')).toBeNull();
      });

      describe('queryRequests', () => {
        beforeEach(async () => {
          await store.insertRequests([
            makeRequestRecord({ id: 'gen-1', createdAt: base, model: 'm/a', keyId: 'key_one' }),
            makeRequestRecord({ id: 'gen-2', createdAt: base + hour, model: 'm/b', keyId: 'key_one' }),
            makeRequestRecord({ id: 'gen-3', createdAt: base + 2 * hour, model: 'm/a', keyId: 'key_two' }),
            makeFailedRequestRecord({ id: 'gen-4', createdAt: base + 3 * hour }),
            // Same instant as gen-4: ties break by id, descending.
            makeRequestRecord({ id: 'gen-5', createdAt: base + 3 * hour, model: 'm/b', keyId: null }),
          ]);
        });

        const ids = (records: RequestRecord[]): string[] => records.map((record) => record.id);

        it('returns newest first, ties by id', async () => {
          expect(ids(await store.queryRequests({}))).toEqual(['gen-5', 'gen-4', 'gen-3', 'gen-2', 'gen-1']);
        });

        it('treats since as inclusive and until as exclusive', async () => {
          expect(ids(await store.queryRequests({ since: base + hour, until: base + 3 * hour }))).toEqual([
            'gen-3',
            'gen-2',
          ]);
          expect(ids(await store.queryRequests({ since: base + 3 * hour }))).toEqual(['gen-5', 'gen-4']);
          expect(ids(await store.queryRequests({ until: base }))).toEqual([]);
        });

        it('filters by answering model and by key, alone and combined', async () => {
          expect(ids(await store.queryRequests({ model: 'm/a' }))).toEqual(['gen-3', 'gen-1']);
          expect(ids(await store.queryRequests({ keyId: 'key_one' }))).toEqual(['gen-2', 'gen-1']);
          expect(ids(await store.queryRequests({ keyId: 'key_one', model: 'm/b' }))).toEqual(['gen-2']);
          expect(ids(await store.queryRequests({ model: 'm/none' }))).toEqual([]);
          expect(ids(await store.queryRequests({ keyId: 'key_one', since: base + 1 }))).toEqual(['gen-2']);
        });

        it('applies the limit to the newest records', async () => {
          expect(ids(await store.queryRequests({ limit: 2 }))).toEqual(['gen-5', 'gen-4']);
          expect(ids(await store.queryRequests({ limit: 1, model: 'm/a' }))).toEqual(['gen-3']);
        });

        it('refuses a limit out of range instead of clamping it', async () => {
          await expectRouterError(store.queryRequests({ limit: 0 }), 'invalid_request', /limit .* got 0/);
          await expectRouterError(
            store.queryRequests({ limit: maxRequestQueryLimit + 1 }),
            'invalid_request',
            /limit/,
          );
          await expectRouterError(store.queryRequests({ limit: 2.5 }), 'invalid_request', /got 2.5/);
          await expectRouterError(store.queryRequests({ since: Number.NaN }), 'invalid_request', /since/);
        });
      });

      it('returns 100 records when no limit is given', async () => {
        const records = Array.from({ length: 120 }, (_, index) =>
          makeFailedRequestRecord({ id: `gen-${String(index).padStart(3, '0')}`, createdAt: base + index }),
        );
        await store.insertRequests(records);
        const result = await store.queryRequests({});
        expect(result).toHaveLength(100);
        expect(result[0]?.id).toBe('gen-119');
        expect(result[99]?.id).toBe('gen-020');
      });
    });

    describe('spend', () => {
      beforeEach(async () => {
        await store.insertRequests([
          spendRecord('gen-1', base, 'm/a', 'high', 'key_one', 0.5, 100, 10, 50),
          spendRecord('gen-2', base + hour, 'm/a', 'high', 'key_two', 0.25, 200, 20, 0),
          spendRecord('gen-3', base + day, 'm/b', 'balanced', 'key_one', 1.5, 300, 30, 100),
          spendRecord('gen-4', base + 2 * day + hour, 'm/c', null, null, 0.125, 400, 40, 0),
          makeFailedRequestRecord({ id: 'gen-5', createdAt: base + 2 * day, keyId: 'key_one' }),
        ]);
      });

      it('groups by model, highest cost first, null model as its own group', async () => {
        const rows = await store.spend({ by: 'model' });
        expect(rows.map((row) => row.group)).toEqual(['m/b', 'm/a', 'm/c', noneGroup]);
        const modelA = rows.find((row) => row.group === 'm/a');
        expect(modelA?.requests).toBe(2);
        expect(modelA?.costUsd).toBeCloseTo(0.75, 12);
        expect(modelA?.promptTokens).toBe(300);
        expect(modelA?.completionTokens).toBe(30);
        expect(modelA?.cachedTokens).toBe(50);
        expect(rows.find((row) => row.group === noneGroup)).toEqual({
          group: noneGroup,
          requests: 1,
          costUsd: 0,
          promptTokens: 0,
          completionTokens: 0,
          cachedTokens: 0,
        });
      });

      it('groups by tier and by key', async () => {
        const tiers = await store.spend({ by: 'tier' });
        expect(tiers.map((row) => [row.group, row.requests])).toEqual([
          ['balanced', 1],
          ['high', 2],
          [noneGroup, 2],
        ]);
        const keys = await store.spend({ by: 'key' });
        expect(keys.map((row) => row.group)).toEqual(['key_one', 'key_two', noneGroup]);
        expect(keys[0]?.requests).toBe(3);
        expect(keys[0]?.costUsd).toBeCloseTo(2, 12);
        expect(keys[0]?.promptTokens).toBe(400);
      });

      it('groups by UTC day in date order', async () => {
        const rows = await store.spend({ by: 'day' });
        expect(rows.map((row) => [row.group, row.requests])).toEqual([
          ['2025-01-15', 2],
          ['2025-01-16', 1],
          ['2025-01-17', 2],
        ]);
        expect(rows[0]?.costUsd).toBeCloseTo(0.75, 12);
        expect(rows[2]?.completionTokens).toBe(40);
      });

      it('applies the time window and the key filter', async () => {
        const windowed = await store.spend({ by: 'model', since: base + hour, until: base + 2 * day });
        expect(windowed.map((row) => [row.group, row.requests])).toEqual([
          ['m/b', 1],
          ['m/a', 1],
        ]);
        const oneKey = await store.spend({ by: 'day', keyId: 'key_one' });
        expect(oneKey.map((row) => [row.group, row.requests])).toEqual([
          ['2025-01-15', 1],
          ['2025-01-16', 1],
          ['2025-01-17', 1],
        ]);
        expect(await store.spend({ by: 'key', since: base + 10 * day })).toEqual([]);
      });

      it('totals prompt, cache-read and cache-write tokens per answering model over a window', async () => {
        const tokens = (
          id: string,
          createdAt: number,
          model: string,
          prompt: number,
          cached: number,
          written: number,
        ) =>
          makeRequestRecord({
            id,
            createdAt,
            model,
            promptTokens: prompt,
            cachedTokens: cached,
            cacheWriteTokens: written,
          });
        await store.insertRequests([
          tokens('gen-t1', base, 'm/x', 1_000, 600, 100),
          tokens('gen-t2', base + hour, 'm/x', 3_000, 0, 3_000),
          tokens('gen-t3', base + hour, 'm/y', 500, 500, 0),
          tokens('gen-t4', base + 3 * day, 'm/x', 7, 0, 0),
          tokens('gen-t5', base + hour, 'm/z', 0, 0, 0),
        ]);
        const window = { since: base, until: base + 3 * day };
        const rows = (await store.promptTokenTotals(window)).filter((row) => row.model.startsWith('m/'));
        expect(rows).toEqual([
          { model: 'm/a', requests: 2, promptTokens: 300, cachedTokens: 50, cacheWriteTokens: 4_000 },
          { model: 'm/b', requests: 1, promptTokens: 300, cachedTokens: 100, cacheWriteTokens: 2_000 },
          { model: 'm/c', requests: 1, promptTokens: 400, cachedTokens: 0, cacheWriteTokens: 2_000 },
          { model: 'm/x', requests: 2, promptTokens: 4_000, cachedTokens: 600, cacheWriteTokens: 3_100 },
          { model: 'm/y', requests: 1, promptTokens: 500, cachedTokens: 500, cacheWriteTokens: 0 },
        ]);
        // No model (a failed call) and no prompt tokens are left out; since is inclusive.
        expect((await store.promptTokenTotals({ since: base + 3 * day })).map((row) => row.model)).toEqual([
          'm/x',
        ]);
      });

      it('sums a key spend from a point in time, inclusive', async () => {
        expect(await store.keySpend('key_one', base)).toBeCloseTo(2, 12);
        expect(await store.keySpend('key_one', base + 1)).toBeCloseTo(1.5, 12);
        expect(await store.keySpend('key_one', base + day)).toBeCloseTo(1.5, 12);
        expect(await store.keySpend('key_one', base + day + 1)).toBe(0);
        expect(await store.keySpend('key_two', 0)).toBeCloseTo(0.25, 12);
        expect(await store.keySpend('key_unknown', 0)).toBe(0);
      });
    });

    describe('dashboardStats', () => {
      const minute = 60_000;
      const attempt = (model: string, errorCode: string | null) => ({
        model,
        upstream: 'u',
        status: errorCode === null ? 200 : 503,
        errorCode,
        durationMs: 5,
      });
      beforeEach(async () => {
        const record = (id: string, overrides: Partial<RequestRecord>) =>
          makeRequestRecord({ id, attempts: [attempt(overrides.model ?? 'd/a', null)], ...overrides });
        await store.insertRequests([
          record('gen-d1', {
            createdAt: base,
            model: 'd/a',
            tier: 'low',
            promptTokens: 100,
            cachedTokens: 40,
            completionTokens: 10,
            costUsd: 0.5,
            latencyMs: 100,
            timeToFirstTokenMs: 10,
            settings: { ingress: 'chat', sticky: 'hit' },
          }),
          record('gen-d2', {
            createdAt: base + 30_000,
            model: 'd/a',
            tier: 'low',
            promptTokens: 300,
            cachedTokens: 0,
            completionTokens: 20,
            costUsd: 0.25,
            latencyMs: 300,
            timeToFirstTokenMs: null,
            settings: { ingress: 'messages', sticky: 'miss' },
          }),
          record('gen-d3', {
            createdAt: base + minute,
            model: 'd/a',
            tier: 'low',
            promptTokens: 100,
            cachedTokens: 100,
            completionTokens: 5,
            costUsd: 1,
            latencyMs: 200,
            timeToFirstTokenMs: 30,
            settings: { ingress: 'messages', sticky: 'hit' },
          }),
          record('gen-d4', {
            createdAt: base + 2 * minute,
            model: 'd/b',
            tier: 'high',
            promptTokens: 50,
            cachedTokens: 0,
            completionTokens: 5,
            costUsd: 2,
            latencyMs: 1000,
            timeToFirstTokenMs: 500,
            settings: {},
            attempts: [
              attempt('d/a', 'timeout'),
              attempt('d/c', 'upstream_server_error'),
              attempt('d/b', null),
            ],
          }),
          makeFailedRequestRecord({
            id: 'gen-d5',
            createdAt: base + 2 * minute + 1,
            attempts: [attempt('d/a', 'timeout')],
          }),
          // Outside the window on both sides.
          record('gen-d6', { createdAt: base - 1, model: 'd/a', tier: 'low', costUsd: 9 }),
          record('gen-d7', { createdAt: base + 3 * minute, model: 'd/a', tier: 'low', costUsd: 9 }),
        ]);
      });
      const window = { since: base, until: base + 3 * minute, bucketMs: minute };

      it('buckets requests, tokens and spend per model and tier over the window', async () => {
        const stats = await store.dashboardStats(window);
        expect(
          stats.traffic.map((row) => [row.bucketStart - base, row.model, row.tier, row.requests]),
        ).toEqual([
          [0, 'd/a', 'low', 2],
          [minute, 'd/a', 'low', 1],
          [2 * minute, null, null, 1],
          [2 * minute, 'd/b', 'high', 1],
        ]);
        const first = stats.traffic[0];
        expect(first?.promptTokens).toBe(400);
        expect(first?.completionTokens).toBe(30);
        expect(first?.cachedTokens).toBe(40);
        expect(first?.costUsd).toBeCloseTo(0.75, 12);
      });

      it('gives nearest-rank latency and first-token percentiles per answering model', async () => {
        const stats = await store.dashboardStats(window);
        expect(stats.latency).toEqual([
          { model: 'd/a', requests: 3, latencyP50Ms: 200, latencyP95Ms: 300, ttftP50Ms: 10, ttftP95Ms: 30 },
          {
            model: 'd/b',
            requests: 1,
            latencyP50Ms: 1000,
            latencyP95Ms: 1000,
            ttftP50Ms: 500,
            ttftP95Ms: 500,
          },
        ]);
      });

      it('rounds fractional durations down the same way on every store', async () => {
        await store.insertRequests([
          makeRequestRecord({
            id: 'gen-dz',
            createdAt: base + minute,
            model: 'd/z',
            attempts: [attempt('d/z', null)],
            latencyMs: 1995.6,
            timeToFirstTokenMs: 99.7,
          }),
        ]);
        const row = (await store.dashboardStats(window)).latency.find((entry) => entry.model === 'd/z');
        expect(row).toMatchObject({ latencyP50Ms: 1900, ttftP50Ms: 99 });
      });

      it('counts fallbacks and the reasons of failed attempts', async () => {
        const stats = await store.dashboardStats(window);
        expect(stats.requestsWithFallback).toBe(1);
        expect(stats.fallbackReasons).toEqual([
          { model: 'd/a', errorCode: 'timeout', attempts: 2 },
          { model: 'd/c', errorCode: 'upstream_server_error', attempts: 1 },
        ]);
      });

      it('totals prompt and cached tokens per model and per ingress, and sticky outcomes', async () => {
        const stats = await store.dashboardStats(window);
        expect(stats.cacheByModel).toEqual([
          { group: 'd/a', requests: 3, promptTokens: 500, cachedTokens: 140 },
          { group: 'd/b', requests: 1, promptTokens: 50, cachedTokens: 0 },
        ]);
        // A record without an ingress came in on chat completions, the only ingress before it was logged.
        expect(stats.cacheByIngress).toEqual([
          { group: 'chat', requests: 2, promptTokens: 150, cachedTokens: 40 },
          { group: 'messages', requests: 2, promptTokens: 400, cachedTokens: 100 },
        ]);
        expect(stats.sticky).toEqual({ hits: 2, misses: 1 });
      });

      it('answers an empty window with empty lists and refuses a window of too many buckets', async () => {
        const empty = await store.dashboardStats({ since: 0, until: 1000, bucketMs: 1000 });
        expect(empty).toEqual({
          traffic: [],
          latency: [],
          requestsWithFallback: 0,
          fallbackReasons: [],
          cacheByModel: [],
          cacheByIngress: [],
          sticky: { hits: 0, misses: 0 },
        });
        await expectRouterError(
          store.dashboardStats({ since: 0, until: 1_000_000, bucketMs: 1000 }),
          'invalid_request',
          /1000 buckets, more than the 500 allowed/,
        );
        await expectRouterError(
          store.dashboardStats({ since: 10, until: 10, bucketMs: 1000 }),
          'invalid_request',
          /must be after since/,
        );
      });
    });

    it('keeps every record of concurrent batches', async () => {
      const batches = Array.from({ length: 25 }, (_, batch) =>
        Array.from({ length: 8 }, (_, index) =>
          makeRequestRecord({
            id: `gen-${batch}-${index}`,
            createdAt: base + batch * 8 + index,
            costUsd: 0.001,
          }),
        ),
      );
      const reads = batches.map(() => store.queryRequests({ limit: 5 }));
      await Promise.all([...batches.map((batch) => store.insertRequests(batch)), ...reads]);
      const stored = await store.queryRequests({ limit: maxRequestQueryLimit });
      expect(stored).toHaveLength(200);
      expect(new Set(stored.map((record) => record.id)).size).toBe(200);
      expect(await store.keySpend('key_aaaaaaaaaaaa', 0)).toBeCloseTo(0.2, 9);
    });

    describe('keys', () => {
      it('creates a key and finds it by id and by hash', async () => {
        const key = makeApiKeyRecord();
        await store.createKey(key);
        expect(await store.getKey(key.id)).toEqual(key);
        expect(await store.findKeyByHash(key.hash)).toEqual(key);
      });

      it('round-trips a key with no limits and empty lists', async () => {
        const key = makeApiKeyRecord({
          id: 'key_bbbbbbbbbbbb',
          defaultMinCodingScore: null,
          preventOverrides: false,
          allowedModels: [],
          excludedModels: [],
          limitDailyUsd: null,
          limitMonthlyUsd: null,
          limitTotalUsd: null,
          rateLimitPerMinute: null,
        });
        await store.createKey(key);
        expect(await store.getKey(key.id)).toEqual(key);
      });

      it('returns null or false for unknown keys rather than throwing', async () => {
        expect(await store.getKey('key_missing')).toBeNull();
        expect(await store.findKeyByHash('0'.repeat(64))).toBeNull();
        expect(await store.revokeKey('key_missing', base)).toBe(false);
        expect(await store.updateKey('key_missing', { name: 'renamed' })).toBeNull();
        expect(await store.listKeys()).toEqual([]);
      });

      it('lists keys oldest first', async () => {
        await store.createKey(makeApiKeyRecord({ id: 'key_later', createdAt: base + hour }));
        await store.createKey(makeApiKeyRecord({ id: 'key_earlier', createdAt: base }));
        await store.createKey(makeApiKeyRecord({ id: 'key_latest', createdAt: base + 2 * hour }));
        expect((await store.listKeys()).map((key) => key.id)).toEqual([
          'key_earlier',
          'key_later',
          'key_latest',
        ]);
      });

      it('revokes a key once, keeping the first revocation time and the key findable', async () => {
        const key = makeApiKeyRecord();
        await store.createKey(key);
        expect(await store.revokeKey(key.id, base + hour)).toBe(true);
        expect(await store.revokeKey(key.id, base + 2 * hour)).toBe(true);
        expect((await store.getKey(key.id))?.revokedAt).toBe(base + hour);
        expect((await store.findKeyByHash(key.hash))?.revokedAt).toBe(base + hour);
      });

      it('updates only the patched settings', async () => {
        const key = makeApiKeyRecord();
        await store.createKey(key);
        const updated = await store.updateKey(key.id, {
          name: 'renamed',
          limitDailyUsd: null,
          allowedModels: ['google/*'],
          rateLimitPerMinute: 120,
        });
        const expected = {
          ...key,
          name: 'renamed',
          limitDailyUsd: null,
          allowedModels: ['google/*'],
          rateLimitPerMinute: 120,
        };
        expect(updated).toEqual(expected);
        expect(await store.getKey(key.id)).toEqual(expected);
        expect(await store.updateKey(key.id, {})).toEqual(expected);
      });

      it('ignores attempts to change identity fields through a patch', async () => {
        const key = makeApiKeyRecord();
        await store.createKey(key);
        const sneaky = { hash: 'f'.repeat(64), id: 'key_other', createdAt: 1, preventOverrides: false };
        const updated = await store.updateKey(key.id, sneaky as ApiKeyPatch);
        expect(updated).toEqual({ ...key, preventOverrides: false });
        expect(await store.getKey('key_other')).toBeNull();
      });

      it('refuses invalid settings on create and update, leaving the key as it was', async () => {
        await expectRouterError(
          store.createKey(makeApiKeyRecord({ limitMonthlyUsd: -1 })),
          'invalid_request',
          /limitMonthlyUsd .* got -1/,
        );
        expect(await store.listKeys()).toEqual([]);
        const key = makeApiKeyRecord();
        await store.createKey(key);
        await expectRouterError(
          store.updateKey(key.id, { defaultMinCodingScore: 1.5 }),
          'invalid_request',
          /defaultMinCodingScore .* got 1.5/,
        );
        await expectRouterError(
          store.updateKey(key.id, { rateLimitPerMinute: 1e8 }),
          'invalid_request',
          /rateLimitPerMinute/,
        );
        expect(await store.getKey(key.id)).toEqual(key);
      });

      it('refuses a duplicate id or hash', async () => {
        const key = makeApiKeyRecord();
        await store.createKey(key);
        await expectRouterError(
          store.createKey(makeApiKeyRecord({ id: key.id })),
          'invalid_request',
          /key_aaaaaaaaaaaa already exists/,
        );
        await expectRouterError(
          store.createKey(makeApiKeyRecord({ id: 'key_cccccccccccc', hash: key.hash })),
          'invalid_request',
          /same hash/,
        );
        expect(await store.listKeys()).toEqual([key]);
      });

      it('lets exactly one of several concurrent creations of the same hash win', async () => {
        const { hash } = generateApiKey();
        const results = await Promise.allSettled(
          Array.from({ length: 6 }, (_, index) =>
            store.createKey(makeApiKeyRecord({ id: `key_race${index}`, hash })),
          ),
        );
        expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
        for (const result of results) {
          if (result.status === 'rejected')
            expect((result.reason as RouterError).code).toBe('invalid_request');
        }
        expect(await store.listKeys()).toHaveLength(1);
      });

      it('keeps both of two concurrent updates to different settings', async () => {
        const key = makeApiKeyRecord();
        await store.createKey(key);
        await Promise.all([
          store.updateKey(key.id, { name: 'first' }),
          store.updateKey(key.id, { limitTotalUsd: 42 }),
          store.updateKey(key.id, { excludedModels: ['meta/*'] }),
        ]);
        const stored = await store.getKey(key.id);
        expect(stored?.name).toBe('first');
        expect(stored?.limitTotalUsd).toBe(42);
        expect(stored?.excludedModels).toEqual(['meta/*']);
      });
    });
  });
}

function spendRecord(
  id: string,
  createdAt: number,
  model: string,
  tier: string | null,
  keyId: string | null,
  costUsd: number,
  promptTokens: number,
  completionTokens: number,
  cachedTokens: number,
): RequestRecord {
  return makeRequestRecord({
    id,
    createdAt,
    model,
    tier,
    keyId,
    costUsd,
    promptTokens,
    completionTokens,
    cachedTokens,
  });
}
