import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RouterError } from '../core/errors.js';
import { readSseStream } from '../providers/sse/parse-sse-stream.js';
import type { UpstreamBody } from './upstream-body.js';
import { type FetchTextOptions, UpstreamClient } from './upstream-client.js';

let server: Server;
let base = '';
let received = 0;
let closedStreams = 0;
let connections = 0;
let floodWritten = 0;
const client = new UpstreamClient();

beforeAll(async () => {
  server = createServer((request, response) => {
    received += 1;
    request.resume();
    const path = request.url ?? '/';
    if (path === '/ok') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"answer":');
      response.end('"yes"}');
    } else if (path === '/big') {
      response.writeHead(200);
      response.end('x'.repeat(5_000));
    } else if (path === '/big-error') {
      response.writeHead(500, { 'retry-after': '3' });
      response.end('e'.repeat(5_000));
    } else if (path === '/cut') {
      response.writeHead(200, { 'content-length': '100' });
      response.write('partial');
      setTimeout(() => response.socket?.destroy(), 20);
    } else if (path === '/closed' || path === '/reset') {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: {}\n\n');
      const socket = response.socket;
      setTimeout(() => {
        if (path === '/reset') socket?.resetAndDestroy();
        else socket?.end(() => socket.destroy());
      }, 20);
    } else if (path === '/sse-slow') {
      // Fifty separate writes, 4 ms apart: a reader that pauses is seen by how many reach it.
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      let sent = 0;
      const timer = setInterval(() => {
        sent += 1;
        if (sent < 50) response.write(`data: ${sent}\n\n`);
        else {
          clearInterval(timer);
          response.end('data: [DONE]\n\n');
        }
      }, 4);
      response.on('close', () => clearInterval(timer));
    } else if (path === '/sse-quick') {
      // The headers and the first chunk go out in one packet, and the end follows at once.
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: first\n\n');
      response.end('data: [DONE]\n\n');
    } else if (path === '/sse-end-together') {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.flushHeaders();
      // Headers first, then the last messages and the end of the chunked body in one write.
      setTimeout(() => response.end('data: a\n\ndata: [DONE]\n\n'), 20);
    } else if (path === '/sse-end-later') {
      // The terminator, then the end of the chunked body in a later packet.
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: a\n\ndata: [DONE]\n\n');
      setTimeout(() => response.end(), 30);
    } else if (path === '/sse-done-silent') {
      // The terminator, and then neither more bytes nor the end.
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: [DONE]\n\n');
      response.on('close', () => {
        closedStreams += 1;
      });
    } else if (path === '/flood') {
      // 32 MB as fast as the socket takes it; how far it got shows whether the client held it back.
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const piece = `data: ${'x'.repeat(64 * 1024 - 8)}\n\n`;
      floodWritten = 0;
      const more = () => {
        while (floodWritten < 32 * 1024 * 1024) {
          floodWritten += piece.length;
          if (!response.write(piece)) {
            response.once('drain', more);
            return;
          }
        }
        response.end();
      };
      more();
    } else if (path === '/sse-endless') {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const timer = setInterval(() => response.write('data: more\n\n'), 10);
      response.on('close', () => {
        clearInterval(timer);
        closedStreams += 1;
      });
    }
    // '/hang' never answers.
  });
  server.on('connection', () => {
    connections += 1;
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await client.close();
  server.closeAllConnections();
  server.close();
});

function options(path: string, signal = new AbortController().signal): FetchTextOptions {
  return {
    url: base + path,
    headers: { 'content-type': 'application/json' },
    body: '{}',
    signal,
    firstByteMs: 5_000,
    idleMs: 5_000,
    maxBytes: 1_000,
    maxErrorBytes: 100,
  };
}

async function failureOf(promise: Promise<unknown>): Promise<RouterError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(RouterError);
  return error as RouterError;
}

describe('UpstreamClient.fetchText', () => {
  it('reads a whole answer sent in several chunks, with its status and headers', async () => {
    const answer = await client.fetchText(options('/ok'));
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(JSON.parse(answer.text)).toEqual({ answer: 'yes' });
  });

  it('fails a 2xx answer past its byte limit as a bad response', async () => {
    const error = await failureOf(client.fetchText(options('/big')));
    expect(error.code).toBe('upstream_bad_response');
    expect(error.message).toContain('1000 bytes');
  });

  it('gives up only the text of an error answer past its limit, keeping status and headers', async () => {
    const answer = await client.fetchText(options('/big-error'));
    expect(answer.statusCode).toBe(500);
    expect(answer.headers['retry-after']).toBe('3');
    expect(answer.text).toBe('');
  });

  it('reports a connection cut in the middle of the body as a cut stream', async () => {
    const error = await failureOf(client.fetchText(options('/cut')));
    expect(error.code).toBe('upstream_stream_cut');
  });

  it('labels a clean close before the final chunk as such, and a reset as a reset', async () => {
    const closed = await failureOf(client.fetchText({ ...options('/closed'), maxBytes: 10_000 }));
    expect(closed.code).toBe('upstream_stream_cut');
    expect(closed.message).toBe(
      'the upstream closed the connection before its answer was complete (no final chunk)',
    );
    const reset = await failureOf(client.fetchText({ ...options('/reset'), maxBytes: 10_000 }));
    expect(reset.code).toBe('upstream_stream_cut');
    expect(reset.message).toBe('the upstream connection was reset');
  });

  it("rejects with the signal's reason when the caller aborts while waiting", async () => {
    const controller = new AbortController();
    const pending = client.fetchText(options('/hang', controller.signal));
    setTimeout(() => controller.abort(new RouterError('client_closed', 'client went away')), 30);
    const error = await failureOf(pending);
    expect(error.code).toBe('client_closed');
    expect(error.message).toBe('client went away');
  });

  it('maps a refused connection to a connect failure', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as AddressInfo).port;
    closed.close();
    await once(closed, 'close');
    const error = await failureOf(
      client.fetchText({ ...options('/ok'), url: `http://127.0.0.1:${port}/ok` }),
    );
    expect(error.code).toBe('upstream_connect_failed');
  });
});

/** Reads a streamed body to its end, as text; `onChunk` sees each chunk as it arrives. */
function readAll(body: UpstreamBody, onChunk: (text: string) => void = () => {}): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    body.read(
      (chunk) => {
        const piece = Buffer.from(chunk).toString('utf8');
        text += piece;
        onChunk(piece);
      },
      (error) => (error === undefined ? resolve(text) : reject(error)),
    );
  });
}

describe('UpstreamClient.send (streamed bodies)', () => {
  it('keeps what arrived before the body is read, the end included', async () => {
    const response = await client.send(options('/sse-quick'));
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/event-stream');
    // By now the whole answer has arrived; nothing of it may be lost.
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(await readAll(response.body)).toBe('data: first\n\ndata: [DONE]\n\n');
  });

  it('holds the upstream back while the reader is paused, and reads on after resume', async () => {
    const response = await client.send(options('/sse-slow'));
    let chunks = 0;
    const done = readAll(response.body, () => {
      chunks += 1;
      if (chunks === 1) response.body.pause();
    });
    let whilePaused: number[];
    try {
      await new Promise((resolve) => setTimeout(resolve, 20));
      const early = chunks;
      await new Promise((resolve) => setTimeout(resolve, 100));
      // About 25 more writes went out meanwhile; they wait in the socket, not in the reader (what had
      // arrived before the pause may still be handed over).
      whilePaused = [early, chunks];
    } finally {
      response.body.resume();
    }
    expect(whilePaused[1]).toBe(whilePaused[0]);
    expect(whilePaused[1]).toBeLessThan(5);
    const text = await done;
    expect(text.startsWith('data: 1\n\ndata: 2\n\n')).toBe(true);
    expect(text.endsWith('data: 49\n\ndata: [DONE]\n\n')).toBe(true);
  });

  it.each([
    ['comes with the end of the response', '/sse-end-together'],
    ['is followed by the end of the response a packet later', '/sse-end-later'],
  ])('keeps the connection when the message the reader stops at %s', async (_when, path) => {
    const before = connections;
    for (let call = 0; call < 3; call += 1) {
      const response = await client.send(options(path));
      await readSseStream(response.body, { maxMessageBytes: 100 }, (message) =>
        message.data === '[DONE]' ? 'stop' : undefined,
      );
      // Time for the end (30 ms after the terminator on the later path) and for the connection to go back
      // to the pool; a destroyed one never does.
      await new Promise((resolve) => setTimeout(resolve, 60));
    }
    // One new connection at most (none when an idle one was left by an earlier test).
    expect(connections - before).toBeLessThanOrEqual(1);
  });

  it('closes the connection when the response does not end soon after the message the reader stops at', async () => {
    const before = closedStreams;
    const response = await client.send(options('/sse-done-silent'));
    const stoppedAt = performance.now();
    await readSseStream(response.body, { maxMessageBytes: 100 }, () => 'stop');
    await expect.poll(() => closedStreams, { timeout: 3_000, interval: 20 }).toBe(before + 1);
    // Not at once: the rest of the body was waited for first (the bound is one second).
    expect(performance.now() - stoppedAt).toBeGreaterThan(500);
  });

  it('holds the upstream back while nothing reads the body, and delivers all of it once read', async () => {
    const response = await client.send(options('/flood'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Unread, the body keeps 64 KB and the sockets' buffers; the upstream is far from its 32 MB.
    expect(floodWritten).toBeLessThan(16 * 1024 * 1024);
    let size = 0;
    await new Promise<void>((resolve, reject) =>
      response.body.read(
        (chunk) => {
          size += chunk.length;
        },
        (error) => (error === undefined ? resolve() : reject(error)),
      ),
    );
    expect(size).toBe(floodWritten);
    expect(size).toBeGreaterThanOrEqual(32 * 1024 * 1024);
  });

  it('closes the connection when the body is dropped before its end', async () => {
    const before = closedStreams;
    const response = await client.send(options('/sse-endless'));
    await new Promise<void>((resolve) =>
      response.body.read(
        () => resolve(),
        () => {},
      ),
    );
    response.body.destroy();
    await expect.poll(() => closedStreams, { timeout: 2_000 }).toBe(before + 1);
  });

  it("fails the body with the signal's reason when the caller aborts in the middle", async () => {
    const controller = new AbortController();
    const response = await client.send(options('/sse-endless', controller.signal));
    const reading = readAll(response.body, () =>
      controller.abort(new RouterError('upstream_stream_idle', 'went quiet')),
    );
    const error = await failureOf(reading);
    expect(error.code).toBe('upstream_stream_idle');
    expect(error.message).toBe('went quiet');
  });

  it('reads an error answer whole, and gives up on one past its limit', async () => {
    const whole = await client.send(options('/big-error'));
    expect(whole.statusCode).toBe(500);
    expect(await whole.body.text(10_000)).toBe('e'.repeat(5_000));
    const cut = await client.send(options('/big-error'));
    const error = await failureOf(cut.body.text(100));
    expect(error.code).toBe('upstream_bad_response');
  });
});

describe.each([
  ['fetchText', (signal: AbortSignal) => client.fetchText(options('/ok', signal))],
  ['send', (signal: AbortSignal) => client.send(options('/ok', signal))],
])('UpstreamClient.%s', (_name, call) => {
  it('does not send a call whose signal has already been aborted', async () => {
    const controller = new AbortController();
    controller.abort(new RouterError('client_closed', 'gone before the call'));
    const before = received;
    const error = await failureOf(call(controller.signal));
    expect(error.message).toBe('gone before the call');
    // A call that did go out would reach the server within a round trip; the next call proves the order.
    await client.fetchText(options('/ok'));
    expect(received).toBe(before + 1);
  });
});
