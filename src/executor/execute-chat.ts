/**
 * The executor: tries the planned candidates in order until one answers, converting through the right
 * protocol adapter, enforcing the time limits, retrying and failing over by the failure policy, and
 * feeding circuit breakers and throughput stats. A streamed answer that breaks after content reached the
 * client ends with an error, never as a truncated success.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { RouterConfig } from '../config/router-config.js';
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
import { adapterFor } from '../providers/adapters.js';
import type { NativeBody, ProtocolName, UpstreamEndpoint } from '../providers/protocol-adapter.js';
import { parseSseStream } from '../providers/sse/parse-sse-stream.js';
import type { RouterState } from '../state/router-state.js';
import { countsAgainstCircuit, decideAfterFailure } from './failure-policy.js';
import type { UpstreamTarget } from './upstream-catalog.js';
import {
  readBodyText,
  transportError,
  type UpstreamClient,
  type UpstreamResponse,
} from './upstream-client.js';

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
  relay?(event: string | undefined, data: unknown, target: UpstreamTarget): undefined | Promise<void>;
  /** Called periodically while the stream waits for its first token. */
  keepAlive(): void;
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
  signal: AbortSignal,
  sink?: StreamSink,
  native?: NativeRequest,
): Promise<ExecutionResult> {
  const { state, config, now } = dependencies;
  const attempts: AttemptRecord[] = [];
  const errors: RouterError[] = [];
  let contextFloor = 0;
  let upstreamMs = 0;
  let sinkStarted = false;
  const startSink = (target: UpstreamTarget) => {
    if (!sinkStarted && sink !== undefined) {
      sinkStarted = true;
      sink.start(target, attempts);
    }
  };

  for (const candidate of candidates) {
    if (candidate.contextLength !== undefined && candidate.contextLength <= contextFloor) continue;
    if (!state.circuits.allows(candidate.modelId, now())) continue;
    let attemptsOnModel = 0;
    let nextModel = false;
    for (const target of candidate.targets) {
      if (nextModel) break;
      for (;;) {
        attemptsOnModel += 1;
        state.recordAttemptStart(candidate.modelId, now());
        const startedAt = now();
        try {
          const outcome = await attemptOnce(request, native, target, dependencies, signal, sink, startSink);
          upstreamMs += outcome.upstreamMs;
          attempts.push({
            model: candidate.modelId,
            upstream: target.upstream.name,
            status: outcome.status,
            errorCode: outcome.streamError?.code ?? null,
            durationMs: now() - startedAt,
          });
          if (outcome.streamError === undefined) {
            state.recordSuccess(candidate.modelId);
            if (outcome.outputTokensPerSecond !== null) {
              state.recordThroughput(candidate.modelId, outcome.outputTokensPerSecond);
            }
          } else if (countsAgainstCircuit(outcome.streamError)) {
            state.recordFailure(candidate.modelId, now());
          }
          return { ...outcome, target, attempts, upstreamMs };
        } catch (thrown) {
          const error = toRouterError(thrown, 'upstream_bad_response');
          upstreamMs += now() - startedAt;
          attempts.push({
            model: candidate.modelId,
            upstream: target.upstream.name,
            status: (error.metadata?.upstream_status as number | undefined) ?? null,
            errorCode: error.code,
            durationMs: now() - startedAt,
          });
          if (error.code === 'client_closed' || signal.aborted) {
            throw new RouterError('client_closed', 'the client closed the connection', { cause: error });
          }
          if (countsAgainstCircuit(error)) state.recordFailure(candidate.modelId, now());
          errors.push(error);
          const decision = decideAfterFailure(error, attemptsOnModel, config.retries);
          if (decision.kind === 'retry') {
            await sleep(decision.waitMs, undefined, { signal }).catch(() => undefined);
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
  throw new ExecutionFailure(finalError(errors, candidates.length), attempts);
}

/** The error a client gets when no candidate answered. */
function finalError(errors: readonly RouterError[], candidateCount: number): RouterError {
  const last = errors.at(-1);
  if (last === undefined) {
    return new RouterError(
      'no_upstream',
      candidateCount === 0
        ? 'no candidate model to try'
        : 'every candidate model is unavailable right now (circuits open or context too small)',
      { retryable: true },
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

/** What one attempt that got an answer reports: the execution result without target and attempts. */
interface AttemptOutcome extends Omit<ExecutionResult, 'target' | 'attempts'> {
  /** The upstream's HTTP status. */
  status: number;
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

async function attemptOnce(
  request: ChatRequest,
  native: NativeRequest | undefined,
  target: UpstreamTarget,
  dependencies: ExecutorDependencies,
  clientSignal: AbortSignal,
  sink: StreamSink | undefined,
  startSink: (target: UpstreamTarget) => void,
): Promise<AttemptOutcome> {
  const { client, config, now } = dependencies;
  const adapter = adapterFor(target.upstream.protocol);
  const nativeBuild =
    native !== undefined && native.protocol === adapter.protocol ? adapter.buildNativeRequest : undefined;
  const isNative = nativeBuild !== undefined;
  const { http, warnings } =
    nativeBuild !== undefined && native !== undefined
      ? {
          http: nativeBuild(native, target.upstreamModel, sink !== undefined, endpointOf(target)),
          warnings: [],
        }
      : adapter.buildRequest({ ...request, model: target.upstreamModel }, endpointOf(target));
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
    };
  }

  // Only a stream needs an attempt-level abort (its first-token and idle timers).
  const attemptController = new AbortController();
  const signal = AbortSignal.any([clientSignal, attemptController.signal]);
  const response: UpstreamResponse = await client.send({
    url,
    headers: http.headers,
    body: http.body,
    signal,
    firstByteMs: config.timeouts.firstByteMs,
    // The router's own timers watch streams (first token, then idle); undici's body timeout is a backstop.
    idleMs: Math.max(config.timeouts.firstTokenMs, config.timeouts.streamIdleMs) + 1_000,
  });
  if (response.statusCode < 200 || response.statusCode >= 300) {
    let text = '';
    try {
      text = await readBodyText(response.body, maxErrorBodyBytes);
    } catch {
      response.body.destroy();
    }
    throw upstreamStatusError(adapter, response.statusCode, response.headers, text);
  }

  const streamed = await consumeStream(request, target, response, adapter, dependencies, {
    attemptController,
    signal,
    startedAt,
    sink,
    startSink,
    warnings,
    native: isNative,
  });
  return { ...streamed, warnings, native: isNative, nativeBody: undefined };
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
    attemptController: AbortController;
    signal: AbortSignal;
    startedAt: number;
    sink: StreamSink;
    startSink: (target: UpstreamTarget) => void;
    warnings: readonly string[];
    native: boolean;
  },
): Promise<Omit<AttemptOutcome, 'warnings' | 'native' | 'nativeBody'>> {
  const { config, now } = dependencies;
  const { attemptController, signal, startedAt, sink } = context;
  const converter = adapter.createStreamConverter();
  context.startSink(target);
  sink.beginAttempt?.(target, context.warnings, context.native);
  // Native path: the sink gets the upstream's own messages; canonical events only feed the accounting.
  const relay = context.native ? sink.relay?.bind(sink) : undefined;
  const forward = relay === undefined ? sink.event.bind(sink) : () => undefined;
  const heldMessages: { event: string | undefined; data: unknown }[] = [];

  let contentSent = false;
  let firstContentAt: number | null = null;
  let finish: { finishReason: FinishReason; nativeFinishReason: string | null } | undefined;
  const usage = emptyUsage();
  let usageSeen = false;
  let completionCharacters = 0;

  const abortWith = (code: 'upstream_timeout_first_token' | 'upstream_stream_idle', message: string) =>
    attemptController.abort(new RouterError(code, message, { retryable: true }));
  const firstTokenTimer = setTimeout(
    () =>
      abortWith('upstream_timeout_first_token', `no first token within ${config.timeouts.firstTokenMs} ms`),
    config.timeouts.firstTokenMs,
  );
  const idleTimer = setTimeout(
    () => abortWith('upstream_stream_idle', `stream idle for ${config.timeouts.streamIdleMs} ms`),
    config.timeouts.streamIdleMs,
  );
  const keepAliveTimer = setInterval(() => {
    if (!contentSent) sink.keepAlive();
  }, config.timeouts.keepAliveMs);

  const handle = (event: StreamEvent): undefined | Promise<void> => {
    switch (event.type) {
      case 'response-metadata':
        return;
      case 'text-delta':
      case 'reasoning-delta':
      case 'tool-call-delta':
        if (!contentSent) {
          contentSent = true;
          firstContentAt = now();
          clearTimeout(firstTokenTimer);
        }
        completionCharacters +=
          event.type === 'tool-call-delta' ? event.argumentsDelta.length : event.text.length;
        return forward(event, target);
      case 'usage':
        usageSeen = true;
        mergeUsage(usage, event.usage);
        return;
      case 'finish':
        if (finish === undefined) {
          finish = { finishReason: event.finishReason, nativeFinishReason: event.nativeFinishReason };
          return forward(event, target);
        }
        return;
      case 'error':
        // A chunk the adapter could not read is skipped; a real upstream error ends the attempt.
        if (event.error.code === 'upstream_bad_response') return;
        throw event.error;
    }
  };

  let failure: RouterError | undefined;
  try {
    for await (const message of parseSseStream(response.body, { maxMessageBytes: maxSseMessageBytes })) {
      idleTimer.refresh();
      if (message.data === '[DONE]') break;
      let data: unknown;
      try {
        data = JSON.parse(message.data);
      } catch {
        continue; // malformed chunk: skipped, the stream goes on
      }
      for (const event of converter.convert(data, message.event)) {
        const wait = handle(event);
        if (wait !== undefined) await wait;
      }
      if (relay !== undefined) {
        // Held until content: a failover before it must leave nothing of this attempt on the wire.
        heldMessages.push({ event: message.event, data });
        if (contentSent || finish !== undefined) {
          for (const held of heldMessages.splice(0)) {
            const wait = relay(held.event, held.data, target);
            if (wait !== undefined) await wait;
          }
        }
      }
    }
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

  if (failure !== undefined) {
    if (failure.code === 'client_closed' || !contentSent) throw failure;
  }
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
  };
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
