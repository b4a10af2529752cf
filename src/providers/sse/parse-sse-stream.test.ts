import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough, Readable } from 'node:stream';
import fc from 'fast-check';
import { Agent } from 'undici';
import { describe, expect, it } from 'vitest';
import { RouterError } from '../../core/errors.js';
import { readSseStream, type SseMessage } from './parse-sse-stream.js';

const encoder = new TextEncoder();

async function* chunksOf(...parts: (string | Uint8Array)[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield typeof part === 'string' ? encoder.encode(part) : part;
}

/** Splits `bytes` at each of `cuts` (positions, any order, duplicates allowed). */
function splitAt(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const positions = [...new Set(cuts)].filter((cut) => cut > 0 && cut < bytes.length).sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let start = 0;
  for (const position of positions) {
    pieces.push(bytes.subarray(start, position));
    start = position;
  }
  pieces.push(bytes.subarray(start));
  return pieces;
}

/** Every message, handed over by `readSseStream` from a stream of the same chunks. */
async function collect(body: AsyncIterable<Uint8Array>, maxMessageBytes = 10_000): Promise<SseMessage[]> {
  const messages: SseMessage[] = [];
  await readSseStream(Readable.from(body), { maxMessageBytes }, (message) => {
    messages.push(message);
    return undefined;
  });
  return messages;
}

async function failureOf(promise: Promise<unknown>): Promise<RouterError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RouterError) return error;
    throw error;
  }
  throw new Error('expected a RouterError');
}

const sample = [
  ': OPENROUTER PROCESSING\n\n',
  'data: {"text":"héllo wörld 👋"}\n\n',
  'event: content_block_delta\n',
  'data: {"a":1}\n\n',
  'data: line one\n',
  'data: line two\n\n',
  ': keep-alive\n',
  'data: 漢字とかな\n\n',
  'data: [DONE]\n\n',
].join('');

const sampleMessages: SseMessage[] = [
  { event: undefined, data: '{"text":"héllo wörld 👋"}' },
  { event: 'content_block_delta', data: '{"a":1}' },
  { event: undefined, data: 'line one\nline two' },
  { event: undefined, data: '漢字とかな' },
  { event: undefined, data: '[DONE]' },
];

describe('readSseStream framing', () => {
  it('parses data, event names and multi-line data, and skips comments', async () => {
    expect(await collect(chunksOf(sample))).toEqual(sampleMessages);
  });

  it('gives the same messages for a split at every single byte position', async () => {
    const bytes = encoder.encode(sample);
    for (let position = 1; position < bytes.length; position += 1) {
      expect(await collect(chunksOf(...splitAt(bytes, [position])))).toEqual(sampleMessages);
    }
  });

  it('gives the same messages for any set of split points (property)', async () => {
    const bytes = encoder.encode(sample);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 40 }),
        async (cuts) => {
          expect(await collect(chunksOf(...splitAt(bytes, cuts)))).toEqual(sampleMessages);
        },
      ),
    );
  });

  it('decodes one byte per chunk, multi-byte characters included', async () => {
    const bytes = encoder.encode(sample);
    const single = Array.from(bytes, (byte) => Uint8Array.of(byte));
    expect(await collect(chunksOf(...single))).toEqual(sampleMessages);
  });

  it('round-trips arbitrary unicode data split anywhere (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.string({ unit: 'grapheme', maxLength: 30 }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        async (texts, cuts) => {
          // Line ends inside data would start a new field, so the texts stay on one line each.
          const lines = texts.map((text) => text.replace(/[\r\n]/g, ' '));
          const bytes = encoder.encode(lines.map((line) => `data: ${line}\n\n`).join(''));
          const pieces = splitAt(
            bytes,
            cuts.map((cut) => cut % Math.max(bytes.length, 1)),
          );
          const messages = await collect(chunksOf(...pieces));
          expect(messages.map((message) => message.data)).toEqual(lines);
        },
      ),
    );
  });

  it('accepts CRLF and lone CR line endings', async () => {
    const crlf = 'data: first\r\n\r\n: comment\r\nevent: ping\r\ndata: second\r\n\r\n';
    const expected: SseMessage[] = [
      { event: undefined, data: 'first' },
      { event: 'ping', data: 'second' },
    ];
    expect(await collect(chunksOf(crlf))).toEqual(expected);
    const bytes = encoder.encode(crlf);
    for (let position = 1; position < bytes.length; position += 1) {
      expect(await collect(chunksOf(...splitAt(bytes, [position])))).toEqual(expected);
    }
    expect(await collect(chunksOf('data: a\r\rdata: b\r\r'))).toEqual([
      { event: undefined, data: 'a' },
      { event: undefined, data: 'b' },
    ]);
  });

  it('strips a leading byte-order mark and drops a message the body never terminated', async () => {
    const bom = Uint8Array.of(0xef, 0xbb, 0xbf);
    expect(await collect(chunksOf(bom, 'data: one\n\ndata: cut off'))).toEqual([
      { event: undefined, data: 'one' },
    ]);
    // The mark split over two chunks, and a mark that is not the body's first character (kept as data).
    expect(await collect(chunksOf(bom.subarray(0, 1), bom.subarray(1), 'data: one\n\n'))).toEqual([
      { event: undefined, data: 'one' },
    ]);
    expect(await collect(chunksOf('data: a', bom, '\n\n'))).toEqual([{ event: undefined, data: 'a\ufeff' }]);
  });

  it('fails with upstream_bad_response when a complete message is over the cap', async () => {
    const error = await failureOf(collect(chunksOf(`data: ${'x'.repeat(101)}\n\n`), 100));
    expect(error.code).toBe('upstream_bad_response');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('100 bytes');
  });

  it('counts the cap in UTF-8 bytes, not characters', async () => {
    // 40 three-byte characters: 40 UTF-16 units, 120 bytes.
    const data = '漢'.repeat(40);
    expect(await collect(chunksOf(`data: ${data}\n\n`), 120)).toEqual([{ event: undefined, data }]);
    const error = await failureOf(collect(chunksOf(`data: ${data}\n\n`), 119));
    expect(error.code).toBe('upstream_bad_response');
  });

  it('accepts data of exactly the cap however it is split', async () => {
    const data = 'y'.repeat(100);
    const bytes = encoder.encode(`data: ${data}\n\n`);
    for (let position = 1; position < bytes.length; position += 1) {
      expect(await collect(chunksOf(...splitAt(bytes, [position])), 100)).toEqual([
        { event: undefined, data },
      ]);
    }
  });
});

/** A promise with its resolve and reject at hand. */
function deferred(): { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void } {
  let resolve: () => void = () => {};
  let reject: (error: Error) => void = () => {};
  const promise = new Promise<void>((settle, fail) => {
    resolve = settle;
    reject = fail;
  });
  return { promise, resolve, reject };
}

/** Lets the stream's queued events run. */
const settleEvents = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('readSseStream', () => {
  it('hands over each message as its chunk arrives, before the body ends', async () => {
    const body = new PassThrough();
    const seen: string[] = [];
    const done = readSseStream(body, { maxMessageBytes: 100 }, (message) => {
      seen.push(message.data);
      return undefined;
    });
    body.write('data: early\n\ndata: la');
    await settleEvents();
    expect(seen).toEqual(['early']);
    body.end('te\n\n');
    await done;
    expect(seen).toEqual(['early', 'late']);
  });

  it('stops and destroys the body when the handler says stop', async () => {
    const body = new PassThrough();
    const seen: string[] = [];
    const done = readSseStream(body, { maxMessageBytes: 100 }, (message) => {
      seen.push(message.data);
      return seen.length === 2 ? 'stop' : undefined;
    });
    body.write('data: 1\n\ndata: 2\n\ndata: 3\n\n');
    await done;
    expect(seen).toEqual(['1', '2']);
    expect(body.destroyed).toBe(true);
  });

  it('pauses the body while the handler waits, so a slow consumer holds the writer back', async () => {
    const body = new PassThrough({ highWaterMark: 64 });
    const seen: string[] = [];
    const gate = deferred();
    const done = readSseStream(body, { maxMessageBytes: 100 }, (message) => {
      seen.push(message.data);
      return message.data === 'a' ? gate.promise : undefined;
    });
    body.write('data: a\n\ndata: b\n\n');
    await settleEvents();
    expect(seen).toEqual(['a']);
    expect(body.isPaused()).toBe(true);
    const written: string[] = [];
    let accepted = true;
    while (accepted && written.length < 20) {
      written.push(String(written.length));
      accepted = body.write(`data: ${written.length - 1}\n\n`);
    }
    expect(accepted).toBe(false);
    await settleEvents();
    expect(seen).toEqual(['a']);
    gate.resolve();
    body.end();
    await done;
    expect(seen).toEqual(['a', 'b', ...written]);
  });

  it("fails with the body's error, only once a pending wait has settled", async () => {
    const body = new PassThrough();
    const gate = deferred();
    let failed = false;
    const done = readSseStream(body, { maxMessageBytes: 100 }, () => gate.promise).catch((error: Error) => {
      failed = true;
      return error;
    });
    body.write('data: a\n\n');
    await settleEvents();
    body.destroy(new Error('connection reset'));
    await settleEvents();
    expect(failed).toBe(false);
    gate.resolve();
    expect(((await done) as Error).message).toBe('connection reset');
  });

  it('fails with a premature-close error when the body is closed before its end', async () => {
    const body = new PassThrough();
    const done = readSseStream(body, { maxMessageBytes: 100 }, () => undefined);
    body.write('data: a\n\n');
    await settleEvents();
    body.destroy();
    await expect(done).rejects.toMatchObject({ code: 'ERR_STREAM_PREMATURE_CLOSE' });
  });

  it('delivers the messages before an oversized one, then fails and destroys the body', async () => {
    const body = new PassThrough();
    const seen: string[] = [];
    const done = readSseStream(body, { maxMessageBytes: 10 }, (message) => {
      seen.push(message.data);
      return undefined;
    });
    body.write(`data: a\n\ndata: ${'b'.repeat(50)}\n\ndata: c\n\n`);
    const error = await failureOf(done);
    expect(error.code).toBe('upstream_bad_response');
    expect(seen).toEqual(['a']);
    expect(body.destroyed).toBe(true);
  });

  it('fails while a never-ending message is still growing', async () => {
    const body = new PassThrough();
    const failure = failureOf(readSseStream(body, { maxMessageBytes: 5_000 }, () => undefined));
    body.write('data: ');
    for (let index = 0; index < 10 && !body.destroyed; index += 1) {
      body.write('z'.repeat(1_000));
      await settleEvents();
    }
    expect((await failure).code).toBe('upstream_bad_response');
    expect(body.destroyed).toBe(true);
  });

  it('fails with what the handler threw or its wait rejected with, and destroys the body', async () => {
    const thrown = new PassThrough();
    const threw = readSseStream(thrown, { maxMessageBytes: 100 }, () => {
      throw new RouterError('upstream_server_error', 'the upstream reported an error');
    });
    thrown.write('data: a\n\n');
    expect((await failureOf(threw)).code).toBe('upstream_server_error');
    expect(thrown.destroyed).toBe(true);

    const rejected = new PassThrough();
    const rejecting = readSseStream(rejected, { maxMessageBytes: 100 }, () =>
      Promise.reject(new RouterError('client_closed', 'the client went away')),
    );
    rejected.write('data: a\n\n');
    expect((await failureOf(rejecting)).code).toBe('client_closed');
    expect(rejected.destroyed).toBe(true);
  });

  it('waits for the messages the end of the body completes', async () => {
    const body = new PassThrough();
    const seen: string[] = [];
    const done = readSseStream(body, { maxMessageBytes: 100 }, (message) => {
      seen.push(message.data);
      return new Promise<void>((resolve) => setImmediate(resolve));
    });
    body.end('data: a\n\ndata: b\r\r');
    await done;
    expect(seen).toEqual(['a', 'b']);
  });

  it('leaves the connection for reuse when it stops at a message that comes with the end of the response', async () => {
    let connections = 0;
    const server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.flushHeaders();
      // Headers first, then the last messages and the end of the chunked body in one write.
      setTimeout(() => response.end('data: a\n\ndata: [DONE]\n\n'), 20);
    });
    server.on('connection', () => {
      connections += 1;
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const agent = new Agent();
    try {
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      for (let call = 0; call < 3; call += 1) {
        const { body } = await agent.request({ origin, path: '/', method: 'GET' });
        await readSseStream(body, { maxMessageBytes: 100 }, (message) =>
          message.data === '[DONE]' ? 'stop' : undefined,
        );
        // Time for the ended response's connection to go back to the pool; a destroyed one never does.
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(connections).toBe(1);
    } finally {
      await agent.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
