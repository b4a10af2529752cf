/**
 * Keeps the request log off the hot path: `append` only pushes into a bounded buffer, and batches go to
 * the store every `flushIntervalMs` or as soon as `batchSize` records wait. A failing store costs
 * retries and, once the buffer is full, new records (counted and reported), never the buffered ones
 * silently. `close()` writes out everything still buffered, for a clean shutdown.
 */
import { RouterError } from '../core/errors.js';
import type { RequestRecord } from './request-record.js';
import type { RequestStore } from './request-store.js';

/**
 * Why a record was not written: the buffer was full, the writer was already closed, or the store
 * refused the record itself (`invalid_request`), which no retry can fix.
 */
export type RequestLogDropReason = 'buffer_full' | 'closed' | 'rejected';

export interface RequestLogWriteFailure {
  /** How many records the failed write carried. */
  records: number;
  /** 1 for the first try of this batch in this flush. */
  attempt: number;
  /** False on the last attempt: the records stay buffered for the next flush (or were rejected). */
  willRetry: boolean;
}

export interface RequestLogWriterOptions {
  store: Pick<RequestStore, 'insertRequests'>;
  /** Most records held in memory; beyond this, new records are dropped. */
  capacity?: number;
  /** Most records per store write; reaching it triggers a write without waiting for the interval. */
  batchSize?: number;
  flushIntervalMs?: number;
  /** Tries per batch within one flush before the flush gives up (the records stay buffered). */
  maxAttempts?: number;
  /** First retry delay; doubled per attempt up to `maxRetryDelayMs`. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  onDrop?: (record: RequestRecord, reason: RequestLogDropReason) => void;
  onError?: (error: unknown, failure: RequestLogWriteFailure) => void;
}

export const defaultRequestLogWriterOptions = {
  capacity: 10_000,
  batchSize: 500,
  flushIntervalMs: 200,
  maxAttempts: 5,
  retryDelayMs: 100,
  maxRetryDelayMs: 5_000,
} as const;

export class RequestLogWriter {
  readonly #store: Pick<RequestStore, 'insertRequests'>;
  readonly #capacity: number;
  readonly #batchSize: number;
  readonly #flushIntervalMs: number;
  readonly #maxAttempts: number;
  readonly #retryDelayMs: number;
  readonly #maxRetryDelayMs: number;
  readonly #onDrop: ((record: RequestRecord, reason: RequestLogDropReason) => void) | undefined;
  readonly #onError: ((error: unknown, failure: RequestLogWriteFailure) => void) | undefined;

  #buffer: RequestRecord[] = [];
  /** Records already refused and counted, so a batch retried after a later fault skips them. */
  readonly #rejected = new WeakSet<RequestRecord>();
  #dropped = 0;
  #closed = false;
  #draining = false;
  #consecutiveFailures = 0;
  #timer: NodeJS.Timeout | undefined;
  #timerIsImmediate = false;
  /** The pending wait between retries, so `close()` can make it hold the process open. */
  #retryTimer: NodeJS.Timeout | undefined;
  /** Flushes run one after another, so batches reach the store in order and never twice at once. */
  #chain: Promise<void> = Promise.resolve();

  constructor(options: RequestLogWriterOptions) {
    const defaults = defaultRequestLogWriterOptions;
    this.#store = options.store;
    this.#capacity = positiveInteger('capacity', options.capacity ?? defaults.capacity);
    this.#batchSize = positiveInteger('batchSize', options.batchSize ?? defaults.batchSize);
    this.#flushIntervalMs = positiveInteger(
      'flushIntervalMs',
      options.flushIntervalMs ?? defaults.flushIntervalMs,
    );
    this.#maxAttempts = positiveInteger('maxAttempts', options.maxAttempts ?? defaults.maxAttempts);
    this.#retryDelayMs = positiveInteger('retryDelayMs', options.retryDelayMs ?? defaults.retryDelayMs);
    this.#maxRetryDelayMs = positiveInteger(
      'maxRetryDelayMs',
      options.maxRetryDelayMs ?? defaults.maxRetryDelayMs,
    );
    this.#onDrop = options.onDrop;
    this.#onError = options.onError;
  }

  /** Records waiting to be written. */
  get depth(): number {
    return this.#buffer.length;
  }

  /** Records that will never be written (buffer full, appended after close, or refused by the store). */
  get dropped(): number {
    return this.#dropped;
  }

  /** Queues a record; never waits and never throws. */
  append(record: RequestRecord): void {
    if (this.#closed) {
      this.#drop(record, 'closed');
      return;
    }
    if (this.#buffer.length >= this.#capacity) {
      this.#drop(record, 'buffer_full');
      return;
    }
    this.#buffer.push(record);
    // While a flush runs it reschedules itself when it ends; a timer now would only queue a second one.
    if (this.#draining) return;
    this.#schedule(this.#buffer.length >= this.#batchSize && this.#consecutiveFailures === 0);
  }

  /**
   * Writes the records buffered now (in batches) and resolves when they are stored. Rejects when a batch
   * still fails after `maxAttempts`; those records stay buffered for the next flush.
   */
  flush(): Promise<void> {
    this.#clearTimer();
    const run = this.#chain.then(() => this.#drain());
    this.#chain = run.then(ignore, ignore);
    return run;
  }

  /**
   * Stops accepting records and writes out everything buffered. Rejects when the store keeps failing;
   * the records then remain (see `depth`) and calling `close()` again retries.
   */
  async close(): Promise<void> {
    this.#closed = true;
    this.#clearTimer();
    // A retry wait that began before close must now keep the process alive until the records are written.
    this.#retryTimer?.ref();
    while (this.#buffer.length > 0) await this.flush();
    await this.#chain;
  }

  /**
   * Empties the buffer and returns what it held: for a shutdown whose `close()` failed, so the records
   * can be kept some other way (the router writes them into its log) instead of dying with the process.
   */
  takeUnwritten(): RequestRecord[] {
    const records = this.#buffer;
    this.#buffer = [];
    return records;
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      // Bounded by what is buffered now, so a steady stream of appends cannot keep one flush alive forever.
      let remaining = this.#buffer.length;
      while (remaining > 0 && this.#buffer.length > 0) {
        const count = Math.min(this.#batchSize, this.#buffer.length);
        await this.#writeBatch(this.#buffer.slice(0, count));
        // Only this (serialised) drain removes from the front; appends push at the back meanwhile.
        this.#buffer.splice(0, count);
        remaining -= count;
        this.#consecutiveFailures = 0;
      }
    } catch (error) {
      this.#consecutiveFailures += 1;
      throw error;
    } finally {
      this.#draining = false;
      if (!this.#closed && this.#buffer.length > 0) {
        this.#schedule(this.#buffer.length >= this.#batchSize && this.#consecutiveFailures === 0);
      }
    }
  }

  async #writeBatch(batch: RequestRecord[]): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.#insert(batch);
        return;
      } catch (error) {
        const willRetry = attempt < this.#maxAttempts;
        this.#report(error, { records: batch.length, attempt, willRetry });
        if (!willRetry) throw error;
        await this.#sleep(this.#backoff(attempt));
      }
    }
  }

  async #insert(batch: RequestRecord[]): Promise<void> {
    const pending = batch.filter((record) => !this.#rejected.has(record));
    if (pending.length === 0) return;
    try {
      await this.#store.insertRequests(pending);
    } catch (error) {
      if (!isRecordRejection(error)) throw error;
      await this.#writeOneByOne(pending);
    }
  }

  /**
   * The store refused something in the batch. Writing the records singly finds the culprits; the rest
   * are stored (a record already written by an earlier try is skipped by the store, not duplicated).
   * A transient fault here fails the attempt like any other.
   */
  async #writeOneByOne(batch: RequestRecord[]): Promise<void> {
    for (const record of batch) {
      try {
        await this.#store.insertRequests([record]);
      } catch (error) {
        if (!isRecordRejection(error)) throw error;
        this.#report(error, { records: 1, attempt: 1, willRetry: false });
        this.#rejected.add(record);
        this.#drop(record, 'rejected');
      }
    }
  }

  #sleep(milliseconds: number): Promise<void> {
    return new Promise((resolve) => {
      this.#retryTimer = setTimeout(() => {
        this.#retryTimer = undefined;
        resolve();
      }, milliseconds);
      // Outside close, a wait between retries must not hold the process open on its own.
      if (!this.#closed) this.#retryTimer.unref();
    });
  }

  #schedule(immediate: boolean): void {
    if (this.#closed) return;
    if (this.#timer !== undefined) {
      if (!immediate || this.#timerIsImmediate) return;
      clearTimeout(this.#timer);
    }
    const delay = immediate
      ? 0
      : Math.min(this.#maxRetryDelayMs, this.#flushIntervalMs * 2 ** Math.min(this.#consecutiveFailures, 20));
    this.#timerIsImmediate = immediate;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      // Failures were already reported through onError; the records stay buffered for the next try.
      this.flush().catch(ignore);
    }, delay);
    this.#timer.unref();
  }

  #clearTimer(): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #backoff(attempt: number): number {
    return Math.min(this.#maxRetryDelayMs, this.#retryDelayMs * 2 ** (attempt - 1));
  }

  #drop(record: RequestRecord, reason: RequestLogDropReason): void {
    this.#dropped += 1;
    try {
      this.#onDrop?.(record, reason);
    } catch {
      // A faulty callback must not break append's promise never to throw.
    }
  }

  #report(error: unknown, failure: RequestLogWriteFailure): void {
    try {
      this.#onError?.(error, failure);
    } catch {
      // Same as #drop: reporting must never change what the writer does.
    }
  }
}

function isRecordRejection(error: unknown): boolean {
  return error instanceof RouterError && error.code === 'invalid_request';
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RouterError(
      'config_invalid',
      `request log writer: ${name} must be a positive integer, got ${value}`,
    );
  }
  return value;
}

function ignore(): void {}
