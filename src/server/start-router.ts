/**
 * Starts a router: loads the snapshot, starts the fake upstream in demo mode, binds the HTTP server and
 * reports which models are servable by which upstream. Also what the tests and the benchmark start.
 */
import type { AddressInfo } from 'node:net';
import type { RouterConfig } from '../config/router-config.js';
import type { IndexSnapshot } from '../core/model-index.js';
import { listSnapshotsSync, loadSnapshotSync } from '../index/snapshot-store.js';
import { demoScripts, startMockUpstream } from '../mock-upstream/index.js';
import { createRouterServer } from './create-http-server.js';
import { demoUpstreams } from './demo-upstreams.js';
import { createRouterApp, type RouterApp } from './router-app.js';

export interface RunningRouter {
  app: RouterApp;
  url: string;
  port: number;
  /** Stops accepting connections, lets in-flight requests finish (up to `graceMs`), then closes. */
  close(graceMs?: number): Promise<void>;
}

export interface StartRouterOptions {
  log?: (line: string) => void;
  /** Use this snapshot instead of loading one (tests). */
  snapshot?: IndexSnapshot;
}

/** Starts the router for `config`. */
export async function startRouter(
  config: RouterConfig,
  options: StartRouterOptions = {},
): Promise<RunningRouter> {
  const log = options.log ?? (() => undefined);
  const snapshot =
    options.snapshot ?? loadSnapshotSync({ version: config.snapshotVersion, dataDir: config.dataDir });
  let closeMock: (() => Promise<void>) | undefined;
  let effective = config;
  if (config.demo) {
    const mock = await startMockUpstream({ host: '127.0.0.1', port: 0, scripts: demoScripts() });
    closeMock = () => mock.close();
    effective = { ...config, upstreams: demoUpstreams(mock) };
    log(
      `DEMO MODE: every answer comes from the built-in fake upstream at ${mock.url}, not from a real model.`,
    );
  }
  const app = createRouterApp({
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
  const server = createRouterServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(effective.port, effective.host, () => {
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
  if (effective.host !== '127.0.0.1' && effective.host !== 'localhost' && effective.host !== '::1') {
    log(`Bound to ${effective.host}: reachable from other machines, and no gateway keys are enforced yet.`);
  }

  return {
    app,
    url,
    port: address.port,
    async close(graceMs = 10_000) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(timer);
      await app.close();
      await closeMock?.();
    },
  };
}
