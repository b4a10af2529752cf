/**
 * A router as `serve --demo` runs it: the shipped snapshot, every preset upstream pointed at the built-in
 * fake upstream, open mode on loopback. For tests that replay what a hostile run sent to the demo.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DestinationStream } from 'pino';
import type { RouterConfig } from '../../config/router-config.js';
import type { MockUpstream } from '../../mock-upstream/index.js';
import { type RunningRouter, startRouter } from '../start-router.js';
import { gatewayConfig } from './gateway-fixture.js';

export interface DemoRouter {
  router: RunningRouter;
  url: string;
  close(): Promise<void>;
}

/** Starts a demo router; `overrides` change its configuration (limits, origins). */
export async function startDemoRouter(
  overrides: Partial<RouterConfig> = {},
  logDestination?: DestinationStream,
): Promise<DemoRouter> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pareto-router-demo-'));
  // The demo replaces the upstreams, so the fixture's are never called.
  const unused = { url: 'http://127.0.0.1:9', baseUrls: {} } as unknown as MockUpstream;
  const config: RouterConfig = {
    ...gatewayConfig(unused, { dataDir }),
    timeouts: { firstByteMs: 10_000, firstTokenMs: 10_000, streamIdleMs: 10_000, keepAliveMs: 3_000 },
    circuitBreaker: { failureThreshold: 5, openMs: 30_000 },
    demo: true,
    ...overrides,
  };
  const router = await startRouter(config, {
    logLevel: logDestination === undefined ? 'silent' : 'info',
    ...(logDestination === undefined ? {} : { logDestination }),
  });
  return {
    router,
    url: router.url,
    async close() {
      await router.close(100);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
