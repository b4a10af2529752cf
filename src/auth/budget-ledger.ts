/**
 * What each key has spent and has reserved, per UTC day, week, month and in total. Spend is read from the
 * request log once per key and window, then kept current in memory: a call reserves its worst-case cost
 * before the upstream call and settles to its real cost after, so concurrent calls against a nearly
 * spent key cannot overshoot by more than one call's worth.
 */
import { RouterError } from '../core/errors.js';
import type { ApiKeyRecord } from '../store/api-key.js';
import type { RequestStore } from '../store/request-store.js';

export type BudgetWindowKind = 'daily' | 'weekly' | 'monthly' | 'total';

/** Only these carry limits; the week is tracked for `GET /api/v1/key`. */
export type BudgetLimitKind = 'daily' | 'monthly' | 'total';

export const budgetWindowKinds: readonly BudgetWindowKind[] = ['daily', 'weekly', 'monthly', 'total'];

/** What a ledger reads of a key: its id and its limits. */
export type BudgetKey = Pick<ApiKeyRecord, 'id' | 'limitDailyUsd' | 'limitMonthlyUsd' | 'limitTotalUsd'>;

/** A held worst-case amount; settle or release it exactly once (later calls are ignored). */
export interface Reservation {
  readonly keyId: string;
  readonly amountUsd: number;
  /** When it was made, epoch ms (a call spans a window change at most once, and is charged where it began). */
  readonly createdAt: number;
}

/** A key's spend per window in USD, settled calls only, plus what calls in flight hold. */
export interface KeySpend {
  dailyUsd: number;
  weeklyUsd: number;
  monthlyUsd: number;
  totalUsd: number;
  /** Held by calls in flight (counted against the limits, not in the spend figures). */
  reservedUsd: number;
}

/**
 * The contract the request path uses, small enough for a shared (Redis) implementation to replace the
 * in-memory one: reserve before the upstream call, settle or release after, read the spend.
 */
export interface KeyBudgetLedger {
  /** Reserves `worstCaseUsd` against every limit of the key; throws RouterError `budget_exceeded` (402). */
  acquire(key: ApiKeyRecord, worstCaseUsd: number, now: number): Promise<Reservation>;
  /** Replaces the reservation with the call's real cost. Call before the request record is written. */
  settle(reservation: Reservation, actualUsd: number): void;
  /** Drops the reservation of a call that failed (failed attempts are not billed). */
  release(reservation: Reservation): void;
  /** The key's spend in every window that contains `now`. */
  spend(key: ApiKeyRecord, now: number): Promise<KeySpend>;
}

export interface BudgetLedgerOptions {
  store: Pick<RequestStore, 'keySpend'>;
  /** Keys whose windows stay in memory; idle keys beyond this are forgotten and reloaded when seen again. */
  maxKeys?: number;
}

export const defaultBudgetLedgerMaxKeys = 100_000;

/** Sums of floating-point cents drift by far less than this; no real call costs so little. */
const toleranceUsd = 1e-9;
const dayMs = 86_400_000;

interface SpendWindow {
  start: number;
  spentUsd: number;
  reservedUsd: number;
  /** Reservations charged to this window and not yet settled or released. */
  outstanding: number;
}

interface KeyWindows {
  windows: Map<BudgetWindowKind, SpendWindow>;
  loading: Map<string, Promise<void>>;
  outstanding: number;
}

interface HeldReservation {
  /** The window objects charged at reservation time, by kind. */
  charged: Map<BudgetWindowKind, SpendWindow>;
  done: boolean;
}

const limitFields = {
  daily: 'limitDailyUsd',
  monthly: 'limitMonthlyUsd',
  total: 'limitTotalUsd',
} as const satisfies Record<BudgetLimitKind, keyof ApiKeyRecord>;

const limitKinds: readonly BudgetLimitKind[] = ['daily', 'monthly', 'total'];

/** In-memory spend windows and reservations for one router process. */
export class BudgetLedger implements KeyBudgetLedger {
  readonly #store: Pick<RequestStore, 'keySpend'>;
  readonly #maxKeys: number;
  /** Map order is recency order, for eviction. */
  readonly #keys = new Map<string, KeyWindows>();
  readonly #held = new WeakMap<Reservation, HeldReservation>();

  constructor(options: BudgetLedgerOptions) {
    this.#store = options.store;
    this.#maxKeys = options.maxKeys ?? defaultBudgetLedgerMaxKeys;
  }

  /**
   * Loads the key's windows, then reserves (the check-and-add itself is synchronous). A key with any
   * limit gets every window loaded at once, so each call is counted in memory in every window; a key
   * with none costs no store query at all.
   */
  async acquire(key: BudgetKey, worstCaseUsd: number, now: number): Promise<Reservation> {
    if (limitedKinds(key).length > 0) await this.load(key, now);
    return this.reserve(key, worstCaseUsd, now);
  }

  /**
   * Loads from the store every window of `kinds` that does not yet cover `now`; concurrent callers share
   * one query per key and window start.
   */
  async load(
    key: Pick<ApiKeyRecord, 'id'>,
    now: number,
    kinds: readonly BudgetWindowKind[] = budgetWindowKinds,
  ): Promise<void> {
    const entry = this.#entry(key.id);
    const loads: Promise<void>[] = [];
    for (const kind of kinds) {
      const start = windowStart(kind, now);
      const current = entry.windows.get(kind);
      if (current !== undefined && current.start >= start) continue;
      const loadKey = `${kind}:${start}`;
      let loading = entry.loading.get(loadKey);
      if (loading === undefined) {
        loading = this.#store.keySpend(key.id, start).then(
          (spentUsd) => {
            entry.loading.delete(loadKey);
            const latest = entry.windows.get(kind);
            if (latest === undefined || latest.start < start) {
              entry.windows.set(kind, { start, spentUsd, reservedUsd: 0, outstanding: 0 });
            }
          },
          (error: unknown) => {
            entry.loading.delete(loadKey);
            throw error;
          },
        );
        entry.loading.set(loadKey, loading);
      }
      loads.push(loading);
    }
    await Promise.all(loads);
  }

  /**
   * Checks every configured limit against spent + reserved + `worstCaseUsd` and holds the amount, in one
   * synchronous step (atomic within the process). The windows the key's limits need must be loaded
   * (`load` or `acquire`). Throws RouterError `budget_exceeded` (402) naming the limit.
   */
  reserve(key: BudgetKey, worstCaseUsd: number, now: number): Reservation {
    assertAmount('worst-case cost', worstCaseUsd);
    const entry = this.#entry(key.id);
    for (const kind of limitKinds) {
      const limit = key[limitFields[kind]];
      if (limit === null) continue;
      const window = entry.windows.get(kind);
      if (window === undefined || window.start < windowStart(kind, now)) {
        throw new RouterError('internal', `the ${kind} spend of ${key.id} is not loaded; call load() first`);
      }
      const committed = window.spentUsd + window.reservedUsd;
      if (committed >= limit - toleranceUsd || committed + worstCaseUsd > limit + toleranceUsd) {
        throw budgetExceeded(kind, limit, window, worstCaseUsd);
      }
    }
    const reservation: Reservation = { keyId: key.id, amountUsd: worstCaseUsd, createdAt: now };
    const charged = new Map<BudgetWindowKind, SpendWindow>();
    for (const [kind, window] of entry.windows) {
      if (window.start > now) continue;
      window.reservedUsd += worstCaseUsd;
      window.outstanding += 1;
      charged.set(kind, window);
    }
    entry.outstanding += 1;
    this.#held.set(reservation, { charged, done: false });
    return reservation;
  }

  settle(reservation: Reservation, actualUsd: number): void {
    assertAmount('actual cost', actualUsd);
    this.#finish(reservation, actualUsd);
  }

  release(reservation: Reservation): void {
    this.#finish(reservation, 0);
  }

  async spend(key: BudgetKey, now: number): Promise<KeySpend> {
    await this.load(key, now);
    return this.peekSpend(key.id, now);
  }

  /** The spend as held in memory now, without loading (windows not loaded or out of date read as 0). */
  peekSpend(keyId: string, now: number): KeySpend {
    const entry = this.#keys.get(keyId);
    const read = (kind: BudgetWindowKind): SpendWindow | undefined => {
      const window = entry?.windows.get(kind);
      return window !== undefined && window.start >= windowStart(kind, now) ? window : undefined;
    };
    return {
      dailyUsd: read('daily')?.spentUsd ?? 0,
      weeklyUsd: read('weekly')?.spentUsd ?? 0,
      monthlyUsd: read('monthly')?.spentUsd ?? 0,
      totalUsd: read('total')?.spentUsd ?? 0,
      reservedUsd: read('total')?.reservedUsd ?? 0,
    };
  }

  /** Drops what is held for a key (its spend is read from the store again when next needed). */
  forget(keyId: string): void {
    const entry = this.#keys.get(keyId);
    if (entry !== undefined && entry.outstanding === 0) this.#keys.delete(keyId);
  }

  /** How many keys have windows in memory (for tests and metrics). */
  get size(): number {
    return this.#keys.size;
  }

  #finish(reservation: Reservation, actualUsd: number): void {
    const held = this.#held.get(reservation);
    if (held === undefined || held.done) return;
    held.done = true;
    for (const window of held.charged.values()) {
      window.outstanding -= 1;
      // With nothing in flight the reserved sum is exactly zero; resetting it drops float drift.
      window.reservedUsd = window.outstanding === 0 ? 0 : window.reservedUsd - reservation.amountUsd;
    }
    const entry = this.#keys.get(reservation.keyId);
    if (entry === undefined) return;
    entry.outstanding -= 1;
    if (actualUsd === 0) return;
    for (const [kind, window] of entry.windows) {
      const charged = held.charged.get(kind);
      // A window loaded after the reservation has not seen this call either (its record is written
      // after the settle), so it is charged too, provided the call began inside it.
      if (window === charged || (charged === undefined && window.start <= reservation.createdAt)) {
        window.spentUsd += actualUsd;
      }
    }
  }

  #entry(keyId: string): KeyWindows {
    let entry = this.#keys.get(keyId);
    if (entry !== undefined) {
      this.#keys.delete(keyId);
      this.#keys.set(keyId, entry);
      return entry;
    }
    if (this.#keys.size >= this.#maxKeys) this.#evictIdle();
    entry = { windows: new Map(), loading: new Map(), outstanding: 0 };
    this.#keys.set(keyId, entry);
    return entry;
  }

  #evictIdle(): void {
    for (const [keyId, entry] of this.#keys) {
      if (this.#keys.size < this.#maxKeys) return;
      if (entry.outstanding === 0 && entry.loading.size === 0) this.#keys.delete(keyId);
    }
  }
}

/** The start (epoch ms, UTC) of the window of `kind` that contains `now`; weeks start on Monday. */
export function windowStart(kind: BudgetWindowKind, now: number): number {
  switch (kind) {
    case 'daily':
      return now - mod(now, dayMs);
    case 'weekly': {
      const dayStart = now - mod(now, dayMs);
      const weekday = new Date(dayStart).getUTCDay();
      return dayStart - ((weekday + 6) % 7) * dayMs;
    }
    case 'monthly': {
      const date = new Date(now);
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
    }
    case 'total':
      return 0;
    default:
      return assertNever(kind);
  }
}

/** The windows a key's limits need loaded before a reservation. */
export function limitedKinds(key: BudgetKey): BudgetLimitKind[] {
  return limitKinds.filter((kind) => key[limitFields[kind]] !== null);
}

/** USD for messages: cents for large amounts, more digits for the fractions calls really cost. */
export function formatUsd(value: number): string {
  if (value !== 0 && Math.abs(value) < 0.01) return `$${Number(value.toPrecision(3))}`;
  return `$${value.toFixed(value >= 1000 ? 0 : 2)}`;
}

function budgetExceeded(
  kind: BudgetLimitKind,
  limit: number,
  window: SpendWindow,
  worstCaseUsd: number,
): RouterError {
  const inFlight =
    window.reservedUsd > 0 ? ` (plus ${formatUsd(window.reservedUsd)} held by calls in flight)` : '';
  return new RouterError(
    'budget_exceeded',
    `${kind} budget exceeded: limit ${formatUsd(limit)}, spent ${formatUsd(window.spentUsd)}${inFlight}, this call may cost up to ${formatUsd(worstCaseUsd)}`,
    {
      metadata: {
        limit: kind,
        limit_usd: limit,
        spent_usd: window.spentUsd,
        reserved_usd: window.reservedUsd,
        worst_case_usd: worstCaseUsd,
      },
    },
  );
}

/** Throws RouterError `internal` unless `value` is a finite, non-negative USD amount (`what` names it). */
export function assertAmount(what: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) {
    throw new RouterError('internal', `${what} must be a finite, non-negative USD amount, got ${value}`);
  }
}

function mod(value: number, divisor: number): number {
  return ((value % divisor) + divisor) % divisor;
}

function assertNever(value: never): never {
  throw new Error(`unexpected window kind ${String(value)}`);
}
