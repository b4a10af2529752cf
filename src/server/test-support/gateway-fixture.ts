/**
 * A router wired to the fake upstream, for gateway tests: a synthetic snapshot whose high tier uses one
 * model per protocol (OpenAI-compatible, Anthropic, Gemini), short time limits, and the fake upstream's
 * script API to make any model misbehave.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RouterConfig, UpstreamConfig } from '../../config/router-config.js';
import { defaultRetries } from '../../config/router-config.js';
import { defaultBlendRatio } from '../../core/blended-price.js';
import type { IndexSnapshot, ModelEntry } from '../../core/model-index.js';
import { syntheticModel } from '../../core/test-support/synthetic-index.js';
import { defaultTierCutoffs } from '../../core/tiers.js';
import { type MockUpstream, startMockUpstream } from '../../mock-upstream/index.js';
import { type RunningRouter, startRouter } from '../start-router.js';

function entry(
  id: string,
  score: number,
  input: number,
  output: number,
  upstream: { upstream: string; model: string },
  contextLength = 200_000,
): ModelEntry {
  return syntheticModel(id, score, input, {
    pricing: { input, output, cacheRead: input / 10, cacheWrite: input * 1.25 },
    contextLength,
    throughputTokensPerSecond: score,
    upstreams: [upstream],
  });
}

/**
 * Ten models. High tier by price: lab/alpha (OpenAI protocol, upstream name `alpha`), lab/beta
 * (Anthropic, `beta`), lab/gamma (Gemini, `gamma`), then lab/delta beyond the fallbacks. Medium: mid-a,
 * mid-b, mid-c (OpenAI protocol). alpha and beta have 100k context, gamma 1M.
 */
export function gatewaySnapshot(): IndexSnapshot {
  return {
    schemaVersion: 1,
    version: '2026-11',
    createdAt: '2026-11-01T00:00:00Z',
    models: [
      entry('lab/alpha', 90, 1, 4, { upstream: 'openai', model: 'alpha' }, 100_000),
      entry('lab/beta', 95, 2, 8, { upstream: 'anthropic', model: 'beta' }, 100_000),
      entry('lab/gamma', 99, 3, 12, { upstream: 'gemini', model: 'gamma' }, 1_000_000),
      entry('lab/delta', 85, 4, 16, { upstream: 'openai', model: 'delta' }),
      entry('lab/mid-a', 50, 0.5, 2, { upstream: 'openai', model: 'mid-a' }),
      entry('lab/mid-b', 55, 0.6, 2.4, { upstream: 'openai', model: 'mid-b' }),
      entry('lab/mid-c', 60, 0.7, 2.8, { upstream: 'openai', model: 'mid-c' }),
      entry('lab/low-a', 10, 0.1, 0.4, { upstream: 'openai', model: 'low-a' }),
      entry('lab/low-b', 20, 0.2, 0.8, { upstream: 'openai', model: 'low-b' }),
      entry('lab/low-c', 30, 0.3, 1.2, { upstream: 'openai', model: 'low-c' }),
    ],
  };
}

/**
 * The router configuration for the fake upstream: `openai`, `anthropic` and `gemini` upstreams, plus an
 * `openrouter` pass-through one when `withOpenRouter` (it would otherwise give every model a second
 * upstream and hide single-upstream failover).
 */
export function gatewayConfig(
  mock: MockUpstream,
  overrides: Partial<RouterConfig> = {},
  withOpenRouter = false,
): RouterConfig {
  const upstream = (
    name: string,
    protocol: UpstreamConfig['protocol'],
    baseUrl: string,
    passthrough = false,
  ): UpstreamConfig => ({
    name,
    displayName: name,
    protocol,
    baseUrl,
    apiKey: `sk-test-${name}-secret`,
    passthrough,
    models: {},
  });
  const upstreams = [
    upstream('openai', 'openai', mock.baseUrls.openai),
    upstream('anthropic', 'anthropic', mock.baseUrls.anthropic),
    upstream('gemini', 'gemini', mock.baseUrls.gemini),
  ];
  if (withOpenRouter) upstreams.push(upstream('openrouter', 'openai', `${mock.url}/api/v1`, true));
  return {
    host: '127.0.0.1',
    port: 0,
    bodyLimitBytes: 32 * 1024 * 1024,
    dataDir: mkdtempSync(join(tmpdir(), 'pareto-router-gateway-')),
    upstreams,
    upstreamPreference: [],
    tierCutoffs: defaultTierCutoffs,
    blendRatio: defaultBlendRatio,
    maxFallbacks: 2,
    routingPolicy: 'pareto',
    timeouts: { firstByteMs: 400, firstTokenMs: 400, streamIdleMs: 400, keepAliveMs: 100 },
    retries: { ...defaultRetries, retryAfterMaxWaitMs: 1_500, backoffBaseMs: 40, backoffMaxMs: 200 },
    circuitBreaker: { failureThreshold: 50, openMs: 60_000 },
    sticky: { ttlMs: 600_000, maxEntries: 1_000 },
    demo: false,
    allowUnauthenticated: false,
    requestLog: { batchSize: 500, capacity: 10_000, flushIntervalMs: 20 },
    ...overrides,
  };
}

export interface GatewayFixture {
  mock: MockUpstream;
  router: RunningRouter;
  url: string;
  close(): Promise<void>;
}

/** Starts the fake upstream and a router in front of it. */
export async function startGateway(
  overrides: Partial<RouterConfig> = {},
  withOpenRouter = false,
): Promise<GatewayFixture> {
  const mock = await startMockUpstream({ host: '127.0.0.1', port: 0 });
  const config = gatewayConfig(mock, overrides, withOpenRouter);
  const router = await startRouter(config, {
    snapshot: gatewaySnapshot(),
    logLevel: 'silent',
  });
  return {
    mock,
    router,
    url: router.url,
    async close() {
      await router.close(100);
      await mock.close();
      if (overrides.dataDir === undefined) rmSync(config.dataDir, { recursive: true, force: true });
    },
  };
}

/** POSTs a chat request to the router and returns status, headers and parsed JSON. */
export async function postChat(
  url: string,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; json: any }> {
  const response = await fetch(`${url}/api/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer anything', ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: response.status, headers: response.headers, json };
}

/** POSTs a streamed chat request and collects the SSE data payloads (parsed) and comments. */
export async function postChatStream(
  url: string,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<{
  status: number;
  headers: Headers;
  chunks: any[];
  done: boolean;
  comments: string[];
  raw: string;
}> {
  const response = await fetch(`${url}/api/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer anything', ...headers },
    body: JSON.stringify({ ...body, stream: true }),
  });
  const raw = await response.text();
  const chunks: any[] = [];
  const comments: string[] = [];
  let done = false;
  for (const block of raw.split('\n\n')) {
    for (const line of block.split('\n')) {
      if (line.startsWith(': ')) comments.push(line.slice(2));
      if (!line.startsWith('data: ')) continue;
      const data = line.slice(6);
      if (data === '[DONE]') done = true;
      else chunks.push(JSON.parse(data));
    }
  }
  return { status: response.status, headers: response.headers, chunks, done, comments, raw };
}

/** The text content a list of chunks adds up to. */
export function streamedText(chunks: any[]): string {
  return chunks.map((chunk) => chunk.choices?.[0]?.delta?.content ?? '').join('');
}

export const userMessage = [{ role: 'user', content: 'Write a function that reverses a string.' }];
