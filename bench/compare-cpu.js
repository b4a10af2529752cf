#!/usr/bin/env node
/**
 * CPU per call of two builds of the router and the bare proxy, in rounds whose order rotates: this
 * checkout, a baseline checkout (built, with its own node_modules or a link to these) and the bare proxy,
 * all against one fake upstream. Each system is warmed up (`--warm` calls at concurrency 32), then each
 * round sends `--calls` calls at `--connections` to each system in turn and reads the system's CPU time
 * (user + system, all its processes and threads) from /proc before and after. Prints the medians and
 * every round. The rounds are paired in time, so a machine that changes speed moves all three alike.
 *
 *   git worktree add ../baseline <commit> && ln -s "$PWD/node_modules" ../baseline/node_modules
 *   (cd ../baseline && npm run build)
 *   npm run build && node bench/compare-cpu.js --baseline ../baseline [--kind plain|stream] [--rounds 8]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { callMany } from './measure-agent-streams.js';
import { readTreeCpuSeconds } from './read-cpu.js';
import {
  bareProxyArgs,
  benchEnvironment,
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
    baseline: { type: 'string' },
    kind: { type: 'string', default: 'plain' },
    rounds: { type: 'string', default: '8' },
    calls: { type: 'string', default: '8000' },
    warm: { type: 'string', default: '20000' },
    connections: { type: 'string', default: '8' },
  },
});
if (values.baseline === undefined || !['plain', 'stream'].includes(values.kind)) {
  console.error(
    'usage: node bench/compare-cpu.js --baseline DIR [--kind plain|stream] [--rounds 8] [--calls 8000]',
  );
  process.exit(2);
}

const headers = benchHeaders;
const median = (numbers) => [...numbers].sort((left, right) => left - right)[Math.floor(numbers.length / 2)];

const upstream = await startFakeUpstream({ chunks: 2, intervalMs: 0 });
const dataDirs = [];
const systems = [];
try {
  for (const [name, root] of [
    ['baseline', resolve(values.baseline)],
    ['current', rootDir],
  ]) {
    const port = await findFreePort();
    const dataDir = mkdtempSync(join(os.tmpdir(), 'pareto-compare-cpu-'));
    dataDirs.push(dataDir);
    const handle = spawnBenchRouter({ root, port, dataDir, upstreamPort: upstream.port });
    systems.push({ name, handle, target: new URL(`http://127.0.0.1:${port}/api/v1/chat/completions`) });
  }
  const barePort = await findFreePort();
  systems.push({
    name: 'bare',
    handle: spawnSystem({
      name: 'bare',
      command: process.execPath,
      args: bareProxyArgs(barePort, upstream.port),
      env: benchEnvironment({}),
    }),
    target: new URL(`http://127.0.0.1:${barePort}/v1/chat/completions`),
  });
  for (const system of systems) {
    if (!(await waitForHttp(system.handle, new URL('/', system.target).href))) {
      throw new Error(`${system.name} did not start:\n${system.handle.output}`);
    }
  }
  const bodies = benchRequestBodies();
  const body = values.kind === 'stream' ? bodies.stream : bodies.plain;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  for (const system of systems) {
    await callMany({
      agent,
      target: system.target,
      headers,
      body,
      count: Number(values.warm),
      connections: 32,
    });
  }
  const calls = Number(values.calls);
  for (const system of systems) Object.assign(system, { cpu: [], rate: [] });
  for (let round = 0; round < Number(values.rounds); round += 1) {
    for (let index = 0; index < systems.length; index += 1) {
      const system = systems[(index + round) % systems.length];
      const before = readTreeCpuSeconds([system.handle.pid]);
      const started = performance.now();
      const connections = Number(values.connections);
      await callMany({ agent, target: system.target, headers, body, count: calls, connections });
      const seconds = (performance.now() - started) / 1000;
      system.cpu.push(((readTreeCpuSeconds([system.handle.pid]) - before) * 1e6) / calls);
      system.rate.push(calls / seconds);
    }
  }
  const bare = median(systems[2].cpu);
  console.log(
    `${values.kind} calls, ${values.rounds} rounds of ${calls} at ${values.connections} connections, ` +
      `${os.cpus()[0]?.model ?? 'unknown CPU'}, node ${process.version}, load average ${os.loadavg()[0].toFixed(2)}`,
  );
  for (const system of systems) {
    const cpu = median(system.cpu);
    console.log(
      `${system.name.padEnd(8)} ${cpu.toFixed(1)} us CPU per call (${(cpu / bare).toFixed(2)}x bare), ` +
        `${Math.round(median(system.rate))} req/s; rounds ${system.cpu.map((value) => value.toFixed(1)).join(' ')}`,
    );
  }
} finally {
  for (const system of systems) await stopSystem(system.handle);
  await stopSystem(upstream.handle);
  for (const dataDir of dataDirs) rmSync(dataDir, { recursive: true, force: true });
}
