/**
 * Non-streamed load: throughput at a fixed concurrency for a fixed time and a long run of a fixed number
 * of requests through autocannon's programmatic API, and per-request latency at concurrency 1.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';

function runAutocannon(options, onInstance) {
  return new Promise((resolve, reject) => {
    const instance = autocannon({ ...options, method: 'POST' }, (error, result) => {
      if (error) reject(error);
      else resolve(result);
    });
    onInstance?.(instance);
  });
}

function summarise(result) {
  const ok = result['2xx'] ?? 0;
  return {
    requestsPerSecond: result.duration > 0 ? ok / result.duration : 0,
    ok,
    non2xx: result.non2xx ?? 0,
    errors: result.errors ?? 0,
    timeouts: result.timeouts ?? 0,
    durationSeconds: result.duration,
    statusCodes: result.statusCodeStats ?? {},
  };
}

/** Fixed-duration load at `connections`; resolves with 2xx requests per second and error counts. */
export async function measureThroughput({ url, headers, body, connections, durationSeconds }) {
  const result = await runAutocannon({
    url,
    headers,
    body,
    connections,
    duration: durationSeconds,
    timeout: 10,
  });
  return summarise(result);
}

/**
 * `amount` requests one after another over one keep-alive connection; resolves with each response's
 * time from sending to its last byte, in milliseconds. A plain node:http loop rather than autocannon:
 * autocannon's own latency histogram counts whole milliseconds (too coarse for a 0.3 ms target) and
 * each of its runs lasts at least one second, which would make alternating short rounds slow.
 */
export async function measureLatency({ url, headers, body, amount, agent }) {
  const target = new URL(url);
  const ownAgent = agent === undefined;
  const pool = agent ?? new http.Agent({ keepAlive: true, maxSockets: 1 });
  const payload = Buffer.from(body);
  const requestHeaders = { ...headers, 'content-length': String(payload.length) };
  const latenciesMs = [];
  let failed = 0;
  const once = () =>
    new Promise((resolve) => {
      const started = performance.now();
      const outgoing = http.request(
        {
          agent: pool,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          headers: requestHeaders,
        },
        (response) => {
          response.on('data', () => undefined);
          response.on('end', () => {
            const elapsed = performance.now() - started;
            if (
              response.statusCode !== undefined &&
              response.statusCode >= 200 &&
              response.statusCode < 300
            ) {
              latenciesMs.push(elapsed);
            } else failed += 1;
            resolve();
          });
          response.on('error', () => {
            failed += 1;
            resolve();
          });
        },
      );
      outgoing.setTimeout(10_000, () => outgoing.destroy(new Error('timed out')));
      outgoing.on('error', () => {
        failed += 1;
        resolve();
      });
      outgoing.end(payload);
    });
  try {
    for (let index = 0; index < amount; index += 1) await once();
  } finally {
    if (ownAgent) pool.destroy();
  }
  return { latenciesMs, failed };
}

/**
 * `amount` requests at `connections`; calls `onProgress(done)` every `progressMs` so the caller can
 * sample memory as the count grows. Stops early when no answer has arrived for `stallSeconds` (the
 * system hangs) or after `capSeconds`.
 */
export async function measureLongRun({
  url,
  headers,
  body,
  connections,
  amount,
  capSeconds,
  stallSeconds = 30,
  progressMs = 1000,
  onProgress,
}) {
  let capTimer;
  let progressTimer;
  let done = 0;
  let stalled = false;
  let lastDone = 0;
  let lastChange = Date.now();
  const result = await runAutocannon({ url, headers, body, connections, amount, timeout: 10 }, (instance) => {
    instance.on('response', () => {
      done += 1;
    });
    progressTimer = setInterval(() => {
      onProgress?.(done);
      const now = Date.now();
      if (done !== lastDone) {
        lastDone = done;
        lastChange = now;
      } else if (now - lastChange > stallSeconds * 1000) {
        stalled = true;
        instance.stop();
      }
    }, progressMs);
    capTimer = setTimeout(() => instance.stop(), capSeconds * 1000);
  }).finally(() => {
    clearTimeout(capTimer);
    clearInterval(progressTimer);
  });
  return { ...summarise(result), completed: done, stalled, cappedByTime: !stalled && done < amount };
}
