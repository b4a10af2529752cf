/**
 * Agent-scale streaming: thousands of long streams open at once, as an agent fleet holds them. The fake
 * upstream (started with `--stamp`) writes into each content chunk the wall-clock time it wrote it; this
 * client opens every stream within about a second and reads, for each chunk, how long it took to arrive
 * (upstream write to client read), and for each stream the time from sending the request to its first
 * content chunk. The same client runs against the upstream directly, so what a system adds is its figure
 * minus the direct one, and the clocks of the two processes cancel out.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { wallClockMs } from './fake-upstream.js';
import { readTreeCpuSeconds } from './read-cpu.js';
import { sampleTreeMemory } from './read-rss.js';

const contentMarker = '"content":"s';
const doneMarker = 'data: [DONE]';

/** The value at `fraction` of a sorted typed array; NaN when empty. */
function percentileOfSorted(sorted, fraction) {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[index];
}

/**
 * Reads one stream's bytes: every chunk stamp is compared with the arrival time of the network read that
 * carried it. A stamp split across two reads is completed from the carried-over tail.
 */
function createStreamReader(onStamp) {
  let tail = '';
  let contentChunks = 0;
  let sawDone = false;
  return {
    read(text, arrivedAt) {
      const joined = tail + text;
      let from = 0;
      for (;;) {
        const at = joined.indexOf(contentMarker, from);
        if (at < 0) break;
        const start = at + contentMarker.length;
        const end = joined.indexOf(' ', start);
        if (end < 0) {
          from = at;
          break;
        }
        const stamp = Number(joined.slice(start, end));
        if (Number.isFinite(stamp)) {
          contentChunks += 1;
          onStamp(arrivedAt - stamp, contentChunks === 1, arrivedAt);
        }
        from = end;
      }
      if (joined.includes(doneMarker, Math.max(0, from - doneMarker.length))) sawDone = true;
      // Keep enough of the end for a marker or stamp cut in two; everything before was read.
      const keepFrom = Math.max(from, joined.length - 64);
      tail = joined.slice(keepFrom);
    },
    get contentChunks() {
      return contentChunks;
    },
    get sawDone() {
      return sawDone;
    },
  };
}

/** Sends one POST of `body` to `target` (a URL) over `agent`; `onResponse` gets the response. */
export function post(agent, target, headers, body, onResponse) {
  return http.request(
    {
      agent,
      host: target.hostname,
      port: target.port,
      path: target.pathname,
      method: 'POST',
      headers: { ...headers, 'content-length': Buffer.byteLength(body) },
    },
    onResponse,
  );
}

/**
 * Sends `count` calls of `body` to `target` over `agent` with `headers`, `connections` at a time, each answer
 * read to its end. Rejects on a transport error or a status other than 200: a measurement that lost calls
 * would count the wrong thing.
 */
export async function callMany({ agent, target, headers, body, count, connections = 8 }) {
  let sent = 0;
  const one = () =>
    new Promise((resolve, reject) => {
      const request = post(agent, target, headers, body, (response) => {
        response.resume();
        response.on('end', () =>
          response.statusCode === 200
            ? resolve()
            : reject(new Error(`${target.pathname}: status ${response.statusCode}`)),
        );
        response.on('error', reject);
      });
      request.on('error', reject);
      request.end(body);
    });
  const loop = async () => {
    while (sent < count) {
      sent += 1;
      await one();
    }
  };
  await Promise.all(Array.from({ length: connections }, loop));
}

/**
 * Warms a system up as a long-running one would be: `calls` calls, `concurrency` at a time, every other
 * one streamed. A fresh process still compiles its hot path; without this, a burst of stream starts
 * measures V8's compiler as much as the system (measured: the bare proxy's first chunk came at a 1,271 ms
 * p50 cold and 149 ms warm). `streamBody` should be `benchRequestBodies().warmUpStream`, which the fake
 * upstream answers with a short stream: each streamed call is read to its end, so a stream's last chunks
 * and its end are compiled too, not only its start. A stream still open after `streamLimitMs` (a body the
 * upstream streams at full length) is dropped. Errors are ignored here: the measured streams that follow
 * count every failure as lost.
 */
export async function warmUpStreams({
  url,
  headers,
  plainBody,
  streamBody,
  calls,
  concurrency = 50,
  streamLimitMs = 2000,
}) {
  const target = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const one = (streamed) =>
    new Promise((resolve) => {
      const body = streamed ? streamBody : plainBody;
      const outgoing = post(agent, target, headers, body, (response) => {
        response.resume();
        response.on('end', resolve);
        response.on('error', resolve);
        response.on('close', resolve);
      });
      const limit = setTimeout(() => outgoing.destroy(), streamLimitMs);
      outgoing.on('close', () => clearTimeout(limit));
      outgoing.on('error', resolve);
      outgoing.end(body);
    });
  try {
    for (let sent = 0; sent < calls; sent += concurrency) {
      const batch = Math.min(concurrency, calls - sent);
      await Promise.all(Array.from({ length: batch }, (_, index) => one(index % 2 === 1)));
    }
  } finally {
    agent.destroy();
  }
}

/**
 * Opens `streams` streamed calls to `url`, evenly over `openMs`, and waits for all of them (or
 * `deadlineMs`). `pid`, when given, is the system whose CPU (from /proc) and peak RSS are read.
 */
export async function measureAgentStreams({
  url,
  headers,
  body,
  streams,
  chunks,
  openMs = 1000,
  deadlineMs,
  pid,
}) {
  const target = new URL(url);
  // One connection per stream, never a pool limit: the client must not be the queue being measured.
  const agent = new http.Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });
  const delays = new Float32Array(streams * chunks);
  // When each chunk arrived, to split the delays of the opening burst from those of steady streaming.
  const arrivals = new Float64Array(streams * chunks);
  let delayCount = 0;
  let everyStreamStartedAt = Number.NEGATIVE_INFINITY;
  // When the first stream ended: with every stream opened within a second, the ends come in a burst too.
  let firstStreamEndedAt = Number.POSITIVE_INFINITY;
  const firstChunkMs = [];
  let lost = 0;
  let lastError = '';
  let chunksSeen = 0;
  const memory = pid === undefined ? undefined : sampleTreeMemory(pid, 250);
  const cpuBefore = pid === undefined ? 0 : readTreeCpuSeconds([pid]);
  const startedAt = performance.now();
  let lastEndedAt = startedAt;
  const deadline = setTimeout(() => agent.destroy(), deadlineMs);

  const runOne = (index) =>
    new Promise((resolve) => {
      setTimeout(
        () => {
          const sentAt = wallClockMs();
          let firstSeen = false;
          const reader = createStreamReader((delayMs, first, arrivedAt) => {
            chunksSeen += 1;
            if (delayCount < delays.length) {
              arrivals[delayCount] = arrivedAt;
              delays[delayCount++] = delayMs;
            }
            if (first && !firstSeen) {
              firstSeen = true;
              everyStreamStartedAt = Math.max(everyStreamStartedAt, arrivedAt);
              firstChunkMs.push(wallClockMs() - sentAt);
            }
          });
          let settled = false;
          const finish = (error) => {
            if (settled) return;
            settled = true;
            lastEndedAt = Math.max(lastEndedAt, performance.now());
            firstStreamEndedAt = Math.min(firstStreamEndedAt, wallClockMs());
            if (error !== undefined || !reader.sawDone || reader.contentChunks !== chunks) {
              lost += 1;
              lastError =
                error?.message ??
                `ended with ${reader.contentChunks}/${chunks} chunks, done ${reader.sawDone}`;
            }
            resolve();
          };
          const outgoing = post(agent, target, headers, body, (response) => {
            if (response.statusCode !== 200) {
              response.resume();
              finish(new Error(`status ${response.statusCode}`));
              return;
            }
            response.setEncoding('utf8');
            response.on('data', (text) => reader.read(text, wallClockMs()));
            response.on('end', () => finish());
            response.on('error', (error) => finish(error));
            response.on('close', () => finish(new Error('closed before the end')));
          });
          outgoing.on('error', (error) => finish(error));
          outgoing.end(body);
        },
        (index * openMs) / streams,
      );
    });

  await Promise.all(Array.from({ length: streams }, (_, index) => runOne(index)));
  clearTimeout(deadline);
  agent.destroy();
  const cpuSeconds = pid === undefined ? undefined : readTreeCpuSeconds([pid]) - cpuBefore;
  const peakRssMb = memory?.stop();
  const steady = [];
  for (let index = 0; index < delayCount; index += 1) {
    const arrivedAt = arrivals[index];
    if (arrivedAt > everyStreamStartedAt && arrivedAt < firstStreamEndedAt) steady.push(delays[index]);
  }
  const sortedSteady = Float64Array.from(steady).sort();
  const sortedDelays = delays.subarray(0, delayCount).sort();
  const sortedFirst = Float64Array.from(firstChunkMs).sort();
  return {
    streams,
    chunksPerStream: chunks,
    lost,
    lastError,
    allDoneSeconds: (lastEndedAt - startedAt) / 1000,
    chunks: chunksSeen,
    chunkDelayP50Ms: percentileOfSorted(sortedDelays, 0.5),
    chunkDelayP99Ms: percentileOfSorted(sortedDelays, 0.99),
    chunkDelayMaxMs: percentileOfSorted(sortedDelays, 1),
    // Only the chunks that arrived while every stream was open (after the last stream's first chunk, before
    // the first stream's end): steady streaming, without the opening burst of starts or the closing burst
    // of ends (NaN when no chunk came in between).
    steadyChunks: sortedSteady.length,
    steadyChunkDelayP50Ms: percentileOfSorted(sortedSteady, 0.5),
    steadyChunkDelayP99Ms: percentileOfSorted(sortedSteady, 0.99),
    firstChunkP50Ms: percentileOfSorted(sortedFirst, 0.5),
    firstChunkP99Ms: percentileOfSorted(sortedFirst, 0.99),
    cpuSeconds,
    cpuMsPer1000Chunks:
      cpuSeconds === undefined || chunksSeen === 0 ? undefined : (cpuSeconds * 1000 * 1000) / chunksSeen,
    peakRssMb,
  };
}
