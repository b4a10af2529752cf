#!/usr/bin/env node
/**
 * Paired runs of two builds of the router on streams: this checkout and a baseline checkout (built, with
 * its own node_modules or a link to these), one after the other in each round, each against its own
 * fake upstream started the same way. Per run it prints the router's CPU per stream (user + system from
 * /proc, all its processes and threads) and the first-chunk p50. The defaults measure stream starts:
 * 1,000 streams of 2 chunks opened over 4 s, each on a new client connection, as the agent-streams
 * client opens them; `--chunks 200 --interval-ms 50 --streams 200 --open-ms 1000` measures the chunk path.
 *
 *   git worktree add ../baseline <commit> && ln -s "$PWD/node_modules" ../baseline/node_modules
 *   (cd ../baseline && npm run build)
 *   npm run build && node bench/compare-stream-starts.js --baseline ../baseline [--rounds 5]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { measureAgentStreams, warmUpStreams } from './measure-agent-streams.js';
import {
  benchHeaders,
  benchRequestBodies,
  findFreePort,
  spawnBenchRouter,
  startFakeUpstream,
  stopSystem,
  waitForHttp,
} from './start-system.js';

const rootDir = dirname(dirname(fileURLToPath(import.meta.url)));

const { values } = parseArgs({
  options: {
    baseline: { type: 'string' },
    rounds: { type: 'string', default: '5' },
    streams: { type: 'string', default: '1000' },
    chunks: { type: 'string', default: '2' },
    'interval-ms': { type: 'string', default: '50' },
    'open-ms': { type: 'string', default: '4000' },
  },
});
if (values.baseline === undefined) {
  console.error('usage: node bench/compare-stream-starts.js --baseline DIR [--rounds 5] [--streams 1000]');
  console.error('       [--chunks 2] [--interval-ms 50] [--open-ms 4000]');
  process.exit(2);
}
const settings = {
  rounds: Number(values.rounds),
  streams: Number(values.streams),
  chunks: Number(values.chunks),
  intervalMs: Number(values['interval-ms']),
  openMs: Number(values['open-ms']),
};
const builds = { baseline: resolve(values.baseline), current: rootDir };
const headers = benchHeaders;
const bodies = benchRequestBodies();
/** Calls before each run's streams, half of them short streams read to their end (`warmUpStreams`). */
const warmUpCalls = 2000;

/** One run: a fresh fake upstream and a fresh router from `root`, warm-up calls, then the streams. */
async function runOnce(root) {
  const dataDir = mkdtempSync(join(os.tmpdir(), 'pareto-router-compare-'));
  const handles = [];
  try {
    const upstream = await startFakeUpstream({
      chunks: settings.chunks,
      intervalMs: settings.intervalMs,
      stamp: true,
    });
    handles.push(upstream.handle);
    const upstreamPort = upstream.port;
    const port = await findFreePort();
    const router = spawnBenchRouter({ root, port, dataDir, upstreamPort });
    handles.push(router);
    if (!(await waitForHttp(router, `http://127.0.0.1:${port}/health`, 30_000))) {
      throw new Error(`the router in ${root} did not start:\n${router.output}`);
    }
    const url = `http://127.0.0.1:${port}/api/v1/chat/completions`;
    await warmUpStreams({
      url,
      headers,
      plainBody: bodies.plain,
      streamBody: bodies.warmUpStream,
      calls: warmUpCalls,
    });
    const figures = await measureAgentStreams({
      url,
      headers,
      body: bodies.stream,
      streams: settings.streams,
      chunks: settings.chunks,
      openMs: settings.openMs,
      deadlineMs: (settings.openMs + settings.chunks * settings.intervalMs + 60_000) * 2,
      pid: router.pid,
    });
    if (figures.lost > 0) throw new Error(`${figures.lost} streams lost: ${figures.lastError}`);
    return {
      cpuMsPerStream: (figures.cpuSeconds * 1000) / settings.streams,
      firstChunkP50Ms: figures.firstChunkP50Ms,
    };
  } finally {
    for (const handle of handles.reverse()) await stopSystem(handle);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const results = { baseline: [], current: [] };
console.log(
  `${new Date().toISOString()}, ${os.cpus().length} cores, ${os.cpus()[0]?.model}, node ${process.version}; ` +
    `${settings.streams} streams x ${settings.chunks} chunks ${settings.intervalMs} ms apart, opened over ${settings.openMs} ms`,
);
for (let round = 0; round < settings.rounds; round += 1) {
  // The order alternates, so a drift of the machine's speed falls on both builds.
  const order = round % 2 === 0 ? ['baseline', 'current'] : ['current', 'baseline'];
  for (const name of order) {
    const result = await runOnce(builds[name]);
    results[name].push(result);
    console.log(
      `round ${round + 1} ${name.padEnd(8)} ${result.cpuMsPerStream.toFixed(3)} ms CPU per stream, first chunk p50 ${result.firstChunkP50Ms.toFixed(1)} ms (load average ${os.loadavg()[0].toFixed(2)})`,
    );
  }
}
const mean = (list) => list.reduce((sum, value) => sum + value, 0) / list.length;
const baselineMean = mean(results.baseline.map((result) => result.cpuMsPerStream));
const currentMean = mean(results.current.map((result) => result.cpuMsPerStream));
const lower = results.current.filter(
  (result, index) => result.cpuMsPerStream <= (results.baseline[index]?.cpuMsPerStream ?? Number.NaN),
).length;
console.log(
  `mean CPU per stream: baseline ${baselineMean.toFixed(3)} ms, current ${currentMean.toFixed(3)} ms ` +
    `(${(((currentMean - baselineMean) / baselineMean) * 100).toFixed(1)}%); current lower or equal in ${lower} of ${settings.rounds} rounds`,
);
