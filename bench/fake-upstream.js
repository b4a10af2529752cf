#!/usr/bin/env node
/**
 * The bench's upstream: an OpenAI-compatible `/v1/chat/completions` and `/api/v1/chat/completions` that
 * answers as fast as node:http allows. Every response body is built once at start-up so the upstream is
 * never what a measurement is limited by. With `"stream": true` it sends `--chunks` content chunks
 * `--interval-ms` apart, then a usage chunk and `[DONE]`.
 *
 *   node bench/fake-upstream.js --port 0 --chunks 50 --interval-ms 10 [--stamp]
 *
 * With `--stamp`, each content chunk's text is `s<ms> `, the wall-clock time (performance.timeOrigin +
 * performance.now(), in milliseconds) at which the upstream wrote it: a client on the same machine reads
 * how long each chunk took to reach it (the agent-streams bench).
 *
 * A streamed request whose body contains `[bench warm-up]` gets a short stream instead: 4 content chunks
 * (fewer if `--chunks` is lower) 1 ms apart, then the finish, usage and `[DONE]` frames, so a system can be
 * warmed up on whole streams, their ends included, without waiting for the measured streams' length.
 *
 * Prints one JSON line `{"ready":true,"port":N}` on stdout once listening.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { listenForBench } from './listen.js';

const maxBodyBytes = 1024 * 1024;
// The router checks for this before trusting the stream flag; a plain substring test is enough here
// because the bench's own clients write the bodies and parsing JSON would cost the upstream CPU time
// that belongs to the systems under test.
const streamFlag = /"stream"\s*:\s*true/;
/** Marks a warm-up stream (`benchRequestBodies().warmUpStream`): sent whole within a few milliseconds. */
export const warmUpMarker = '[bench warm-up]';
/** Content chunks of a warm-up stream, 1 ms apart: one network read each, as in the measured streams. */
const warmUpChunks = 4;

/** The fixed answer; the bench checks every system returns exactly this before it is measured. */
export const answerText = 'def add(a, b):\n    return a + b\n';

/** The content a streamed answer of `chunks` content chunks adds up to. */
export function streamedAnswerText(chunks) {
  let text = '';
  for (let index = 0; index < chunks; index += 1) text += `tok${index} `;
  return text;
}

/** Builds the fixed non-streamed answer. */
export function createCompletionBody(model) {
  return Buffer.from(
    JSON.stringify({
      id: 'chatcmpl-bench',
      object: 'chat.completion',
      created: 1_700_000_000,
      model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: answerText },
          finish_reason: 'stop',
        },
      ],
      usage: { prompt_tokens: 24, completion_tokens: 12, total_tokens: 36 },
    }),
  );
}

/** Builds the SSE frames of a streamed answer: role chunk, `chunks` content chunks, finish, usage, done. */
export function createStreamFrames(model, chunks) {
  const frame = (value) => Buffer.from(`data: ${JSON.stringify(value)}\n\n`);
  const base = { id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1_700_000_000, model };
  const content = [];
  for (let index = 0; index < chunks; index += 1) {
    content.push(
      frame({
        ...base,
        choices: [{ index: 0, delta: { content: `tok${index} ` }, finish_reason: null }],
      }),
    );
  }
  return {
    role: frame({
      ...base,
      choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }],
    }),
    content,
    finish: frame({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }),
    usage: frame({
      ...base,
      choices: [],
      usage: { prompt_tokens: 24, completion_tokens: chunks, total_tokens: 24 + chunks },
    }),
    done: Buffer.from('data: [DONE]\n\n'),
  };
}

/** The wall clock in fractional milliseconds, comparable between processes on one machine. */
export function wallClockMs() {
  return performance.timeOrigin + performance.now();
}

/** A content chunk whose text is the time it was written (`--stamp`). */
function stampedFrame(model) {
  const head = `data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1700000000,"model":${JSON.stringify(model)},"choices":[{"index":0,"delta":{"content":"s`;
  const tail = ' "},"finish_reason":null}]}\n\n';
  return () => head + wallClockMs().toFixed(3) + tail;
}

/** Starts the fake upstream; resolves with the server and its port. */
export function startFakeUpstream({
  host = '127.0.0.1',
  port = 0,
  chunks = 50,
  intervalMs = 10,
  stamp = false,
} = {}) {
  const model = 'bench/fake-model';
  const completion = createCompletionBody(model);
  const completionHeaders = {
    'content-type': 'application/json',
    'content-length': String(completion.length),
  };
  const frames = createStreamFrames(model, chunks);
  const stamped = stamp ? stampedFrame(model) : undefined;
  const contentFrame = (index) => (stamped === undefined ? frames.content[index] : stamped());
  const streamHeaders = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' };
  const notFound = Buffer.from(JSON.stringify({ error: { code: 404, message: 'not found' } }));

  const sendStream = (response, warmUp) => {
    const contentChunks = warmUp ? Math.min(warmUpChunks, frames.content.length) : frames.content.length;
    const gapMs = warmUp ? 1 : intervalMs;
    response.writeHead(200, streamHeaders);
    // The role chunk and the first token go out at once, so time to first token measures the path and
    // not timer jitter; the rest follows on the timer so the client sees a steady, known inter-chunk gap.
    response.write(frames.role);
    response.write(contentFrame(0));
    let sent = 1;
    const timer = setInterval(() => {
      if (response.destroyed) {
        clearInterval(timer);
        return;
      }
      const chunk = sent < contentChunks ? contentFrame(sent) : undefined;
      sent += 1;
      if (chunk !== undefined) response.write(chunk);
      if (sent >= contentChunks) {
        clearInterval(timer);
        response.write(frames.finish);
        response.write(frames.usage);
        response.end(frames.done);
      }
    }, gapMs);
    response.on('close', () => clearInterval(timer));
  };

  const server = http.createServer((request, response) => {
    const path = request.url ?? '';
    const isChat =
      request.method === 'POST' &&
      (path.startsWith('/v1/chat/completions') || path.startsWith('/api/v1/chat/completions'));
    if (!isChat) {
      // Drain whatever was sent so the connection stays reusable.
      request.resume();
      response.writeHead(404, { 'content-type': 'application/json', 'content-length': notFound.length });
      response.end(notFound);
      return;
    }
    const parts = [];
    let size = 0;
    request.on('data', (part) => {
      size += part.length;
      if (size > maxBodyBytes) {
        response.writeHead(413, { connection: 'close' });
        response.end();
        request.destroy();
        return;
      }
      parts.push(part);
    });
    request.on('end', () => {
      if (response.headersSent) return;
      const text = parts.length === 1 ? parts[0].toString('latin1') : Buffer.concat(parts).toString('latin1');
      if (streamFlag.test(text)) {
        sendStream(response, text.includes(warmUpMarker));
        return;
      }
      response.writeHead(200, completionHeaders);
      response.end(completion);
    });
  });
  return listenForBench(server, port, host).then((boundPort) => ({ server, port: boundPort }));
}

async function main() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      chunks: { type: 'string', default: '50' },
      'interval-ms': { type: 'string', default: '10' },
      stamp: { type: 'boolean', default: false },
    },
  });
  const chunks = Number(values.chunks);
  const intervalMs = Number(values['interval-ms']);
  if (!Number.isInteger(chunks) || chunks < 1 || chunks > 10_000) {
    throw new Error(`--chunks must be an integer 1..10000, got "${values.chunks}"`);
  }
  if (!Number.isFinite(intervalMs) || intervalMs < 0 || intervalMs > 10_000) {
    throw new Error(`--interval-ms must be 0..10000, got "${values['interval-ms']}"`);
  }
  const { server, port } = await startFakeUpstream({
    host: values.host,
    port: Number(values.port),
    chunks,
    intervalMs,
    stamp: values.stamp,
  });
  process.stdout.write(`${JSON.stringify({ ready: true, port })}\n`);
  const stop = () => {
    server.close();
    server.closeAllConnections();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error) => {
    process.stderr.write(`fake-upstream: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
