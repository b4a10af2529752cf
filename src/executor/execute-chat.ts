/**
 * The executor: tries the planned candidates in order until one answers, converting through the right
 * protocol adapter, enforcing the time limits (a stream's first-token and stall limits fitted to each
 * model), retrying and failing over by the failure policy, and feeding circuit breakers, throughput and
 * latency stats. A streamed answer that breaks after content reached the client is continued on the next
 * candidate that accepts a prefill (stream rescue), spliced into the same stream; when none can, it ends
 * with an error, never as a truncated success.
 */
import { defaultRescue, type RouterConfig } from '../config/router-config.js';
import type { ChatRequest } from '../core/chat-request.js';
import {
  type ChatResult,
  emptyUsage,
  type FinishReason,
  type StreamEvent,
  type Usage,
} from '../core/chat-result.js';
import { RouterError, toRouterError } from '../core/errors.js';
import { estimatePromptTokens } from '../core/estimate-prompt-tokens.js';
import { KeptText } from '../core/kept-text.js';
import { adapterFor } from '../providers/adapters.js';
import type {
  NativeBody,
  ProtocolName,
  UpstreamEndpoint,
  UpstreamHttpRequest,
} from '../providers/protocol-adapter.js';
import { readSseStream, type SseHandlerResult, type SseMessage } from '../providers/sse/parse-sse-stream.js';
import type { RouterState } from '../state/router-state.js';
import { type AbortSource, CallAbort, pauseUnlessAborted } from './call-abort.js';
import { ContinuationSplicer, isPrefillIgnored } from './continuation-splicer.js';
import { createContinuationRequest } from './create-continuation-request.js';
import { countsAgainstCircuit, decideAfterFailure } from './failure-policy.js';
import { type StreamDeadlines, streamDeadlines } from './stream-deadlines.js';
import type { UpstreamTarget } from './upstream-catalog.js';
import { transportError, type UpstreamClient, type UpstreamResponse } from './upstream-client.js';

/** One model to try, with its upstreams in order. */
export interface CandidateModel {
  modelId: string;
  targets: readonly UpstreamTarget[];
  /** Context window, when known, for failing over to a larger one. */
  contextLength: number | undefined;
}

export interface AttemptRecord {
  model: string;
  upstream: string;
  /** HTTP status the upstream sent, or null when it sent none. */
  status: number | null;
  errorCode: string | null;
  durationMs: number;
  /** Milliseconds the call waited for a free upstream connection (a configured pool limit); absent when none. */
  queueMs?: number;
}

/** Collects an attempt's wait for a pooled connection; `attemptFields` adds it to the attempt's record. */
interface QueueWait {
  ms: number;
}

function queueFields(wait: QueueWait): { queueMs?: number } {
  return wait.ms > 0 ? { queueMs: wait.ms } : {};
}

/** A caller's body that may go unconverted to upstreams speaking `protocol` (the native path). */
export interface NativeRequest extends NativeBody {
  protocol: ProtocolName;
}

/** Receives a streamed answer as it arrives. */
export interface StreamSink {
  /** The first upstream answered with a stream: the response headers can go out now. */
  start(target: UpstreamTarget, attempts: readonly AttemptRecord[]): void;
  /**
   * Each streamed attempt, before its first event: the target, what its protocol could not express, and
   * whether it goes the native path (its messages then arrive through `relay`, not `event`).
   */
  beginAttempt?(target: UpstreamTarget, warnings: readonly string[], native: boolean): void;
  /** Content and finish events, in order; a returned promise means "wait: the client is slow". */
  event(event: StreamEvent, target: UpstreamTarget): undefined | Promise<void>;
  /**
   * Native path: one upstream SSE message as it came (event name and parsed data), relayed once the
   * attempt has produced content (messages before that are held, so a failover before content leaves no
   * trace of the failed attempt).
   */
  relay?(
    event: string | undefined,
    data: unknown,
    target: UpstreamTarget,
    raw: RelayedMessage,
  ): undefined | Promise<void>;
  /** Called periodically while the stream waits for its first token. */
  keepAlive(): void;
}

/** A relayed message's data text and the canonical events the executor read from it. */
export interface RelayedMessage {
  text: string;
  events: readonly StreamEvent[];
}

/** A stream that broke after content and was continued (or could not be) on other candidates. */
export interface RescueReport {
  /** The attempt whose stream broke, and the code of its failure. */
  from: { model: string; upstream: string; error: string };
  /** The attempt that finished the answer; undefined when none could. */
  by: { model: string; upstream: string } | undefined;
  /** Continuation attempts made. */
  attempts: number;
  /** Each attempt that sent content, with its own usage, so each is billed at its own prices. */
  segments: { target: UpstreamTarget; usage: Usage }[];
}

export interface ExecutionResult {
  target: UpstreamTarget;
  attempts: AttemptRecord[];
  /** The whole answer (non-streamed calls only). */
  result: ChatResult | undefined;
  usage: Usage;
  /** True when the upstream reported no usage and the router estimated it. */
  usageEstimated: boolean;
  finishReason: FinishReason;
  nativeFinishReason: string | null;
  /** Time spent waiting on upstreams (for the router's overhead figure). */
  upstreamMs: number;
  timeToFirstTokenMs: number | null;
  outputTokensPerSecond: number | null;
  /** A streamed answer that failed after content was sent. */
  streamError: RouterError | undefined;
  /** What the answering upstream's protocol could not express of the request. */
  warnings: readonly string[];
  /** True when the answering attempt went the native path (the caller's body, unconverted). */
  native: boolean;
  /** Native path, non-streamed: the upstream's parsed body, for relaying in the caller's protocol. */
  nativeBody: unknown;
  /** Native path, non-streamed: the upstream's body text, for relaying with only a few fields spliced. */
  nativeText: string | undefined;
  /** Present when a stream broke after content and its continuation was tried. */
  rescue: RescueReport | undefined;
}

export interface ExecutorDependencies {
  client: UpstreamClient;
  state: RouterState;
  config: RouterConfig;
  now: () => number;
}

const maxErrorBodyBytes = 1024 * 1024;
const maxResponseBodyBytes = 64 * 1024 * 1024;
const maxSseMessageBytes = 16 * 1024 * 1024;
/** Longest answer text kept for a continuation's prefill; a longer answer is not rescued. */
const maxPrefillCharacters = 1_000_000;

/** Error thrown when every candidate failed; carries the attempts for the response and the log. */
export class ExecutionFailure extends RouterError {
  readonly attempts: AttemptRecord[];
  constructor(error: RouterError, attempts: AttemptRecord[]) {
    const options: ConstructorParameters<typeof RouterError>[2] = {
      status: error.status,
      retryable: error.retryable,
      metadata: {
        ...error.metadata,
        attempts: attempts.map((attempt) => ({
          model: attempt.model,
          upstream: attempt.upstream,
          status: attempt.status,
          error: attempt.errorCode,
        })),
      },
      cause: error,
    };
    if (error.retryAfterSeconds !== undefined) options.retryAfterSeconds = error.retryAfterSeconds;
    super(error.code, error.message, options);
    this.attempts = attempts;
  }
}

/**
 * Runs `request` against the candidates; streams through `sink` when given. Resolves with the answer, or
 * rejects with an ExecutionFailure (no candidate answered) or a `client_closed` error. With `native`,
 * upstreams of the native protocol get the caller's own body; others get `request` converted.
 */
export async function executeChat(
  request: ChatRequest,
  candidates: readonly CandidateModel[],
  dependencies: ExecutorDependencies,
  signal: AbortSource,
  sink?: StreamSink,
  native?: NativeRequest,
): Promise<ExecutionResult> {
  const { state, config, now } = dependencies;
  const attempts: AttemptRecord[] = [];
  const errors: RouterError[] = [];
  const rescue = config.rescue ?? defaultRescue;
  let contextFloor = 0;
  let upstreamMs = 0;
  let sinkStarted = false;
  const startSink = (target: UpstreamTarget) => {
    if (!sinkStarted && sink !== undefined) {
      sinkStarted = true;
      sink.start(target, attempts);
    }
  };

  for (const [candidateIndex, candidate] of candidates.entries()) {
    if (candidate.contextLength !== undefined && candidate.contextLength <= contextFloor) continue;
    let attemptsOnModel = 0;
    let nextModel = false;
    for (const [targetIndex, target] of candidate.targets.entries()) {
      if (nextModel) break;
      const upstream = target.upstream.name;
      for (;;) {
        // Each upstream of the model has its own circuit. A first try, a retry or the model's next
        // upstream goes only while that circuit allows it: an open circuit (or a failed probe that
        // re-opened it, since one probe at a time is the rule) moves on to the next upstream.
        if (!state.circuits.allows(candidate.modelId, upstream, now())) break;
        attemptsOnModel += 1;
        state.recordAttemptStart(candidate.modelId, upstream, now());
        const startedAt = now();
        const queueWait: QueueWait = { ms: 0 };
        const deadlines =
          sink === undefined
            ? undefined
            : streamDeadlines(
                candidate.modelId,
                target.model?.timeToFirstTokenMs,
                state.latency,
                config.timeouts,
                !hasAlternative(candidates, candidateIndex, targetIndex, contextFloor, state, now()),
              );
        try {
          const outcome = await attemptOnce(request, native, target, dependencies, signal, sink, startSink, {
            deadlines,
            trackText: rescue.enabled,
            onFirstContent: () => closeProbedCircuit(state, candidate.modelId, upstream, now()),
            queueWait,
          });
          upstreamMs += outcome.upstreamMs;
          attempts.push({
            model: candidate.modelId,
            upstream: target.upstream.name,
            status: outcome.status,
            errorCode: outcome.streamError?.code ?? null,
            durationMs: now() - startedAt,
            ...queueFields(queueWait),
          });
          const result = executionResult(outcome, target, attempts, upstreamMs);
          if (outcome.streamError === undefined) {
            recordSuccess(state, candidate.modelId, upstream, outcome);
            return result;
          }
          settleFailure(state, candidate.modelId, upstream, outcome.streamError, now());
          // A client that went away after content is billed for what it got, and nothing is continued.
          if (sink === undefined || !rescue.enabled || outcome.streamError.code === 'client_closed')
            return result;
          return await rescueStream(
            request,
            result,
            outcome.sent,
            laterTargets(candidates, candidateIndex, targetIndex, contextFloor),
            { dependencies, signal, sink, startSink, maxAttempts: rescue.maxAttempts },
          );
        } catch (thrown) {
          const error = toRouterError(thrown, 'upstream_bad_response');
          upstreamMs += now() - startedAt;
          attempts.push({
            model: candidate.modelId,
            upstream: target.upstream.name,
            status: (error.metadata?.upstream_status as number | undefined) ?? null,
            errorCode: error.code,
            durationMs: now() - startedAt,
            ...queueFields(queueWait),
          });
          settleFailure(state, candidate.modelId, upstream, error, now());
          if (error.code === 'client_closed' || signal.aborted) {
            throw new RouterError('client_closed', 'the client closed the connection', { cause: error });
          }
          errors.push(error);
          const decision = decideAfterFailure(error, attemptsOnModel, config.retries);
          if (decision.kind === 'retry') {
            await pauseUnlessAborted(decision.waitMs, signal);
            if (signal.aborted) throw new RouterError('client_closed', 'the client closed the connection');
            continue;
          }
          if (decision.kind === 'stop') throw new ExecutionFailure(error, attempts);
          if (decision.kind === 'larger_context') {
            contextFloor = Math.max(contextFloor, candidate.contextLength ?? Number.POSITIVE_INFINITY);
            nextModel = true;
          }
          if (decision.kind === 'next_model') nextModel = true;
          break;
        }
      }
    }
  }
  const reopensInMs = state.circuits.reopensIn(
    candidates.flatMap((candidate) =>
      candidate.targets.map((target) => ({ modelId: candidate.modelId, upstream: target.upstream.name })),
    ),
    now(),
  );
  throw new ExecutionFailure(
    finalError(
      errors,
      candidates.length,
      reopensInMs === undefined ? undefined : Math.max(1, Math.ceil(reopensInMs / 1000)),
    ),
    attempts,
  );
}

/** Health bookkeeping for an attempt that answered: the circuit, throughput and stream latencies. */
function recordSuccess(state: RouterState, modelId: string, upstream: string, outcome: AttemptOutcome): void {
  state.recordSuccess(modelId, upstream);
  if (outcome.outputTokensPerSecond !== null) state.recordThroughput(modelId, outcome.outputTokensPerSecond);
  if (outcome.timeToFirstTokenMs !== null && outcome.result === undefined) {
    state.recordLatency(modelId, outcome.timeToFirstTokenMs, outcome.longestGapMs);
  }
}

/**
 * Health bookkeeping for a failed attempt: upstream faults count against the circuit; anything else
 * (the client went away, the upstream refused the content) releases a probe the attempt held.
 */
function settleFailure(
  state: RouterState,
  modelId: string,
  upstream: string,
  error: RouterError,
  now: number,
): void {
  if (error.code !== 'client_closed' && countsAgainstCircuit(error))
    state.recordFailure(modelId, upstream, now);
  else if (state.circuits.state(modelId, upstream, now) !== 'closed') state.releaseProbe(modelId, upstream);
}

/** A probe that streams content has shown the target is back: its circuit closes at once. */
function closeProbedCircuit(state: RouterState, modelId: string, upstream: string, now: number): void {
  if (state.circuits.state(modelId, upstream, now) !== 'closed') state.recordSuccess(modelId, upstream);
}

/** Whether a candidate after this one (this model's next upstream, or a later model) could still be tried. */
function hasAlternative(
  candidates: readonly CandidateModel[],
  candidateIndex: number,
  targetIndex: number,
  contextFloor: number,
  state: RouterState,
  now: number,
): boolean {
  const current = candidates[candidateIndex];
  const allowed = (modelId: string, target: UpstreamTarget) =>
    state.circuits.allows(modelId, target.upstream.name, now);
  if (current !== undefined) {
    for (let next = targetIndex + 1; next < current.targets.length; next += 1) {
      if (allowed(current.modelId, current.targets[next] as UpstreamTarget)) return true;
    }
  }
  return candidates
    .slice(candidateIndex + 1)
    .some(
      (candidate) =>
        (candidate.contextLength === undefined || candidate.contextLength > contextFloor) &&
        candidate.targets.some((target) => allowed(candidate.modelId, target)),
    );
}

/** The targets after the one at (`candidateIndex`, `targetIndex`), in plan order. */
function* laterTargets(
  candidates: readonly CandidateModel[],
  candidateIndex: number,
  targetIndex: number,
  contextFloor: number,
): Generator<{ modelId: string; target: UpstreamTarget }> {
  for (const [index, candidate] of candidates.entries()) {
    if (index < candidateIndex) continue;
    if (
      index > candidateIndex &&
      candidate.contextLength !== undefined &&
      candidate.contextLength <= contextFloor
    ) {
      continue;
    }
    for (const [position, target] of candidate.targets.entries()) {
      if (index === candidateIndex && position <= targetIndex) continue;
      yield { modelId: candidate.modelId, target };
    }
  }
}

/** Whether `target` may be sent a prefill: its upstream continues one, and has not refused lately. */
function acceptsPrefill(target: UpstreamTarget, state: RouterState, now: number): boolean {
  const upstream = target.upstream;
  const continues = upstream.prefill ?? upstream.protocol !== 'openai';
  return continues && !state.prefillRefusals.refused(upstream.name, target.upstreamModel, now);
}

/** Whether a continuation attempt failed because its target will not continue a prefill. */
function refusedPrefill(error: RouterError): boolean {
  if (isPrefillIgnored(error)) return true;
  const status = error.metadata?.upstream_status;
  return (
    (status === 400 || status === 422) &&
    error.code !== 'context_length_exceeded' &&
    error.code !== 'content_policy'
  );
}

/** What a rescue needs besides the request and the broken attempt. */
interface RescueContext {
  dependencies: ExecutorDependencies;
  signal: AbortSource;
  sink: StreamSink;
  startSink: (target: UpstreamTarget) => void;
  maxAttempts: number;
}

/**
 * Continues a stream that broke after content: each later target that accepts a prefill (none is
 * needed when the client has no answer text yet) is sent the request plus the text the client has, and
 * its continuation goes into the same stream, until one finishes the answer or `maxAttempts`
 * continuations were tried. A continuation that breaks after content is continued in turn. Refusals
 * (400s, a continuation that starts over) are remembered per upstream and model and never reach the
 * client; without a finished answer, the stream ends with the original failure.
 */
async function rescueStream(
  request: ChatRequest,
  broken: ExecutionResult,
  sentBefore: SentContent,
  queue: Iterable<{ modelId: string; target: UpstreamTarget }>,
  context: RescueContext,
): Promise<ExecutionResult> {
  const { dependencies, signal, sink, startSink, maxAttempts } = context;
  const { state, config, now } = dependencies;
  const cause = broken.streamError as RouterError;
  // A tool call cut short cannot be continued as text, and an answer past the bound is not sent back.
  if (sentBefore.toolCalls || sentBefore.overflow) return broken;
  const attempts = broken.attempts;
  const segments: RescueReport['segments'] = [{ target: broken.target, usage: broken.usage }];
  const report: RescueReport = {
    from: { model: broken.target.modelId, upstream: broken.target.upstream.name, error: cause.code },
    by: undefined,
    attempts: 0,
    segments,
  };
  let latest = broken;
  let sentText = sentBefore.text;
  let upstreamMs = broken.upstreamMs;
  let usageEstimated = broken.usageEstimated;
  const combined = (outcome: ExecutionResult): ExecutionResult => ({
    ...outcome,
    attempts,
    upstreamMs,
    usage: sumUsage(segments.map((segment) => segment.usage)),
    usageEstimated,
    timeToFirstTokenMs: broken.timeToFirstTokenMs,
    outputTokensPerSecond: null,
    rescue: report,
  });

  for (const { modelId, target } of queue) {
    if (report.attempts >= maxAttempts) break;
    const upstream = target.upstream.name;
    if (!state.circuits.allows(modelId, upstream, now())) continue;
    const prefilled = sentText.trim() !== '';
    if (prefilled && !acceptsPrefill(target, state, now())) continue;
    report.attempts += 1;
    state.recordAttemptStart(modelId, upstream, now());
    const startedAt = now();
    const queueWait: QueueWait = { ms: 0 };
    try {
      const outcome = await attemptOnce(
        createContinuationRequest(request, sentText),
        undefined,
        target,
        dependencies,
        signal,
        sink,
        startSink,
        {
          deadlines: streamDeadlines(
            modelId,
            target.model?.timeToFirstTokenMs,
            state.latency,
            config.timeouts,
            false,
          ),
          trackText: true,
          splicer: new ContinuationSplicer(sentText),
          onFirstContent: () => closeProbedCircuit(state, modelId, upstream, now()),
          queueWait,
        },
      );
      upstreamMs += outcome.upstreamMs;
      usageEstimated ||= outcome.usageEstimated;
      segments.push({ target, usage: outcome.usage });
      attempts.push({
        model: modelId,
        upstream: target.upstream.name,
        status: outcome.status,
        errorCode: outcome.streamError?.code ?? null,
        durationMs: now() - startedAt,
        ...queueFields(queueWait),
      });
      latest = executionResult(outcome, target, attempts, upstreamMs);
      if (outcome.streamError === undefined) {
        state.recordSuccess(modelId, upstream);
        report.by = { model: modelId, upstream: target.upstream.name };
        return combined(latest);
      }
      settleFailure(state, modelId, upstream, outcome.streamError, now());
      if (outcome.streamError.code === 'client_closed') return combined(latest);
      sentText += outcome.sent.text;
      if (outcome.sent.toolCalls || outcome.sent.overflow) break;
    } catch (thrown) {
      const error = toRouterError(thrown, 'upstream_bad_response');
      upstreamMs += now() - startedAt;
      attempts.push({
        model: modelId,
        upstream: target.upstream.name,
        status: (error.metadata?.upstream_status as number | undefined) ?? null,
        errorCode: error.code,
        durationMs: now() - startedAt,
        ...queueFields(queueWait),
      });
      settleFailure(state, modelId, upstream, error, now());
      if (error.code === 'client_closed' || signal.aborted) {
        // What the client received before it left is still billed.
        return combined({
          ...latest,
          finishReason: 'error',
          streamError: new RouterError('client_closed', 'the client closed the connection', { cause: error }),
        });
      }
      if (prefilled && refusedPrefill(error)) {
        state.recordPrefillRefused(target.upstream.name, target.upstreamModel, now());
      }
    }
  }
  if (report.attempts === 0) return broken;
  return combined({
    ...latest,
    finishReason: 'error',
    streamError: new RouterError(
      cause.code,
      `${cause.message}; no other candidate could continue the answer (${report.attempts} tried)`,
      {
        status: cause.status,
        retryable: cause.retryable,
        metadata: { ...cause.metadata, rescue_attempts: report.attempts },
        cause,
      },
    ),
  });
}

/**
 * The call's result from the attempt that answered. Written field by field, not as `{ ...outcome, target }`:
 * on Node.js 20 an object spread followed by more fields gives every object a hidden class of its own,
 * and every later read of it misses V8's inline caches (bench/README.md, "Hidden classes per call").
 */
function executionResult(
  outcome: AttemptOutcome,
  target: UpstreamTarget,
  attempts: AttemptRecord[],
  upstreamMs: number,
): ExecutionResult {
  return {
    target,
    attempts,
    result: outcome.result,
    usage: outcome.usage,
    usageEstimated: outcome.usageEstimated,
    finishReason: outcome.finishReason,
    nativeFinishReason: outcome.nativeFinishReason,
    upstreamMs,
    timeToFirstTokenMs: outcome.timeToFirstTokenMs,
    outputTokensPerSecond: outcome.outputTokensPerSecond,
    streamError: outcome.streamError,
    warnings: outcome.warnings,
    native: outcome.native,
    nativeBody: outcome.nativeBody,
    nativeText: outcome.nativeText,
    rescue: undefined,
  };
}

function sumUsage(usages: readonly Usage[]): Usage {
  const total = emptyUsage();
  for (const usage of usages) {
    for (const key of Object.keys(total) as (keyof Usage)[]) total[key] += usage[key];
  }
  return total;
}

/** The error a client gets when no candidate answered. */
function finalError(
  errors: readonly RouterError[],
  candidateCount: number,
  retryAfterSeconds?: number,
): RouterError {
  const last = errors.at(-1);
  if (last === undefined) {
    return new RouterError(
      'no_upstream',
      candidateCount === 0
        ? 'no candidate model to try'
        : 'every candidate model is unavailable right now (circuits open or context too small)',
      { retryable: true, retryAfterSeconds: retryAfterSeconds ?? 1 },
    );
  }
  if (last.code === 'context_length_exceeded') return last;
  if (errors.every((error) => error.code === 'upstream_bad_request')) return errors[0] as RouterError;
  if (errors.every((error) => error.code === 'upstream_rate_limited')) {
    const waits = errors.flatMap((error) =>
      error.retryAfterSeconds === undefined ? [] : [error.retryAfterSeconds],
    );
    const options: ConstructorParameters<typeof RouterError>[2] = { status: 429, retryable: true };
    options.retryAfterSeconds = waits.length > 0 ? Math.min(...waits) : 1;
    return new RouterError(
      'upstream_rate_limited',
      `every candidate is rate limited: ${last.message}`,
      options,
    );
  }
  const status = errors.every(
    (error) => error.code === 'upstream_timeout_first_byte' || error.code === 'upstream_timeout_first_token',
  )
    ? 504
    : 502;
  return new RouterError(
    'all_candidates_failed',
    `all ${errors.length} attempts failed; last: ${last.message}`,
    {
      status,
      retryable: true,
    },
  );
}

/** What a streamed attempt put in front of the client, for continuing it elsewhere. */
interface SentContent {
  /** The answer text the client has (kept only when rescue is on, and up to `maxPrefillCharacters`). */
  readonly text: string;
  toolCalls: boolean;
  reasoning: boolean;
  /** The text passed `maxPrefillCharacters` and was not kept whole. */
  readonly overflow: boolean;
}

const nothingSent: SentContent = { text: '', toolCalls: false, reasoning: false, overflow: false };

/** What one attempt that got an answer reports: the execution result without target and attempts. */
interface AttemptOutcome extends Omit<ExecutionResult, 'target' | 'attempts' | 'rescue'> {
  /** The upstream's HTTP status. */
  status: number;
  /** Streams: what reached the client. */
  sent: SentContent;
  /** Streams: the longest silence between two messages after the first token. */
  longestGapMs: number | null;
}

/** How one attempt runs: its stream limits, and whether it continues a broken answer. */
interface AttemptOptions {
  /** Streams: the first-token and stall limits (the configured ceilings when absent). */
  deadlines?: StreamDeadlines | undefined;
  /** Keep the streamed answer text, for a rescue. */
  trackText: boolean;
  /** Set when this attempt continues a broken answer: its text is spliced onto what the client has. */
  splicer?: ContinuationSplicer | undefined;
  /** Called once, when the stream's first content arrives. */
  onFirstContent?: (() => void) | undefined;
  /** Receives the time the call waited for a pooled connection, when it had to. */
  queueWait?: QueueWait | undefined;
}

function queueRecorder(wait: QueueWait | undefined): ((waitMs: number) => void) | undefined {
  return wait === undefined
    ? undefined
    : (waitMs) => {
        wait.ms += waitMs;
      };
}

function endpointOf(target: UpstreamTarget): UpstreamEndpoint {
  const upstream = target.upstream;
  const endpoint: UpstreamEndpoint = {
    name: upstream.name,
    protocol: upstream.protocol,
    baseUrl: upstream.baseUrl,
  };
  if (upstream.apiKey !== undefined) endpoint.apiKey = upstream.apiKey;
  if (upstream.headers !== undefined) endpoint.headers = upstream.headers;
  if (upstream.maxTokensField !== undefined) endpoint.maxTokensField = upstream.maxTokensField;
  return endpoint;
}

/**
 * The upstream request of one attempt. A failure here is the router's conversion of the caller's body,
 * not the upstream's health: it becomes a 400 that stops the failover and never counts against a circuit.
 */
function buildAttemptRequest(
  request: ChatRequest,
  native: NativeRequest | undefined,
  target: UpstreamTarget,
  adapter: ReturnType<typeof adapterFor>,
  nativeBuild: ReturnType<typeof adapterFor>['buildNativeRequest'],
  sink: StreamSink | undefined,
): ReturnType<ReturnType<typeof adapterFor>['buildRequest']> {
  try {
    return nativeBuild !== undefined && native !== undefined
      ? nativeHttp(nativeBuild(native, target.upstreamModel, sink !== undefined, endpointOf(target)))
      : adapter.buildRequest({ ...request, model: target.upstreamModel }, endpointOf(target));
  } catch (thrown) {
    if (thrown instanceof RouterError) throw thrown;
    const reason = thrown instanceof Error ? thrown.message : String(thrown);
    throw new RouterError(
      'invalid_request',
      `the request could not be converted for the ${adapter.protocol} protocol: ${reason}`,
      { cause: thrown },
    );
  }
}

async function attemptOnce(
  request: ChatRequest,
  native: NativeRequest | undefined,
  target: UpstreamTarget,
  dependencies: ExecutorDependencies,
  clientSignal: AbortSource,
  sink: StreamSink | undefined,
  startSink: (target: UpstreamTarget) => void,
  options: AttemptOptions = { trackText: false },
): Promise<AttemptOutcome> {
  const { client, config, now } = dependencies;
  const adapter = adapterFor(target.upstream.protocol);
  const nativeBuild =
    native !== undefined && native.protocol === adapter.protocol ? adapter.buildNativeRequest : undefined;
  const isNative = nativeBuild !== undefined;
  const { http, warnings } = buildAttemptRequest(request, native, target, adapter, nativeBuild, sink);
  const startedAt = now();
  const url = target.upstream.baseUrl + http.path;
  if (sink === undefined) {
    // A plain call relies on undici's timeouts and the client's signal.
    const answer = await client.fetchText({
      url,
      headers: http.headers,
      body: http.body,
      signal: clientSignal,
      firstByteMs: config.timeouts.firstByteMs,
      idleMs: config.timeouts.streamIdleMs,
      maxBytes: maxResponseBodyBytes,
      maxErrorBytes: maxErrorBodyBytes,
      onQueued: client.queueing ? queueRecorder(options.queueWait) : undefined,
    });
    if (answer.statusCode < 200 || answer.statusCode >= 300) {
      throw upstreamStatusError(adapter, answer.statusCode, answer.headers, answer.text);
    }
    const upstreamMs = now() - startedAt;
    let body: unknown;
    try {
      body = JSON.parse(answer.text);
    } catch {
      throw new RouterError(
        'upstream_bad_response',
        `upstream returned a body that is not JSON (${answer.text.length} bytes)`,
        {
          retryable: true,
        },
      );
    }
    const result = adapter.parseResponse(body);
    const usageEstimated = result.usage.promptTokens === 0 && result.usage.completionTokens === 0;
    const usage = usageEstimated ? estimateUsage(request, result) : result.usage;
    return {
      status: answer.statusCode,
      result,
      usage,
      usageEstimated,
      finishReason: result.finishReason,
      nativeFinishReason: result.nativeFinishReason,
      upstreamMs,
      timeToFirstTokenMs: upstreamMs,
      outputTokensPerSecond: null,
      streamError: undefined,
      warnings,
      native: isNative,
      nativeBody: isNative ? body : undefined,
      nativeText: isNative ? answer.text : undefined,
      sent: nothingSent,
      longestGapMs: null,
    };
  }

  // Only a stream needs an attempt-level abort (its first-token and idle timers). The client's abort is
  // passed on by a listener removed when the attempt ends: what AbortSignal.any does, without the
  // dependent-signal bookkeeping it pays per call (about 45 µs of CPU per stream in a profile). A
  // `CallAbort`, not an `AbortController`: see call-abort.ts.
  const attemptController = new CallAbort();
  const signal = attemptController.signal;
  const passOnClientAbort = () => attemptController.abort(clientSignal.reason);
  if (clientSignal.aborted) passOnClientAbort();
  else clientSignal.addEventListener('abort', passOnClientAbort, { once: true });
  try {
    const deadlines = options.deadlines ?? configuredDeadlines(config.timeouts);
    // The first-token limit counts from sending the request: an upstream that holds back its headers
    // until the first token is as late as one that sends them at once.
    const firstTokenTimer = setTimeout(
      () =>
        attemptController.abort(
          new RouterError(
            'upstream_timeout_first_token',
            `no first token within ${deadlines.firstTokenMs} ms (${deadlines.firstTokenBasis})`,
            { retryable: true },
          ),
        ),
      deadlines.firstTokenMs,
    );
    let response: UpstreamResponse;
    try {
      response = await client.send({
        url,
        headers: http.headers,
        body: http.body,
        signal,
        firstByteMs: config.timeouts.firstByteMs,
        // The router's own timers watch streams (first token, then idle); undici's body timeout is a backstop.
        idleMs: Math.max(config.timeouts.firstTokenMs, config.timeouts.streamIdleMs) + 1_000,
        onQueued: client.queueing ? queueRecorder(options.queueWait) : undefined,
      });
    } catch (error) {
      clearTimeout(firstTokenTimer);
      throw error;
    }
    if (response.statusCode < 200 || response.statusCode >= 300) {
      clearTimeout(firstTokenTimer);
      let text = '';
      try {
        text = await response.body.text(maxErrorBodyBytes);
      } catch {
        response.body.destroy();
      }
      throw upstreamStatusError(adapter, response.statusCode, response.headers, text);
    }

    return await consumeStream(request, target, response, adapter, dependencies, {
      attemptController,
      signal,
      startedAt,
      sink,
      startSink,
      warnings,
      native: isNative,
      deadlines,
      firstTokenTimer,
      options,
    });
  } finally {
    clientSignal.removeEventListener('abort', passOnClientAbort);
  }
}

/** A native build's request and the warnings it reported. */
function nativeHttp(http: UpstreamHttpRequest): { http: UpstreamHttpRequest; warnings: string[] } {
  return { http, warnings: http.warnings ?? [] };
}

/** The configured ceilings as the limits of an attempt that was given none. */
function configuredDeadlines(timeouts: RouterConfig['timeouts']): StreamDeadlines {
  return {
    firstTokenMs: timeouts.firstTokenMs,
    idleMs: timeouts.streamIdleMs,
    firstTokenBasis: 'the configured limit',
    idleBasis: 'the configured limit',
  };
}

/** The adapter's error for an upstream's non-2xx answer, with its status and Retry-After. */
function upstreamStatusError(
  adapter: ReturnType<typeof adapterFor>,
  statusCode: number,
  headers: UpstreamResponse['headers'],
  text: string,
): RouterError {
  const retryAfter = headers['retry-after'];
  const error = adapter.mapError(statusCode, text, Array.isArray(retryAfter) ? retryAfter[0] : retryAfter);
  return withUpstreamStatus(error, statusCode);
}

async function consumeStream(
  request: ChatRequest,
  target: UpstreamTarget,
  response: UpstreamResponse,
  adapter: ReturnType<typeof adapterFor>,
  dependencies: ExecutorDependencies,
  context: {
    attemptController: CallAbort;
    signal: AbortSource;
    startedAt: number;
    sink: StreamSink;
    startSink: (target: UpstreamTarget) => void;
    warnings: readonly string[];
    native: boolean;
    deadlines: StreamDeadlines;
    firstTokenTimer: NodeJS.Timeout;
    options: AttemptOptions;
  },
): Promise<AttemptOutcome> {
  const { config, now } = dependencies;
  const { attemptController, signal, startedAt, sink, deadlines, firstTokenTimer } = context;
  const { splicer, trackText, onFirstContent } = context.options;
  const converter = adapter.createStreamConverter();
  context.startSink(target);
  sink.beginAttempt?.(target, context.warnings, context.native);
  // Native path: the sink gets the upstream's own messages; canonical events only feed the accounting.
  const relay = context.native ? sink.relay?.bind(sink) : undefined;
  const forward = relay === undefined ? sink.event.bind(sink) : () => undefined;
  const heldMessages: { event: string | undefined; data: unknown; raw: RelayedMessage }[] = [];

  /** The upstream sent content: the first-token limit is met. */
  let contentReceived = false;
  /** Content reached the client: a failure can no longer be failed over without a trace. */
  let contentSent = false;
  let firstContentAt: number | null = null;
  let lastMessageAt = 0;
  let longestGapMs = 0;
  let finish: { finishReason: FinishReason; nativeFinishReason: string | null } | undefined;
  const usage = emptyUsage();
  let usageSeen = false;
  let completionCharacters = 0;
  // The answer text, for a rescue: read (joined) only when a broken stream is continued.
  const keptText = trackText ? new KeptText(maxPrefillCharacters) : undefined;
  const sent: SentContent = {
    get text() {
      return keptText?.toString() ?? '';
    },
    get overflow() {
      return keptText?.overflow ?? false;
    },
    toolCalls: false,
    reasoning: false,
  };

  const abortWith = (code: 'upstream_stream_idle', message: string) =>
    attemptController.abort(new RouterError(code, message, { retryable: true }));
  // The stall limit runs from the first token; before it, the first-token limit governs.
  let idleTimer: NodeJS.Timeout | undefined;
  const keepAliveTimer = setInterval(() => {
    if (!contentSent) sink.keepAlive();
  }, config.timeouts.keepAliveMs);

  /** Sends content events in order, waiting where the client is slow. */
  const send = (events: readonly StreamEvent[]): undefined | Promise<void> => {
    let waiting: Promise<void> | undefined;
    for (const event of events) {
      if (event.type === 'text-delta') keptText?.add(event.text);
      if (event.type === 'tool-call-delta') sent.toolCalls = true;
      if (event.type === 'reasoning-delta') sent.reasoning = true;
      if (event.type !== 'finish') contentSent = true;
      waiting = waiting === undefined ? forward(event, target) : waiting.then(() => forward(event, target));
    }
    return waiting;
  };

  /** A continuation's content: its text spliced onto the client's, its own reasoning not sent. */
  const sendContinuation = (event: StreamEvent, active: ContinuationSplicer): undefined | Promise<void> => {
    switch (event.type) {
      case 'reasoning-delta':
        // The client has the answer's reasoning; the continuation's thoughts about continuing are not sent.
        return;
      case 'text-delta': {
        const text = active.push(event.text);
        return text === '' ? undefined : send([{ type: 'text-delta', text }]);
      }
      default: {
        const held = active.end();
        return send(held === '' ? [event] : [{ type: 'text-delta', text: held }, event]);
      }
    }
  };

  const handle = (event: StreamEvent): undefined | Promise<void> => {
    switch (event.type) {
      case 'response-metadata':
        return;
      case 'text-delta':
      case 'reasoning-delta':
      case 'tool-call-delta':
        if (!contentReceived) {
          contentReceived = true;
          firstContentAt = now();
          lastMessageAt = firstContentAt;
          clearTimeout(firstTokenTimer);
          idleTimer = setTimeout(
            () =>
              abortWith(
                'upstream_stream_idle',
                `stream silent for ${deadlines.idleMs} ms (${deadlines.idleBasis})`,
              ),
            deadlines.idleMs,
          );
          onFirstContent?.();
        }
        completionCharacters +=
          event.type === 'tool-call-delta' ? event.argumentsDelta.length : event.text.length;
        return splicer === undefined ? send([event]) : sendContinuation(event, splicer);
      case 'usage':
        usageSeen = true;
        mergeUsage(usage, event.usage);
        return;
      case 'finish':
        if (finish === undefined) {
          finish = { finishReason: event.finishReason, nativeFinishReason: event.nativeFinishReason };
          return splicer === undefined ? send([event]) : sendContinuation(event, splicer);
        }
        return;
      case 'error':
        // A chunk the adapter could not read is skipped; a real upstream error ends the attempt.
        if (event.error.code === 'upstream_bad_response') return;
        throw event.error;
    }
  };

  /** Relays the held messages once the attempt has content; none before it. */
  const relayHeld = (): undefined | Promise<void> => {
    if (relay === undefined || !(contentSent || finish !== undefined)) return;
    return inOrder(heldMessages.splice(0), (held) => relay(held.event, held.data, target, held.raw));
  };

  /** One upstream message; it returns a promise only when the client is slow, and the read then waits. */
  const onMessage = (message: SseMessage): SseHandlerResult => {
    if (idleTimer !== undefined) {
      idleTimer.refresh();
      const at = now();
      longestGapMs = Math.max(longestGapMs, at - lastMessageAt);
      lastMessageAt = at;
    }
    if (message.data === '[DONE]') return 'stop';
    let data: unknown;
    try {
      data = JSON.parse(message.data);
    } catch {
      return; // malformed chunk: skipped, the stream goes on
    }
    const events = converter.convert(data, message.event);
    const wait = inOrder(events, handle);
    if (relay === undefined) return wait;
    // Held until content: a failover before it must leave nothing of this attempt on the wire.
    heldMessages.push({ event: message.event, data, raw: { text: message.data, events } });
    return wait === undefined ? relayHeld() : wait.then(relayHeld);
  };

  let failure: RouterError | undefined;
  try {
    await readSseStream(response.body, { maxMessageBytes: maxSseMessageBytes }, onMessage);
    for (const event of converter.end()) {
      const wait = handle(event);
      if (wait !== undefined) await wait;
    }
    if (finish === undefined) {
      failure = new RouterError(
        'upstream_stream_cut',
        'the upstream stream ended before the answer was complete',
        {
          retryable: true,
        },
      );
    }
  } catch (error) {
    failure = error instanceof RouterError && !signal.aborted ? error : transportError(error, signal);
  } finally {
    clearTimeout(firstTokenTimer);
    clearTimeout(idleTimer);
    clearInterval(keepAliveTimer);
    if (failure !== undefined || finish === undefined) response.body.destroy();
  }

  // Before content, a failure is failed over (or, when the client left, ends the call unbilled); after
  // it, the outcome carries the failure and what was sent, so a client that left is billed for it.
  if (failure !== undefined && !contentSent) throw failure;
  const endedAt = now();
  const usageEstimated = !usageSeen || (usage.promptTokens === 0 && usage.completionTokens === 0);
  const finalUsage = usageEstimated
    ? {
        ...emptyUsage(),
        promptTokens: estimatePromptTokens(request),
        completionTokens: Math.ceil(completionCharacters / 4),
      }
    : usage;
  const generationMs = firstContentAt === null ? 0 : endedAt - firstContentAt;
  return {
    status: response.statusCode,
    result: undefined,
    usage: finalUsage,
    usageEstimated,
    finishReason: failure === undefined ? (finish?.finishReason ?? 'stop') : 'error',
    nativeFinishReason: finish?.nativeFinishReason ?? null,
    upstreamMs: endedAt - startedAt,
    timeToFirstTokenMs: firstContentAt === null ? null : firstContentAt - startedAt,
    outputTokensPerSecond:
      failure === undefined && generationMs >= 50 && finalUsage.completionTokens > 1
        ? finalUsage.completionTokens / (generationMs / 1000)
        : null,
    streamError: failure,
    warnings: context.warnings,
    native: context.native,
    nativeBody: undefined,
    nativeText: undefined,
    sent,
    longestGapMs: firstContentAt === null ? null : longestGapMs,
  };
}

/**
 * Calls `step` on each item in order, synchronously until a call returns a promise; the rest then follow
 * it. Returns that chain, or undefined when no call had to wait.
 */
function inOrder<T>(
  items: readonly T[],
  step: (item: T) => undefined | Promise<void>,
  from = 0,
): undefined | Promise<void> {
  for (let index = from; index < items.length; index += 1) {
    const wait = step(items[index] as T);
    if (wait !== undefined) {
      return index + 1 === items.length ? wait : wait.then(() => inOrder(items, step, index + 1));
    }
  }
  return undefined;
}

function withUpstreamStatus(error: RouterError, status: number): RouterError {
  if (error.metadata?.upstream_status === status) return error;
  const options: ConstructorParameters<typeof RouterError>[2] = {
    status: error.status,
    retryable: error.retryable,
    metadata: { ...error.metadata, upstream_status: status },
    cause: error.cause,
  };
  if (error.retryAfterSeconds !== undefined) options.retryAfterSeconds = error.retryAfterSeconds;
  return new RouterError(error.code, error.message, options);
}

function mergeUsage(target: Usage, update: Partial<Usage>): void {
  for (const key of Object.keys(update) as (keyof Usage)[]) {
    const value = update[key];
    if (value !== undefined && value > 0) target[key] = value;
  }
}

function estimateUsage(request: ChatRequest, result: ChatResult): Usage {
  const characters =
    (result.content?.length ?? 0) +
    (result.reasoning?.length ?? 0) +
    result.toolCalls.reduce((sum, call) => sum + call.function.arguments.length, 0);
  return {
    ...emptyUsage(),
    promptTokens: estimatePromptTokens(request),
    completionTokens: Math.ceil(characters / 4),
  };
}
