/**
 * The dashboard at `/`: a static page, its script and style, the charting library from the installed
 * package, and the JSON endpoints under `/api/v1/dashboard/` that the page polls. Everything the page
 * shows comes from these endpoints; aggregation happens in the store, so a payload stays small however
 * long the request log grows.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { RouterError } from '../core/errors.js';
import { upstreamsIn } from '../server/plan-candidates.js';
import { readJsonBody } from '../server/read-json-body.js';
import type { RouterApp } from '../server/router-app.js';
import { sendError } from '../server/send-error.js';
import { SqliteRequestStore } from '../store/sqlite-request-store.js';
import { WorkerDashboardReads } from '../store/worker-dashboard-reads.js';
import { buildFrontierData } from './build-frontier-data.js';
import {
  renderCache,
  renderKeys,
  renderPerformance,
  renderRecentRequests,
  renderRequestRecord,
  renderSnapshot,
  renderTraffic,
  type StatsReader,
} from './dashboard-endpoints.js';
import { DashboardSessions, sessionCookie } from './dashboard-sessions.js';
import { buildFrontierChartOption } from './frontier-chart-spec.js';

export const dashboardApiPrefix = '/api/v1/dashboard/';
const assetPrefix = '/dashboard/';

interface Asset {
  contentType: string;
  body: Buffer;
  gzipped: Buffer;
}

const assetsDir = fileURLToPath(new URL('../../assets/dashboard/', import.meta.url));
const assetFiles: Readonly<Record<string, { file: () => string; contentType: string }>> = {
  'dashboard.js': {
    file: () => join(assetsDir, 'dashboard.js'),
    contentType: 'text/javascript; charset=utf-8',
  },
  'dashboard.css': { file: () => join(assetsDir, 'dashboard.css'), contentType: 'text/css; charset=utf-8' },
  // The library's own prebuilt browser file, from the installed package: no CDN, no build step.
  'echarts.min.js': {
    file: () => join(dirname(createRequire(import.meta.url).resolve('echarts')), 'echarts.min.js'),
    contentType: 'text/javascript; charset=utf-8',
  },
};
const assetCache = new Map<string, Asset>();

function loadAsset(name: string): Asset | undefined {
  const cached = assetCache.get(name);
  if (cached !== undefined) return cached;
  const entry = assetFiles[name];
  if (entry === undefined) return undefined;
  const body = readFileSync(entry.file());
  const asset = { contentType: entry.contentType, body, gzipped: gzipSync(body) };
  assetCache.set(name, asset);
  return asset;
}

const pageSecurityHeaders = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** What the dashboard keeps between requests: sessions and a short-lived cache of the store's aggregates. */
export interface DashboardContext {
  app: RouterApp;
  sessions: DashboardSessions;
  stats: StatsReader;
}

/** The dashboard's state for one router. */
export function createDashboardContext(app: RouterApp): DashboardContext {
  return { app, sessions: new DashboardSessions(app.config.masterKey), stats: createStatsReader(app) };
}

/**
 * Answers `GET`/`HEAD /`, `/dashboard/*` assets and `/api/v1/dashboard/*`; returns false, without
 * touching the response, for any other path.
 */
export function handleDashboardRequest(
  context: DashboardContext,
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
  method: string,
  query: URLSearchParams,
): boolean {
  if (path === '/') {
    if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed(method, path, 'GET');
    sendAsset(request, response, method, pageAsset(), {
      ...pageSecurityHeaders,
      'cache-control': 'no-store',
    });
    return true;
  }
  if (path.startsWith(assetPrefix)) {
    if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed(method, path, 'GET');
    const asset = loadAsset(path.slice(assetPrefix.length));
    if (asset === undefined) throw new RouterError('not_found', `no dashboard file ${path}`);
    sendAsset(request, response, method, asset, {
      'x-content-type-options': 'nosniff',
      'cache-control': 'public, max-age=300',
    });
    return true;
  }
  if (!path.startsWith(dashboardApiPrefix)) return false;
  void answerApi(context, request, response, path.slice(dashboardApiPrefix.length), method, query).catch(
    (error: unknown) => {
      request.resume();
      sendError(response, error);
    },
  );
  return true;
}

let page: Asset | undefined;
function pageAsset(): Asset {
  if (page === undefined) {
    const body = readFileSync(join(assetsDir, 'index.html'));
    page = { contentType: 'text/html; charset=utf-8', body, gzipped: gzipSync(body) };
  }
  return page;
}

function sendAsset(
  request: IncomingMessage,
  response: ServerResponse,
  method: string,
  asset: Asset,
  headers: Record<string, string>,
): void {
  const gzip = /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
  const body = gzip ? asset.gzipped : asset.body;
  response.writeHead(200, {
    ...headers,
    'content-type': asset.contentType,
    'content-length': body.length,
    vary: 'accept-encoding',
    ...(gzip ? { 'content-encoding': 'gzip' } : {}),
  });
  response.end(method === 'HEAD' ? undefined : body);
}

function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const payload = JSON.stringify(body);
  response.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    'cache-control': 'no-store',
  });
  response.end(payload);
}

async function answerApi(
  context: DashboardContext,
  request: IncomingMessage,
  response: ServerResponse,
  route: string,
  method: string,
  query: URLSearchParams,
): Promise<void> {
  const { app, sessions } = context;
  const now = app.now();
  if (route === 'session') {
    switch (method) {
      case 'GET':
        return sendJson(response, 200, {
          sign_in_required: sessions.required,
          signed_in: !sessions.required || sessions.isSignedIn(request.headers.cookie, now),
        });
      case 'POST': {
        if (!sessions.required) {
          throw new RouterError(
            'not_found',
            'no sign-in: PARETO_ROUTER_MASTER_KEY is not set, the dashboard is open',
          );
        }
        // A JSON body cannot be sent by a cross-site form without a CORS preflight the router never grants.
        if (!String(request.headers['content-type'] ?? '').startsWith('application/json')) {
          throw new RouterError('invalid_request', 'sign in with a JSON body {"key": "<master key>"}');
        }
        const body = await readJsonBody(request, 4096);
        const key = typeof body === 'object' && body !== null ? (body as { key?: unknown }).key : undefined;
        if (typeof key !== 'string' || !sessions.matchesMasterKey(key)) {
          throw new RouterError('unauthorized', 'that is not the master key');
        }
        return sendJson(
          response,
          200,
          { signed_in: true },
          { 'set-cookie': sessionCookie(sessions.open(now)) },
        );
      }
      case 'DELETE':
        sessions.close(request.headers.cookie);
        return sendJson(response, 200, { signed_in: false }, { 'set-cookie': sessionCookie(null) });
      default:
        throw methodNotAllowed(method, `${dashboardApiPrefix}${route}`, 'GET, POST or DELETE');
    }
  }
  if (method !== 'GET') throw methodNotAllowed(method, `${dashboardApiPrefix}${route}`, 'GET');
  await assertSignedIn(context, request, now);
  switch (route) {
    case 'frontier': {
      const index = app.defaultIndex;
      const data = buildFrontierData(index, app.routePolicy, liveViewOf(app, now));
      const compact = query.get('compact') === '1';
      return sendJson(response, 200, {
        ...data,
        chart: buildFrontierChartOption(data, { compact, title: null }),
      });
    }
    case 'traffic':
      return sendJson(response, 200, await renderTraffic(app, context.stats, query, now));
    case 'performance':
      return sendJson(response, 200, await renderPerformance(app, context.stats, query, now));
    case 'cache':
      return sendJson(response, 200, await renderCache(context.stats, query, now));
    case 'requests':
      return sendJson(response, 200, await renderRecentRequests(app, query));
    case 'keys':
      return sendJson(response, 200, await renderKeys(app, now));
    case 'snapshot':
      return sendJson(response, 200, renderSnapshot(app));
    default:
      if (route.startsWith('requests/')) {
        return sendJson(response, 200, await renderRequestRecord(app, decodedId(route.slice(9))));
      }
      throw new RouterError('not_found', `no dashboard endpoint ${dashboardApiPrefix}${route}`);
  }
}

async function assertSignedIn(
  context: DashboardContext,
  request: IncomingMessage,
  now: number,
): Promise<void> {
  const { app, sessions } = context;
  if (sessions.required) {
    if (sessions.isSignedIn(request.headers.cookie, now)) return;
    throw new RouterError('unauthorized', 'sign in to the dashboard first (POST /api/v1/dashboard/session)');
  }
  if (!app.ops.openModeAllowed) {
    throw new RouterError(
      'unauthorized',
      'the dashboard is off: this router listens beyond loopback; set PARETO_ROUTER_MASTER_KEY to sign in to it',
      { status: 403 },
    );
  }
  // Open like the API, and no more: once gateway keys exist the API wants one, and the dashboard, which
  // shows every key and request, wants the master key's sign-in.
  const open = await app.ops.authenticator.authenticate(undefined).then(
    (caller) => caller.mode === 'open',
    () => false,
  );
  if (!open) {
    throw new RouterError(
      'unauthorized',
      'the dashboard is off while gateway keys are in use; set PARETO_ROUTER_MASTER_KEY to sign in to it',
      { status: 403 },
    );
  }
}

/** A generation id from the path; a malformed %-escape is the caller's mistake (400), not a 500. */
function decodedId(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new RouterError('invalid_request', `malformed request id in the path: ${JSON.stringify(text)}`);
  }
}

function liveViewOf(app: RouterApp, now: number) {
  return app.state.liveView(now, upstreamsIn(app, app.defaultIndex));
}

/** Reads the store's aggregates, sharing one read between the endpoints the page polls together. */
function createStatsReader(app: RouterApp): StatsReader {
  const store = app.ops.store;
  const source =
    store instanceof SqliteRequestStore && WorkerDashboardReads.available()
      ? new WorkerDashboardReads(store.filePath, store, store.driver)
      : store;
  let last: { key: string; at: number; stats: ReturnType<StatsReader> } | undefined;
  return (query) => {
    const key = `${query.since}:${query.until}:${query.bucketMs}`;
    const now = Date.now();
    if (last !== undefined && last.key === key && now - last.at < 1000) return last.stats;
    const stats = source.dashboardStats(query);
    last = { key, at: now, stats };
    stats.catch(() => {
      if (last?.stats === stats) last = undefined;
    });
    return stats;
  };
}

function methodNotAllowed(method: string, path: string, allowed: string): RouterError {
  return new RouterError('invalid_request', `${method} is not allowed on ${path}; use ${allowed}`, {
    status: 405,
  });
}
