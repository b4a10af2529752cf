import { describe, expect, it } from 'vitest';
import { type BudgetKey, BudgetLedger, windowStart } from '../auth/budget-ledger.js';
import { RouterError } from '../core/errors.js';
import { ClusterLedgerPrimary } from './cluster-ledger-primary.js';
import { fromWireError, PendingQuestions, toWireError } from './cluster-ledger-protocol.js';
import { ClusterBudgetLedger, ClusterRateLimiter, PrimaryChannel } from './cluster-ledger-worker.js';

// Wednesday 2025-06-11, 15:00 UTC.
const now = Date.UTC(2025, 5, 11, 15);

/** A request log that answers `keySpend` from fixed sums, counts the questions and can be held. */
class FakeLog {
  readonly spent = new Map<string, number>();
  readonly asked: Array<{ keyId: string; since: number }> = [];
  hold = false;
  readonly #held: Array<() => void> = [];

  keySpend(keyId: string, since: number): Promise<number> {
    this.asked.push({ keyId, since });
    const answer = () => this.spent.get(keyId) ?? 0;
    if (this.hold) return new Promise<number>((resolve) => this.#held.push(() => resolve(answer())));
    return Promise.resolve(answer());
  }

  /** Answers the questions held so far. */
  answerHeld(): void {
    for (const answer of this.#held.splice(0)) answer();
  }
}

interface FakeWorker {
  id: number;
  channel: PrimaryChannel;
  ledger: ClusterBudgetLedger;
  rateLimiter: ClusterRateLimiter;
  log: FakeLog;
  /** Messages this worker sent to the primary. */
  sent: unknown[];
  connected: boolean;
}

/**
 * A primary and its workers joined by an in-memory channel that delivers each message later, in order,
 * after a JSON round trip (what node:cluster's default serialisation does).
 */
function createCluster(
  workerCount: number,
  options: { storeTimeoutMs?: number; timeoutMs?: number; log?: FakeLog } = {},
) {
  const primary = new ClusterLedgerPrimary({ storeTimeoutMs: options.storeTimeoutMs ?? 5_000 });
  const later = (deliver: () => void) => setImmediate(deliver);
  const workers: FakeWorker[] = [];
  for (let id = 1; id <= workerCount; id += 1) {
    const log = options.log ?? new FakeLog();
    const sent: unknown[] = [];
    const worker = { id, log, sent, connected: true } as FakeWorker;
    worker.channel = new PrimaryChannel({
      port: {
        send(message) {
          const copy: unknown = JSON.parse(JSON.stringify(message));
          sent.push(copy);
          later(() => primary.receive(id, copy));
        },
        connected: () => worker.connected,
      },
      store: log,
      timeoutMs: options.timeoutMs ?? 5_000,
    });
    primary.addWorker(id, {
      send(message) {
        const copy: unknown = JSON.parse(JSON.stringify(message));
        later(() => worker.channel.receive(copy));
      },
      connected: () => worker.connected,
    });
    worker.ledger = new ClusterBudgetLedger({ channel: worker.channel, store: log });
    worker.rateLimiter = new ClusterRateLimiter(worker.channel);
    workers.push(worker);
  }
  return { primary, workers };
}

function budgetKey(limits: Partial<BudgetKey> = {}): BudgetKey {
  return {
    id: 'key_cluster0001',
    limitDailyUsd: null,
    limitMonthlyUsd: null,
    limitTotalUsd: null,
    ...limits,
  };
}

function workerAt(workers: FakeWorker[], index: number): FakeWorker {
  const worker = workers[index % workers.length];
  if (worker === undefined) throw new Error('no worker');
  return worker;
}

async function rejectionOf(promise: Promise<unknown>): Promise<RouterError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RouterError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('budgets through the primary', () => {
  it('lets exactly as many concurrent calls through across workers as one ledger would', async () => {
    const log = new FakeLog();
    const key = budgetKey({ limitTotalUsd: 1 });
    log.spent.set(key.id, 0.95);
    const { workers } = createCluster(3, { log });
    const results = await Promise.allSettled(
      Array.from({ length: 60 }, (_, index) => workerAt(workers, index).ledger.acquire(key, 0.02, now)),
    );
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(2);

    // The refusal is the one a single process gives, field for field.
    const single = new BudgetLedger({ store: log });
    await single.acquire(key, 0.02, now);
    await single.acquire(key, 0.02, now);
    const expected = await rejectionOf(single.acquire(key, 0.02, now));
    const refused = (results.find((result) => result.status === 'rejected') as PromiseRejectedResult)
      .reason as RouterError;
    expect(refused).toBeInstanceOf(RouterError);
    expect(refused.code).toBe('budget_exceeded');
    expect(refused.status).toBe(402);
    expect(refused.message).toBe(expected.message);
    expect(refused.metadata).toEqual(expected.metadata);
  });

  it('reads each window of a key from one worker once, however many workers ask at once', async () => {
    const log = new FakeLog();
    const key = budgetKey({ limitDailyUsd: 5 });
    const { workers } = createCluster(2, { log });
    await Promise.all(
      Array.from({ length: 20 }, (_, index) => workerAt(workers, index).ledger.acquire(key, 0.01, now)),
    );
    expect(log.asked.map((question) => question.since).sort((a, b) => a - b)).toEqual(
      [
        windowStart('total', now),
        windowStart('monthly', now),
        windowStart('weekly', now),
        windowStart('daily', now),
      ].sort((a, b) => a - b),
    );
  });

  it('counts a settle once, and every worker reports the same spend', async () => {
    const key = budgetKey({ limitTotalUsd: 10 });
    const { workers } = createCluster(2);
    const [first, second] = workers as [FakeWorker, FakeWorker];
    const reservation = await first.ledger.acquire(key, 0.5, now);
    first.ledger.settle(reservation, 0.3);
    first.ledger.settle(reservation, 0.3);
    first.ledger.release(reservation);
    const held = await second.ledger.acquire(key, 0.2, now);
    const fromFirst = await first.ledger.spend(key, now);
    const fromSecond = await second.ledger.spend(key, now);
    expect(fromFirst).toEqual(fromSecond);
    expect(fromSecond.totalUsd).toBeCloseTo(0.3, 12);
    expect(fromSecond.reservedUsd).toBeCloseTo(0.2, 12);
    second.ledger.release(held);
    expect((await first.ledger.spend(key, now)).reservedUsd).toBe(0);
  });

  it('releases what a worker held when it exits', async () => {
    const key = budgetKey({ limitTotalUsd: 1 });
    const { primary, workers } = createCluster(2);
    const [doomed, survivor] = workers as [FakeWorker, FakeWorker];
    await doomed.ledger.acquire(key, 0.9, now);
    expect(primary.heldBy(doomed.id)).toBe(1);
    expect((await rejectionOf(survivor.ledger.acquire(key, 0.5, now))).code).toBe('budget_exceeded');
    doomed.connected = false;
    primary.removeWorker(doomed.id);
    const reservation = await survivor.ledger.acquire(key, 0.5, now);
    expect(reservation.amountUsd).toBe(0.5);
    expect((await survivor.ledger.spend(key, now)).totalUsd).toBe(0);
  });

  it('asks another worker for the logged spend when the one asked exits first', async () => {
    const key = budgetKey({ limitTotalUsd: 1 });
    const { primary, workers } = createCluster(2);
    const [asker, doomed] = workers as [FakeWorker, FakeWorker];
    asker.log.spent.set(key.id, 0.25);
    doomed.log.hold = true;
    const acquired = asker.ledger.acquire(key, 0.1, now);
    for (let turn = 0; turn < 100 && doomed.log.asked.length === 0; turn += 1) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    // The held log was asked (and will never answer); its worker then exits.
    expect(doomed.log.asked.length).toBeGreaterThan(0);
    doomed.connected = false;
    primary.removeWorker(doomed.id);
    await acquired;
    expect((await asker.ledger.spend(key, now)).totalUsd).toBe(0.25);
    expect(primary.heldBy(asker.id)).toBe(1);
  });

  it('refuses a budgeted call with a 503 when the primary does not answer, and drops the late hold', async () => {
    const key = budgetKey({ limitTotalUsd: 1 });
    const { primary, workers } = createCluster(1, { timeoutMs: 50 });
    const worker = workerAt(workers, 0);
    worker.log.hold = true;
    const error = await rejectionOf(worker.ledger.acquire(key, 0.1, now));
    expect(error.code).toBe('budget_exceeded');
    expect(error.status).toBe(503);
    expect(error.retryAfterSeconds).toBe(1);
    expect(error.metadata).toEqual({ reason: 'budget_store_unavailable' });
    // The log answers at last: the primary makes the reservation nobody waits for, and drops it.
    worker.log.hold = false;
    worker.log.answerHeld();
    await new Promise((resolve) => setImmediate(resolve));
    const spend = await worker.ledger.spend(key, now);
    expect(spend.reservedUsd).toBe(0);
    expect(primary.heldBy(worker.id)).toBe(0);
  });

  it('refuses with a 503 when the log does not answer the primary in time', async () => {
    const key = budgetKey({ limitTotalUsd: 1 });
    const { workers } = createCluster(1, { storeTimeoutMs: 50 });
    const worker = workerAt(workers, 0);
    worker.log.hold = true;
    const error = await rejectionOf(worker.ledger.acquire(key, 0.1, now));
    expect(error.status).toBe(503);
    expect(error.message).toMatch(/could not be read from the request log within 50 ms/);
  });

  it('sends nothing for a key without budgets and reads its spend from the log', async () => {
    const key = budgetKey();
    const { workers } = createCluster(1);
    const worker = workerAt(workers, 0);
    worker.log.spent.set(key.id, 2.5);
    const reservation = await worker.ledger.acquire(key, 0, now);
    worker.ledger.settle(reservation, 0.4);
    const spend = await worker.ledger.spend(key, now);
    expect(worker.sent).toEqual([]);
    expect(spend).toEqual({ dailyUsd: 2.5, weeklyUsd: 2.5, monthlyUsd: 2.5, totalUsd: 2.5, reservedUsd: 0 });
  });

  it("tells the primary to drop a key's count once its budgets are removed", async () => {
    const { primary, workers } = createCluster(1);
    const worker = workerAt(workers, 0);
    const budgeted = budgetKey({ limitTotalUsd: 5 });
    worker.ledger.settle(await worker.ledger.acquire(budgeted, 0.1, now), 0.1);
    await worker.ledger.spend(budgeted, now);
    expect(primary.ledger.size).toBe(1);
    await worker.ledger.acquire(budgetKey(), 0, now);
    await new Promise((resolve) => setImmediate(resolve));
    expect(primary.ledger.size).toBe(0);
  });
});

describe('rate limits through the primary', () => {
  it('lets a key through at its limit across workers, with Retry-After on the rest', async () => {
    const { workers } = createCluster(2);
    const decisions = await Promise.all(
      Array.from({ length: 30 }, (_, index) => workerAt(workers, index).rateLimiter.take('key_a', 10, now)),
    );
    expect(decisions.filter((decision) => decision.allowed)).toHaveLength(10);
    expect(decisions.find((decision) => !decision.allowed)).toEqual({
      allowed: false,
      retryAfterSeconds: 6,
    });
  });

  it("falls back to the worker's own bucket when the primary is gone", async () => {
    const { workers } = createCluster(1);
    const worker = workerAt(workers, 0);
    worker.connected = false;
    const decisions = await Promise.all(
      Array.from({ length: 3 }, () => worker.rateLimiter.take('key_b', 2, now)),
    );
    expect(decisions.map((decision) => decision.allowed)).toEqual([true, true, false]);
    expect(worker.sent).toEqual([]);
  });
});

describe('the wire format', () => {
  it('rebuilds a RouterError with its code, status, message, metadata and Retry-After', () => {
    const original = new RouterError('rate_limited', 'key k is over its limit of 10 requests per minute', {
      retryAfterSeconds: 6,
      metadata: { limit_per_minute: 10 },
    });
    const rebuilt = fromWireError(JSON.parse(JSON.stringify(toWireError(original))));
    expect(rebuilt).toBeInstanceOf(RouterError);
    expect(rebuilt.code).toBe('rate_limited');
    expect(rebuilt.status).toBe(429);
    expect(rebuilt.message).toBe(original.message);
    expect(rebuilt.metadata).toEqual({ limit_per_minute: 10 });
    expect(rebuilt.retryAfterSeconds).toBe(6);
    expect(fromWireError(toWireError(new Error('disk full')))).toMatchObject({
      code: 'internal',
      status: 500,
      message: 'disk full',
    });
  });

  it('rejects every question in flight when the other side goes', async () => {
    const questions = new PendingQuestions(60_000);
    const { answer } = questions.ask<number>(
      () => undefined,
      () => new RouterError('internal', 'timed out'),
    );
    questions.failAll(new RouterError('internal', 'gone'));
    expect((await rejectionOf(answer)).message).toBe('gone');
    expect(questions.size).toBe(0);
  });
});
