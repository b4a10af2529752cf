/**
 * The fake upstream: one HTTP server that speaks the OpenAI, Anthropic and Gemini protocols, answers
 * like a coding model, and misbehaves on cue (scripted statuses, resets, silences, cut and stalled
 * streams...). It backs `pareto-router mock-upstream`, `serve --demo`, and every gateway test.
 *
 * Routes: `POST /openai/v1/chat/completions` (also `/v1/...`, and `/api/v1/...` with OpenRouter's error
 * envelope), `POST /anthropic/v1/messages`, `POST /gemini/v1beta/models/{model}:generateContent` and
 * `:streamGenerateContent[?alt=sse]`. Control, for use from another process: `POST /__mock/script` with
 * `{model, script}`, `POST /__mock/reset`, `GET /__mock/attempts[?model=...]`, `GET /__mock/requests`.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isRecord } from '../core/is-record.js';
import { createIdSource, type IdSource } from './create-id-source.js';
import { createReplyPlan, type PromptSummary } from './create-reply-plan.js';
import { Exchange } from './exchange.js';
import { type MockRoute, matchRoute } from './match-route.js';
import {
  type Fault,
  faultForAttempt,
  type ModelScript,
  parseModelScript,
  resolveValue,
} from './model-script.js';
import { jsonContentType, type WireContext, type WireResponse } from './protocol-wire.js';
import { type RecordedRequest, ScriptRegistry } from './script-registry.js';
import { type StreamJob, type StreamStop, writeReplyStream } from './write-reply-stream.js';

export interface MockUpstreamOptions {
  /** Default 0: any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Scripts by model id; a key ending in `*` matches every model id that starts with what precedes it. */
  scripts?: Record<string, ModelScript>;
  /** The script of models that match no key. */
  defaultScript?: ModelScript;
  /**
   * API keys the fake accepts (as `Authorization: Bearer`, `x-api-key`, `x-goog-api-key` or `?key=`);
   * any other, or none, gets a 401. Default: every request is accepted.
   */
  acceptedKeys?: readonly string[];
}

/** The model listings the fake answers with GET: each provider's path, and OpenRouter's key check. */
const listingPaths = new Set([
  '/v1/models',
  '/openai/v1/models',
  '/api/v1/models',
  '/api/v1/key',
  '/anthropic/v1/models',
  '/gemini/v1beta/models',
  '/v1beta/models',
]);

/** The API key a request presents, in any of the providers' ways, or undefined. */
function presentedKey(request: IncomingMessage, query: string): string | undefined {
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string' && authorization.startsWith('Bearer ')) return authorization.slice(7);
  for (const header of ['x-api-key', 'x-goog-api-key']) {
    const value = request.headers[header];
    if (typeof value === 'string') return value;
  }
  return query.length > 0 ? (new URLSearchParams(query).get('key') ?? undefined) : undefined;
}

export interface MockUpstream {
  /** For example `http://127.0.0.1:43121`. */
  url: string;
  /** Base URLs as each provider's SDK expects them. */
  baseUrls: { openai: string; anthropic: string; gemini: string };
  /** Replaces one model's behaviour and resets its counters. */
  script(model: string, script: ModelScript): void;
  /** All scripts back to those given at start; counters and recorded requests cleared. */
  reset(): void;
  /** Requests received, for one model or for all. */
  attempts(model?: string): number;
  /** The last 1,000 requests, oldest first. */
  requests(): RecordedRequest[];
  /** Closes the server and destroys every open socket, hung requests included. */
  close(): Promise<void>;
}

const bodyLimitBytes = 32 * 1024 * 1024;
const controlBodyLimitBytes = 1024 * 1024;
const defaultTokensPerSecond = 2_000;
// Longer than the keep-alive of common clients (undici, the OpenAI SDK), so the server never closes a
// connection a client is about to reuse.
const keepAliveTimeoutMs = 30_000;

/** Starts the fake upstream; resolves once it listens. */
export async function startMockUpstream(options: MockUpstreamOptions = {}): Promise<MockUpstream> {
  const registry = new ScriptRegistry(options.scripts ?? {}, options.defaultScript ?? {});
  const ids = createIdSource();
  const exchanges = new Set<Exchange>();
  const forget = (exchange: Exchange): void => {
    exchanges.delete(exchange);
  };

  const server = createServer((request, response) => {
    handleRequest(request, response).catch((error: unknown) => {
      // A handler bug must not take the server down: answer 500 if still possible.
      if (!response.headersSent && !response.destroyed) {
        sendJson(response, 500, { error: { message: `fake upstream failure: ${String(error)}` } });
      }
    });
  });
  server.keepAliveTimeout = keepAliveTimeoutMs;

  async function handleRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = request.url ?? '/';
    const queryStart = url.indexOf('?');
    const path = queryStart === -1 ? url : url.slice(0, queryStart);
    const query = queryStart === -1 ? '' : url.slice(queryStart + 1);
    if (path.startsWith('/__mock/')) {
      await handleControl(request, response, path, query);
      return;
    }
    if (path === '/health' || path === '/') {
      sendJson(response, 200, { status: 'ok' });
      return;
    }
    if (options.acceptedKeys !== undefined) {
      const key = presentedKey(request, query);
      if (key === undefined || !options.acceptedKeys.includes(key)) {
        sendJson(response, 401, { error: { message: 'Invalid API key', type: 'authentication_error' } });
        return;
      }
    }
    if (request.method === 'GET' && listingPaths.has(path)) {
      const ids = Object.keys(options.scripts ?? {}).filter((id) => !id.endsWith('*'));
      sendJson(response, 200, { data: ids.map((id) => ({ id, object: 'model' })) });
      return;
    }
    const route = matchRoute(path, query);
    if (route === undefined) {
      sendJson(response, 404, { error: { message: `No route for ${request.method} ${path}` } });
      return;
    }
    if (request.method !== 'POST') {
      response.setHeader('allow', 'POST');
      sendJson(response, 405, { error: { message: `Use POST for ${path}, not ${request.method}` } });
      return;
    }
    const body = await readBody(request, bodyLimitBytes);
    switch (body.kind) {
      case 'aborted':
        return;
      case 'too_large':
        sendWire(response, route.wire.renderStatusError(413, undefined, undefined), {}, true);
        return;
      case 'ok':
        answer(request, response, route, path, body.text);
        return;
    }
  }

  function answer(
    request: IncomingMessage,
    response: ServerResponse,
    route: MockRoute,
    path: string,
    text: string,
  ): void {
    const { wire } = route;
    let body: unknown = text;
    let parsed = true;
    try {
      body = JSON.parse(text);
    } catch {
      parsed = false;
    }
    const model = route.pathModel ?? (isRecord(body) && typeof body.model === 'string' ? body.model : '');
    const attempt = registry.countAttempt(model);
    const recorded: RecordedRequest = {
      protocol: wire.protocol,
      model,
      path,
      headers: flattenHeaders(request.headers),
      body,
      time: Date.now(),
      attempt,
    };
    registry.record(recorded);
    response.once('close', () => {
      recorded.endTime = Date.now();
    });
    const requestId = ids.next('req_', 24);
    const headers = { [wire.requestIdHeader]: requestId, 'x-mock-attempt': String(attempt) };
    if (!parsed) {
      sendWire(
        response,
        wire.renderInvalidRequest('The request body is not valid JSON.', route.flavour),
        headers,
      );
      return;
    }
    const read = wire.readPrompt(body, route.pathModel, route.pathStream);
    if (!read.ok) {
      sendWire(response, wire.renderInvalidRequest(read.message, route.flavour), headers);
      return;
    }
    const script = registry.scriptFor(model);
    if (read.prompt.prefill !== undefined && script.prefill === 'refuse') {
      sendWire(response, wire.renderInvalidRequest(wire.prefillRefusal, route.flavour), headers);
      return;
    }
    const fault = faultForAttempt(script, attempt, registry.scriptAgeMs(model, Date.now()));
    const context = createContext(read.prompt, script, route, ids);
    const exchange = new Exchange(request, response, forget);
    exchanges.add(exchange);
    const respond = (): void => {
      respondTo(exchange, { route, script, fault, context, headers, model });
    };
    const latencyMs = resolveValue(script.latencyMs, model, 0);
    if (latencyMs > 0) exchange.after(latencyMs, respond);
    else respond();
  }

  async function handleControl(
    request: IncomingMessage,
    response: ServerResponse,
    path: string,
    query: string,
  ): Promise<void> {
    if (path === '/__mock/attempts' && request.method === 'GET') {
      const model = query.length > 0 ? (new URLSearchParams(query).get('model') ?? undefined) : undefined;
      sendJson(
        response,
        200,
        model === undefined
          ? { total: registry.attempts(), models: registry.attemptsByModelId() }
          : { model, attempts: registry.attempts(model) },
      );
      return;
    }
    if (path === '/__mock/requests' && request.method === 'GET') {
      sendJson(response, 200, { requests: registry.requests() });
      return;
    }
    if (path === '/__mock/reset' && request.method === 'POST') {
      const body = await readBody(request, controlBodyLimitBytes);
      if (body.kind === 'aborted') return;
      registry.reset();
      sendJson(response, 200, { ok: true });
      return;
    }
    if (path === '/__mock/script' && request.method === 'POST') {
      const body = await readBody(request, controlBodyLimitBytes);
      if (body.kind === 'aborted') return;
      const result = parseScriptCommand(body.kind === 'ok' ? body.text : undefined);
      if (!result.ok) {
        sendJson(response, 400, { error: { message: result.message } });
        return;
      }
      registry.setScript(result.model, result.script);
      sendJson(response, 200, { ok: true });
      return;
    }
    sendJson(response, 404, { error: { message: `No control route ${request.method} ${path}` } });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;

  let closing: Promise<void> | undefined;
  return {
    url,
    baseUrls: {
      openai: `${url}/openai/v1`,
      anthropic: `${url}/anthropic/v1`,
      gemini: `${url}/gemini/v1beta`,
    },
    script: (model, script) => registry.setScript(model, script),
    reset: () => registry.reset(),
    attempts: (model) => registry.attempts(model),
    requests: () => registry.requests(),
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const exchange of [...exchanges]) exchange.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

interface Reply {
  route: MockRoute;
  script: ModelScript;
  fault: Fault | undefined;
  context: WireContext;
  headers: Record<string, string>;
  model: string;
}

function createContext(
  prompt: PromptSummary,
  script: ModelScript,
  route: MockRoute,
  ids: IdSource,
): WireContext {
  const { prefix, length } = route.wire.responseId;
  return {
    model: prompt.model,
    id: ids.next(prefix, length),
    created: Math.floor(Date.now() / 1000),
    prompt,
    promptTokens: script.usage?.promptTokens ?? Math.ceil(prompt.promptCharacters / 4),
    flavour: route.flavour,
    sse: route.sse,
    nextId: (idPrefix, idLength) => ids.next(idPrefix, idLength),
  };
}

function respondTo(exchange: Exchange, reply: Reply): void {
  const { route, fault, context, headers } = reply;
  const { wire } = route;
  if (fault === undefined) {
    sendAnswer(exchange, reply, undefined);
    return;
  }
  switch (fault.type) {
    case 'status': {
      const envelope = wire.renderStatusError(fault.status, context, fault.retryAfter);
      const wireResponse =
        fault.body === undefined ? envelope : { ...envelope, body: fault.body, contentType: jsonContentType };
      sendWire(exchange.response, wireResponse, headers);
      return;
    }
    case 'context_length_exceeded':
      sendWire(exchange.response, wire.renderContextLengthExceeded(context, fault.contextWindow), headers);
      return;
    case 'content_policy':
      sendWire(exchange.response, wire.renderContentPolicy(context), headers);
      return;
    case 'reset':
      exchange.destroy();
      return;
    case 'no_response':
      // Nothing, ever: the exchange stays open until the client gives up or close() destroys it.
      return;
    case 'slow_first_token':
    case 'cut':
    case 'stall':
    case 'malformed_chunk':
    case 'no_done':
    case 'midstream_error':
    case 'truncated_body':
      sendAnswer(exchange, reply, fault);
      return;
  }
}

type AnswerFault = Extract<
  Fault,
  {
    type:
      | 'slow_first_token'
      | 'cut'
      | 'stall'
      | 'malformed_chunk'
      | 'no_done'
      | 'midstream_error'
      | 'truncated_body';
  }
>;

function sendAnswer(exchange: Exchange, reply: Reply, fault: AnswerFault | undefined): void {
  const { route, script, context, headers, model } = reply;
  const plan = createReplyPlan(script, context.prompt);
  if (context.prompt.stream) {
    const frames = route.wire.renderStream(plan, context);
    exchange.response.writeHead(200, {
      'content-type': route.wire.streamContentType(context),
      'cache-control': 'no-cache',
      ...headers,
    });
    const contentChunks = frames.reduce((total, frame) => total + (frame.kind === 'content' ? 1 : 0), 0);
    const job: StreamJob = {
      frames,
      tokensPerSecond: resolveValue(script.tokensPerSecond, model, defaultTokensPerSecond),
      firstFrameDelayMs: fault?.type === 'slow_first_token' ? fault.delayMs : 0,
      stop: streamStopFor(fault, contentChunks),
      malformedAtChunk: fault?.type === 'malformed_chunk' ? fault.atChunk : undefined,
      malformedText: route.wire.renderMalformedChunk(context),
      midstreamErrorText: route.wire.renderMidstreamError(context, true),
      dropDone: fault?.type === 'no_done',
    };
    writeReplyStream(exchange, job);
    return;
  }
  sendBody(exchange, reply, route.wire.renderBody(plan, context), fault);
}

function streamStopFor(fault: AnswerFault | undefined, contentChunks: number): StreamStop | undefined {
  if (fault === undefined) return undefined;
  switch (fault.type) {
    case 'cut':
    case 'stall':
    case 'midstream_error':
      return { kind: fault.type, afterChunks: fault.afterChunks };
    case 'truncated_body':
      // A body fault on a stream: the stream is cut in the middle of its content.
      return { kind: 'cut', afterChunks: Math.floor(contentChunks / 2) };
    case 'slow_first_token':
    case 'malformed_chunk':
    case 'no_done':
      return undefined;
  }
}

function sendBody(exchange: Exchange, reply: Reply, body: string, fault: AnswerFault | undefined): void {
  const { response } = exchange;
  const { headers, context, route } = reply;
  const head = (contentLength: number | undefined, extra: Record<string, string> = {}): void => {
    const all: Record<string, string | number> = { 'content-type': jsonContentType, ...headers, ...extra };
    if (contentLength !== undefined) all['content-length'] = contentLength;
    response.writeHead(200, all);
  };
  if (fault === undefined) {
    head(Buffer.byteLength(body));
    response.end(body);
    return;
  }
  const bytes = Buffer.from(body);
  const half = bytes.subarray(0, Math.floor(bytes.length / 2));
  switch (fault.type) {
    case 'no_done':
      head(bytes.length);
      response.end(bytes);
      return;
    case 'slow_first_token':
      head(bytes.length);
      response.flushHeaders();
      exchange.after(fault.delayMs, () => response.end(bytes));
      return;
    case 'cut':
      // The promised length never arrives: the client sees the connection close mid-body.
      head(bytes.length);
      response.write(half);
      exchange.cut('');
      return;
    case 'stall':
      head(bytes.length);
      response.flushHeaders();
      return;
    case 'malformed_chunk': {
      const broken = `${body.slice(0, Math.floor(body.length / 2))}<<malformed>>${body.slice(Math.floor(body.length / 2))}`;
      head(Buffer.byteLength(broken));
      response.end(broken);
      return;
    }
    case 'midstream_error': {
      // Providers that fail after accepting a non-streamed call answer 200 with an error object.
      const errorBody = route.wire.renderMidstreamError(context, false);
      head(Buffer.byteLength(errorBody));
      response.end(errorBody);
      return;
    }
    case 'truncated_body':
      // A complete HTTP response whose JSON stops halfway: the body, not the connection, is broken.
      head(undefined, { connection: 'close' });
      response.end(half);
      return;
  }
}

function sendWire(
  response: ServerResponse,
  wireResponse: WireResponse,
  headers: Record<string, string>,
  closeConnection = false,
): void {
  const all: Record<string, string | number> = {
    'content-type': wireResponse.contentType,
    'content-length': Buffer.byteLength(wireResponse.body),
    ...wireResponse.headers,
    ...headers,
  };
  if (closeConnection) all.connection = 'close';
  response.writeHead(wireResponse.status, all);
  response.end(wireResponse.body);
}

function sendJson(response: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  response.writeHead(status, { 'content-type': jsonContentType, 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

type BodyResult = { kind: 'ok'; text: string } | { kind: 'too_large' } | { kind: 'aborted' };

/** Reads the request body as text, stopping as soon as it exceeds `limit` bytes. */
function readBody(request: IncomingMessage, limit: number): Promise<BodyResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let overflow = false;
    request.on('data', (chunk: Buffer) => {
      if (overflow) return;
      size += chunk.length;
      if (size > limit) {
        // Answer now; the rest is discarded and the response closes the connection.
        overflow = true;
        chunks.length = 0;
        resolve({ kind: 'too_large' });
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (!overflow) resolve({ kind: 'ok', text: Buffer.concat(chunks, size).toString('utf8') });
    });
    request.on('error', () => resolve({ kind: 'aborted' }));
  });
}

function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

type ScriptCommand = { ok: true; model: string; script: ModelScript } | { ok: false; message: string };

function parseScriptCommand(text: string | undefined): ScriptCommand {
  if (text === undefined) return { ok: false, message: 'The body is larger than 1 MiB.' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, message: 'The body is not valid JSON.' };
  }
  if (!isRecord(value) || typeof value.model !== 'string' || value.model.length === 0) {
    return { ok: false, message: 'Expected {"model": string, "script": {...}}.' };
  }
  const parsed = parseModelScript(value.script ?? {});
  if (!parsed.ok) return { ok: false, message: `Invalid script for ${value.model}: ${parsed.message}` };
  return { ok: true, model: value.model, script: parsed.script };
}
