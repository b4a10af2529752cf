/**
 * The one pipeline behind every ingress protocol: admit, parse (through the ingress adapter), plan,
 * execute, render (through the adapter again), account. Streams go out event by event as the upstream
 * sends them, with keep-alives while the model thinks and the usage at the end.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { applyKeyPolicy } from '../auth/apply-key-policy.js';
import type { KeyContext } from '../auth/authenticate-request.js';
import { limitedKinds } from '../auth/budget-ledger.js';
import type { Usage } from '../core/chat-result.js';
import { computeCost, worstCaseCost } from '../core/compute-cost.js';
import { RouterError, toRouterError } from '../core/errors.js';
import { estimatePromptTokens } from '../core/estimate-prompt-tokens.js';
import type { ModelIndex } from '../core/model-index.js';
import { CallAbort } from '../executor/call-abort.js';
import {
  type AttemptRecord,
  type CandidateModel,
  ExecutionFailure,
  type ExecutionResult,
  executeChat,
  type StreamSink,
} from '../executor/execute-chat.js';
import type { UpstreamTarget } from '../executor/upstream-catalog.js';
import type {
  IngressAdapter,
  IngressContext,
  IngressRequest,
  IngressStreamWriter,
  NativeRequest,
} from '../ingress/ingress-adapter.js';
import type { ApiKeyRecord } from '../store/api-key.js';
import { rescueComment, rescueSettings } from './describe-rescue.js';
import { type ParsedChatRequest, parseChatRequest, withRequestWarnings } from './parse-chat-request.js';
import { planCandidates } from './plan-candidates.js';
import { readJsonBody, readJsonBodyText } from './read-json-body.js';
import { finishRequest, newRequestFacts, type RequestFacts } from './request-accounting.js';
import { checkChatBody } from './request-limits.js';
import type { RouterApp } from './router-app.js';
import { routingMetadataOf } from './routing-metadata.js';
import { sendError } from './send-error.js';

const streamHighWaterBytes = 1024 * 1024;

/** Cost of a call: index prices for index models; 0 for models the index does not price. */
function costOf(target: UpstreamTarget, usage: Usage): number {
  return target.model === undefined ? 0 : computeCost(usage, target.model.pricing);
}

/** Cost of a call: each attempt that sent content at its own prices (a rescued stream has several). */
function costOfOutcome(outcome: ExecutionResult): number {
  const segments = outcome.rescue?.segments;
  if (segments === undefined) return costOf(outcome.target, outcome.usage);
  return segments.reduce((sum, segment) => sum + costOf(segment.target, segment.usage), 0);
}

function newGenerationId(): string {
  return `gen-${Math.floor(Date.now() / 1000)}-${randomUUID().replaceAll('-', '').slice(0, 20)}`;
}

function decisionHeaders(
  tier: string,
  target: UpstreamTarget,
  attempts: readonly AttemptRecord[],
  generationId: string,
  overheadMs: number,
  warnings: readonly string[],
): Record<string, string> {
  const headers: Record<string, string> = {
    'x-generation-id': generationId,
    'x-pareto-tier': tier,
    'x-pareto-model': headerSafe(target.modelId),
    'x-pareto-upstream': headerSafe(target.upstream.name),
    'x-pareto-attempts': String(attempts.length + 1),
    'x-pareto-overhead-ms': overheadMs.toFixed(3),
  };
  if (warnings.length > 0) headers['x-pareto-warnings'] = warningsHeader(warnings);
  return headers;
}

const unprintable = /[^\x20-\x7e]/;

/**
 * A value for a response header: model ids are checked at the door, but names from configuration or a
 * pass-through upstream's catalog reach headers too, and one bad character would fail the whole response.
 */
function headerSafe(value: string): string {
  return unprintable.test(value) ? value.replace(/[^\x20-\x7e]/g, '?') : value;
}

const maxWarningsHeaderLength = 1_000;

/** Settings the upstream's protocol could not express, as one printable-ASCII header value. */
function warningsHeader(warnings: readonly string[]): string {
  const text = warnings.join('; ').replace(/[^\x20-\x7e]/g, '?');
  return text.length > maxWarningsHeaderLength ? `${text.slice(0, maxWarningsHeaderLength - 3)}...` : text;
}

/** Reads, converts and validates a model call's body: the ingress adapter's form, aliases applied. */
function parseModelCall(
  app: RouterApp,
  ingress: IngressAdapter,
  context: IngressContext,
  body: unknown,
  parse: IngressAdapter['parse'] = ingress.parse,
): { converted: IngressRequest; parsed: ParsedChatRequest } {
  const converted = parse(body, context);
  const model = converted.body.model;
  if (typeof model === 'string') {
    const aliased = app.resolveModelAlias(model);
    if (aliased !== undefined) converted.body.model = aliased;
  }
  // Before any upstream is called: a model id must be able to travel in a response header.
  checkChatBody(converted.body);
  return { converted, parsed: parseChatRequest(converted.body, context.headers) };
}

/**
 * The body to forward natively, if any. A fast-path body (the ingress's own parse, sent to an upstream of
 * the same protocol only to save work) gets its text for splicing when the fast path is switched on
 * (`PARETO_ROUTER_FAST_PATH=on`); otherwise, the default, it is dropped and the call goes the general,
 * converting way. The fast path is off by default because it measured slower than the general path.
 */
function nativeRequestOf(app: RouterApp, converted: IngressRequest, text: string): NativeRequest | undefined {
  const native = converted.native;
  if (native?.fastPath !== true) return native;
  if (app.config.fastPath !== true) return undefined;
  return { ...native, text };
}

/** Handles one model call (chat completion, message, response, generateContent) end to end; never throws. */
export async function handleModelCall(
  app: RouterApp,
  ingress: IngressAdapter,
  context: IngressContext,
  request: IncomingMessage,
  response: ServerResponse,
  receivedAt: number,
): Promise<void> {
  // A CallAbort, not an AbortController: see executor/call-abort.ts.
  const controller = new CallAbort();
  const onClose = () => {
    if (!response.writableFinished) controller.abort(new RouterError('client_closed', 'client went away'));
  };
  response.once('close', onClose);
  const generationId = newGenerationId();
  const facts = newRequestFacts(generationId, app.now(), receivedAt);
  let writer: IngressStreamWriter | undefined;
  let streamError: RouterError | undefined;
  facts.settings.ingress = ingress.protocol;
  try {
    const caller = await admitCaller(app, request, context);
    if (caller.mode === 'key') facts.keyId = caller.key.id;
    const body = await readJsonBodyText(request, app.config.bodyLimitBytes, app.edge);
    const { converted, parsed } = parseModelCall(app, ingress, context, body.value);
    const native = nativeRequestOf(app, converted, body.text);
    // Conversion losses matter only on attempts that converted; native ones carry the body whole.
    const warningsOf = (native: boolean, upstreamWarnings: readonly string[]): readonly string[] =>
      native || converted.warnings.length === 0
        ? upstreamWarnings
        : [...converted.warnings, ...upstreamWarnings];
    facts.requestedModel = parsed.requestedModel;
    facts.routerModel = parsed.routerModel === null ? null : parsed.requestedModel;
    facts.streamed = parsed.stream;
    facts.sessionKey = parsed.sessionKey;
    if (caller.mode === 'key') applyKeyToRequest(caller.key, parsed, facts);
    facts.settings = settingsOf(parsed, facts.settings);
    const now = facts.createdAt;
    const { candidates, plan, index } = planCandidates(app, parsed, now);
    const stickyModel =
      plan === null || parsed.sessionKey === undefined
        ? undefined
        : (app.state.sticky.get(parsed.sessionKey, now)?.modelId ?? null);
    const tier = plan?.tier ?? 'none';
    facts.tier = plan?.tier ?? null;
    if (caller.mode === 'key') {
      // A key without limits has nothing to reserve against; skip estimating the worst case.
      const worstCase = limitedKinds(caller.key).length > 0 ? worstCaseOf(parsed, candidates, index) : 0;
      facts.reservation = await app.ops.ledger.acquire(caller.key, worstCase, now);
    }
    const created = Math.floor(now / 1000);
    const plannedAt = performance.now();

    if (!parsed.stream) {
      const outcome = await executeChat(
        parsed.request,
        candidates,
        app,
        controller.signal,
        undefined,
        native,
      );
      const result = outcome.result;
      if (result === undefined)
        throw new RouterError('internal', 'non-streamed call finished without a result');
      const cost = costOf(outcome.target, outcome.usage);
      const warnings = warningsOf(outcome.native, outcome.warnings);
      recordOutcome(facts, outcome, cost, warnings);
      rememberSession(app, parsed.sessionKey, plan !== null, outcome.target);
      noteStickyOutcome(facts, stickyModel, outcome.target.modelId);
      const payload = ingress.renderResult(
        {
          id: generationId,
          created,
          model: outcome.target.modelId,
          provider: outcome.target.upstream.displayName,
        },
        result,
        outcome.usage,
        cost,
        outcome.nativeBody,
        routingMetadataOf(parsed, plan, candidates, outcome),
        outcome.nativeText,
      );
      const overheadMs = Math.max(0, performance.now() - receivedAt - outcome.upstreamMs);
      response.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(payload),
        ...decisionHeaders(
          tier,
          outcome.target,
          outcome.attempts.slice(0, -1),
          generationId,
          overheadMs,
          withRequestWarnings(parsed, warnings),
        ),
      });
      response.end(payload);
      finishRequest(app.ops, facts, 200, undefined);
      return;
    }

    let currentModel = '';
    let previousAttempts: readonly AttemptRecord[] = [];
    let currentWarnings: readonly string[] = [];
    // Headers wait for the first content (or the first keep-alive tick), so a stream that fails over
    // before any content still names the model that answers.
    const writeHead = (target: UpstreamTarget): IngressStreamWriter => {
      if (writer !== undefined) return writer;
      currentModel = target.modelId;
      writer = ingress.createStreamWriter({
        id: generationId,
        created,
        model: target.modelId,
        provider: target.upstream.displayName,
      });
      response.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        ...decisionHeaders(
          tier,
          target,
          previousAttempts,
          generationId,
          plannedAt - receivedAt,
          withRequestWarnings(parsed, currentWarnings),
        ),
      });
      const opening = writer.open();
      if (opening !== '') response.write(opening);
      return writer;
    };
    /** The writer for `target`, naming it when a failover before content changed the model. */
    const writerFor = (target: UpstreamTarget): IngressStreamWriter => {
      const active = writeHead(target);
      if (target.modelId !== currentModel) {
        currentModel = target.modelId;
        active.setModel(target.modelId, target.upstream.displayName);
      }
      return active;
    };
    /**
     * Writes stream text, and waits while a slow client has more than the high-water mark buffered; a
     * client that reads nothing for `slowReaderTimeoutMs` is cut off (the upstream call stops with it).
     */
    const send = (text: string): undefined | Promise<void> => {
      if (text === '') return;
      const flowing = response.write(text);
      if (!flowing && response.writableLength > streamHighWaterBytes) {
        return new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            app.edge.shed('slow_reader');
            response.destroy();
          }, app.edge.limits.slowReaderTimeoutMs);
          const done = () => {
            clearTimeout(timer);
            response.off('drain', done);
            response.off('close', done);
            resolve();
          };
          response.on('drain', done);
          response.on('close', done);
        });
      }
      return;
    };
    let startedTarget: UpstreamTarget | undefined;
    const sink: StreamSink = {
      start(target, attempts) {
        startedTarget = target;
        previousAttempts = attempts;
      },
      beginAttempt(_target, warnings, native) {
        currentWarnings = warningsOf(native, warnings);
      },
      event: (event, target) => send(writerFor(target).event(event)),
      relay: (event, data, target, raw) => send(writerFor(target).relay(event, data, raw)),
      keepAlive() {
        if (writer === undefined && startedTarget !== undefined) writeHead(startedTarget);
        else if (writer !== undefined) send(writer.keepAlive());
      },
    };
    const outcome = await executeChat(parsed.request, candidates, app, controller.signal, sink, native);
    if (outcome.streamError?.code === 'client_closed') {
      // The client left mid-stream: the content it got was paid for upstream, so it is logged and billed.
      recordOutcome(facts, outcome, costOfOutcome(outcome), warningsOf(outcome.native, outcome.warnings));
      finishRequest(app.ops, facts, 499, outcome.streamError);
      if (!response.destroyed) response.destroy();
      return;
    }
    // An answer with no content event at all still gets its headers and closing frames.
    const active = writerFor(outcome.target);
    const cost = costOfOutcome(outcome);
    recordOutcome(facts, outcome, cost, warningsOf(outcome.native, outcome.warnings));
    // A rescue is named in a comment before the closing frames, where the protocol takes comments.
    const note = outcome.rescue === undefined ? '' : (active.comment?.(rescueComment(outcome.rescue)) ?? '');
    if (outcome.streamError !== undefined) {
      streamError = outcome.streamError;
      response.end(note + active.fail(outcome.streamError));
    } else {
      rememberSession(app, parsed.sessionKey, plan !== null, outcome.target);
      noteStickyOutcome(facts, stickyModel, outcome.target.modelId);
      const metadata = routingMetadataOf(parsed, plan, candidates, outcome);
      response.end(note + active.finish(outcome.usage, cost, outcome.finishReason, metadata));
    }
    finishRequest(app.ops, facts, 200, streamError);
  } catch (thrown) {
    const error = toRouterError(thrown);
    if (thrown instanceof ExecutionFailure) facts.attempts = thrown.attempts;
    const headersSent = response.headersSent;
    // Every response of the call names its generation id: decisionHeaders on answers, this on errors.
    // Not an early setHeader: with one, writeHead takes Node's slower path for the whole head.
    sendError(response, thrown, writer, ingress, generationId);
    finishRequest(
      app.ops,
      facts,
      // A client that left is a 499 whatever was sent before (a stream's headers go out with its first
      // keep-alive); other failures after the headers are in-band errors of a 200.
      error.code === 'client_closed' ? 499 : headersSent ? 200 : error.status,
      error,
    );
  } finally {
    response.off('close', onClose);
  }
}

/**
 * Who may call: a gateway key once keys exist; anyone in open mode, which only a loopback bind (or
 * `--allow-unauthenticated`) permits. Rate limits apply before the body is read.
 */
async function admitCaller(
  app: RouterApp,
  request: IncomingMessage,
  context: IngressContext,
): Promise<KeyContext> {
  const ops = app.ops;
  const caller = await ops.authenticator.authenticate(presentedKey(request, context));
  if (caller.mode === 'open') {
    if (!ops.openModeAllowed) {
      throw new RouterError(
        'unauthorized',
        'this router requires a gateway key (Authorization: Bearer pr-...); none has been created yet: run `pareto-router keys create`',
      );
    }
    return caller;
  }
  const limit = caller.key.rateLimitPerMinute;
  if (limit !== null) {
    const decision = await ops.rateLimiter.take(caller.key.id, limit, app.now());
    if (!decision.allowed) {
      throw new RouterError(
        'rate_limited',
        `key ${caller.key.id} is over its limit of ${limit} requests per minute`,
        {
          retryAfterSeconds: decision.retryAfterSeconds,
          metadata: { limit_per_minute: limit },
        },
      );
    }
  }
  return caller;
}

/** The key's defaults and model lists applied to the parsed request (403 for a forbidden concrete model). */
function applyKeyToRequest(key: ApiKeyRecord, parsed: ParsedChatRequest, facts: RequestFacts): void {
  const effective = applyKeyPolicy(
    key,
    parsed.settings,
    parsed.routerModel === null ? parsed.concreteModels : [],
  );
  if (effective.minCodingScore === undefined) delete parsed.settings.minCodingScore;
  else parsed.settings.minCodingScore = effective.minCodingScore;
  parsed.keyMatchers = { allowed: effective.allowedModels, excluded: effective.excludedModelsMatcher };
  facts.settings.score_source = effective.scoreSource;
  if (effective.requestScoreIgnored) facts.settings.request_score_ignored = true;
}

/** The routing settings as the request log keeps them. */
function settingsOf(parsed: ParsedChatRequest, extra: Record<string, unknown>): Record<string, unknown> {
  // Copied with Object.assign, not spread: see `executionResult` in execute-chat.ts.
  const settings: Record<string, unknown> = Object.assign({}, extra);
  const routerModel = parsed.routerModel;
  if (parsed.settings.minCodingScore !== undefined)
    settings.min_coding_score = parsed.settings.minCodingScore;
  if (parsed.settings.tier !== undefined) settings.tier = parsed.settings.tier;
  if (routerModel !== null) {
    settings.nitro = routerModel.nitro;
    if (routerModel.snapshotVersion !== undefined) settings.snapshot = routerModel.snapshotVersion;
  } else {
    settings.models = parsed.concreteModels.slice(0, 16);
  }
  if (parsed.settings.maxPrice !== undefined) settings.max_price = parsed.settings.maxPrice;
  if (parsed.settings.priceSource !== undefined) settings.price_source = parsed.settings.priceSource;
  if (parsed.settings.priceCaps !== undefined) settings.price_caps = parsed.settings.priceCaps;
  if (parsed.warnings.length > 0) settings.plugin_warnings = parsed.warnings.slice(0, 16);
  if (parsed.settings.allowedModels !== undefined)
    settings.allowed_models = parsed.settings.allowedModels.slice(0, 32);
  if (parsed.settings.excludedModels !== undefined) {
    settings.excluded_models = parsed.settings.excludedModels.slice(0, 32);
  }
  return settings;
}

/**
 * The most the call can cost on any candidate it may reach: the prompt at the higher of the input and
 * cache-write prices plus `max_tokens` (or the model's longest output) at the output price. Models the
 * index does not price reserve nothing.
 */
function worstCaseOf(
  parsed: ParsedChatRequest,
  candidates: readonly CandidateModel[],
  index: ModelIndex,
): number {
  const promptTokens = estimatePromptTokens(parsed.request);
  const requested = parsed.request.max_completion_tokens ?? parsed.request.max_tokens;
  let worst = 0;
  for (const candidate of candidates) {
    const model = index.byId.get(candidate.modelId);
    if (model === undefined) continue;
    const output = Math.min(requested ?? model.maxOutputTokens, model.contextLength);
    worst = Math.max(worst, worstCaseCost(promptTokens, output, model.pricing));
  }
  return worst;
}

function recordOutcome(
  facts: RequestFacts,
  outcome: ExecutionResult,
  cost: number,
  warnings: readonly string[],
): void {
  facts.attempts = outcome.attempts;
  facts.model = outcome.target.modelId;
  facts.upstream = outcome.target.upstream.name;
  facts.usage = outcome.usage;
  facts.costUsd = cost;
  facts.timeToFirstTokenMs = outcome.timeToFirstTokenMs;
  facts.outputTokensPerSecond = outcome.outputTokensPerSecond;
  facts.finishReason = outcome.finishReason;
  facts.upstreamMs = outcome.upstreamMs;
  facts.warnings = warnings;
  if (outcome.rescue !== undefined)
    facts.settings = { ...facts.settings, rescue: rescueSettings(outcome.rescue) };
}

/**
 * Whether a routed call with a session stayed on the session's model (`hit`: its prompt cache can
 * hit), moved off it (`miss`), or started the session (`new`), for the dashboard's cache view.
 */
function noteStickyOutcome(
  facts: RequestFacts,
  stickyModel: string | null | undefined,
  answered: string,
): void {
  if (stickyModel === undefined) return;
  facts.settings.sticky = stickyModel === null ? 'new' : stickyModel === answered ? 'hit' : 'miss';
}

function rememberSession(
  app: RouterApp,
  sessionKey: string | undefined,
  routed: boolean,
  target: UpstreamTarget,
): void {
  if (!routed || sessionKey === undefined) return;
  app.state.rememberSession(
    sessionKey,
    { modelId: target.modelId, upstream: target.upstream.name },
    app.now(),
  );
}

/**
 * The gateway key as an Authorization value, wherever the caller's protocol puts it: `Authorization:
 * Bearer` (OpenAI, OpenRouter, Claude Code with an auth token), `x-api-key` (Anthropic SDKs),
 * `x-goog-api-key` or `?key=` (Gemini).
 */
function presentedKey(request: IncomingMessage, context: IngressContext): string | undefined {
  const headers = request.headers;
  if (headers.authorization !== undefined) return headers.authorization;
  const key =
    firstValue(headers['x-api-key']) ?? firstValue(headers['x-goog-api-key']) ?? context.query.get('key');
  return key === null || key === undefined ? undefined : `Bearer ${key}`;
}

function firstValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * A token-count request (`/v1/messages/count_tokens`, Gemini `:countTokens`): the same admission and
 * parsing as a model call, answered with the router's prompt estimate (about four characters a token;
 * no upstream is called, so it costs nothing and works whichever model a bar would pick).
 */
export async function handleTokenCount(
  app: RouterApp,
  ingress: IngressAdapter,
  context: IngressContext,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  try {
    const renderTokenCount = ingress.renderTokenCount;
    if (renderTokenCount === undefined)
      throw new RouterError('not_found', `${ingress.protocol} has no token count`);
    await admitCaller(app, request, context);
    const body = await readJsonBody(request, app.config.bodyLimitBytes, app.edge);
    const { parsed } = parseModelCall(app, ingress, context, body, ingress.parseTokenCount);
    const payload = renderTokenCount(estimatePromptTokens(parsed.request));
    response.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(payload),
    });
    response.end(payload);
  } catch (thrown) {
    sendError(response, thrown, undefined, ingress);
  }
}
