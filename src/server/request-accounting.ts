/**
 * What one chat request leaves behind once it is over, whatever way it ended: the request-log record,
 * the metrics observation, the budget settlement and one log line. Kept apart from the handler so the
 * success, failure and mid-stream-failure paths all account the same way.
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Reservation } from '../auth/budget-ledger.js';
import { emptyUsage, type Usage } from '../core/chat-result.js';
import type { RouterError } from '../core/errors.js';
import type { AttemptRecord } from '../executor/execute-chat.js';
import { logInfoLine } from '../observability/create-logger.js';
import type { RequestRecord } from '../store/request-record.js';
import type { RouterOps } from './router-ops.js';

/** Facts gathered along one request; the handler fills them in as it learns them. */
export interface RequestFacts {
  id: string;
  createdAt: number;
  /** performance.now() when the request arrived. */
  receivedAt: number;
  keyId: string | null;
  requestedModel: string;
  routerModel: string | null;
  settings: Record<string, unknown>;
  tier: string | null;
  streamed: boolean;
  sessionKey: string | undefined;
  attempts: readonly AttemptRecord[];
  model: string | null;
  upstream: string | null;
  usage: Usage;
  costUsd: number;
  timeToFirstTokenMs: number | null;
  outputTokensPerSecond: number | null;
  finishReason: string | null;
  /** Time spent waiting on upstreams, to separate the router's own time from the total. */
  upstreamMs: number;
  reservation: Reservation | undefined;
  /** What the answering upstream's protocol could not express of the request. */
  warnings: readonly string[];
}

/** Facts for a request that has just arrived. */
export function newRequestFacts(id: string, createdAt: number, receivedAt: number): RequestFacts {
  return {
    id,
    createdAt,
    receivedAt,
    keyId: null,
    requestedModel: '',
    routerModel: null,
    settings: {},
    tier: null,
    streamed: false,
    sessionKey: undefined,
    attempts: [],
    model: null,
    upstream: null,
    usage: emptyUsage(),
    costUsd: 0,
    timeToFirstTokenMs: null,
    outputTokensPerSecond: null,
    finishReason: null,
    upstreamMs: 0,
    reservation: undefined,
    warnings: [],
  };
}

const maxTextLength = 500;

function clip(value: string): string {
  return value.length > maxTextLength ? value.slice(0, maxTextLength) : value;
}

/** The stored form of a session key: never the caller's own id or text, only a short digest of it. */
function sessionHashOf(sessionKey: string | undefined): string | null {
  if (sessionKey === undefined) return null;
  // Keys derived from the messages are a digest already.
  if (sessionKey.startsWith('hash:')) return sessionKey.slice(5);
  return createHash('sha256').update(sessionKey).digest('base64url').slice(0, 22);
}

/** Upstreams report counts; a fractional or negative one from an odd upstream must not cost the record. */
function tokenCount(value: number): number {
  return Number.isFinite(value) && value > 0 ? Math.round(value) : 0;
}

function finiteOrNull(value: number | null): number | null {
  return value === null || !Number.isFinite(value) || value < 0 ? null : value;
}

/**
 * Accounts for a finished request. `status` is what the caller received (200 for a stream that failed
 * after it started, with `error` set); an answered call is charged, a failed one is not.
 */
export function finishRequest(
  ops: RouterOps,
  facts: RequestFacts,
  status: number,
  error: RouterError | undefined,
): void {
  const answered = error === undefined && facts.model !== null;
  // A stream that broke after content went out was still paid for upstream: charge what it used.
  // So was a stream whose client went away after content.
  const charged =
    answered ||
    (facts.streamed && (status === 200 || error?.code === 'client_closed') && facts.model !== null);
  const costUsd = charged && Number.isFinite(facts.costUsd) ? facts.costUsd : 0;
  if (facts.reservation !== undefined) {
    if (charged) ops.ledger.settle(facts.reservation, costUsd);
    else ops.ledger.release(facts.reservation);
  }
  const usage = charged ? facts.usage : emptyUsage();
  const latencyMs = performance.now() - facts.receivedAt;
  const record: RequestRecord = {
    id: facts.id,
    createdAt: facts.createdAt,
    keyId: facts.keyId,
    requestedModel: clip(facts.requestedModel),
    settings: facts.warnings.length === 0 ? facts.settings : { ...facts.settings, warnings: facts.warnings },
    tier: facts.tier,
    attempts: facts.attempts.slice(0, 64).map((attempt) => ({
      model: clip(attempt.model),
      upstream: clip(attempt.upstream),
      status: attempt.status,
      errorCode: attempt.errorCode,
      durationMs: Number.isFinite(attempt.durationMs) ? attempt.durationMs : 0,
      ...(attempt.queueMs !== undefined && Number.isFinite(attempt.queueMs)
        ? { queueMs: attempt.queueMs }
        : {}),
    })),
    model: charged ? facts.model : null,
    upstream: charged ? facts.upstream : null,
    promptTokens: tokenCount(usage.promptTokens),
    completionTokens: tokenCount(usage.completionTokens),
    cachedTokens: tokenCount(usage.cachedTokens),
    cacheWriteTokens: tokenCount(usage.cacheWriteTokens),
    reasoningTokens: tokenCount(usage.reasoningTokens),
    costUsd,
    latencyMs,
    timeToFirstTokenMs: finiteOrNull(facts.timeToFirstTokenMs),
    outputTokensPerSecond: finiteOrNull(facts.outputTokensPerSecond),
    sessionHash: sessionHashOf(facts.sessionKey),
    finishReason: error !== undefined && status === 200 ? 'error' : facts.finishReason,
    streamed: facts.streamed,
    status,
    errorCode: error?.code ?? null,
  };
  // Calls without a valid key are counted in the metrics and the log, not stored: an anonymous client
  // must not be able to fill the database.
  if (status !== 401) ops.logWriter.append(record);

  const metrics = ops.metrics;
  const overheadMs = answered ? Math.max(0, latencyMs - facts.upstreamMs) : null;
  metrics.observeRequest({
    routerModel: facts.routerModel,
    tier: facts.tier,
    servedModel: record.model,
    upstream: record.upstream,
    status,
    streamed: facts.streamed,
    ingress: typeof facts.settings.ingress === 'string' ? facts.settings.ingress : 'chat',
    latencySeconds: latencyMs / 1000,
    timeToFirstTokenSeconds: record.timeToFirstTokenMs === null ? null : record.timeToFirstTokenMs / 1000,
    overheadSeconds: overheadMs === null ? null : overheadMs / 1000,
    promptTokens: usage.promptTokens,
    completionTokens: usage.completionTokens,
    cachedTokens: usage.cachedTokens,
    reasoningTokens: usage.reasoningTokens,
    cacheWriteTokens: usage.cacheWriteTokens,
    costUsd,
  });
  const failedAttempts = answered ? facts.attempts.length - 1 : facts.attempts.length;
  for (let index = 0; index < failedAttempts; index += 1) {
    const attempt = facts.attempts[index];
    if (attempt !== undefined) metrics.observeFallback(attempt.model, attempt.errorCode ?? 'unknown');
  }

  const queueMs = queueMsOf(facts.attempts);
  const line = {
    request_id: facts.id,
    key_id: facts.keyId,
    model_requested: record.requestedModel,
    tier: facts.tier,
    model: record.model,
    upstream: record.upstream,
    status,
    attempts: facts.attempts.length,
    latency_ms: Math.round(latencyMs * 1000) / 1000,
    // Absent fields stay undefined, which the line leaves out, so every line has one shape.
    queue_ms: queueMs > 0 ? Math.round(queueMs * 1000) / 1000 : undefined,
    warnings: facts.warnings.length > 0 ? facts.warnings : undefined,
    cost_usd: costUsd,
    streamed: facts.streamed,
  };
  if (error === undefined) {
    logInfoLine(ops.logger, line, 'request');
    return;
  }
  const failed = { ...line, error: { code: error.code, message: error.message, status: error.status } };
  if (status >= 500 || status === 200) ops.logger.warn(failed, 'request failed');
  else ops.logger.info(failed, 'request refused');
}

/** The time, in ms, the request's calls waited for pooled upstream connections (the line's `queue_ms`). */
function queueMsOf(attempts: readonly AttemptRecord[]): number {
  let total = 0;
  for (const attempt of attempts) total += attempt.queueMs ?? 0;
  return total;
}
