/**
 * Starts a router: loads the snapshot, starts the fake upstream in demo mode, binds the HTTP server and
 * reports which models are servable by which upstream. Also what the tests and the benchmark start.
 */
import type { AddressInfo } from 'node:net';
import type { DestinationStream } from 'pino';
import type { RouterConfig } from '../config/router-config.js';
import { RouterError } from '../core/errors.js';
import type { IndexSnapshot } from '../core/model-index.js';
import { listSnapshotsSync, loadSnapshotSync } from '../index/snapshot-store.js';
import { RedisStateSync } from '../state/redis-state-sync.js';
import { createRouterServer } from './create-http-server.js';
import { demoUpstreamPreference, demoUpstreams } from './demo-upstreams.js';
import { createRouterApp, type RouterApp } from './router-app.js';
import {
  isLoopbackHost,
  type LogLevel,
  type OpenRouterOpsOptions,
  openRouterOps,
  type RouterOps,
} from './router-ops.js';
import { settleDetachChecks } from './settle-detach-checks.js';

export interface RunningRouter {
  app: RouterApp;
  url: string;
  port: number;
  /** Stops accepting connections, lets in-flight requests finish (up to `graceMs`), then closes. */
  close(graceMs?: number): Promise<void>;
}

export interface StartRouterOptions {
  log?: (line: string) => void;
  /** Where JSON log lines go (tests capture them); standard output by default. */
  logDestination?: DestinationStream;
  logLevel?: LogLevel;
  /** Use this snapshot instead of loading one (tests). */
  snapshot?: IndexSnapshot;
}

/** Starts the router for `config`. */
export async function startRouter(
  config: RouterConfig,
  options: StartRouterOptions = {},
): Promise<RunningRouter> {
  settleDetachChecks();
  const log = options.log ?? (() => undefined);
  const now = Date.now;
  const opsOptions: OpenRouterOpsOptions = { now };
  if (options.logDestination !== undefined) opsOptions.logDestination = options.logDestination;
  if (options.logLevel !== undefined) opsOptions.logLevel = options.logLevel;
  const ops = await openRouterOps(config, opsOptions);
  try {
    return await startWithOps(config, options, ops, log);
  } catch (error) {
    await ops.close().catch(() => undefined);
    throw error;
  }
}

async function startWithOps(
  config: RouterConfig,
  options: StartRouterOptions,
  ops: RouterOps,
  log: (line: string) => void,
): Promise<RunningRouter> {
  const keyCount = (await ops.store.listKeys()).filter((key) => key.revokedAt === null).length;
  if (!ops.openModeAllowed && keyCount === 0 && config.masterKey === undefined) {
    throw new RouterError(
      'config_invalid',
      `refusing to serve on ${config.host} with no gateway key: anyone who can reach it could spend your provider keys. Create a key (pareto-router keys create --name NAME), set PARETO_ROUTER_MASTER_KEY to create keys over the admin API, bind to 127.0.0.1, or pass --allow-unauthenticated`,
    );
  }
  const snapshot =
    options.snapshot ?? loadSnapshotSync({ version: config.snapshotVersion, dataDir: config.dataDir });
  let closeMock: (() => Promise<void>) | undefined;
  let effective = config;
  if (config.demo) {
    // Loaded only for a demo: a router serving real upstreams does not carry the fake one's modules.
    const { demoScripts, startMockUpstream } = await import('../mock-upstream/index.js');
    const mock = await startMockUpstream({ host: '127.0.0.1', port: 0, scripts: demoScripts() });
    closeMock = () => mock.close();
    effective = {
      ...config,
      upstreams: demoUpstreams(mock),
      upstreamPreference:
        config.upstreamPreference.length > 0 ? config.upstreamPreference : demoUpstreamPreference(),
    };
    log(
      `DEMO MODE: every answer comes from the built-in fake upstream at ${mock.url}, not from a real model.`,
    );
  }
  const app = createRouterApp({
    ops,
    config: effective,
    snapshot,
    availableVersions:
      options.snapshot === undefined
        ? listSnapshotsSync({ dataDir: config.dataDir }).map((entry) => entry.version)
        : [snapshot.version],
    loadVersion: (version) => {
      try {
        return loadSnapshotSync({ version, dataDir: config.dataDir });
      } catch {
        return undefined;
      }
    },
  });
  ops.metrics.setKnownModels(app.defaultIndex.models.map((model) => model.id));
  if (ops.redis !== undefined) {
    const sync = new RedisStateSync(ops.redis, app.state, { stickyTtlMs: config.sticky.ttlMs, now: app.now });
    try {
      await sync.start();
    } catch (error) {
      ops.logger.error(
        { error: error instanceof Error ? error.message : String(error) },
        'redis: could not load the shared live state; this instance starts with its own',
      );
    }
    // Changes made while Redis was away stay local; once it answers again, publish and load afresh.
    ops.redis.onChange((up) => {
      if (!up) return;
      sync.start().catch(() => undefined);
    });
  }
  // The demo's upstreams replace the configured ones after the metrics were made.
  ops.metrics.setKnownUpstreams(effective.upstreams.map((upstream) => upstream.name));
  const server = createRouterServer(app);
  const listenBacklog = 4096;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // A deep accept queue: an agent fleet opens thousands of streams within a second, and a connection
    // refused by a full queue (Node's default is 511) is retried by the client's kernel only after a
    // second or more, which the caller sees as time to first token. The kernel caps it at somaxconn.
    server.listen({ port: effective.port, host: effective.host, backlog: listenBacklog }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;

  const report = app.catalog.servingReport(app.defaultIndex);
  const servable = report.filter((entry) => entry.upstreams.length > 0);
  log(
    `pareto-router listening on ${url} (snapshot ${app.defaultIndex.version}, ${servable.length}/${report.length} shortlist models servable)`,
  );
  if (app.catalog.upstreams.length === 0) {
    log(
      'No upstream configured: set OPENROUTER_API_KEY (or OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY, ...), or try --demo.',
    );
  }
  for (const entry of report) {
    log(
      `  ${entry.modelId.padEnd(36)} ${entry.upstreams.length > 0 ? `via ${entry.upstreams.join(', ')}` : 'unavailable: no upstream'}`,
    );
  }
  log(
    `Request log: ${ops.store.kind === 'sqlite' ? `SQLite in ${config.dataDir}` : 'PostgreSQL (DATABASE_URL)'}; metrics at ${url}/metrics`,
  );
  if (keyCount > 0) {
    log(`Gateway keys: ${keyCount} active; every call needs one (Authorization: Bearer pr-...).`);
  } else if (isLoopbackHost(effective.host)) {
    log(
      `No gateway keys: open mode, bound to ${effective.host} only, so only this machine can call it. Create keys with \`pareto-router keys create\` before binding elsewhere.`,
    );
  } else if (ops.openModeAllowed) {
    log(
      `WARNING: --allow-unauthenticated on ${effective.host}: anyone who can reach this port can use your provider keys.`,
    );
  } else {
    log(
      'No gateway keys yet: calls are refused until a key is created (admin API or `pareto-router keys create`).',
    );
  }
  if (config.masterKey !== undefined) log('Admin API enabled at /api/v1/keys (PARETO_ROUTER_MASTER_KEY).');

  return {
    app,
    url,
    port: address.port,
    async close(graceMs = 10_000) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Connections go idle as their last call finishes; close each then rather than at the grace limit.
      server.closeIdleConnections();
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearInterval(sweep);
      clearTimeout(timer);
      try {
        await app.close();
        await ops.close();
      } finally {
        await closeMock?.();
      }
    },
  };
}
