/**
 * One conformance suite for the two ways router instances share state: in memory (the processes of one
 * machine joined by a relay, budgets and rate limits in one ledger), and through Redis (the real server on
 * 127.0.0.1:6379, under a key prefix of this run's own; skipped with a message when none answers). Each
 * case builds two instances on one adapter and checks what one does is what the other sees.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BudgetLedger, type KeyBudgetLedger } from '../auth/budget-ledger.js';
import { type KeyRateLimiter, RateLimiter } from '../auth/rate-limiter.js';
import { RedisBudgetLedger } from '../auth/redis-budget-ledger.js';
import { RedisRateLimiter } from '../auth/redis-rate-limiter.js';
import { createTempStore, type TempStore } from '../auth/test-support/temp-store.js';
import { RouterError } from '../core/errors.js';
import { RedisLink } from './redis-link.js';
import { RedisStateSync } from './redis-state-sync.js';
import { RouterState, type StateEvent } from './router-state.js';
import { redisAnswers, testRedisUrl } from './test-support/redis-probe.js';

const redisUrl = testRedisUrl;
const stickyTtlMs = 60_000;

const redisUp = await redisAnswers();
if (!redisUp) {
  console.warn(
    `shared-state conformance: no Redis answers at ${redisUrl}; the Redis adapter cases are skipped`,
  );
}

interface Instance {
  state: RouterState;
  ledger: KeyBudgetLedger;
  limiter: KeyRateLimiter;
}

interface Adapter {
  /** Another instance joined to the same shared state. */
  instance(options?: { reservationTtlMs?: number }): Promise<Instance>;
  /** Whether state outlives every instance (a restart finds it). */
  durable: boolean;
  /** Whether a crashed instance's holds expire (in memory they die with the process). */
  holdsExpire: boolean;
  close(): Promise<void>;
}

function memoryAdapter(temp: TempStore): Adapter {
  // What the primary process of `--workers N` does: relay each replica's events to the others.
  const states: RouterState[] = [];
  const ledger = new BudgetLedger({ store: temp.store });
  const limiter = new RateLimiter();
  return {
    durable: false,
    holdsExpire: false,
    async instance() {
      const state: RouterState = new RouterState({
        sticky: { ttlMs: stickyTtlMs, maxEntries: 1000 },
        publish: (event: StateEvent) => {
          for (const other of states) if (other !== state) other.apply(event);
        },
      });
      states.push(state);
      return { state, ledger, limiter };
    },
    async close() {},
  };
}

function redisAdapter(temp: TempStore): Adapter {
  const prefix = `pareto-test:${randomUUID()}:`;
  const links: RedisLink[] = [];
  return {
    durable: true,
    holdsExpire: true,
    async instance(options = {}) {
      const link = new RedisLink({ url: redisUrl, prefix });
      await link.connect();
      links.push(link);
      const state = new RouterState({ sticky: { ttlMs: stickyTtlMs, maxEntries: 1000 } });
      await new RedisStateSync(link, state, { stickyTtlMs, now: Date.now }).start();
      return {
        state,
        ledger: new RedisBudgetLedger({ link, store: temp.store, ...options }),
        limiter: new RedisRateLimiter(link),
      };
    },
    async close() {
      const cleaner = links[0]?.client;
      if (cleaner !== undefined) {
        const keys = await cleaner.keys(`${prefix}*`);
        if (keys.length > 0) await cleaner.del(...keys);
      }
      for (const link of links) await link.close();
    },
  };
}

async function waitFor(check: () => boolean, timeoutMs = 1_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const adapters: { name: string; make: (temp: TempStore) => Adapter; skip: boolean }[] = [
  { name: 'in-memory', make: memoryAdapter, skip: false },
  { name: 'redis', make: redisAdapter, skip: !redisUp },
];

describe.each(adapters)('shared state conformance: $name', ({ make, skip }) => {
  let temp: TempStore;
  let adapter: Adapter;

  beforeEach(async () => {
    temp = await createTempStore();
    adapter = make(temp);
  });
  afterEach(async () => {
    await adapter.close();
    await temp.dispose();
  });

  it.skipIf(skip)('a sticky session set on one instance is read on another', async () => {
    const [a, b] = [await adapter.instance(), await adapter.instance()];
    const now = Date.now();
    a.state.rememberSession('conversation-1', { modelId: 'alpha', upstream: 'mock' }, now);
    await waitFor(() => b.state.sticky.get('conversation-1', Date.now()) !== undefined);
    expect(b.state.sticky.get('conversation-1', Date.now())).toEqual({ modelId: 'alpha', upstream: 'mock' });
    // The session expires with its TTL everywhere.
    expect(b.state.sticky.get('conversation-1', now + stickyTtlMs + 1)).toBeUndefined();
  });

  it.skipIf(skip)(
    'a circuit opened by one instance is open on the other, for that upstream only',
    async () => {
      const [a, b] = [await adapter.instance(), await adapter.instance()];
      const now = Date.now();
      for (let failure = 0; failure < 5; failure += 1) a.state.recordFailure('alpha', 'mock', now);
      expect(a.state.circuits.allows('alpha', 'mock', now)).toBe(false);
      await waitFor(() => !b.state.circuits.allows('alpha', 'mock', now));
      expect(b.state.circuits.state('alpha', 'mock', now)).toBe('open');
      expect(b.state.circuits.allows('alpha', 'other', now)).toBe(true);
      expect(b.state.allowsAny('alpha', ['mock', 'other'], now)).toBe(true);
      expect(b.state.circuits.allows('beta', 'mock', now)).toBe(true);
    },
  );

  it.skipIf(skip)('throughput samples recorded on one instance rank on the other', async () => {
    const [a, b] = [await adapter.instance(), await adapter.instance()];
    for (const sample of [10, 20, 30]) a.state.recordThroughput('alpha', sample);
    await waitFor(() => b.state.throughput.p50('alpha')?.samples === 3);
    expect(b.state.throughput.p50('alpha')).toEqual({ tokensPerSecond: 20, samples: 3 });
  });

  it.skipIf(skip || !make({} as TempStore).durable)(
    'throughput samples and sticky sessions survive a restart',
    async () => {
      const a = await adapter.instance();
      for (const sample of [40, 50, 60, 70]) a.state.recordThroughput('alpha', sample);
      a.state.rememberSession('conversation-2', { modelId: 'beta', upstream: 'mock' }, Date.now());
      await new Promise((resolve) => setTimeout(resolve, 50));
      const restarted = await adapter.instance();
      expect(restarted.state.throughput.p50('alpha')).toEqual({ tokensPerSecond: 55, samples: 4 });
      expect(restarted.state.sticky.get('conversation-2', Date.now())).toEqual({
        modelId: 'beta',
        upstream: 'mock',
      });
    },
  );

  it.skipIf(skip)('a per-minute rate limit holds across instances', async () => {
    const [a, b] = [await adapter.instance(), await adapter.instance()];
    const keyId = `key_${randomUUID()}`;
    const now = Date.now();
    const decisions = await Promise.all(
      Array.from({ length: 20 }, (_, index) => (index % 2 === 0 ? a : b).limiter.take(keyId, 6, now)),
    );
    expect(decisions.filter((decision) => decision.allowed)).toHaveLength(6);
    const refused = decisions.find((decision) => !decision.allowed);
    expect(refused).toMatchObject({ allowed: false });
    expect(refused?.allowed === false && refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
  });

  it.skipIf(skip)('lets exactly 5 of 40 concurrent $0.01 calls through $0.05 across instances', async () => {
    const [a, b] = [await adapter.instance(), await adapter.instance()];
    const { record } = await temp.addKey({ limitDailyUsd: 1 });
    const now = Date.now();
    await temp.addSpend(record.id, 0.95, now - 1_000);
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, (_, index) => (index % 2 === 0 ? a : b).ledger.acquire(record, 0.01, now)),
    );
    const granted = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    expect(granted).toHaveLength(5);
    const refusal = results.find((result) => result.status === 'rejected');
    expect(refusal?.status === 'rejected' && refusal.reason).toBeInstanceOf(RouterError);
    expect((refusal as PromiseRejectedResult).reason.code).toBe('budget_exceeded');
    for (const reservation of granted) a.ledger.settle(reservation, 0.008);
    await settled(a.ledger);
    const spend = await b.ledger.spend(record, now);
    expect(spend.dailyUsd).toBeCloseTo(0.99, 9);
    expect(spend.reservedUsd).toBeCloseTo(0, 9);
    // $0.01 is left: one more $0.01 call fits, a second does not.
    const last = await b.ledger.acquire(record, 0.01, now);
    await expect(a.ledger.acquire(record, 0.01, now)).rejects.toMatchObject({ code: 'budget_exceeded' });
    b.ledger.release(last);
  });

  it.skipIf(skip)('settles and releases each reservation once', async () => {
    const [a, b] = [await adapter.instance(), await adapter.instance()];
    const { record } = await temp.addKey({ limitTotalUsd: 1 });
    const now = Date.now();
    const first = await a.ledger.acquire(record, 0.2, now);
    const second = await a.ledger.acquire(record, 0.2, now);
    a.ledger.settle(first, 0.1);
    a.ledger.settle(first, 0.1);
    a.ledger.release(second);
    a.ledger.settle(second, 0.3);
    // Another instance repeating a settle (a replay) must not count it again either: on Redis only the
    // shared done marker stops it, as b has not seen the reservation.
    await settled(a.ledger);
    b.ledger.settle(first, 0.1);
    await settled(b.ledger);
    const spend = await b.ledger.spend(record, now);
    expect(spend.totalUsd).toBeCloseTo(0.1, 9);
    expect(spend.reservedUsd).toBeCloseTo(0, 9);
  });

  it.skipIf(skip)('a limit added to a key that had none counts what the key spent before', async () => {
    const [a, b] = [await adapter.instance(), await adapter.instance()];
    const { record } = await temp.addKey({});
    const now = Date.now();
    await temp.addSpend(record.id, 5, now - 2_000);
    expect((await b.ledger.spend(record, now)).totalUsd).toBeCloseTo(5, 9);
    // The key spends $100 more, through the ledger and into the log, as the request pipeline does.
    const call = await a.ledger.acquire(record, 100, now);
    a.ledger.settle(call, 100);
    await temp.addSpend(record.id, 100, now - 1_000);
    await settled(a.ledger);
    expect((await b.ledger.spend(record, now)).totalUsd).toBeCloseTo(105, 9);
    const limited = { ...record, limitTotalUsd: 50 };
    await expect(b.ledger.acquire(limited, 10, now)).rejects.toMatchObject({ code: 'budget_exceeded' });
  });

  it.skipIf(skip)('a limit removed and added again counts what the key spent meanwhile', async () => {
    const [a, b] = [await adapter.instance(), await adapter.instance()];
    const { record } = await temp.addKey({ limitTotalUsd: 10 });
    const now = Date.now();
    const limited = await a.ledger.acquire(record, 2, now);
    a.ledger.settle(limited, 2);
    await temp.addSpend(record.id, 2, now - 2_000);
    await settled(a.ledger);
    expect((await b.ledger.spend(record, now)).totalUsd).toBeCloseTo(2, 9);
    // The limit is removed; the key spends $5 without one, then gets a $6 limit back.
    const unlimited = { ...record, limitTotalUsd: null };
    const free = await a.ledger.acquire(unlimited, 5, now);
    a.ledger.settle(free, 5);
    await temp.addSpend(record.id, 5, now - 1_000);
    await settled(a.ledger);
    const relimited = { ...record, limitTotalUsd: 6 };
    expect((await b.ledger.spend(relimited, now)).totalUsd).toBeCloseTo(7, 9);
    await expect(b.ledger.acquire(relimited, 0.5, now)).rejects.toMatchObject({ code: 'budget_exceeded' });
  });

  it.skipIf(skip)('seeds from the request log once, however many instances read at once', async () => {
    const instances = await Promise.all([adapter.instance(), adapter.instance(), adapter.instance()]);
    const { record } = await temp.addKey({ limitMonthlyUsd: 10 });
    const now = Date.now();
    await temp.addSpend(record.id, 0.3, now - 1_000);
    const spends = await Promise.all(instances.map((instance) => instance.ledger.spend(record, now)));
    for (const spend of spends) expect(spend.monthlyUsd).toBeCloseTo(0.3, 9);
    const reservation = await instances[0]?.ledger.acquire(record, 0.1, now);
    if (reservation === undefined) throw new Error('no instance');
    instances[1]?.ledger.settle(reservation, 0.1);
    if (instances[1] !== undefined) await settled(instances[1].ledger);
    const again = await Promise.all(instances.map((instance) => instance.ledger.spend(record, now)));
    for (const spend of again) expect(spend.monthlyUsd).toBeCloseTo(0.4, 9);
  });

  it.skipIf(skip)('a new day starts a new daily window without touching the old one', async () => {
    const [a, b] = [await adapter.instance(), await adapter.instance()];
    const { record } = await temp.addKey({ limitDailyUsd: 1 });
    const now = Date.now();
    const yesterday = now - 86_400_000;
    await temp.addSpend(record.id, 0.9, yesterday);
    const late = await a.ledger.acquire(record, 0.05, yesterday);
    const early = await b.ledger.acquire(record, 0.5, now);
    a.ledger.settle(late, 0.05);
    b.ledger.settle(early, 0.5);
    await settled(a.ledger);
    await settled(b.ledger);
    // The late call of yesterday is charged to yesterday, not to today.
    expect((await a.ledger.spend(record, now)).dailyUsd).toBeCloseTo(0.5, 9);
    expect((await b.ledger.spend(record, now)).dailyUsd).toBeCloseTo(0.5, 9);
    // The in-memory ledger keeps only current windows; a shared store keeps yesterday's as well.
    if (adapter.durable) expect((await a.ledger.spend(record, yesterday)).dailyUsd).toBeCloseTo(0.95, 9);
  });

  it.skipIf(skip || !make({} as TempStore).holdsExpire)(
    'holds of an instance that never settles expire after their TTL',
    async () => {
      const crashed = await adapter.instance({ reservationTtlMs: 300 });
      const other = await adapter.instance();
      const { record } = await temp.addKey({ limitTotalUsd: 0.05 });
      const now = Date.now();
      await crashed.ledger.acquire(record, 0.05, now);
      await expect(other.ledger.acquire(record, 0.01, now)).rejects.toMatchObject({
        code: 'budget_exceeded',
      });
      await new Promise((resolve) => setTimeout(resolve, 400));
      const reservation = await other.ledger.acquire(record, 0.05, now);
      expect(reservation.amountUsd).toBe(0.05);
    },
  );
});

/** Waits until an adapter's settles have reached the shared store (in memory they are immediate). */
async function settled(ledger: KeyBudgetLedger): Promise<void> {
  if (ledger instanceof RedisBudgetLedger) await ledger.drain();
}
