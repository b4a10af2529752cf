/**
 * The HTTP edge against hostile clients and web pages: browser defences in open mode, headers too large,
 * and a client that leaves mid-stream being billed for what it got.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { defaultEdgeLimits } from '../config/router-config.js';
import { anthropicAdapter } from '../providers/anthropic/index.js';
import { type GatewayFixture, startGateway, userMessage } from './test-support/gateway-fixture.js';

const routed = () => ({
  model: 'openrouter/pareto-code',
  messages: userMessage,
  plugins: [{ id: 'pareto-router', min_coding_score: 0.9 }],
});

/** Sends raw bytes and collects everything the router answers until it closes the connection. */
function rawExchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received += chunk;
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(received));
    socket.write(bytes);
  });
}

function envelopeOf(text: string): { code: number; message: string } {
  return (JSON.parse(text) as { error: { code: number; message: string } }).error;
}

describe('browser defences in open mode', () => {
  let gateway: GatewayFixture;
  const allowed = 'https://app.example';
  beforeAll(async () => {
    gateway = await startGateway({ allowedOrigins: [allowed] });
  });
  afterAll(() => gateway.close());

  it('refuses a cross-origin text/plain POST (a simple request a web page can send) and calls no upstream', async () => {
    const before = gateway.mock.requests().length;
    const response = await fetch(`${gateway.url}/api/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', origin: 'https://evil.example' },
      body: JSON.stringify(routed()),
    });
    expect(response.status).toBe(403);
    expect(envelopeOf(await response.text()).message).toContain('https://evil.example');
    // The same body as text/plain from no page at all is still refused: a form or beacon cannot send JSON.
    const plain = await fetch(`${gateway.url}/api/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify(routed()),
    });
    expect(plain.status).toBe(415);
    expect(envelopeOf(await plain.text()).code).toBe(415);
    expect(gateway.mock.requests().length).toBe(before);
  });

  it('refuses a request whose Host is a foreign name (DNS rebinding)', async () => {
    const port = new URL(gateway.url).port;
    const body = JSON.stringify(routed());
    const answer = await rawExchange(
      Number(port),
      `POST /api/v1/chat/completions HTTP/1.1\r\nHost: evil.example:${port}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
    expect(answer.startsWith('HTTP/1.1 403')).toBe(true);
    expect(envelopeOf(answer.slice(answer.indexOf('\r\n\r\n') + 4)).message).toContain('evil.example');
  });

  it('serves the same request from a configured origin, with CORS headers and a preflight', async () => {
    const preflight = await fetch(`${gateway.url}/api/v1/chat/completions`, {
      method: 'OPTIONS',
      headers: {
        origin: allowed,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, authorization',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(allowed);
    expect(preflight.headers.get('access-control-allow-headers')).toBe('content-type, authorization');
    const response = await fetch(`${gateway.url}/api/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: allowed },
      body: JSON.stringify(routed()),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(allowed);
    expect(((await response.json()) as { choices: unknown[] }).choices.length).toBe(1);
  });

  it('answers no preflight for an origin that is not configured', async () => {
    const preflight = await fetch(`${gateway.url}/api/v1/chat/completions`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('lets loopback pages and clients without an Origin through', async () => {
    for (const headers of [{}, { origin: 'http://localhost:5173' }]) {
      const response = await fetch(`${gateway.url}/api/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
        body: JSON.stringify(routed()),
      });
      expect(response.status).toBe(200);
    }
  });

  it('answers headers over the size limit with a 431 in the envelope', async () => {
    const port = Number(new URL(gateway.url).port);
    const answer = await rawExchange(
      port,
      `GET /health HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`,
    );
    expect(answer.startsWith('HTTP/1.1 431')).toBe(true);
    expect(envelopeOf(answer.slice(answer.indexOf('\r\n\r\n') + 4)).code).toBe(431);
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/pareto_router_shed_total\{reason="headers_too_large"\} 1/);
  });
});

describe('a client that leaves mid-stream', () => {
  const masterKey = 'master-key-for-edge-tests-0123456789';
  let gateway: GatewayFixture;
  beforeAll(async () => {
    gateway = await startGateway({ masterKey });
  });
  afterAll(() => gateway.close());

  it('is logged with the tokens it got and their cost, as client_closed, and the key pays for them', async () => {
    const created = await fetch(`${gateway.url}/api/v1/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${masterKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'leaver', limit_total_usd: 100 }),
    });
    const key = ((await created.json()) as { key: string }).key;
    const auth = { authorization: `Bearer ${key}` };
    gateway.mock.script('alpha', {
      answer: 'word '.repeat(400),
      tokensPerSecond: 100,
      usage: { promptTokens: 50_000, completionTokens: 400 },
    });
    const controller = new AbortController();
    const response = await fetch(`${gateway.url}/api/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({ ...routed(), model: 'lab/alpha', stream: true }),
      signal: controller.signal,
    });
    const generationId = response.headers.get('x-generation-id');
    const reader = response.body!.getReader();
    let text = '';
    while ((text.match(/"content":"word/g) ?? []).length < 5) {
      const { value } = await reader.read();
      text += new TextDecoder().decode(value);
    }
    controller.abort();
    let record: any;
    for (let tries = 0; tries < 100 && record === undefined; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const found = await fetch(`${gateway.url}/api/v1/generation?id=${generationId}`, { headers: auth });
      if (found.status === 200) record = ((await found.json()) as { data: any }).data;
    }
    expect(record).toBeDefined();
    expect(record.cancelled).toBe(true);
    expect(record.pareto_router.status).toBe(499);
    expect(record.pareto_router.error).toBe('client_closed');
    expect(record.model).toBe('lab/alpha');
    expect(record.tokens_completion).toBeGreaterThan(0);
    expect(record.tokens_completion).toBeLessThan(400);
    expect(record.total_cost).toBeGreaterThan(0);
    const info = (await (await fetch(`${gateway.url}/api/v1/key`, { headers: auth })).json()) as {
      data: { usage: number };
    };
    expect(info.data.usage).toBeCloseTo(record.total_cost, 10);
    // The upstream call was stopped: the fake upstream saw its client go.
    const last = gateway.mock.requests().at(-1) as { model: string };
    expect(last.model).toBe('alpha');
  });
});

describe('a client that leaves a stream before its first token', () => {
  let gateway: GatewayFixture;
  beforeAll(async () => {
    gateway = await startGateway({
      timeouts: { firstByteMs: 20_000, firstTokenMs: 20_000, streamIdleMs: 20_000, keepAliveMs: 100 },
    });
  });
  afterAll(() => gateway.close());

  it('is logged as 499 client_closed with its attempt, even though a keep-alive already sent the headers', async () => {
    gateway.mock.script('alpha', { faults: [{ type: 'slow_first_token', delayMs: 3_000 }] });
    const controller = new AbortController();
    const response = await fetch(`${gateway.url}/api/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...routed(), model: 'lab/alpha', stream: true }),
      signal: controller.signal,
    });
    // The headers came with the first keep-alive; read it, then leave before any token.
    expect(response.status).toBe(200);
    const generationId = response.headers.get('x-generation-id');
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    let record: any;
    for (let tries = 0; tries < 100 && record === undefined; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const found = await fetch(`${gateway.url}/api/v1/generation?id=${generationId}`);
      if (found.status === 200) record = ((await found.json()) as { data: any }).data;
    }
    expect(record).toBeDefined();
    expect(record.pareto_router.status).toBe(499);
    expect(record.pareto_router.error).toBe('client_closed');
  });
});

describe('blame for a request the router cannot convert', () => {
  let gateway: GatewayFixture;
  beforeAll(async () => {
    gateway = await startGateway({ circuitBreaker: { failureThreshold: 2, openMs: 60_000 } });
  });
  afterAll(() => gateway.close());

  it('is a 400 for the caller, tries no other candidate and opens no circuit', async () => {
    const spy = vi.spyOn(anthropicAdapter, 'buildRequest').mockImplementation(() => {
      throw new RangeError('Maximum call stack size exceeded');
    });
    try {
      for (let attempt = 0; attempt < 4; attempt++) {
        const response = await fetch(`${gateway.url}/api/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'lab/beta', messages: userMessage }),
        });
        expect(response.status).toBe(400);
        expect(envelopeOf(await response.text()).message).toContain('could not be converted');
      }
    } finally {
      spy.mockRestore();
    }
    expect(gateway.router.app.state.circuits.state('lab/beta', 'anthropic', Date.now())).toBe('closed');
    const after = await fetch(`${gateway.url}/api/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'lab/beta', messages: userMessage }),
    });
    expect(after.status).toBe(200);
  });
});

describe('readiness names open circuits', () => {
  it('lists a model and upstream whose circuit is open', async () => {
    const gateway = await startGateway({ circuitBreaker: { failureThreshold: 2, openMs: 60_000 } });
    type Ready = { open_circuits: { model: string; upstream: string }[] };
    try {
      const before = (await (await fetch(`${gateway.url}/ready`)).json()) as Ready;
      expect(before.open_circuits).toEqual([]);
      for (let failure = 0; failure < 2; failure++)
        gateway.router.app.state.recordFailure('lab/alpha', 'openai', Date.now());
      const after = (await (await fetch(`${gateway.url}/ready`)).json()) as Ready;
      expect(after.open_circuits).toEqual([{ model: 'lab/alpha', upstream: 'openai' }]);
    } finally {
      await gateway.close();
    }
  });
});

describe('a client that stops reading a stream', () => {
  it('is cut off after the slow-reader timeout, counted as shed and billed for what it was sent', async () => {
    const gateway = await startGateway({
      limits: { ...defaultEdgeLimits, slowReaderTimeoutMs: 500 },
      timeouts: { firstByteMs: 20_000, firstTokenMs: 20_000, streamIdleMs: 20_000, keepAliveMs: 5_000 },
    });
    const socket = connect(Number(new URL(gateway.url).port), '127.0.0.1');
    try {
      // Far more than the loopback socket buffers (several MiB each way) and the 1 MiB high-water mark hold.
      gateway.mock.script('alpha', {
        answer: 'word '.repeat(3_000_000),
        tokensPerSecond: 0,
        chunkCount: 3_000,
      });
      const port = Number(new URL(gateway.url).port);
      const body = JSON.stringify({ model: 'lab/alpha', messages: userMessage, stream: true });
      socket.on('error', () => undefined);
      socket.write(
        `POST /api/v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      // Read the first bytes only, then nothing more (a paused socket never sees the router's close).
      const first = await new Promise<Buffer>((resolve) => socket.once('data', resolve));
      expect(first.toString('utf8')).toMatch(/^HTTP\/1\.1 200/);
      const generationId = /x-generation-id: (\S+)/i.exec(first.toString('utf8'))?.[1];
      socket.pause();
      let metrics = '';
      for (let tries = 0; tries < 200 && !metrics.includes('reason="slow_reader"'); tries++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        metrics = await (await fetch(`${gateway.url}/metrics`)).text();
      }
      expect(metrics).toContain('pareto_router_shed_total{reason="slow_reader"} 1');
      let record: any;
      for (let tries = 0; tries < 100 && record === undefined; tries++) {
        const found = await fetch(`${gateway.url}/api/v1/generation?id=${generationId}`);
        if (found.status === 200) record = ((await found.json()) as { data: any }).data;
        else await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(record.pareto_router.status).toBe(499);
      expect(record.tokens_completion).toBeGreaterThan(0);
      expect(record.tokens_completion).toBeLessThan(3_000_000);
    } finally {
      socket.destroy();
      await gateway.close();
    }
  }, 30_000);
});

describe('slow headers', () => {
  let gateway: GatewayFixture;
  beforeAll(async () => {
    gateway = await startGateway({ limits: { ...defaultEdgeLimits, headersTimeoutMs: 500 } });
  });
  afterAll(() => gateway.close());

  it('answers a client that never finishes its headers with a 408 in the envelope and closes it', async () => {
    const port = Number(new URL(gateway.url).port);
    const answer = await rawExchange(port, `GET /health HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Slow: 1`);
    expect(answer.startsWith('HTTP/1.1 408')).toBe(true);
    expect(envelopeOf(answer.slice(answer.indexOf('\r\n\r\n') + 4)).code).toBe(408);
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toContain('pareto_router_shed_total{reason="headers_timeout"} 1');
  });
});
