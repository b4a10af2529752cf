import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RouterError } from '../core/errors.js';
import { routerRejectionOf } from '../core/test-support/router-error-of.js';
import { BudgetLedger, formatUsd, type Reservation, windowStart } from './budget-ledger.js';
import { createTempStore, type TempStore } from './test-support/temp-store.js';

let temp: TempStore;
// Wednesday 2025-06-11, 15:00 UTC.
const now = Date.UTC(2025, 5, 11, 15);
const hour = 3_600_000;
const day = 24 * hour;

beforeEach(async () => {
  temp = await createTempStore();
});
afterEach(async () => {
  await temp.dispose();
});

describe('windowStart', () => {
  it('starts days, Monday weeks and months at UTC midnight', () => {
    expect(windowStart('daily', now)).toBe(Date.UTC(2025, 5, 11));
    expect(windowStart('weekly', now)).toBe(Date.UTC(2025, 5, 9));
    expect(windowStart('weekly', Date.UTC(2025, 5, 15, 23))).toBe(Date.UTC(2025, 5, 9));
    expect(windowStart('weekly', Date.UTC(2025, 5, 16))).toBe(Date.UTC(2025, 5, 16));
    expect(windowStart('monthly', now)).toBe(Date.UTC(2025, 5, 1));
    expect(windowStart('total', now)).toBe(0);
  });
});

describe('BudgetLedger', () => {
  it('lets exactly 10 of 50 concurrent $0.01 calls through with $0.10 left', async () => {
    const { record } = await temp.addKey({ limitDailyUsd: 5 });
    await temp.addSpend(record.id, 4.9, now - hour);
    const ledger = new BudgetLedger({ store: temp.store });
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () => ledger.acquire(record, 0.01, now)),
    );
    const granted = results.filter((result) => result.status === 'fulfilled');
    const refused = results.filter((result) => result.status === 'rejected');
    expect(granted).toHaveLength(10);
    expect(refused).toHaveLength(40);
    const first = refused[0] as PromiseRejectedResult;
    expect(first.reason).toBeInstanceOf(RouterError);
    expect((first.reason as RouterError).code).toBe('budget_exceeded');
    expect((first.reason as RouterError).status).toBe(402);
    expect((first.reason as RouterError).message).toContain(
      'daily budget exceeded: limit $5.00, spent $4.90',
    );
    expect((first.reason as RouterError).metadata).toMatchObject({ limit: 'daily', limit_usd: 5 });
  });

  it('never settles more than one call past the limit, whatever the concurrency and real costs', async () => {
    const { record } = await temp.addKey({ limitTotalUsd: 1 });
    await fc.assert(
      fc.asyncProperty(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0.001, max: 0.2, noNaN: true }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 60 }),
        async (alreadySpent, worstCase, actualFractions) => {
          const ledger = new BudgetLedger({ store: { keySpend: async () => alreadySpent } });
          const results = await Promise.allSettled(
            actualFractions.map(() => ledger.acquire(record, worstCase, now)),
          );
          let settled = alreadySpent;
          results.forEach((result, index) => {
            if (result.status !== 'fulfilled') {
              expect((result.reason as RouterError).code).toBe('budget_exceeded');
              return;
            }
            // Real cost up to the worst case: the reservation is an upper bound.
            const actual = worstCase * (actualFractions[index] ?? 0);
            ledger.settle(result.value, actual);
            settled += actual;
          });
          const granted = results.filter((result) => result.status === 'fulfilled').length;
          expect(settled).toBeLessThanOrEqual(Math.max(alreadySpent, 1) + 1e-9);
          const room = Math.max(0, 1 - alreadySpent);
          expect(granted).toBeLessThanOrEqual(Math.floor(room / worstCase + 1e-6));
          // And no call was refused while it still fitted.
          const fitting = Math.max(0, Math.floor(room / worstCase - 1e-6));
          expect(granted).toBeGreaterThanOrEqual(Math.min(actualFractions.length, fitting));
          expect(ledger.peekSpend(record.id, now).totalUsd).toBeCloseTo(settled, 9);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('keeps the overshoot within one call when real costs exceed the worst case', async () => {
    const { record } = await temp.addKey({ limitDailyUsd: 0.1 });
    const ledger = new BudgetLedger({ store: temp.store });
    const reservations = await Promise.allSettled(
      Array.from({ length: 50 }, () => ledger.acquire(record, 0.01, now)),
    );
    const granted = reservations.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    expect(granted).toHaveLength(10);
    // Settled one by one at up to 1.5x their estimate: later calls now find the budget gone.
    for (const reservation of granted) ledger.settle(reservation, 0.011);
    expect(ledger.peekSpend(record.id, now).dailyUsd).toBeCloseTo(0.11, 9);
    expect(ledger.peekSpend(record.id, now).dailyUsd).toBeLessThanOrEqual(0.1 + 0.011);
    expect((await routerRejectionOf(ledger.acquire(record, 0, now))).code).toBe('budget_exceeded');
  });

  it('frees the reservation of a failed call', async () => {
    const { record } = await temp.addKey({ limitMonthlyUsd: 0.05 });
    const ledger = new BudgetLedger({ store: temp.store });
    const held = await ledger.acquire(record, 0.05, now);
    expect((await routerRejectionOf(ledger.acquire(record, 0.01, now))).metadata).toMatchObject({
      limit: 'monthly',
      reserved_usd: 0.05,
    });
    ledger.release(held);
    const again = await ledger.acquire(record, 0.05, now);
    ledger.settle(again, 0.02);
    expect(ledger.peekSpend(record.id, now)).toMatchObject({ monthlyUsd: 0.02, reservedUsd: 0 });
  });

  it('ignores a second settle or release of the same reservation', async () => {
    const { record } = await temp.addKey({ limitTotalUsd: 10 });
    const ledger = new BudgetLedger({ store: temp.store });
    const reservation = await ledger.acquire(record, 1, now);
    ledger.settle(reservation, 0.5);
    ledger.settle(reservation, 0.5);
    ledger.release(reservation);
    expect(ledger.peekSpend(record.id, now).totalUsd).toBe(0.5);
  });

  it('checks every configured limit and names the one that refuses', async () => {
    const { record } = await temp.addKey({ limitDailyUsd: 10, limitMonthlyUsd: 20, limitTotalUsd: 100 });
    await temp.addSpend(record.id, 19.5, now - 3 * day);
    const ledger = new BudgetLedger({ store: temp.store });
    await ledger.acquire(record, 0.4, now);
    const error = await routerRejectionOf(ledger.acquire(record, 0.2, now));
    expect(error.message).toMatch(/^monthly budget exceeded: limit \$20\.00, spent \$19\.50/);
    expect(error.message).not.toContain('pr-');
  });

  it('refuses everything on a key whose limit is zero', async () => {
    const { record } = await temp.addKey({ limitTotalUsd: 0 });
    const ledger = new BudgetLedger({ store: temp.store });
    expect((await routerRejectionOf(ledger.acquire(record, 0, now))).code).toBe('budget_exceeded');
  });

  it('does not touch the store for a key without limits', async () => {
    const { record } = await temp.addKey();
    const keySpend = vi.spyOn(temp.store, 'keySpend');
    const ledger = new BudgetLedger({ store: temp.store });
    const reservation = await ledger.acquire(record, 1000, now);
    ledger.settle(reservation, 3);
    expect(keySpend).not.toHaveBeenCalled();
  });

  it('loads each window once per key and window start, and reloads when the day turns', async () => {
    const { record } = await temp.addKey({ limitDailyUsd: 1 });
    await temp.addSpend(record.id, 0.9, now - hour);
    const keySpend = vi.spyOn(temp.store, 'keySpend');
    const ledger = new BudgetLedger({ store: temp.store });
    await Promise.all(Array.from({ length: 5 }, () => ledger.acquire(record, 0.01, now)));
    // One query per window (day, week, month, total), shared by the five concurrent calls.
    expect(keySpend).toHaveBeenCalledTimes(4);
    expect((await routerRejectionOf(ledger.acquire(record, 0.1, now))).code).toBe('budget_exceeded');
    expect(keySpend).toHaveBeenCalledTimes(4);
    // Thursday: only the day turned.
    const tomorrow = now + day;
    const reservation = await ledger.acquire(record, 0.5, tomorrow);
    expect(keySpend).toHaveBeenCalledTimes(5);
    expect(keySpend).toHaveBeenLastCalledWith(record.id, windowStart('daily', tomorrow));
    ledger.settle(reservation, 0.5);
    expect(ledger.peekSpend(record.id, tomorrow).dailyUsd).toBe(0.5);
  });

  it('refuses a synchronous reserve before the windows are loaded', async () => {
    const { record } = await temp.addKey({ limitDailyUsd: 1 });
    const ledger = new BudgetLedger({ store: temp.store });
    expect(() => ledger.reserve(record, 0.1, now)).toThrow(/not loaded/);
    await ledger.load(record, now);
    expect(ledger.reserve(record, 0.1, now).amountUsd).toBe(0.1);
  });

  it('refuses amounts that are not costs', async () => {
    const { record } = await temp.addKey();
    const ledger = new BudgetLedger({ store: temp.store });
    await expect(ledger.acquire(record, Number.NaN, now)).rejects.toThrow(/finite, non-negative/);
    await expect(ledger.acquire(record, -1, now)).rejects.toThrow(/finite, non-negative/);
    const reservation: Reservation = await ledger.acquire(record, 1, now);
    expect(() => ledger.settle(reservation, Number.POSITIVE_INFINITY)).toThrow(/finite, non-negative/);
  });

  it('reports spend per window, including calls settled after the load', async () => {
    const { record } = await temp.addKey({ limitDailyUsd: 100 });
    await temp.addSpend(record.id, 1, now - hour);
    await temp.addSpend(record.id, 2, now - 2 * day);
    await temp.addSpend(record.id, 4, now - 8 * day);
    await temp.addSpend(record.id, 8, Date.UTC(2025, 3, 1));
    const ledger = new BudgetLedger({ store: temp.store });
    const reservation = await ledger.acquire(record, 0.5, now);
    ledger.settle(reservation, 0.25);
    const spend = await ledger.spend(record, now);
    expect(spend).toEqual({
      dailyUsd: 1.25,
      weeklyUsd: 3.25,
      monthlyUsd: 7.25,
      totalUsd: 15.25,
      reservedUsd: 0,
    });
  });

  it('keeps at most maxKeys idle keys in memory', async () => {
    const ledger = new BudgetLedger({ store: { keySpend: async () => 0 }, maxKeys: 3 });
    const keys = await Promise.all(
      Array.from({ length: 5 }, (_, index) => temp.addKey({ name: `k${index}`, limitTotalUsd: 1 })),
    );
    for (const { record } of keys)
      await ledger.acquire(record, 0.1, now).then((held) => ledger.release(held));
    expect(ledger.size).toBe(3);
  });

  it('keeps keys with calls in flight even past maxKeys', async () => {
    const ledger = new BudgetLedger({ store: { keySpend: async () => 0 }, maxKeys: 1 });
    const first = (await temp.addKey({ name: 'a', limitTotalUsd: 1 })).record;
    const second = (await temp.addKey({ name: 'b', limitTotalUsd: 1 })).record;
    const held = await ledger.acquire(first, 0.6, now);
    await ledger.acquire(second, 0.1, now);
    expect(ledger.size).toBe(2);
    expect((await routerRejectionOf(ledger.acquire(first, 0.6, now))).code).toBe('budget_exceeded');
    ledger.settle(held, 0.6);
  });
});

describe('formatUsd', () => {
  it('shows cents, or significant digits for fractions of a cent', () => {
    expect(formatUsd(5)).toBe('$5.00');
    expect(formatUsd(0.1)).toBe('$0.10');
    expect(formatUsd(0.000123456)).toBe('$0.000123');
    expect(formatUsd(0)).toBe('$0.00');
    expect(formatUsd(25_000)).toBe('$25000');
  });
});
