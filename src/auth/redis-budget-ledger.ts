/**
 * Budgets shared by every router instance through Redis, exact across the fleet:
 *
 * - A call reserves its worst-case cost in one Lua script that checks every limit of the key against
 *   spent + held + this call and, only if all pass, holds the amount under a fresh reservation id with a
 *   deadline (`reservationTtlMs`). Concurrent calls on any instance are serialised by Redis, and a call
 *   passes only when its worst case fits beside everything spent and held, so the fleet as a whole stays
 *   within the limit (by at most one call when a real cost exceeds its worst-case estimate).
 * - Settling (or releasing) is a second script, guarded by a `SET NX` marker per reservation id, so it
 *   applies once whatever retries or reconnects happen; it drops the hold and adds the real cost to the
 *   spend counter of each window the call began in.
 * - A crashed instance's holds are dropped by the next script that touches the key once their deadline
 *   passes.
 * - Spend counters are named by key, window kind and window start: a new day is a new counter, so a
 *   rollover never resets or overwrites another instance's write. A counter Redis does not have is seeded
 *   from the request log with `SET NX` (never added to), so any number of instances seeding at once
 *   leave one value.
 *
 * A key without limits never waits for Redis. Its calls do not update the counters, so once it has spent,
 * its counters are dropped a moment later (after the log holds those calls, and again after its last
 * call): a limit added later re-seeds them from the log instead of trusting counts that missed the spend.
 *
 * A settle that fails while the link is up (an error, a timeout) is retried with a growing delay; one that
 * cannot be sent while Redis is down waits for it. When Redis is down, a key with limits is refused with
 * a 503 (fail closed) unless `failOpen` is set; then a ledger of the process's own counts it, made afresh
 * from the log for each outage (counts left from an earlier one miss what the fleet spent since), and
 * what it settled is replayed into Redis when Redis returns with its data (or dropped when Redis returns
 * empty, since the counters are then re-seeded from the log, which holds those calls). The done marker of
 * each reservation makes every retry and replay count once, even when the first attempt reached Redis and
 * only its reply was lost.
 */
import { randomUUID } from 'node:crypto';
import { RouterError } from '../core/errors.js';
import type { RedisLink } from '../state/redis-link.js';
import type { ApiKeyRecord } from '../store/api-key.js';
import type { RequestStore } from '../store/request-store.js';
import {
  assertAmount,
  BudgetLedger,
  type BudgetLimitKind,
  type BudgetWindowKind,
  budgetWindowKinds,
  formatUsd,
  type KeyBudgetLedger,
  type KeySpend,
  limitedKinds,
  type Reservation,
  windowStart,
} from './budget-ledger.js';

export interface RedisBudgetLedgerOptions {
  link: RedisLink;
  store: Pick<RequestStore, 'keySpend'>;
  /** Let keys with budgets through on the local ledger while Redis is down (default: refuse them). */
  failOpen?: boolean;
  /** How long a hold lives if its instance never settles it (default 10 minutes). */
  reservationTtlMs?: number;
  /**
   * After Redis comes back empty, how long keys with budgets wait before it counts for them again (ms):
   * long enough for every instance to flush the records of calls settled before the outage, so the
   * counters re-seeded from the log include them. Default 1.5 s (the log flushes every 200 ms).
   */
  resumeGraceMs?: number;
  /** Called when Redis comes back empty: flushes this instance's request log. */
  beforeResume?: () => Promise<void>;
  /**
   * After a key without limits spends, how long before its Redis counters are dropped (ms): long enough
   * for the request log to hold the calls, so counters re-seeded later include them. Default 1.5 s.
   */
  staleCounterDelayMs?: number;
  /** First delay before retrying a settle that failed while the link was up; doubled per failure. */
  retryDelayMs?: number;
  /** Longest delay between retries of a failed settle. */
  maxRetryDelayMs?: number;
  /** Reports a settle (or a counter drop) that could not reach Redis (retried or replayed later). */
  onError?: (error: unknown) => void;
}

export const defaultReservationTtlMs = 10 * 60_000;

const limitFields = {
  daily: 'limitDailyUsd',
  monthly: 'limitMonthlyUsd',
  total: 'limitTotalUsd',
} as const satisfies Record<BudgetLimitKind, keyof ApiKeyRecord>;

/** How long each window's counter outlives its window (then the log answers for it). */
const counterTtlMs: Record<BudgetWindowKind, number | undefined> = {
  daily: 3 * 86_400_000,
  weekly: 9 * 86_400_000,
  monthly: 33 * 86_400_000,
  total: undefined,
};

const doneTtlMs = 86_400_000;

/**
 * KEYS: holds zset, amounts hash, then one spend counter per limited window.
 * ARGV: reservation id, worst case, ttl ms, then the limits in the order of the counters.
 * Returns {'ok'}, {'seed', i} (counter i is missing), or {'over', i, spent, reserved}.
 */
const reserveScript = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
for _, id in ipairs(expired) do redis.call('HDEL', KEYS[2], id) end
if #expired > 0 then redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now) end
local reserved = 0
for _, v in ipairs(redis.call('HVALS', KEYS[2])) do reserved = reserved + tonumber(v) end
local worst = tonumber(ARGV[2])
for i = 3, #KEYS do
  local spent = redis.call('GET', KEYS[i])
  if not spent then return {'seed', tostring(i - 3)} end
  spent = tonumber(spent)
  local limit = tonumber(ARGV[i + 1])
  local committed = spent + reserved
  if committed >= limit - 1e-9 or committed + worst > limit + 1e-9 then
    return {'over', tostring(i - 3), tostring(spent), tostring(reserved)}
  end
end
local ttl = tonumber(ARGV[3])
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ttl * 2)
redis.call('PEXPIRE', KEYS[2], ttl * 2)
return {'ok'}
`;

/**
 * KEYS: holds zset, amounts hash, done marker, then the spend counters of the windows the call began in.
 * ARGV: reservation id, actual cost, marker ttl ms. Returns 1 when applied, 0 when already applied.
 */
const settleScript = `
if not redis.call('SET', KEYS[3], '1', 'NX', 'PX', ARGV[3]) then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
if tonumber(ARGV[2]) > 0 then
  for i = 4, #KEYS do
    if redis.call('EXISTS', KEYS[i]) == 1 then redis.call('INCRBYFLOAT', KEYS[i], ARGV[2]) end
  end
end
return 1
`;

/** KEYS: holds zset, amounts hash. Returns the sum held by live reservations. */
const heldScript = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local live = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')
local held = 0
for _, id in ipairs(live) do
  local v = redis.call('HGET', KEYS[2], id)
  if v then held = held + tonumber(v) end
end
return tostring(held)
`;

interface RedisReservation extends Reservation {
  readonly id: string;
  /** Where it is held: in Redis, in the local fallback ledger, or nowhere (a key without limits). */
  readonly where: 'redis' | 'local' | 'none';
  /** The local ledger of the outage it was made in, and its reservation there. */
  readonly local?: { ledger: BudgetLedger; reservation: Reservation };
}

interface PendingSettle {
  reservation: RedisReservation;
  actualUsd: number;
  /** Attempts that failed while the link was up (sets the retry delay). */
  failures: number;
}

/** The earliest and latest start of a key's calls since the last tick. */
interface CallSpan {
  first: number;
  last: number;
}

/** Widens `keyId`'s span in `spans` to cover `first`..`last`. */
function widenSpan(spans: Map<string, CallSpan>, keyId: string, first: number, last: number): void {
  const span = spans.get(keyId);
  if (span === undefined) spans.set(keyId, { first, last });
  else {
    if (first < span.first) span.first = first;
    if (last > span.last) span.last = last;
  }
}

/** Most counters named in one DEL. */
const dropChunk = 1_000;

export class RedisBudgetLedger implements KeyBudgetLedger {
  readonly #link: RedisLink;
  readonly #store: Pick<RequestStore, 'keySpend'>;
  readonly #failOpen: boolean;
  readonly #ttlMs: number;
  readonly #onError: (error: unknown) => void;
  /** The fail-open fallback, per process. */
  #local: BudgetLedger;
  /** Redis has counted for this process since `#local` was made, so its counts are out of date. */
  #localStale = false;
  readonly #done = new WeakSet<Reservation>();
  /** Settles Redis has not seen yet (it was down); replayed or dropped when it returns. */
  #pending: PendingSettle[] = [];
  /** Settles that failed while the link was up, each waiting for its retry. */
  readonly #retrying = new Map<PendingSettle, NodeJS.Timeout>();
  readonly #retryDelayMs: number;
  readonly #maxRetryDelayMs: number;
  /** Counters of keys without limits that spent since the last tick, and in the tick before it. */
  #staleNow = new Map<string, CallSpan>();
  #staleBefore = new Map<string, CallSpan>();
  #staleTimer: NodeJS.Timeout | undefined;
  readonly #staleDelayMs: number;
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #resumeGraceMs: number;
  /** Until then (epoch ms) Redis is not used for budgets: it came back empty and is being re-seeded. */
  #resumeAt = 0;

  constructor(options: RedisBudgetLedgerOptions) {
    this.#link = options.link;
    this.#store = options.store;
    this.#failOpen = options.failOpen ?? false;
    this.#ttlMs = options.reservationTtlMs ?? defaultReservationTtlMs;
    this.#onError = options.onError ?? (() => undefined);
    this.#local = new BudgetLedger({ store: options.store });
    this.#resumeGraceMs = options.resumeGraceMs ?? 1_500;
    this.#staleDelayMs = options.staleCounterDelayMs ?? 1_500;
    this.#retryDelayMs = options.retryDelayMs ?? 100;
    this.#maxRetryDelayMs = options.maxRetryDelayMs ?? 5_000;
    this.#link.onChange((up, sameData) => {
      if (!up) {
        this.#parkRetries();
        return;
      }
      this.#localStale = true;
      if (!sameData) {
        this.#resumeAt = Date.now() + this.#resumeGraceMs;
        options.beforeResume?.().catch((error: unknown) => this.#onError(error));
      }
      void this.#reconcile(sameData);
    });
  }

  async acquire(key: ApiKeyRecord, worstCaseUsd: number, now: number): Promise<Reservation> {
    const kinds = limitedKinds(key);
    const id = randomUUID();
    if (kinds.length === 0) {
      return {
        keyId: key.id,
        amountUsd: worstCaseUsd,
        createdAt: now,
        id,
        where: 'none',
      } as RedisReservation;
    }
    if (!this.#link.up || Date.now() < this.#resumeAt) {
      return this.#acquireWithoutRedis(key, worstCaseUsd, now, id, this.#link.up ? 'resuming' : 'down');
    }
    try {
      return await this.#acquireInRedis(key, kinds, worstCaseUsd, now, id);
    } catch (error) {
      if (error instanceof RouterError) throw error;
      return this.#acquireWithoutRedis(key, worstCaseUsd, now, id, this.#link.up ? 'failed' : 'down');
    }
  }

  settle(reservation: Reservation, actualUsd: number): void {
    assertAmount('actual cost', actualUsd);
    this.#finish(reservation as RedisReservation, actualUsd);
  }

  release(reservation: Reservation): void {
    this.#finish(reservation as RedisReservation, 0);
  }

  async spend(key: ApiKeyRecord, now: number): Promise<KeySpend> {
    // A key without limits never reserves or settles in Redis, so counters there would go stale, and a
    // limit added later would be checked against them. Its spend comes from the log, seeding nothing.
    if (limitedKinds(key).length === 0) return this.#loggedSpend(key, now);
    if (!this.#link.up || Date.now() < this.#resumeAt) return this.#localLedger().spend(key, now);
    try {
      return await this.#sharedSpend(key, now);
    } catch {
      // Redis went away mid-read: this instance's own count, as while it is down.
      return this.#localLedger().spend(key, now);
    }
  }

  async #sharedSpend(key: ApiKeyRecord, now: number): Promise<KeySpend> {
    const values = new Map<BudgetWindowKind, number>();
    for (const kind of budgetWindowKinds) {
      values.set(kind, await this.#counter(key.id, kind, windowStart(kind, now)));
    }
    const held = Number(
      await this.#link.client.eval(heldScript, 2, this.#holdsKey(key.id), this.#amountsKey(key.id)),
    );
    return {
      dailyUsd: values.get('daily') ?? 0,
      weeklyUsd: values.get('weekly') ?? 0,
      monthlyUsd: values.get('monthly') ?? 0,
      totalUsd: values.get('total') ?? 0,
      reservedUsd: held,
    };
  }

  async #loggedSpend(key: ApiKeyRecord, now: number): Promise<KeySpend> {
    const values = new Map<BudgetWindowKind, number>();
    for (const kind of budgetWindowKinds) {
      values.set(kind, await this.#store.keySpend(key.id, windowStart(kind, now)));
    }
    return {
      dailyUsd: values.get('daily') ?? 0,
      weeklyUsd: values.get('weekly') ?? 0,
      monthlyUsd: values.get('monthly') ?? 0,
      totalUsd: values.get('total') ?? 0,
      reservedUsd: 0,
    };
  }

  /** Settles Redis has not seen yet, waiting for it to return or for a retry (for tests and metrics). */
  get pendingSettles(): number {
    return this.#pending.length + this.#retrying.size;
  }

  /**
   * Sends at once what waits for a timer (settles to retry, counters to drop), then waits for every
   * settle sent so far. For a shutdown, after the request log is flushed.
   */
  async drain(): Promise<void> {
    for (const [entry, timer] of this.#retrying) {
      clearTimeout(timer);
      this.#retrying.delete(entry);
      this.#send(entry);
    }
    if (this.#staleTimer !== undefined) this.#dropStale();
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  async #acquireInRedis(
    key: ApiKeyRecord,
    kinds: readonly BudgetLimitKind[],
    worstCaseUsd: number,
    now: number,
    id: string,
  ): Promise<RedisReservation> {
    const counters = kinds.map((kind) => this.#counterKey(key.id, kind, windowStart(kind, now)));
    const limits = kinds.map((kind) => String(key[limitFields[kind]]));
    // At most one seeding round per window: a counter missing twice means another instance is racing us.
    for (let round = 0; round <= kinds.length + 1; round += 1) {
      const result = (await this.#link.client.eval(
        reserveScript,
        2 + counters.length,
        this.#holdsKey(key.id),
        this.#amountsKey(key.id),
        ...counters,
        id,
        String(worstCaseUsd),
        String(this.#ttlMs),
        ...limits,
      )) as string[];
      if (result[0] === 'ok') {
        this.#localStale = true;
        return {
          keyId: key.id,
          amountUsd: worstCaseUsd,
          createdAt: now,
          id,
          where: 'redis',
        } as RedisReservation;
      }
      const kind = kinds[Number(result[1])] as BudgetLimitKind;
      if (result[0] === 'seed') {
        await this.#seed(key.id, kind, windowStart(kind, now));
        continue;
      }
      const limit = key[limitFields[kind]] as number;
      const spent = Number(result[2]);
      const reserved = Number(result[3]);
      const inFlight = reserved > 0 ? ` (plus ${formatUsd(reserved)} held by calls in flight)` : '';
      throw new RouterError(
        'budget_exceeded',
        `${kind} budget exceeded: limit ${formatUsd(limit)}, spent ${formatUsd(spent)}${inFlight}, this call may cost up to ${formatUsd(worstCaseUsd)}`,
        {
          metadata: {
            limit: kind,
            limit_usd: limit,
            spent_usd: spent,
            reserved_usd: reserved,
            worst_case_usd: worstCaseUsd,
          },
        },
      );
    }
    throw new RouterError('internal', `could not seed the budget counters of ${key.id}`);
  }

  async #acquireWithoutRedis(
    key: ApiKeyRecord,
    worstCaseUsd: number,
    now: number,
    id: string,
    why: 'down' | 'resuming' | 'failed',
  ): Promise<RedisReservation> {
    if (!this.#failOpen) {
      const failOpenHint =
        "Retry shortly, or set PARETO_ROUTER_BUDGET_FAIL_OPEN=true to let such calls through on this instance's own count";
      throw new RouterError(
        'budget_exceeded',
        why === 'resuming'
          ? `key ${key.id} has a budget and the shared budget store (Redis) has just restarted empty; its counters are re-seeded from the request log in a moment, until then the call is refused (fail closed). Retry in a second or two`
          : why === 'failed'
            ? `key ${key.id} has a budget and the shared budget store (Redis) did not answer its reservation in time, so its spend cannot be checked; the call is refused (fail closed). ${failOpenHint}`
            : `key ${key.id} has a budget and the shared budget store (Redis) is unreachable, so its spend cannot be checked; the call is refused (fail closed). ${failOpenHint}`,
        {
          status: 503,
          retryable: true,
          retryAfterSeconds: 1,
          metadata: { reason: 'budget_store_unavailable' },
        },
      );
    }
    const ledger = this.#localLedger();
    const reservation = await ledger.acquire(key, worstCaseUsd, now);
    return {
      keyId: key.id,
      amountUsd: worstCaseUsd,
      createdAt: now,
      id,
      where: 'local',
      local: { ledger, reservation },
    } as RedisReservation;
  }

  /**
   * The fail-open ledger for the outage under way. One that Redis has counted alongside since it was
   * made misses what the fleet spent meanwhile, so a new one is made, reading the log afresh.
   */
  #localLedger(): BudgetLedger {
    if (this.#localStale) {
      this.#local = new BudgetLedger({ store: this.#store });
      this.#localStale = false;
    }
    return this.#local;
  }

  #finish(reservation: RedisReservation, actualUsd: number): void {
    if (this.#done.has(reservation)) return;
    this.#done.add(reservation);
    if (reservation.where === 'none') {
      if (actualUsd > 0) this.#markStale(reservation);
      return;
    }
    if (reservation.where === 'local' && reservation.local !== undefined) {
      const { ledger, reservation: local } = reservation.local;
      if (actualUsd > 0) ledger.settle(local, actualUsd);
      else ledger.release(local);
      // Redis has not seen this call: its cost is added there (now, or when Redis returns with its data).
      if (actualUsd > 0) this.#send({ reservation, actualUsd, failures: 0 });
      return;
    }
    this.#send({ reservation, actualUsd, failures: 0 });
  }

  #send(pending: PendingSettle): void {
    if (!this.#link.up) {
      this.#pending.push(pending);
      return;
    }
    const promise = this.#applySettle(pending).catch((error: unknown) => {
      this.#onError(error);
      this.#retryLater(pending);
    });
    this.#track(promise);
  }

  /** A settle failed: retried after a growing delay while the link is up, else replayed when it returns. */
  #retryLater(pending: PendingSettle): void {
    if (!this.#link.up) {
      this.#pending.push(pending);
      return;
    }
    pending.failures += 1;
    const delay = Math.min(this.#retryDelayMs * 2 ** (pending.failures - 1), this.#maxRetryDelayMs);
    const timer = setTimeout(() => {
      this.#retrying.delete(pending);
      this.#send(pending);
    }, delay);
    timer.unref();
    this.#retrying.set(pending, timer);
  }

  /** The link went down: settles waiting for a retry wait for Redis to return instead. */
  #parkRetries(): void {
    for (const [entry, timer] of this.#retrying) {
      clearTimeout(timer);
      this.#pending.push(entry);
    }
    this.#retrying.clear();
  }

  /**
   * A key without limits spent: its counters of the call's windows, which its calls do not update, are
   * dropped at each of the next two ticks (every `staleCounterDelayMs`), so the last drop comes at least
   * that long after the call, when the log holds it. A counter seeded meanwhile (by an instance that
   * already sees a limit on the key) is dropped again and seeded again from the log. All keys share one
   * timer and one DEL per tick.
   */
  #markStale(reservation: RedisReservation): void {
    // On the request path: only the key and the span of its calls' start times; the counter names (a
    // few windows per key) are worked out once per tick.
    widenSpan(this.#staleNow, reservation.keyId, reservation.createdAt, reservation.createdAt);
    if (this.#staleTimer === undefined) this.#armStaleTimer();
  }

  #armStaleTimer(): void {
    this.#staleTimer = setTimeout(() => this.#dropStale(), this.#staleDelayMs);
    this.#staleTimer.unref();
  }

  #dropStale(): void {
    clearTimeout(this.#staleTimer);
    this.#staleTimer = undefined;
    const spans = new Map(this.#staleBefore);
    for (const [keyId, span] of this.#staleNow) widenSpan(spans, keyId, span.first, span.last);
    this.#staleBefore = this.#staleNow;
    this.#staleNow = new Map();
    if (spans.size === 0) return;
    this.#armStaleTimer();
    // A tick spans a second or two, so the calls of a key began in at most two windows of each kind. A
    // span kept over an outage can be longer; the windows between its ends are then not dropped, which
    // matters only if counters were written there while every DEL failed.
    const names = new Set<string>();
    for (const [keyId, span] of spans) {
      for (const kind of budgetWindowKinds) {
        names.add(this.#counterKey(keyId, kind, windowStart(kind, span.first)));
        names.add(this.#counterKey(keyId, kind, windowStart(kind, span.last)));
      }
    }
    const all = [...names];
    // Not dropped (Redis is away, or the DEL failed): tried again at the next tick.
    const keep = (): void => {
      for (const [keyId, span] of spans) widenSpan(this.#staleNow, keyId, span.first, span.last);
    };
    if (!this.#link.up) {
      keep();
      return;
    }
    const deletes = [];
    for (let index = 0; index < all.length; index += dropChunk) {
      deletes.push(this.#link.client.del(...all.slice(index, index + dropChunk)));
    }
    const promise = Promise.all(deletes).catch((error: unknown) => {
      this.#onError(error);
      keep();
    });
    this.#track(promise);
  }

  #track(promise: Promise<unknown>): void {
    this.#inFlight.add(promise);
    void promise.finally(() => this.#inFlight.delete(promise));
  }

  async #applySettle({ reservation, actualUsd }: PendingSettle): Promise<void> {
    const counters = budgetWindowKinds.map((kind) =>
      this.#counterKey(reservation.keyId, kind, windowStart(kind, reservation.createdAt)),
    );
    await this.#link.client.eval(
      settleScript,
      3 + counters.length,
      this.#holdsKey(reservation.keyId),
      this.#amountsKey(reservation.keyId),
      this.#link.key('done', reservation.id),
      ...counters,
      reservation.id,
      String(actualUsd),
      String(doneTtlMs),
    );
  }

  /**
   * Redis is back. With its data (a network cut) the settles it missed are applied, each once (the done
   * marker guards replays). Empty (a restart) they are dropped: its counters are re-seeded from the log,
   * which holds those calls, and adding them too would count them twice.
   */
  async #reconcile(sameData: boolean): Promise<void> {
    const pending = this.#pending;
    this.#pending = [];
    if (!sameData) {
      for (const timer of this.#retrying.values()) clearTimeout(timer);
      this.#retrying.clear();
      return;
    }
    for (const entry of pending) this.#send(entry);
  }

  async #counter(keyId: string, kind: BudgetWindowKind, start: number): Promise<number> {
    const key = this.#counterKey(keyId, kind, start);
    let value = await this.#link.client.get(key);
    if (value === null) {
      await this.#seed(keyId, kind, start);
      value = await this.#link.client.get(key);
    }
    return Number(value ?? 0);
  }

  /** Sets a missing counter from the request log; `SET NX`, so a concurrent seed or settle wins. */
  async #seed(keyId: string, kind: BudgetWindowKind, start: number): Promise<void> {
    const spent = await this.#store.keySpend(keyId, start);
    const key = this.#counterKey(keyId, kind, start);
    const ttl = counterTtlMs[kind];
    if (ttl === undefined) await this.#link.client.set(key, String(spent), 'NX');
    else await this.#link.client.set(key, String(spent), 'PX', ttl, 'NX');
  }

  #counterKey(keyId: string, kind: BudgetWindowKind, start: number): string {
    return this.#link.key('spend', keyId, kind, String(start));
  }

  #holdsKey(keyId: string): string {
    return this.#link.key('holds', keyId);
  }

  #amountsKey(keyId: string): string {
    return this.#link.key('held', keyId);
  }
}
