/**
 * The messages that carry budgets and rate limits between the workers of `serve --workers N` and their
 * primary when there is no Redis: a question names its asker's own numeric id, the answer carries it
 * back. They are plain JSON (node:cluster's default serialisation), so a RouterError travels as its
 * fields and is rebuilt on arrival with the same code, status, message, metadata and Retry-After. The
 * kind differs from the live-state relay's, so each side's listener sees only its own messages.
 */
import type { BudgetKey, KeySpend } from '../auth/budget-ledger.js';
import type { RateDecision } from '../auth/rate-limiter.js';
import { type ErrorCode, RouterError, statusByCode } from '../core/errors.js';

export const ledgerMessageKind = 'pareto-router:ledger';

/** A worker's questions and notices to the primary. */
export type WorkerToPrimary =
  | { type: 'acquire'; id: number; key: BudgetKey; worstCaseUsd: number; now: number }
  | { type: 'finish'; reservation: number; actualUsd: number }
  | { type: 'take'; id: number; keyId: string; limitPerMinute: number; now: number }
  | { type: 'spend'; id: number; key: BudgetKey; now: number }
  | { type: 'forget'; keyId: string }
  | ({ type: 'answer' } & Answer);

/** The primary's answers and questions to a worker. */
export type PrimaryToWorker =
  | ({ type: 'answer' } & Answer)
  /** Asks the worker's store for a key's spend since `since` (the primary has no store of its own). */
  | { type: 'keySpend'; id: number; keyId: string; since: number };

export type Answer = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: WireError };

export interface LedgerEnvelope<Body> {
  kind: typeof ledgerMessageKind;
  body: Body;
}

/** A RouterError as plain JSON. */
export interface WireError {
  code: ErrorCode;
  message: string;
  status: number;
  retryable: boolean;
  metadata?: Record<string, unknown>;
  retryAfterSeconds?: number;
}

/** True when `message` is one of ours (and not the live-state relay's, or anything else). */
export function isLedgerEnvelope(message: unknown): message is LedgerEnvelope<unknown> {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as { kind?: unknown }).kind === ledgerMessageKind &&
    typeof (message as { body?: unknown }).body === 'object'
  );
}

/** Wraps a body for the IPC channel. */
export function envelope<Body>(body: Body): LedgerEnvelope<Body> {
  return { kind: ledgerMessageKind, body };
}

/** Any thrown value as a WireError (what is not a RouterError becomes `internal`). */
export function toWireError(error: unknown): WireError {
  if (error instanceof RouterError) {
    return {
      code: error.code,
      message: error.message,
      status: error.status,
      retryable: error.retryable,
      ...(error.metadata === undefined ? {} : { metadata: error.metadata }),
      ...(error.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: error.retryAfterSeconds }),
    };
  }
  return {
    code: 'internal',
    message: error instanceof Error ? error.message : String(error),
    status: statusByCode.internal,
    retryable: false,
  };
}

/** The RouterError a WireError stands for. */
export function fromWireError(wire: WireError): RouterError {
  const code: ErrorCode = wire.code in statusByCode ? wire.code : 'internal';
  return new RouterError(code, wire.message, {
    status: wire.status,
    retryable: wire.retryable,
    ...(wire.metadata === undefined ? {} : { metadata: wire.metadata }),
    ...(wire.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: wire.retryAfterSeconds }),
  });
}

/** What each question's answer holds. */
export interface AnswerValues {
  acquire: null;
  take: RateDecision;
  spend: KeySpend;
  keySpend: number;
}

/**
 * Questions in flight on one side of a channel: each gets an id, and its promise settles with the
 * matching answer, with a RouterError when the answer does not come within `timeoutMs`, or when the
 * other side goes away (`failAll`).
 */
export class PendingQuestions {
  readonly #timeoutMs: number;
  readonly #pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: RouterError) => void; timer: NodeJS.Timeout }
  >();
  #nextId = 1;

  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
  }

  /**
   * Sends a question under a fresh id (`send` builds and sends it); `timeoutError` builds the error a
   * question left unanswered rejects with, and a `send` that throws rejects it at once.
   */
  ask<Value>(
    send: (id: number) => void,
    timeoutError: (timeoutMs: number) => RouterError,
  ): { id: number; answer: Promise<Value> } {
    const id = this.#nextId;
    this.#nextId += 1;
    const answer = new Promise<Value>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(timeoutError(this.#timeoutMs));
      }, this.#timeoutMs);
      timer.unref();
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
    });
    try {
      send(id);
    } catch (error) {
      this.#settle(id, (entry) => entry.reject(toRouterErrorOf(error)));
    }
    return { id, answer };
  }

  /** Settles the question an answer is for; an answer nobody waits for any more is ignored. */
  answer(answer: Answer): void {
    this.#settle(answer.id, (entry) =>
      answer.ok ? entry.resolve(answer.value) : entry.reject(fromWireError(answer.error)),
    );
  }

  /** Rejects every question in flight (the other side has gone). */
  failAll(error: RouterError): void {
    for (const id of [...this.#pending.keys()]) this.#settle(id, (entry) => entry.reject(error));
  }

  /** Questions waiting for an answer. */
  get size(): number {
    return this.#pending.size;
  }

  #settle(
    id: number,
    apply: (entry: { resolve: (value: unknown) => void; reject: (error: RouterError) => void }) => void,
  ): void {
    const entry = this.#pending.get(id);
    if (entry === undefined) return;
    this.#pending.delete(id);
    clearTimeout(entry.timer);
    apply(entry);
  }
}

function toRouterErrorOf(error: unknown): RouterError {
  return fromWireError(toWireError(error));
}
