import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SendOptions, UpstreamClient } from './upstream-client.js';

// An upstream whose streams stay open until the test ends them: it can tell whether calls ran at the
// same time or one waited for another to finish.
const held: ServerResponse[] = [];
let openNow = 0;
let mostOpen = 0;
const server = createServer((request, response) => {
  request.resume();
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  response.write('data: start\n\n');
  openNow += 1;
  mostOpen = Math.max(mostOpen, openNow);
  response.on('close', () => {
    openNow -= 1;
  });
  held.push(response);
});
let base = '';

beforeAll(async () => {
  server.listen(0, '127.0.0.1', 2048);
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

function streamCall(): SendOptions {
  return {
    url: `${base}/v1/chat/completions`,
    headers: { 'content-type': 'application/json' },
    body: '{"stream":true}',
    signal: new AbortController().signal,
    firstByteMs: 30_000,
    idleMs: 30_000,
  };
}

function endHeld(): void {
  for (const response of held.splice(0)) response.end('data: [DONE]\n\n');
}

describe('UpstreamClient connection pool', () => {
  it('starts more concurrent streams than the old 256-connection limit without any waiting for another to end', async () => {
    const client = new UpstreamClient();
    mostOpen = 0;
    const count = 300;
    try {
      // No stream is ended until every one has its headers: with a limit below `count`, the calls past
      // it would wait for a stream that never ends, and this would not resolve.
      const pending = Array.from({ length: count }, () => client.send(streamCall()));
      // Calls queued behind a limit would never reach the upstream here: the count stops at the limit.
      await expect
        .poll(() => openNow, { timeout: 15_000, message: 'streams open at the upstream at once' })
        .toBe(count);
      const responses = await Promise.all(pending);
      expect(responses.every((response) => response.statusCode === 200)).toBe(true);
      expect(mostOpen).toBe(count);
      expect(client.queueStats()).toEqual([]);
      endHeld();
      const bodies = await Promise.all(responses.map((response) => response.body.text(1_000)));
      expect(bodies.every((body) => body === 'data: start\n\ndata: [DONE]\n\n')).toBe(true);
    } finally {
      endHeld();
      await client.close();
    }
  }, 30_000);

  it('with a configured limit, queues the call past it, counts it while it waits and reports its wait', async () => {
    const waits: { origin: string; waitMs: number }[] = [];
    const client = new UpstreamClient({
      connections: 2,
      onQueued: (origin, waitMs) => waits.push({ origin, waitMs }),
    });
    mostOpen = 0;
    try {
      const first = await Promise.all([client.send(streamCall()), client.send(streamCall())]);
      let thirdStarted = false;
      const third = client.send(streamCall()).then((response) => {
        thirdStarted = true;
        return response;
      });
      // The third call is in the pool's queue: the upstream has seen two streams only.
      await expect.poll(() => client.queueStats()).toEqual([{ origin: base, queued: 1, connected: 2 }]);
      expect(thirdStarted).toBe(false);
      expect(held).toHaveLength(2);
      expect(waits).toEqual([]);
      // Ending one stream frees its connection for the queued call.
      held.shift()?.end('data: [DONE]\n\n');
      await first[0]?.body.text(1_000);
      const response = await third;
      expect(response.statusCode).toBe(200);
      expect(mostOpen).toBe(2);
      expect(waits).toHaveLength(1);
      expect(waits[0]?.origin).toBe(base);
      expect(waits[0]?.waitMs).toBeGreaterThan(0);
      expect(client.queueStats()).toEqual([{ origin: base, queued: 0, connected: 2 }]);
      endHeld();
      await Promise.all([first[1]?.body.text(1_000), response.body.text(1_000)]);
    } finally {
      endHeld();
      await client.close();
    }
  });

  it('refuses a limit that is not a positive integer', () => {
    expect(() => new UpstreamClient({ connections: 0 })).toThrow(/positive integer, got 0/);
    expect(() => new UpstreamClient({ connections: 1.5 })).toThrow(/positive integer/);
  });
});
