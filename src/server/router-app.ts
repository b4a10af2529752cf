/**
 * Everything a running router holds: configuration, the loaded index snapshots, the upstream catalog,
 * live state and the upstream HTTP client. Built once at start; request handlers read it.
 */
import type { RouterConfig } from '../config/router-config.js';
import { buildModelIndex } from '../core/build-model-index.js';
import { RouterError } from '../core/errors.js';
import { createModelAliasResolver, type ModelAliasResolver } from '../core/model-alias.js';
import type { IndexSnapshot, ModelIndex } from '../core/model-index.js';
import { defaultRoutePolicy, type RoutePolicy } from '../core/route.js';
import { UpstreamCatalog } from '../executor/upstream-catalog.js';
import { UpstreamClient } from '../executor/upstream-client.js';
import { RouterState } from '../state/router-state.js';
import { EdgeGate } from './edge-gate.js';
import { MeasuredInputPrices } from './measured-input-prices.js';
import type { RouterOps } from './router-ops.js';

export interface RouterApp {
  config: RouterConfig;
  defaultIndex: ModelIndex;
  /** The index of a pinned snapshot version (the default when undefined); throws a 400 when unknown. */
  indexFor(version: string | undefined): ModelIndex;
  availableVersions: readonly string[];
  catalog: UpstreamCatalog;
  state: RouterState;
  client: UpstreamClient;
  routePolicy: RoutePolicy;
  /** The configured alias target of a requested model name (`modelAliases`), or undefined. */
  resolveModelAlias: ModelAliasResolver;
  /** Input prices measured from the request log, for `price_source: "weighted_avg"`. */
  inputPrices: MeasuredInputPrices;
  /** Request log, keys, budgets, metrics and logs. */
  ops: RouterOps;
  /** Admission bounds at the HTTP edge (requests in flight, body bytes buffered, timeouts). */
  edge: EdgeGate;
  /** Wall-clock milliseconds (state expiry, `created`). */
  now(): number;
  close(): Promise<void>;
}

export interface CreateRouterAppOptions {
  config: RouterConfig;
  /** The default snapshot. */
  snapshot: IndexSnapshot;
  /** Loads another snapshot version on demand (pinned requests); returns undefined when unknown. */
  loadVersion?: (version: string) => IndexSnapshot | undefined;
  availableVersions?: readonly string[];
  now?: () => number;
  ops: RouterOps;
}

/** Assembles a router from a configuration and its snapshots. */
export function createRouterApp(options: CreateRouterAppOptions): RouterApp {
  const { config } = options;
  const buildOptions = { blendRatio: config.blendRatio };
  const defaultIndex = buildModelIndex(options.snapshot, buildOptions);
  const indexes = new Map<string, ModelIndex>([[defaultIndex.version, defaultIndex]]);
  const availableVersions = options.availableVersions ?? [defaultIndex.version];
  // Pools are per origin; metrics name them by the configured upstream they serve.
  const upstreamByOrigin = new Map<string, string>();
  for (const upstream of config.upstreams) {
    const origin = originOf(upstream.baseUrl);
    if (origin !== undefined && !upstreamByOrigin.has(origin)) upstreamByOrigin.set(origin, upstream.name);
  }
  const upstreamOf = (origin: string) => upstreamByOrigin.get(origin) ?? 'other';
  const metrics = options.ops.metrics;
  const client = new UpstreamClient({
    connections: config.upstreamPool?.connections,
    onQueued: (origin, waitMs) => metrics.observeUpstreamQueueWait(upstreamOf(origin), waitMs / 1000),
  });
  metrics.setUpstreamPoolSource(() =>
    client.queueStats().map((pool) => ({
      upstream: upstreamOf(pool.origin),
      queued: pool.queued,
      connected: pool.connected,
    })),
  );
  const inputPrices = new MeasuredInputPrices(options.ops.store, {
    onError: (error) =>
      options.ops.logger.warn(
        { error: error instanceof Error ? error.message : String(error) },
        'could not read prompt tokens from the request log; weighted_avg prices stay as they were',
      ),
  });
  return {
    config,
    defaultIndex,
    availableVersions,
    indexFor(version) {
      if (version === undefined) return defaultIndex;
      let index = indexes.get(version);
      if (index === undefined) {
        const snapshot = options.loadVersion?.(version);
        if (snapshot === undefined) {
          throw new RouterError(
            'invalid_request',
            `unknown snapshot version "${version}"; available: ${availableVersions.join(', ')}`,
          );
        }
        index = buildModelIndex(snapshot, buildOptions);
        indexes.set(version, index);
      }
      return index;
    },
    catalog: new UpstreamCatalog(config.upstreams, config.upstreamPreference),
    state: new RouterState({ circuitBreaker: config.circuitBreaker, sticky: config.sticky }),
    client,
    routePolicy: {
      ...defaultRoutePolicy,
      rule: config.routingPolicy,
      cutoffs: config.tierCutoffs,
      maxFallbacks: config.maxFallbacks,
    },
    inputPrices,
    resolveModelAlias: createModelAliasResolver(config.modelAliases ?? {}),
    now: options.now ?? Date.now,
    ops: options.ops,
    edge: new EdgeGate(config.limits, options.ops.metrics),
    close: async () => {
      await inputPrices.close();
      await client.close();
    },
  };
}

/** The origin (scheme, host and port) of a base URL, as undici keys its pools; undefined when unparsable. */
function originOf(baseUrl: string): string | undefined {
  try {
    return new URL(baseUrl).origin;
  } catch {
    return undefined;
  }
}
