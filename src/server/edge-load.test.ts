/**
 * Slow and flooding clients against the edge's bounds: slow bodies are cut at the body timeout, a flood
 * past the in-flight limit is shed with 503s that carry Retry-After, and the router keeps serving the
 * callers it admitted and those that come after. Loopback only; sizes bounded by the fd limit.
 */
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultEdgeLimits } from '../config/router-config.js';
import { type MockUpstream, startMockUpstream } from '../mock-upstream/index.js';
import { createMemoryDestination } from '../observability/create-logger.js';
import { type RunningRouter, startRouter } from './start-router.js';
import { gatewayConfig, gatewaySnapshot, userMessage } from './test-support/gateway-fixture.js';

/** The soft limit on open files: each loopback connection costs two (client and server side). */
function openFileLimit(): number {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((entry) => entry.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    return soft === 'unlimited' ? Number.POSITIVE_INFINITY : Number(soft);
  } catch {
    return 0;
  }
}

const ordinary = JSON.stringify({
  model: 'openrouter/pareto-code',
  messages: userMessage,
  plugins: [{ id: 'pareto-router', min_coding_score: 0.9 }],
});

async function postOrdinary(url: string): Promise<Response> {
  return fetch(`${url}/api/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: ordinary,
  });
}

interface RawReply {
  text: string;
  closedAt: number;
}

/** Opens a connection, writes `head` (when given), and resolves with what came back once it closes. */
function openRaw(port: number, head?: string): { socket: Socket; reply: Promise<RawReply> } {
  const socket = connect(port, '127.0.0.1');
  const reply = new Promise<RawReply>((resolve) => {
    let text = '';
    let failure = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      failure = error.code ?? error.message;
    });
    socket.on('close', () =>
      resolve({ text: text === '' ? `error ${failure}` : text, closedAt: performance.now() }),
    );
  });
  if (head !== undefined) socket.write(head);
  return { socket, reply };
}

describe('slow bodies', () => {
  const bodyTimeoutMs = 1_500;
  let mock: MockUpstream;
  let router: RunningRouter;
  const logs = createMemoryDestination();
  beforeAll(async () => {
    mock = await startMockUpstream({ host: '127.0.0.1', port: 0 });
    router = await startRouter(
      gatewayConfig(mock, { limits: { ...defaultEdgeLimits, bodyTimeoutMs, headersTimeoutMs: 5_000 } }),
      { snapshot: gatewaySnapshot(), logDestination: logs, logLevel: 'info' },
    );
  });
  afterAll(async () => {
    await router?.close(100);
    await mock?.close();
  });

  it.skipIf(openFileLimit() < 2_000)(
    'closes 500 slow-body connections at the body timeout with a 408, while a normal call answers',
    async () => {
      const port = Number(new URL(router.url).port);
      const head = `POST /api/v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"model":`;
      const startedAt = performance.now();
      const slow = Array.from({ length: 500 }, () => openRaw(port, head));
      // A normal caller is served while the 500 wait on their bodies.
      const normal = await postOrdinary(router.url);
      expect(normal.status).toBe(200);
      const replies = await Promise.all(slow.map((connection) => connection.reply));
      for (const { text, closedAt } of replies) {
        expect(text.startsWith('HTTP/1.1 408')).toBe(true);
        expect(text).toContain('"code":408');
        // Closed by the router at the body timeout, with a grace for 500 timers on a busy machine.
        expect(closedAt - startedAt).toBeLessThan(bodyTimeoutMs + 5_000);
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
      const lines = logs.lines().map((line) => JSON.parse(line) as { status?: number; msg: string });
      expect(lines.filter((line) => line.status === 408)).toHaveLength(500);
      expect(lines.some((line) => (line.status ?? 0) >= 500)).toBe(false);
      const metrics = await (await fetch(`${router.url}/metrics`)).text();
      expect(metrics).toContain('pareto_router_shed_total{reason="body_timeout"} 500');
    },
    60_000,
  );
});

describe('a flood past the in-flight limit', () => {
  const connections = 5_000;
  const maxInFlightRequests = 20;
  /** The documented bound (SECURITY.md) for the test process: router, fake upstream and 5,000 clients. */
  const rssBoundBytes = 512 * 1024 * 1024;
  let mock: MockUpstream;
  let router: RunningRouter;
  const enough = openFileLimit() >= connections * 2 + 1_000;
  if (!enough) {
    console.log(
      `flood test skipped: the open-file limit (${openFileLimit()}) is below ${connections * 2 + 1_000}; raise it with ulimit -n`,
    );
  }
  beforeAll(async () => {
    mock = await startMockUpstream({ host: '127.0.0.1', port: 0 });
    const config = gatewayConfig(mock, { limits: { ...defaultEdgeLimits, maxInFlightRequests } });
    // The admitted calls wait for their upstream rather than time out and fail over in 400 ms, so they
    // hold their slots while the flood is answered.
    router = await startRouter(
      { ...config, timeouts: { ...config.timeouts, firstByteMs: 60_000 } },
      { snapshot: gatewaySnapshot(), logLevel: 'silent' },
    );
  });
  afterAll(async () => {
    await router?.close(100);
    await mock?.close();
  });

  it.skipIf(!enough)(
    'sheds 5,000 concurrent calls past a limit of 20 with 503 + Retry-After, stays within its memory bound, then serves normally',
    async () => {
      // The admitted calls take a while, so the limit is full while the flood is answered: long enough
      // that none ends before the last of the 5,000 is answered, even on a loaded machine (when they
      // timed out and failed over within half a second, a busy machine admitted a few hundred more).
      mock.script('alpha', { latencyMs: 15_000 });
      const port = Number(new URL(router.url).port);
      const request = `POST /api/v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(ordinary)}\r\nConnection: close\r\n\r\n${ordinary}`;
      let peakRss = 0;
      const sampler = setInterval(() => {
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
      }, 50);
      // All 5,000 connections are opened first (in waves the listen backlog takes), then every one sends
      // its request at once.
      const flood: { socket: Socket; reply: Promise<RawReply> }[] = [];
      for (let wave = 0; wave < connections / 250; wave++) {
        const opened = Array.from({ length: 250 }, () => openRaw(port));
        await Promise.all(
          opened.map(
            ({ socket }) => new Promise((resolve) => socket.once('connect', resolve).once('error', resolve)),
          ),
        );
        flood.push(...opened);
      }
      for (const { socket } of flood) socket.write(request);
      const replies = await Promise.all(flood.map(({ reply }) => reply));
      clearInterval(sampler);
      const statuses = new Map<string, number>();
      for (const { text } of replies) {
        const status = text.slice(9, 12);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status === '503') {
          expect(text.toLowerCase()).toMatch(/\r\nretry-after: \d+\r\n/);
          expect(text).toContain('"code":503');
        }
      }
      const ok = statuses.get('200') ?? 0;
      const shed = statuses.get('503') ?? 0;
      console.log(
        `flood: ${connections} connections -> ${JSON.stringify(Object.fromEntries(statuses))}, peak RSS ${Math.round(peakRss / 1024 / 1024)} MB`,
      );
      expect(ok + shed).toBe(connections);
      expect(ok).toBe(maxInFlightRequests);
      expect(shed).toBe(connections - maxInFlightRequests);
      expect(peakRss).toBeLessThan(rssBoundBytes);
      mock.reset();
      const after = await postOrdinary(router.url);
      expect(after.status).toBe(200);
      expect(router.app.edge.inFlight).toBe(0);
      const metrics = await (await fetch(`${router.url}/metrics`)).text();
      expect(metrics).toContain(`pareto_router_shed_total{reason="overloaded"} ${shed}`);
    },
    120_000,
  );
});
