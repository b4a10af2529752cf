/**
 * The HTTP edge: a dozen fixed routes on node:http. A framework's router and middleware would sit on
 * every request of a component whose whole job is to add as little as possible, so routing is one
 * switch on method and path here.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import { type AdminContext, handleAdminRequest, matchAdminRoute } from '../admin/handle-admin-request.js';
import { renderKeyInfo } from '../admin/render-key-info.js';
import { RouterError } from '../core/errors.js';
import { createDashboardContext, handleDashboardRequest } from '../dashboard/handle-dashboard-request.js';
import { messagesIngress } from '../ingress/anthropic-messages/index.js';
import { chatIngress } from '../ingress/chat/index.js';
import {
  geminiIngress,
  parseGeminiPath,
  renderGeminiModel,
  renderGeminiModelList,
} from '../ingress/gemini/index.js';
import type { IngressAdapter } from '../ingress/ingress-adapter.js';
import { responsesIngress } from '../ingress/openai-responses/index.js';
import { createBrowserGuard, setCorsHeaders } from './check-browser-request.js';
import { renderExplain } from './handle-explain.js';
import { renderGeneration } from './handle-generation.js';
import { handleModelCall, handleTokenCount } from './handle-model-call.js';
import { renderModelList } from './handle-models.js';
import type { RouterApp } from './router-app.js';
import { sendError } from './send-error.js';

function sendJson(response: ServerResponse, status: number, payload: string): void {
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
  });
  response.end(payload);
}

/** Routes one request. Never throws: every failure becomes an error envelope. */
export function createRequestListener(app: RouterApp) {
  let modelList: string | undefined;
  let geminiModelList: string | undefined;
  const admin = adminContextOf(app);
  const dashboard = createDashboardContext(app);
  const guard = createBrowserGuard(app.config);
  const edge = app.edge;
  const query = (url: string, queryStart: number) =>
    new URLSearchParams(queryStart < 0 ? '' : url.slice(queryStart + 1));
  const modelCall = (
    ingress: IngressAdapter,
    request: IncomingMessage,
    response: ServerResponse,
    receivedAt: number,
    queryParameters: URLSearchParams,
  ) => {
    edge.enter(response);
    void handleModelCall(
      app,
      ingress,
      { headers: request.headers, query: queryParameters },
      request,
      response,
      receivedAt,
    );
  };
  return (request: IncomingMessage, response: ServerResponse): void => {
    const receivedAt = performance.now();
    const url = request.url ?? '/';
    const queryStart = url.indexOf('?');
    const path = queryStart < 0 ? url : url.slice(0, queryStart);
    const method = request.method ?? 'GET';
    try {
      if (method === 'OPTIONS') {
        request.resume();
        guard.preflight(request, response);
        return;
      }
      const corsOrigin = guard.check(request, method);
      if (corsOrigin !== undefined) setCorsHeaders(response, corsOrigin);
      switch (path) {
        case '/api/v1/chat/completions':
        case '/v1/chat/completions':
          if (method !== 'POST') throw methodNotAllowed(method, path, 'POST');
          modelCall(chatIngress, request, response, receivedAt, query(url, queryStart));
          return;
        case '/api/v1/messages':
        case '/v1/messages':
          // Claude Code adds `?beta=true`; the query carries nothing the router reads.
          if (method !== 'POST') throw methodNotAllowed(method, path, 'POST');
          modelCall(messagesIngress, request, response, receivedAt, query(url, queryStart));
          return;
        case '/api/v1/messages/count_tokens':
        case '/v1/messages/count_tokens':
          if (method !== 'POST') throw methodNotAllowed(method, path, 'POST');
          edge.enter(response);
          void handleTokenCount(
            app,
            messagesIngress,
            { headers: request.headers, query: query(url, queryStart) },
            request,
            response,
          );
          return;
        case '/api/v1/responses':
        case '/v1/responses':
          if (method !== 'POST') throw methodNotAllowed(method, path, 'POST');
          modelCall(responsesIngress, request, response, receivedAt, query(url, queryStart));
          return;
        case '/v1beta/models':
          if (method !== 'GET') throw methodNotAllowed(method, path, 'GET');
          geminiModelList ??= renderGeminiModelList(geminiModelsOf(app));
          sendJson(response, 200, geminiModelList);
          return;
        case '/':
          // The dashboard page; clients also probe the root before their first call (Claude Code sends
          // HEAD /), and get a 200 either way.
          handleDashboardRequest(dashboard, request, response, path, method, query(url, queryStart));
          return;
        case '/api/v1/models':
        case '/v1/models':
          if (method !== 'GET') throw methodNotAllowed(method, path, 'GET');
          modelList ??= renderModelList(app);
          sendJson(response, 200, modelList);
          return;
        case '/api/v1/router/explain':
          if (method !== 'GET') throw methodNotAllowed(method, path, 'GET');
          sendJson(
            response,
            200,
            renderExplain(app, new URLSearchParams(queryStart < 0 ? '' : url.slice(queryStart + 1))),
          );
          return;
        case '/api/v1/generation':
          if (method !== 'GET') throw methodNotAllowed(method, path, 'GET');
          void answerAsync(response, async () => {
            const caller = await app.ops.authenticator.authenticate(request.headers.authorization);
            return renderGeneration(
              app.ops,
              caller,
              new URLSearchParams(queryStart < 0 ? '' : url.slice(queryStart + 1)),
            );
          });
          return;
        case '/api/v1/key':
        case '/api/v1/auth/key':
          if (method !== 'GET') throw methodNotAllowed(method, path, 'GET');
          void answerAsync(response, async () => {
            const caller = await app.ops.authenticator.authenticate(request.headers.authorization);
            return renderKeyInfo(caller, app.ops.ledger, app.now());
          });
          return;
        case '/metrics':
          if (method !== 'GET') throw methodNotAllowed(method, path, 'GET');
          void renderMetrics(app).then(
            ({ contentType, body }) => {
              response.writeHead(200, {
                'content-type': contentType,
                'content-length': Buffer.byteLength(body),
              });
              response.end(body);
            },
            (error: unknown) => sendError(response, error),
          );
          return;
        case '/health':
          sendJson(response, 200, JSON.stringify({ status: 'ok' }));
          return;
        case '/ready': {
          const servable = app.defaultIndex.shortlist.filter((model) => app.catalog.isServable(model)).length;
          const ready = servable > 0;
          sendJson(
            response,
            ready ? 200 : 503,
            JSON.stringify({
              ready,
              snapshot: app.defaultIndex.version,
              servable_models: servable,
              upstreams: app.catalog.upstreams.map((upstream) => upstream.name),
              ...redisReadiness(app),
              // Servable but held back for now: the circuits (model through one upstream) that are open.
              open_circuits: app.state.circuits
                .snapshot(app.now())
                .filter((circuit) => circuit.state === 'open')
                .map((circuit) => ({ model: circuit.modelId, upstream: circuit.upstream })),
              ...(ready ? {} : { reason: 'no configured upstream serves any shortlist model' }),
            }),
          );
          return;
        }
        default:
          if (routeGemini(request, response, path, method, query(url, queryStart), receivedAt)) return;
          if (handleDashboardRequest(dashboard, request, response, path, method, query(url, queryStart)))
            return;
          if (matchAdminRoute(path) !== null) {
            void handleAdminRequest(admin, request, response, path, method);
            return;
          }
          throw new RouterError('not_found', `no route for ${method} ${path}`);
      }
    } catch (error) {
      request.resume();
      sendError(response, error, undefined, ingressOfPath(path));
    }
  };

  /**
   * Gemini's model resources: `POST /v1beta/models/{model}:{method}` (the model may hold slashes and
   * colons; the method follows the last) and `GET /v1beta/models/{model}`. False when `path` is neither.
   */
  function routeGemini(
    request: IncomingMessage,
    response: ServerResponse,
    path: string,
    method: string,
    queryParameters: URLSearchParams,
    receivedAt: number,
  ): boolean {
    const target = parseGeminiPath(path);
    if (target === null) {
      if (method !== 'GET' || !path.startsWith('/v1beta/models/')) return false;
      let id: string;
      try {
        id = decodeURIComponent(path.slice('/v1beta/models/'.length));
      } catch {
        throw new RouterError('not_found', `no model at ${path}: the path is not valid percent-encoding`);
      }
      const model = geminiModelsOf(app).find((entry) => entry.id === id);
      if (model === undefined) throw new RouterError('not_found', `model "${id}" is not in the index`);
      sendJson(response, 200, JSON.stringify(renderGeminiModel(model)));
      return true;
    }
    if (method !== 'POST') throw methodNotAllowed(method, path, 'POST');
    edge.enter(response);
    const context = {
      headers: request.headers,
      query: queryParameters,
      pathModel: target.model,
      pathStream: target.method === 'streamGenerateContent',
    };
    if (target.method === 'countTokens')
      void handleTokenCount(app, geminiIngress, context, request, response);
    else void handleModelCall(app, geminiIngress, context, request, response, receivedAt);
    return true;
  }
}

/** The ingress whose error envelope a failed route gets: the protocol its path belongs to. */
function ingressOfPath(path: string): IngressAdapter {
  if (path.startsWith('/v1beta/') || parseGeminiPath(path) !== null) return geminiIngress;
  if (path.endsWith('/messages') || path.endsWith('/messages/count_tokens')) return messagesIngress;
  if (path.endsWith('/responses')) return responsesIngress;
  return chatIngress;
}

/** The shortlist as Gemini's model list names it. */
function geminiModelsOf(app: RouterApp) {
  return app.defaultIndex.shortlist.map((model) => ({
    id: model.id,
    displayName: model.name,
    contextLength: model.contextLength,
    maxOutputTokens: model.maxOutputTokens,
  }));
}

/** Sends the JSON `produce` resolves with, or the error envelope it rejects with. */
function answerAsync(response: ServerResponse, produce: () => Promise<string>): Promise<void> {
  return produce().then(
    (payload) => sendJson(response, 200, payload),
    (error: unknown) => sendError(response, error),
  );
}

/**
 * The shared Redis in `/ready`: an instance whose Redis is down stays ready (it routes on local state),
 * and says so, with what happens to keys with budgets meanwhile.
 */
function redisReadiness(app: RouterApp): Record<string, unknown> {
  if (app.ops.redis === undefined) return {};
  if (app.ops.redis.up) return { redis: 'up' };
  return {
    redis: 'down',
    redis_effect:
      app.config.budgetFailOpen === true
        ? 'routing on local state; keys with budgets counted by this instance alone (fail open)'
        : 'routing on local state; keys with budgets refused with 503 until Redis answers (fail closed)',
  };
}

/** Circuit states and the log buffer are read at scrape time, so the request path never updates them. */
function renderMetrics(app: RouterApp): Promise<{ contentType: string; body: string }> {
  const metrics = app.ops.metrics;
  metrics.setCircuitStates(app.state.circuits.snapshot(app.now()));
  metrics.setLogBuffer(app.ops.logWriter.depth, app.ops.logWriter.dropped);
  if (app.ops.redis !== undefined) metrics.setRedisState(app.ops.redis.up, app.ops.pendingSettles());
  return metrics.render();
}

function adminContextOf(app: RouterApp): AdminContext {
  return {
    store: app.ops.store,
    authenticator: app.ops.authenticator,
    ledger: app.ops.ledger,
    masterKey: app.config.masterKey,
    now: app.now,
  };
}

function methodNotAllowed(method: string, path: string, allowed: string): RouterError {
  return new RouterError('invalid_request', `${method} is not allowed on ${path}; use ${allowed}`, {
    status: 405,
  });
}

/** An http.Server for the app, tuned for long-lived keep-alive clients and long streams. */
export function createRouterServer(app: RouterApp): Server {
  const listener = createRequestListener(app);
  const limits = app.edge.limits;
  const server = createServer(
    {
      keepAliveTimeout: 65_000,
      headersTimeout: limits.headersTimeoutMs,
      // A backstop: the body timeout proper runs while the body is read, and answers in the envelope.
      requestTimeout: limits.headersTimeoutMs + limits.bodyTimeoutMs + 1_000,
      // How often Node looks for connections past those limits (30 s by default).
      connectionsCheckingInterval: Math.max(100, Math.min(1_000, Math.floor(limits.headersTimeoutMs / 2))),
    },
    (request, response) => {
      // Shutting down: answer what arrived, but tell keep-alive clients to go elsewhere for the next call.
      if (!server.listening) response.shouldKeepAlive = false;
      listener(request, response);
    },
  );
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) =>
    answerClientError(app, error, socket),
  );
  return server;
}

const answeredSockets = new WeakSet<Duplex>();

/**
 * A connection Node's parser gave up on (headers too large, too slow, malformed): answered in the
 * envelope and counted as shed, where Node would write a bare status line.
 */
function answerClientError(app: RouterApp, error: NodeJS.ErrnoException, socket: Duplex): void {
  // The parser may report the rest of a refused request again: one answer and one count per connection.
  if (answeredSockets.has(socket)) {
    socket.destroy();
    return;
  }
  answeredSockets.add(socket);
  const limits = app.edge.limits;
  let failure: RouterError | undefined;
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      app.edge.shed('headers_too_large');
      failure = new RouterError(
        'headers_too_large',
        'the request headers are larger than the router accepts',
      );
      break;
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      app.edge.shed('headers_timeout');
      failure = new RouterError(
        'timeout',
        `the request did not arrive within ${limits.headersTimeoutMs} ms (headers) and ${limits.bodyTimeoutMs} ms (body)`,
      );
      break;
    case 'ECONNRESET':
    case 'EPIPE':
      break;
    default:
      app.edge.shed('bad_request');
      failure = new RouterError('invalid_request', 'the request is not valid HTTP/1.1');
  }
  const pending = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (failure === undefined || !socket.writable || pending?.headersSent === true) {
    socket.destroy();
    return;
  }
  const rendered = chatIngress.renderError(failure);
  const reason =
    failure.status === 431
      ? 'Request Header Fields Too Large'
      : failure.status === 408
        ? 'Request Timeout'
        : 'Bad Request';
  socket.end(
    `HTTP/1.1 ${rendered.status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(rendered.body)}\r\nconnection: close\r\n\r\n${rendered.body}`,
  );
  // A peer that never reads must not keep the socket: gone after a short grace either way.
  setTimeout(() => socket.destroy(), 1_000).unref();
}
