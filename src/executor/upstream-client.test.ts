import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RouterError } from '../core/errors.js';
import { type FetchTextOptions, UpstreamClient } from './upstream-client.js';

let server: Server;
let base = '';
let received = 0;
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
    }
    // '/hang' never answers.
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

  it('does not send a call whose signal has already been aborted', async () => {
    const controller = new AbortController();
    controller.abort(new RouterError('client_closed', 'gone before the call'));
    const before = received;
    const error = await failureOf(client.fetchText(options('/ok', controller.signal)));
    expect(error.message).toBe('gone before the call');
    // A call that did go out would reach the server within a round trip; the next call proves the order.
    await client.fetchText(options('/ok'));
    expect(received).toBe(before + 1);
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
