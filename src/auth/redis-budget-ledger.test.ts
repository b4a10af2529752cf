/**
 * Edge cases of the Redis budget ledger that only a shared store has, against the real Redis on
 * 127.0.0.1:6379 under a key prefix of this run's own (skipped with a message when none answers):
 * outages seen through a proxy that cuts the connection while Redis keeps its data, settles that fail or
 * lose their reply while the link stays up, and replays of settles Redis has already applied.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RedisLink } from '../state/redis-link.js';
import { redisAnswers, testRedisUrl } from '../state/test-support/redis-probe.js';
import { type RedisProxy, startRedisProxy } from '../state/test-support/redis-proxy.js';
import type { Reservation } from './budget-ledger.js';
import { RedisBudgetLedger } from './redis-budget-ledger.js';
import { createTempStore, type TempStore } from './test-support/temp-store.js';

const redisUrl = testRedisUrl;

const redisUp = await redisAnswers();
if (!redisUp) console.warn(`redis budget ledger: no Redis answers at ${redisUrl}; its cases are skipped`);

async function waitFor(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function waitForAsync(check: () => Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

type Eval = (...args: unknown[]) => Promise<unknown>;

/** Makes the link's next `eval` fail: before reaching Redis, or after it applied (`applied`: the reply is lost). */
function failNextEval(link: RedisLink, options: { applied: boolean; afterwards?: () => void }): void {
  const original = link.client.eval.bind(link.client) as Eval;
  const spy = vi.spyOn(link.client, 'eval') as unknown as { mockImplementationOnce(fn: Eval): void };
  spy.mockImplementationOnce(async (...args: unknown[]) => {
    if (options.applied) await original(...args);
    options.afterwards?.();
    throw new Error('Command timed out');
  });
}

describe.skipIf(!redisUp)('redis budget ledger edge cases', () => {
  let temp: TempStore;
  let proxy: RedisProxy;
  let prefix: string;
  const links: RedisLink[] = [];

  beforeEach(async () => {
    temp = await createTempStore();
    proxy = await startRedisProxy(redisUrl);
    prefix = `pareto-test:${randomUUID()}:`;
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    const cleaner = new Redis(redisUrl);
    const keys = await cleaner.keys(`${prefix}*`);
    if (keys.length > 0) await cleaner.del(...keys);
    cleaner.disconnect();
    for (const link of links.splice(0)) await link.close();
    await proxy.close();
    await temp.dispose();
  });

  async function instance(
    options: { viaProxy?: boolean; failOpen?: boolean; staleCounterDelayMs?: number } = {},
  ): Promise<{ link: RedisLink; ledger: RedisBudgetLedger }> {
    const link = new RedisLink({ url: options.viaProxy === true ? proxy.url : redisUrl, prefix });
    await link.connect();
    links.push(link);
    const ledger = new RedisBudgetLedger({
      link,
      store: temp.store,
      failOpen: options.failOpen ?? false,
      ...(options.staleCounterDelayMs === undefined
        ? {}
        : { staleCounterDelayMs: options.staleCounterDelayMs }),
    });
    return { link, ledger };
  }

  async function outage(link: RedisLink): Promise<void> {
    proxy.cut();
    await waitFor(() => !link.up, 'the link to go down');
  }

  async function recovery(link: RedisLink): Promise<void> {
    proxy.restore();
    await waitFor(() => link.up, 'the link to come back');
  }

  it('fail open: a second outage starts from a fresh view, not from the first outage', async () => {
    const a = await instance({ viaProxy: true, failOpen: true });
    const b = await instance();
    const { record } = await temp.addKey({ limitTotalUsd: 1 });
    const now = Date.now();
    await outage(a.link);
    const during = await a.ledger.acquire(record, 0.1, now);
    a.ledger.settle(during, 0.1);
    await temp.addSpend(record.id, 0.1, now);
    await recovery(a.link);
    await waitFor(() => a.ledger.pendingSettles === 0, 'the replay');
    await a.ledger.drain();
    // Between the outages another instance spends $0.80 through Redis.
    const between = await b.ledger.acquire(record, 0.8, now);
    b.ledger.settle(between, 0.8);
    await temp.addSpend(record.id, 0.8, now);
    await b.ledger.drain();
    await outage(a.link);
    // $0.90 is spent: a $0.30 call does not fit, whatever a counted on its own the first time.
    await expect(a.ledger.acquire(record, 0.3, now)).rejects.toMatchObject({
      code: 'budget_exceeded',
      metadata: { spent_usd: expect.closeTo(0.9, 9) },
    });
    const fits = await a.ledger.acquire(record, 0.05, now);
    a.ledger.release(fits);
  });

  it('refuses a budgeted call within the command timeout when Redis stalls without closing', async () => {
    const a = await instance({ viaProxy: true });
    const { record } = await temp.addKey({ limitTotalUsd: 1 });
    const first = await a.ledger.acquire(record, 0.1, Date.now());
    a.ledger.release(first);
    proxy.stall();
    const startedAt = Date.now();
    await expect(a.ledger.acquire(record, 0.1, Date.now())).rejects.toMatchObject({
      status: 503,
      metadata: { reason: 'budget_store_unavailable' },
      message: expect.stringMatching(/did not answer its reservation in time/),
    });
    // Refused after the link's 2 s command timeout, not left waiting for a reply that never comes.
    expect(Date.now() - startedAt).toBeLessThan(5_000);
  });

  it('retries a settle that failed while the link stayed up, without waiting for a reconnect', async () => {
    const a = await instance();
    const b = await instance();
    const { record } = await temp.addKey({ limitTotalUsd: 1 });
    const now = Date.now();
    const call = await a.ledger.acquire(record, 0.2, now);
    failNextEval(a.link, { applied: false });
    a.ledger.settle(call, 0.15);
    await a.ledger.drain();
    expect(a.ledger.pendingSettles).toBe(1);
    await waitFor(() => a.ledger.pendingSettles === 0, 'the settle to be retried');
    await a.ledger.drain();
    expect(a.link.up).toBe(true);
    const spend = await b.ledger.spend(record, now);
    expect(spend.totalUsd).toBeCloseTo(0.15, 9);
    expect(spend.reservedUsd).toBeCloseTo(0, 9);
  });

  it('counts once a settle that reached Redis but lost its reply, retried while the link is up', async () => {
    const a = await instance();
    const b = await instance();
    const { record } = await temp.addKey({ limitTotalUsd: 1 });
    const now = Date.now();
    const call = await a.ledger.acquire(record, 0.2, now);
    failNextEval(a.link, { applied: true });
    a.ledger.settle(call, 0.15);
    await a.ledger.drain();
    expect(a.ledger.pendingSettles).toBe(1);
    await waitFor(() => a.ledger.pendingSettles === 0, 'the settle to be retried');
    await a.ledger.drain();
    const spend = await b.ledger.spend(record, now);
    expect(spend.totalUsd).toBeCloseTo(0.15, 9);
    expect(spend.reservedUsd).toBeCloseTo(0, 9);
  });

  it('counts once a settle that reached Redis as the link dropped, replayed when Redis returns with its data', async () => {
    const a = await instance({ viaProxy: true });
    const b = await instance();
    const { record } = await temp.addKey({ limitTotalUsd: 1 });
    const now = Date.now();
    const call = await a.ledger.acquire(record, 0.2, now);
    failNextEval(a.link, { applied: true, afterwards: () => proxy.cut() });
    a.ledger.settle(call, 0.15);
    await waitFor(() => !a.link.up, 'the link to go down');
    await waitFor(() => a.ledger.pendingSettles === 1, 'the settle to wait for Redis');
    await recovery(a.link);
    await waitFor(() => a.ledger.pendingSettles === 0, 'the replay');
    await a.ledger.drain();
    const spend = await b.ledger.spend(record, now);
    expect(spend.totalUsd).toBeCloseTo(0.15, 9);
    expect(spend.reservedUsd).toBeCloseTo(0, 9);
  });

  it('counts once a fail-open settle whose replay reached Redis but lost its reply', async () => {
    const a = await instance({ viaProxy: true, failOpen: true });
    const b = await instance();
    const { record } = await temp.addKey({ limitTotalUsd: 1 });
    const now = Date.now();
    await temp.addSpend(record.id, 0.3, now - 1_000);
    expect((await b.ledger.spend(record, now)).totalUsd).toBeCloseTo(0.3, 9);
    await outage(a.link);
    const during = await a.ledger.acquire(record, 0.2, now);
    a.ledger.settle(during, 0.2);
    expect(a.ledger.pendingSettles).toBe(1);
    failNextEval(a.link, { applied: true });
    await recovery(a.link);
    await waitFor(() => a.ledger.pendingSettles === 0, 'the replay');
    await a.ledger.drain();
    expect((await b.ledger.spend(record, now)).totalUsd).toBeCloseTo(0.5, 9);
  });

  it('drops the counters of a key without limits again after its last call, past a re-seed meanwhile', async () => {
    // a still sees the key without limits while b already sees a limit on it (their key caches differ).
    const a = await instance({ staleCounterDelayMs: 500 });
    const b = await instance();
    const { record } = await temp.addKey({ limitTotalUsd: 10 });
    const now = Date.now();
    const counter = `${prefix}spend:${record.id}:total:0`;
    const first = await b.ledger.acquire(record, 2, now);
    b.ledger.settle(first, 2);
    await temp.addSpend(record.id, 2, now - 3_000);
    await b.ledger.drain();
    const unlimited = { ...record, limitTotalUsd: null };
    const calls = [await a.ledger.acquire(unlimited, 3, now), await a.ledger.acquire(unlimited, 4, now)];
    a.ledger.settle(calls[0] as Reservation, 3);
    a.ledger.settle(calls[1] as Reservation, 4);
    await temp.addSpend(record.id, 3, now - 2_000);
    const redis = new Redis(redisUrl);
    try {
      await waitForAsync(async () => (await redis.exists(counter)) === 0, 'the first drop');
      // b re-seeds before the record of the $4 call is in the log; the drop after a's last call fixes it.
      expect((await b.ledger.spend(record, now)).totalUsd).toBeCloseTo(5, 9);
      await temp.addSpend(record.id, 4, now - 1_000);
      await waitForAsync(async () => (await redis.exists(counter)) === 0, 'the drop after the last call');
      expect((await b.ledger.spend(record, now)).totalUsd).toBeCloseTo(9, 9);
    } finally {
      redis.disconnect();
    }
  });
});
