#!/usr/bin/env node
/**
 * CPU per call at a fixed, unsaturated rate: the regime a team's router spends most of its time in, where
 * every call wakes an idle process and finds its caches cold. The throughput phases of `run.js` measure
 * the opposite end (32 calls always in flight). Calls are sent open-loop at `--rate` a second for
 * `--seconds`, in four phases: plain and streamed calls (2 chunks 50 ms apart), each over a keep-alive
 * connection and over a new connection per call. Per phase it prints the system's CPU per call (user +
 * system from /proc, all its threads). `--warm N` first sends N calls at concurrency 50, so that V8 has
 * compiled the hot path; without it the figures include a young process's compiling.
 *
 *   npm run build && node bench/cpu-at-rate.js [--system router|bare] [--rate 250] [--seconds 4] [--warm 20000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { post } from './measure-agent-streams.js';
import { readTreeCpuSeconds } from './read-cpu.js';
import {
  bareProxyArgs,
  benchHeaders,
  benchRequestBodies,
  findFreePort,
  spawnBenchRouter,
  spawnSystem,
  startFakeUpstream,
  stopSystem,
  waitForHttp,
} from './start-system.js';

const benchDir = dirname(fileURLToPath(import.meta.url));
const rootDir = dirname(benchDir);

const { values } = parseArgs({
  options: {
    system: { type: 'string', default: 'router' },
    rate: { type: 'string', default: '250' },
    seconds: { type: 'string', default: '4' },
    warm: { type: 'string', default: '0' },
  },
});
const system = values.system;
if (system !== 'router' && system !== 'bare') {
  console.error(
    'usage: node bench/cpu-at-rate.js [--system router|bare] [--rate 250] [--seconds 4] [--warm 0]',
  );
  process.exit(2);
}
const rate = Number(values.rate);
const calls = Math.round(rate * Number(values.seconds));
const warm = Number(values.warm);

const upstream = await startFakeUpstream({ chunks: 2, intervalMs: 50 });
const dataDir = mkdtempSync(join(os.tmpdir(), 'pareto-router-rate-'));
const port = await findFreePort();
const handle =
  system === 'bare'
    ? spawnSystem({
        name: 'bare',
        command: process.execPath,
        args: bareProxyArgs(port, upstream.port),
      })
    : spawnBenchRouter({ root: rootDir, port, dataDir, upstreamPort: upstream.port });
const readyUrl = `http://127.0.0.1:${port}${system === 'bare' ? '/' : '/health'}`;
const target = new URL(
  `http://127.0.0.1:${port}${system === 'bare' ? '/v1/chat/completions' : '/api/v1/chat/completions'}`,
);
const headers = benchHeaders;
const bodies = benchRequestBodies();
const agents = {
  keep: new http.Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY }),
  new: new http.Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY }),
};

/** One call; resolves once the whole answer has been read, rejects on a transport error or a non-200. */
function call(kind, connection) {
  const body = kind === 'stream' ? bodies.stream : bodies.plain;
  return new Promise((resolve, reject) => {
    const request = post(agents[connection], target, headers, body, (response) => {
      response.resume();
      response.on('end', () =>
        response.statusCode === 200 ? resolve() : reject(new Error(`status ${response.statusCode}`)),
      );
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}

/** CPU per call, in µs, of `calls` calls sent `1 / rate` s apart. */
async function phase(kind, connection) {
  await sleep(200);
  const cpuBefore = readTreeCpuSeconds([handle.pid]);
  const startedAt = performance.now();
  const pending = [];
  for (let index = 0; index < calls; index += 1) {
    const wait = startedAt + (index * 1000) / rate - performance.now();
    if (wait > 1) await sleep(wait);
    pending.push(call(kind, connection));
  }
  await Promise.all(pending);
  const cpuSeconds = readTreeCpuSeconds([handle.pid]) - cpuBefore;
  return (cpuSeconds * 1e6) / calls;
}

try {
  if (!(await waitForHttp(handle, readyUrl, 30_000)))
    throw new Error(`${system} did not start:\n${handle.output}`);
  for (let sent = 0; sent < warm; sent += 50) {
    await Promise.all(
      Array.from({ length: 50 }, (_, index) => call(index % 2 === 0 ? 'plain' : 'stream', 'keep')),
    );
  }
  // A few calls on each kind of connection, so the first measured call is not the first of its kind.
  for (let index = 0; index < 20; index += 1) await call('plain', 'keep');
  console.log(
    `${new Date().toISOString()}, ${os.cpus().length} cores, ${os.cpus()[0]?.model}, node ${process.version}; ` +
      `${system}, ${calls} calls per phase at ${rate}/s, warm-up ${warm} calls`,
  );
  for (const kind of ['plain', 'stream']) {
    for (const connection of ['keep', 'new']) {
      const micros = await phase(kind, connection);
      console.log(
        `${kind.padEnd(6)} ${connection === 'keep' ? 'keep-alive    ' : 'new connection'} ${micros.toFixed(0)} µs CPU per call`,
      );
    }
  }
} finally {
  agents.keep.destroy();
  agents.new.destroy();
  await stopSystem(handle);
  await stopSystem(upstream.handle);
  rmSync(dataDir, { recursive: true, force: true });
}
