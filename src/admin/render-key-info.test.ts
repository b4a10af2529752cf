import { GetCurrentKeyResponse$inboundSchema } from '@openrouter/sdk/models/operations';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BudgetLedger } from '../auth/budget-ledger.js';
import { createTempStore, type TempStore } from '../auth/test-support/temp-store.js';
import { renderKeyInfo, renderKeyRecord } from './render-key-info.js';

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

function parse(body: string): Record<string, any> {
  return JSON.parse(body) as Record<string, any>;
}

describe('renderKeyInfo', () => {
  it("answers in OpenRouter's shape, which the official SDK accepts", async () => {
    const { key, record } = await temp.addKey({
      name: 'agent',
      limitMonthlyUsd: 50,
      rateLimitPerMinute: 120,
    });
    await temp.addSpend(record.id, 2, now - hour);
    await temp.addSpend(record.id, 3, now - day);
    await temp.addSpend(record.id, 7, Date.UTC(2025, 4, 20));
    const ledger = new BudgetLedger({ store: temp.store });
    const body = await renderKeyInfo({ mode: 'key', key: record }, ledger, now);
    expect(body).not.toContain(key);
    expect(body).not.toContain(record.hash);
    const parsed = GetCurrentKeyResponse$inboundSchema.parse(JSON.parse(body));
    expect(parsed.data).toMatchObject({
      label: `pr-${record.prefix}...`,
      limit: 50,
      limitRemaining: 45,
      limitReset: 'monthly',
      usage: 12,
      usageDaily: 2,
      usageWeekly: 5,
      usageMonthly: 5,
      isFreeTier: false,
      rateLimit: { requests: 120, interval: '1m' },
    });
    expect(parse(body).data.pareto_router).toMatchObject({
      key_id: record.id,
      name: 'agent',
      limit_monthly_usd: 50,
      limit_daily_usd: null,
    });
  });

  it('reports the limit that refuses first, and never a negative remainder', async () => {
    const { record } = await temp.addKey({ limitDailyUsd: 1, limitMonthlyUsd: 100, limitTotalUsd: 3 });
    await temp.addSpend(record.id, 0.5, now - hour);
    await temp.addSpend(record.id, 2.2, Date.UTC(2025, 0, 1));
    const ledger = new BudgetLedger({ store: temp.store });
    let data = parse(await renderKeyInfo({ mode: 'key', key: record }, ledger, now)).data;
    // Total: 3 - 2.7 = 0.3 left, less than the day's 0.5.
    expect(data.limit).toBe(3);
    expect(data.limit_reset).toBeNull();
    expect(data.limit_remaining).toBeCloseTo(0.3, 9);
    const reservation = await ledger.acquire(record, 0.3, now);
    ledger.settle(reservation, 0.9);
    data = parse(await renderKeyInfo({ mode: 'key', key: record }, ledger, now)).data;
    expect(data.limit_remaining).toBe(0);
    expect(data.usage).toBeCloseTo(3.6, 9);
  });

  it('shows no limit for a key without one', async () => {
    const { record } = await temp.addKey();
    const data = parse(
      await renderKeyInfo({ mode: 'key', key: record }, new BudgetLedger({ store: temp.store }), now),
    ).data;
    expect(data).toMatchObject({ limit: null, limit_remaining: null, limit_reset: null, usage: 0 });
    expect(data.rate_limit.requests).toBe(-1);
  });

  it('answers in open mode without a key', async () => {
    const body = await renderKeyInfo({ mode: 'open' }, new BudgetLedger({ store: temp.store }), now);
    const parsed = GetCurrentKeyResponse$inboundSchema.parse(JSON.parse(body));
    expect(parsed.data).toMatchObject({ label: 'open mode (no keys configured)', limit: null, usage: 0 });
  });
});

describe('renderKeyRecord', () => {
  it('shows every setting and never the hash', async () => {
    const { record } = await temp.addKey({ name: 'view', excludedModels: ['x/*'] });
    const view = renderKeyRecord(record);
    expect(Object.keys(view)).not.toContain('hash');
    expect(JSON.stringify(view)).not.toContain(record.hash);
    expect(view).toMatchObject({ id: record.id, name: 'view', excluded_models: ['x/*'], disabled: false });
  });
});
