/**
 * The primary's side of budgets and rate limits for `serve --workers N` without Redis. The primary holds
 * the one authoritative BudgetLedger and RateLimiter of the machine and answers every worker's questions
 * in arrival order, so the check-and-hold of a reservation is as atomic across workers as it is within
 * one process.
 *
 * The primary opens no store: when its ledger first needs a key's spend in a window, it asks a connected
 * worker, which reads it from its own store (every worker shares the same SQLite file or PostgreSQL).
 * Seeding is once per key and window, as in a single process, never added to.
 *
 * Reservations are kept per worker. A worker that exits (a crash, `kill -9`) had its calls' records die
 * with it, so every reservation it still held is released; a question the primary was asking it rejects
 * and is asked of another worker.
 */
import { BudgetLedger, type Reservation } from '../auth/budget-ledger.js';
import { RateLimiter } from '../auth/rate-limiter.js';
import { RouterError } from '../core/errors.js';
import {
  type Answer,
  envelope,
  isLedgerEnvelope,
  type LedgerEnvelope,
  PendingQuestions,
  type PrimaryToWorker,
  toWireError,
  type WorkerToPrimary,
} from './cluster-ledger-protocol.js';

/** How the primary reaches one worker. */
export interface WorkerPort {
  send(message: LedgerEnvelope<PrimaryToWorker>): void;
  connected(): boolean;
}

export interface ClusterLedgerPrimaryOptions {
  /** How long a worker may take to read a key's spend from its store (default 10 s). */
  storeTimeoutMs?: number;
}

export const defaultStoreTimeoutMs = 10_000;

interface WorkerEntry {
  port: WorkerPort;
  /** Held reservations by the id the worker gave them. */
  reservations: Map<number, Reservation>;
  /** Acquires still loading; a finish that arrives meanwhile cancels the reservation they make. */
  acquiring: Set<number>;
  cancelled: Set<number>;
  questions: PendingQuestions;
}

export class ClusterLedgerPrimary {
  readonly ledger: BudgetLedger;
  readonly rateLimiter = new RateLimiter();
  readonly #workers = new Map<number, WorkerEntry>();
  readonly #storeTimeoutMs: number;
  #rotation = 0;

  constructor(options: ClusterLedgerPrimaryOptions = {}) {
    this.#storeTimeoutMs = options.storeTimeoutMs ?? defaultStoreTimeoutMs;
    this.ledger = new BudgetLedger({ store: { keySpend: (keyId, since) => this.#askStore(keyId, since) } });
  }

  /** Starts answering a worker (call when it is forked). */
  addWorker(workerId: number, port: WorkerPort): void {
    this.#workers.set(workerId, {
      port,
      reservations: new Map(),
      acquiring: new Set(),
      cancelled: new Set(),
      questions: new PendingQuestions(this.#storeTimeoutMs),
    });
  }

  /**
   * A worker has exited: the reservations it held are released (its calls were never billed) and the
   * questions asked of it reject.
   */
  removeWorker(workerId: number): void {
    const entry = this.#workers.get(workerId);
    if (entry === undefined) return;
    this.#workers.delete(workerId);
    for (const reservation of entry.reservations.values()) this.ledger.release(reservation);
    entry.reservations.clear();
    entry.questions.failAll(
      new RouterError('internal', `worker ${workerId} exited before it answered the primary`),
    );
  }

  /** Reservations a worker holds now (for tests and metrics). */
  heldBy(workerId: number): number {
    return this.#workers.get(workerId)?.reservations.size ?? 0;
  }

  /** Handles one message from a worker; anything that is not a ledger message is ignored. */
  receive(workerId: number, message: unknown): void {
    const entry = this.#workers.get(workerId);
    if (entry === undefined || !isLedgerEnvelope(message)) return;
    const body = message.body as WorkerToPrimary;
    switch (body.type) {
      case 'acquire':
        this.#acquire(workerId, entry, body);
        return;
      case 'finish':
        this.#finish(entry, body.reservation, body.actualUsd);
        return;
      case 'take':
        this.#reply(entry, body.id, () => this.rateLimiter.take(body.keyId, body.limitPerMinute, body.now));
        return;
      case 'spend':
        this.#replyLater(entry, body.id, this.ledger.spend(body.key, body.now));
        return;
      case 'forget':
        this.ledger.forget(body.keyId);
        return;
      case 'answer':
        entry.questions.answer(body as Answer);
        return;
      default:
        return;
    }
  }

  #acquire(workerId: number, entry: WorkerEntry, body: Extract<WorkerToPrimary, { type: 'acquire' }>): void {
    entry.acquiring.add(body.id);
    const held = this.ledger.acquire(body.key, body.worstCaseUsd, body.now).then((reservation) => {
      entry.acquiring.delete(body.id);
      // The worker gave up waiting, or exited, while the key's spend was loading: nobody will settle it.
      if (entry.cancelled.delete(body.id) || this.#workers.get(workerId) !== entry) {
        this.ledger.release(reservation);
        return null;
      }
      entry.reservations.set(body.id, reservation);
      return null;
    });
    held.catch(() => {
      entry.acquiring.delete(body.id);
      entry.cancelled.delete(body.id);
    });
    this.#replyLater(entry, body.id, held);
  }

  #finish(entry: WorkerEntry, id: number, actualUsd: number): void {
    const reservation = entry.reservations.get(id);
    if (reservation === undefined) {
      if (entry.acquiring.has(id)) entry.cancelled.add(id);
      return;
    }
    entry.reservations.delete(id);
    if (Number.isFinite(actualUsd) && actualUsd > 0) this.ledger.settle(reservation, actualUsd);
    else this.ledger.release(reservation);
  }

  #reply(entry: WorkerEntry, id: number, compute: () => unknown): void {
    let answer: Answer;
    try {
      answer = { id, ok: true, value: compute() };
    } catch (error) {
      answer = { id, ok: false, error: toWireError(error) };
    }
    this.#send(entry, answer);
  }

  #replyLater(entry: WorkerEntry, id: number, value: Promise<unknown>): void {
    value.then(
      (result) => this.#send(entry, { id, ok: true, value: result }),
      (error: unknown) => this.#send(entry, { id, ok: false, error: toWireError(error) }),
    );
  }

  #send(entry: WorkerEntry, answer: Answer): void {
    if (!entry.port.connected()) return;
    try {
      entry.port.send(envelope<PrimaryToWorker>({ type: 'answer', ...answer }));
    } catch {
      // The channel closed between the check and the send: the worker is exiting and asks nothing more.
    }
  }

  /** A key's logged spend since `since`, from the store of a connected worker (the next one if it exits). */
  async #askStore(keyId: string, since: number): Promise<number> {
    const tried = new Set<number>();
    for (;;) {
      const pick = this.#pickWorker(tried);
      if (pick === undefined) {
        throw new RouterError(
          'internal',
          `no worker is connected to read the spend of ${keyId} from the request log`,
        );
      }
      const [workerId, entry] = pick;
      tried.add(workerId);
      try {
        return await entry.questions.ask<number>(
          (id) => entry.port.send(envelope<PrimaryToWorker>({ type: 'keySpend', id, keyId, since })),
          (timeoutMs) =>
            new RouterError(
              'budget_exceeded',
              `the spend of ${keyId} could not be read from the request log within ${timeoutMs} ms, so its budget cannot be checked; the call is refused. Retry shortly`,
              {
                status: 503,
                retryable: true,
                retryAfterSeconds: 1,
                metadata: { reason: 'budget_store_unavailable' },
              },
            ),
        ).answer;
      } catch (error) {
        // Asked of a worker that has since gone: another one can answer.
        if (this.#workers.get(workerId) === entry && entry.port.connected()) throw error;
      }
    }
  }

  #pickWorker(tried: ReadonlySet<number>): [number, WorkerEntry] | undefined {
    const live = [...this.#workers].filter(([id, entry]) => !tried.has(id) && entry.port.connected());
    if (live.length === 0) return undefined;
    this.#rotation = (this.#rotation + 1) % live.length;
    return live[this.#rotation];
  }
}
