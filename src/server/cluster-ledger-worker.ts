/**
 * A worker's side of budgets and rate limits for `serve --workers N` without Redis: a KeyBudgetLedger and
 * a KeyRateLimiter that ask the primary, which holds the one ledger and limiter of the machine, so a key's
 * budget and rate hold across the workers as they do in one process. The worker also answers the
 * primary's questions about a key's logged spend from its own store.
 *
 * Only keys with limits pay the round trip: a key without budgets reserves nothing (its spend is read
 * from the request log, as with Redis), and a key without a rate limit never reaches `take`. Settling
 * and releasing are one-way messages, applied once per reservation. When the primary does not answer in
 * time, a key with a budget is refused with a 503 (its spend cannot be checked) and a rate limit falls
 * back to this worker's own bucket (a rate limit guards against floods, not money).
 */
import {
  assertAmount,
  type BudgetKey,
  budgetWindowKinds,
  type KeyBudgetLedger,
  type KeySpend,
  limitedKinds,
  type Reservation,
  windowStart,
} from '../auth/budget-ledger.js';
import { type KeyRateLimiter, type RateDecision, RateLimiter } from '../auth/rate-limiter.js';
import { RouterError } from '../core/errors.js';
import type { RequestStore } from '../store/request-store.js';
import {
  type Answer,
  type AnswerValues,
  envelope,
  isLedgerEnvelope,
  type LedgerEnvelope,
  PendingQuestions,
  type PrimaryToWorker,
  toWireError,
  type WorkerToPrimary,
} from './cluster-ledger-protocol.js';

/** How a worker reaches the primary. */
export interface PrimaryPort {
  send(message: LedgerEnvelope<WorkerToPrimary>): void;
  connected(): boolean;
}

export interface PrimaryChannelOptions {
  port: PrimaryPort;
  store: Pick<RequestStore, 'keySpend'>;
  /** How long a question may wait for the primary (default 15 s, longer than its own store questions). */
  timeoutMs?: number;
}

export const defaultPrimaryTimeoutMs = 15_000;

type Question = Exclude<WorkerToPrimary, { type: 'finish' | 'forget' | 'answer' }>;
type QuestionType = Question['type'];

/** The worker's end of the channel: asks questions, sends notices, answers the primary's questions. */
export class PrimaryChannel {
  readonly #port: PrimaryPort;
  readonly #store: Pick<RequestStore, 'keySpend'>;
  readonly #questions: PendingQuestions;

  constructor(options: PrimaryChannelOptions) {
    this.#port = options.port;
    this.#store = options.store;
    this.#questions = new PendingQuestions(options.timeoutMs ?? defaultPrimaryTimeoutMs);
  }

  /** Asks the primary; `question` gets the fresh id. Rejects with `unanswered` when no answer comes. */
  ask<Type extends QuestionType>(
    question: (id: number) => Extract<Question, { type: Type }>,
    unanswered: (reason: string) => RouterError,
  ): { id: number; answer: Promise<AnswerValues[Type]> } {
    if (!this.#port.connected()) {
      return { id: 0, answer: Promise.reject(unanswered('the primary process is gone')) };
    }
    return this.#questions.ask<AnswerValues[Type]>(
      (id) => this.#port.send(envelope<WorkerToPrimary>(question(id))),
      (timeoutMs) => unanswered(`the primary process did not answer within ${timeoutMs} ms`),
    );
  }

  /** A one-way message (dropped when the primary is gone: it has nothing left to hold). */
  notify(body: Extract<WorkerToPrimary, { type: 'finish' | 'forget' }>): void {
    if (!this.#port.connected()) return;
    try {
      this.#port.send(envelope<WorkerToPrimary>(body));
    } catch {
      // The channel closed meanwhile: the primary, and what it held, are gone.
    }
  }

  /** Handles one message from the primary; anything that is not a ledger message is ignored. */
  receive(message: unknown): void {
    if (!isLedgerEnvelope(message)) return;
    const body = message.body as PrimaryToWorker;
    if (body.type === 'answer') {
      this.#questions.answer(body as Answer);
      return;
    }
    if (body.type === 'keySpend') {
      this.#store.keySpend(body.keyId, body.since).then(
        (value) => this.#answer({ id: body.id, ok: true, value }),
        (error: unknown) => this.#answer({ id: body.id, ok: false, error: toWireError(error) }),
      );
    }
  }

  /** The primary has gone: every question in flight rejects now rather than at its timeout. */
  disconnected(): void {
    this.#questions.failAll(
      new RouterError('internal', 'the primary process closed the channel', { retryable: true }),
    );
  }

  #answer(answer: Answer): void {
    if (!this.#port.connected()) return;
    try {
      this.#port.send(envelope<WorkerToPrimary>({ type: 'answer', ...answer }));
    } catch {
      // The primary has gone; nobody waits for this answer.
    }
  }
}

interface ClusterReservation extends Reservation {
  /** The id the primary holds it under; undefined for a key without budgets (nothing is held). */
  readonly remote: number | undefined;
}

export interface ClusterBudgetLedgerOptions {
  channel: PrimaryChannel;
  /** Where a key without budgets reads its spend (it reserves nothing with the primary). */
  store: Pick<RequestStore, 'keySpend'>;
  /** Keys remembered as having had budgets, to tell the primary when their budgets go (default 100,000). */
  maxKeys?: number;
}

/** A worker's budget ledger: keys with budgets reserve, settle and read their spend through the primary. */
export class ClusterBudgetLedger implements KeyBudgetLedger {
  readonly #channel: PrimaryChannel;
  readonly #store: Pick<RequestStore, 'keySpend'>;
  readonly #maxKeys: number;
  readonly #done = new WeakSet<Reservation>();
  /** Keys last seen with budgets, oldest first. */
  readonly #budgeted = new Set<string>();

  constructor(options: ClusterBudgetLedgerOptions) {
    this.#channel = options.channel;
    this.#store = options.store;
    this.#maxKeys = options.maxKeys ?? 100_000;
  }

  async acquire(key: BudgetKey, worstCaseUsd: number, now: number): Promise<Reservation> {
    if (limitedKinds(key).length === 0) {
      this.#budgetsGone(key.id);
      return {
        keyId: key.id,
        amountUsd: worstCaseUsd,
        createdAt: now,
        remote: undefined,
      } as ClusterReservation;
    }
    this.#remember(key.id);
    const { id, answer } = this.#channel.ask<'acquire'>(
      (id) => ({ type: 'acquire', id, key: budgetKeyOf(key), worstCaseUsd, now }),
      (reason) => budgetUnavailable(key.id, reason),
    );
    try {
      await answer;
    } catch (error) {
      // Unanswered in time: the primary may still make the reservation, and drops it when this arrives.
      if (isUnavailable(error)) this.#channel.notify({ type: 'finish', reservation: id, actualUsd: 0 });
      throw error;
    }
    return { keyId: key.id, amountUsd: worstCaseUsd, createdAt: now, remote: id } as ClusterReservation;
  }

  settle(reservation: Reservation, actualUsd: number): void {
    assertAmount('actual cost', actualUsd);
    this.#finish(reservation as ClusterReservation, actualUsd);
  }

  release(reservation: Reservation): void {
    this.#finish(reservation as ClusterReservation, 0);
  }

  async spend(key: BudgetKey, now: number): Promise<KeySpend> {
    // The primary counts only calls of keys with budgets; the others are read from the log.
    if (limitedKinds(key).length === 0) return loggedSpend(this.#store, key.id, now);
    return this.#channel.ask<'spend'>(
      (id) => ({ type: 'spend', id, key: budgetKeyOf(key), now }),
      (reason) => budgetUnavailable(key.id, reason),
    ).answer;
  }

  #finish(reservation: ClusterReservation, actualUsd: number): void {
    if (this.#done.has(reservation)) return;
    this.#done.add(reservation);
    if (reservation.remote === undefined) return;
    this.#channel.notify({ type: 'finish', reservation: reservation.remote, actualUsd });
  }

  #remember(keyId: string): void {
    if (this.#budgeted.delete(keyId) || this.#budgeted.size < this.#maxKeys) {
      this.#budgeted.add(keyId);
      return;
    }
    const oldest = this.#budgeted.values().next();
    if (oldest.done !== true) this.#budgeted.delete(oldest.value);
    this.#budgeted.add(keyId);
  }

  /**
   * The key had budgets and has none now: its calls stop reaching the primary, so the primary drops its
   * count, which would otherwise be short of them if budgets came back (it reloads from the log then).
   */
  #budgetsGone(keyId: string): void {
    if (this.#budgeted.delete(keyId)) this.#channel.notify({ type: 'forget', keyId });
  }
}

/** A worker's rate limiter: every take goes to the primary's buckets, or this worker's own if it is gone. */
export class ClusterRateLimiter implements KeyRateLimiter {
  readonly #channel: PrimaryChannel;
  readonly #local = new RateLimiter();

  constructor(channel: PrimaryChannel) {
    this.#channel = channel;
  }

  async take(keyId: string, limitPerMinute: number, now: number): Promise<RateDecision> {
    try {
      return await this.#channel.ask<'take'>(
        (id) => ({ type: 'take', id, keyId, limitPerMinute, now }),
        (reason) => new RouterError('internal', reason),
      ).answer;
    } catch {
      return this.#local.take(keyId, limitPerMinute, now);
    }
  }
}

function budgetKeyOf(key: BudgetKey): BudgetKey {
  return {
    id: key.id,
    limitDailyUsd: key.limitDailyUsd,
    limitMonthlyUsd: key.limitMonthlyUsd,
    limitTotalUsd: key.limitTotalUsd,
  };
}

function isUnavailable(error: unknown): boolean {
  return error instanceof RouterError && error.metadata?.reason === 'budget_store_unavailable';
}

function budgetUnavailable(keyId: string, reason: string): RouterError {
  return new RouterError(
    'budget_exceeded',
    `key ${keyId} has a budget and ${reason}, so its spend cannot be checked; the call is refused. Retry shortly`,
    { status: 503, retryable: true, retryAfterSeconds: 1, metadata: { reason: 'budget_store_unavailable' } },
  );
}

async function loggedSpend(
  store: Pick<RequestStore, 'keySpend'>,
  keyId: string,
  now: number,
): Promise<KeySpend> {
  const [dailyUsd, weeklyUsd, monthlyUsd, totalUsd] = await Promise.all(
    budgetWindowKinds.map((kind) => store.keySpend(keyId, windowStart(kind, now))),
  );
  return {
    dailyUsd: dailyUsd ?? 0,
    weeklyUsd: weeklyUsd ?? 0,
    monthlyUsd: monthlyUsd ?? 0,
    totalUsd: totalUsd ?? 0,
    reservedUsd: 0,
  };
}
