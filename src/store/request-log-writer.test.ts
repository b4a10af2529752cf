import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RouterError } from '../core/errors.js';
import {
  type RequestLogDropReason,
  type RequestLogWriteFailure,
  RequestLogWriter,
} from './request-log-writer.js';
import type { RequestRecord } from './request-record.js';
import { SqliteRequestStore } from './sqlite-request-store.js';
import { makeFailedRequestRecord } from './test-support/request-store.case.js';

/** Stands in for the store's write path only: records what arrives, fails on demand. */
class ScriptedStore {
  readonly batches: string[][] = [];
  /** How many of the next calls fail with a transient error. */
  failNext = 0;
  /** Ids the store refuses as invalid, like a real store refusing an unstorable record. */
  readonly refusedIds = new Set<string>();
  delayMs = 0;
  inFlight = 0;
  maxInFlight = 0;
  calls = 0;

  async insertRequests(records: readonly RequestRecord[]): Promise<void> {
    this.calls += 1;
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
      if (this.failNext > 0) {
        this.failNext -= 1;
        throw new Error('connection reset');
      }
      const refused = records.find((record) => this.refusedIds.has(record.id));
      if (refused !== undefined)
        throw new RouterError('invalid_request', `request record ${refused.id}: bad`);
      this.batches.push(records.map((record) => record.id));
    } finally {
      this.inFlight -= 1;
    }
  }

  get written(): string[] {
    return this.batches.flat();
  }
}

function records(count: number, prefix = 'gen'): RequestRecord[] {
  return Array.from({ length: count }, (_, index) =>
    makeFailedRequestRecord({ id: `${prefix}-${index + 1}` }),
  );
}

function activeTimeouts(): number {
  return process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('RequestLogWriter', () => {
  it('never writes inside append, then writes on the interval', async () => {
    const store = new ScriptedStore();
    const writer = new RequestLogWriter({ store, flushIntervalMs: 20 });
    for (const record of records(3)) writer.append(record);
    expect(store.calls).toBe(0);
    expect(writer.depth).toBe(3);
    await vi.waitFor(() => expect(store.batches).toEqual([['gen-1', 'gen-2', 'gen-3']]));
    expect(writer.depth).toBe(0);
    await writer.close();
  });

  it('writes as soon as a batch is full, without waiting for the interval', async () => {
    const store = new ScriptedStore();
    const writer = new RequestLogWriter({ store, batchSize: 2, flushIntervalMs: 60_000 });
    for (const record of records(2)) writer.append(record);
    expect(store.calls).toBe(0);
    await vi.waitFor(() => expect(store.batches).toEqual([['gen-1', 'gen-2']]));
    await writer.close();
  });

  it('splits a flush into batches of batchSize, in order, one write at a time', async () => {
    const store = new ScriptedStore();
    store.delayMs = 2;
    const writer = new RequestLogWriter({ store, batchSize: 3, flushIntervalMs: 60_000 });
    for (const record of records(7)) writer.append(record);
    await Promise.all([writer.flush(), writer.flush()]);
    expect(store.batches).toEqual([['gen-1', 'gen-2', 'gen-3'], ['gen-4', 'gen-5', 'gen-6'], ['gen-7']]);
    expect(store.maxInFlight).toBe(1);
    await writer.close();
  });

  it('writes everything still buffered on close, then drops late records as closed', async () => {
    const store = new ScriptedStore();
    store.delayMs = 1;
    const drops: RequestLogDropReason[] = [];
    const writer = new RequestLogWriter({
      store,
      batchSize: 500,
      flushIntervalMs: 60_000,
      onDrop: (_record, reason) => drops.push(reason),
    });
    for (const record of records(1234)) writer.append(record);
    await writer.close();
    expect(store.written).toHaveLength(1234);
    expect(store.batches.map((batch) => batch.length)).toEqual([500, 500, 234]);
    expect(writer.depth).toBe(0);
    writer.append(makeFailedRequestRecord({ id: 'gen-late' }));
    expect(writer.dropped).toBe(1);
    expect(drops).toEqual(['closed']);
    expect(store.written).not.toContain('gen-late');
  });

  it('drops and counts records beyond the capacity, keeping the buffered ones', async () => {
    const store = new ScriptedStore();
    const dropped: string[] = [];
    const writer = new RequestLogWriter({
      store,
      capacity: 3,
      flushIntervalMs: 60_000,
      onDrop: (record, reason) => dropped.push(`${record.id}:${reason}`),
    });
    for (const record of records(5)) writer.append(record);
    expect(writer.depth).toBe(3);
    expect(writer.dropped).toBe(2);
    expect(dropped).toEqual(['gen-4:buffer_full', 'gen-5:buffer_full']);
    await writer.close();
    expect(store.written).toEqual(['gen-1', 'gen-2', 'gen-3']);
  });

  it('retries a failed batch with backoff and reports each failure', async () => {
    const store = new ScriptedStore();
    store.failNext = 2;
    const failures: RequestLogWriteFailure[] = [];
    const writer = new RequestLogWriter({
      store,
      flushIntervalMs: 60_000,
      retryDelayMs: 1,
      onError: (_error, failure) => failures.push(failure),
    });
    for (const record of records(4)) writer.append(record);
    await writer.flush();
    expect(store.batches).toEqual([['gen-1', 'gen-2', 'gen-3', 'gen-4']]);
    expect(store.calls).toBe(3);
    expect(failures).toEqual([
      { records: 4, attempt: 1, willRetry: true },
      { records: 4, attempt: 2, willRetry: true },
    ]);
    await writer.close();
  });

  it('keeps the records when every attempt fails, and writes them once the store recovers', async () => {
    const store = new ScriptedStore();
    store.failNext = 3;
    const failures: RequestLogWriteFailure[] = [];
    const writer = new RequestLogWriter({
      store,
      flushIntervalMs: 60_000,
      maxAttempts: 3,
      retryDelayMs: 1,
      onError: (_error, failure) => failures.push(failure),
    });
    for (const record of records(2)) writer.append(record);
    await expect(writer.flush()).rejects.toThrow('connection reset');
    expect(writer.depth).toBe(2);
    expect(writer.dropped).toBe(0);
    expect(failures.at(-1)).toEqual({ records: 2, attempt: 3, willRetry: false });
    await writer.flush();
    expect(store.written).toEqual(['gen-1', 'gen-2']);
    expect(writer.depth).toBe(0);
    await writer.close();
  });

  it('rejects close while the store is down, and a second close finishes the job', async () => {
    const store = new ScriptedStore();
    store.failNext = 2;
    const writer = new RequestLogWriter({ store, flushIntervalMs: 60_000, maxAttempts: 2, retryDelayMs: 1 });
    for (const record of records(3)) writer.append(record);
    await expect(writer.close()).rejects.toThrow('connection reset');
    expect(writer.depth).toBe(3);
    await writer.close();
    expect(store.written).toEqual(['gen-1', 'gen-2', 'gen-3']);
  });

  it('hands over what a failed close left, in order, and holds nothing after', async () => {
    const store = new ScriptedStore();
    store.failNext = 10;
    const writer = new RequestLogWriter({ store, flushIntervalMs: 60_000, maxAttempts: 2, retryDelayMs: 1 });
    for (const record of records(3)) writer.append(record);
    await expect(writer.close()).rejects.toThrow('connection reset');
    expect(writer.takeUnwritten().map((record) => record.id)).toEqual(['gen-1', 'gen-2', 'gen-3']);
    expect(writer.depth).toBe(0);
    expect(writer.takeUnwritten()).toEqual([]);
    await writer.close();
    expect(store.written).toEqual([]);
  });

  it('isolates a record the store refuses, storing the rest of its batch', async () => {
    const store = new ScriptedStore();
    store.refusedIds.add('gen-2');
    const dropped: string[] = [];
    const errors: unknown[] = [];
    const writer = new RequestLogWriter({
      store,
      flushIntervalMs: 60_000,
      onDrop: (record, reason) => dropped.push(`${record.id}:${reason}`),
      onError: (error) => errors.push(error),
    });
    for (const record of records(3)) writer.append(record);
    await writer.close();
    expect(store.written).toEqual(['gen-1', 'gen-3']);
    expect(dropped).toEqual(['gen-2:rejected']);
    expect(writer.dropped).toBe(1);
    expect((errors[0] as RouterError).code).toBe('invalid_request');
  });

  it('does not count a refused record twice when its batch is retried', async () => {
    const store = new ScriptedStore();
    store.refusedIds.add('gen-1');
    // Call 1: the batch (refused); call 2: gen-1 alone (refused); call 3: gen-2 alone fails transiently.
    let call = 0;
    const original = store.insertRequests.bind(store);
    store.insertRequests = async (batch) => {
      call += 1;
      if (call === 3) throw new Error('connection reset');
      return original(batch);
    };
    const writer = new RequestLogWriter({ store, flushIntervalMs: 60_000, maxAttempts: 1, retryDelayMs: 1 });
    for (const record of records(2)) writer.append(record);
    await expect(writer.flush()).rejects.toThrow('connection reset');
    await writer.close();
    expect(store.written).toEqual(['gen-2']);
    expect(writer.dropped).toBe(1);
  });

  it('keeps working when its callbacks throw', async () => {
    const store = new ScriptedStore();
    const writer = new RequestLogWriter({
      store,
      capacity: 1,
      flushIntervalMs: 60_000,
      onDrop: () => {
        throw new Error('callback bug');
      },
    });
    writer.append(makeFailedRequestRecord({ id: 'gen-1' }));
    expect(() => writer.append(makeFailedRequestRecord({ id: 'gen-2' }))).not.toThrow();
    await writer.close();
    expect(store.written).toEqual(['gen-1']);
  });

  it('leaves no timer behind after an idle flush or a close', async () => {
    vi.useFakeTimers();
    const store = new ScriptedStore();
    const writer = new RequestLogWriter({ store, flushIntervalMs: 200 });
    expect(vi.getTimerCount()).toBe(0);
    writer.append(makeFailedRequestRecord({ id: 'gen-1' }));
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(200);
    expect(store.written).toEqual(['gen-1']);
    expect(vi.getTimerCount()).toBe(0);
    writer.append(makeFailedRequestRecord({ id: 'gen-2' }));
    expect(vi.getTimerCount()).toBe(1);
    await writer.close();
    expect(vi.getTimerCount()).toBe(0);
    expect(store.written).toEqual(['gen-1', 'gen-2']);
  });

  it('does not hold the process open while records wait (its timer is unref-ed)', async () => {
    const store = new ScriptedStore();
    const writer = new RequestLogWriter({ store, flushIntervalMs: 60_000 });
    const before = activeTimeouts();
    writer.append(makeFailedRequestRecord({ id: 'gen-1' }));
    expect(writer.depth).toBe(1);
    expect(activeTimeouts()).toBe(before);
    await writer.close();
  });

  it('refuses nonsensical options', () => {
    const store = new ScriptedStore();
    expect(() => new RequestLogWriter({ store, batchSize: 0 })).toThrow(
      /batchSize must be a positive integer/,
    );
    expect(() => new RequestLogWriter({ store, capacity: Number.NaN })).toThrow(/capacity/);
  });

  it('lands every record in a real SQLite store on close', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'pareto-writer-'));
    const store = new SqliteRequestStore({ filePath: join(directory, 'pareto-router.db') });
    try {
      await store.migrate();
      const writer = new RequestLogWriter({ store, batchSize: 40 });
      for (const record of records(100)) writer.append(record);
      await writer.close();
      expect(await store.queryRequests({ limit: 1000 })).toHaveLength(100);
      expect(await store.getRequest('gen-77')).not.toBeNull();
    } finally {
      await store.close();
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
