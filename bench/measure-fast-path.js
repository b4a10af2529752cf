#!/usr/bin/env node
/**
 * CPU per call of the same-protocol fast path: the bare proxy, the router with its fast path and the
 * router with it switched off (PARETO_ROUTER_FAST_PATH=off), side by side against one fake upstream.
 * Rounds rotate the order of the three; each round runs a fixed time of plain (non-streamed) chat
 * completions at concurrency 8 against each system and reads the system's CPU time (user + system, the
 * process and its children) from /proc before and after. Prints medians of microseconds of CPU per call
 * and req/s, with the machine and its load average. Run after `npm run build`:
 *
 *   node bench/measure-fast-path.js [--rounds 6] [--seconds 3] [--connections 8] [--body small|agent]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { measureThroughput } from './measure-load.js';
import { readTreeCpuSeconds } from './read-cpu.js';
import {
  bareProxyArgs,
  benchEnvironment,
  benchHeaders,
  benchRouterEnvironment,
  findFreePort,
  spawnSystem,
  stopSystem,
  waitForHttp,
} from './start-system.js';

const benchDir = dirname(fileURLToPath(import.meta.url));
const rootDir = dirname(benchDir);

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '6' },
    seconds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '8' },
    body: { type: 'string', default: 'small' },
  },
});
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const connections = Number(values.connections);

function requestBody(kind) {
  const messages = [
    { role: 'system', content: 'You are a careful coding assistant.' },
    { role: 'user', content: 'Write a Python function add(a, b) that returns the sum of a and b.' },
  ];
  if (kind === 'agent') {
    // A coding agent's turn: a long conversation of tool calls and results.
    for (let turn = 0; turn < 40; turn += 1) {
      messages.push({
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: `call_${turn}`,
            type: 'function',
            function: { name: 'bash', arguments: '{"cmd":"npm test"}' },
          },
        ],
      });
      messages.push({ role: 'tool', tool_call_id: `call_${turn}`, content: 'ok '.repeat(50) });
    }
  }
  return JSON.stringify({
    model: 'openrouter/pareto-code',
    messages,
    max_tokens: 64,
    plugins: [{ id: 'pareto-router', min_coding_score: 0.8 }],
    ...(kind === 'agent'
      ? { tools: [{ type: 'function', function: { name: 'bash', parameters: { type: 'object' } } }] }
      : {}),
  });
}

async function start(name, command, args, env, readyPath) {
  const handle = spawnSystem({ name, command, args, env, cwd: rootDir });
  const port = args[args.indexOf('--port') + 1];
  if (!(await waitForHttp(handle, `http://127.0.0.1:${port}${readyPath}`))) {
    throw new Error(`${name} did not start:\n${handle.output}`);
  }
  return handle;
}

const handles = [];
const dataDir = mkdtempSync(join(os.tmpdir(), 'pareto-router-fast-path-'));
try {
  const upstreamPort = await findFreePort();
  handles.push(
    await start(
      'upstream',
      process.execPath,
      [join(benchDir, 'fake-upstream.js'), '--port', String(upstreamPort)],
      benchEnvironment({}),
      '/',
    ),
  );
  const systems = {};
  const barePort = await findFreePort();
  const bare = await start(
    'bare',
    process.execPath,
    [...bareProxyArgs(barePort, upstreamPort), '--workers', '1'],
    benchEnvironment({}),
    '/',
  );
  handles.push(bare);
  systems.bare = { handle: bare, url: `http://127.0.0.1:${barePort}/v1/chat/completions` };
  for (const [name, fastPath] of [
    ['router fast path', 'on'],
    ['router general path', 'off'],
  ]) {
    const port = await findFreePort();
    const handle = await start(
      name,
      join(rootDir, 'bin', 'pareto-router.js'),
      ['serve', '--port', String(port), '--data-dir', mkdtempSync(join(dataDir, 'run-'))],
      benchRouterEnvironment(upstreamPort, { PARETO_ROUTER_FAST_PATH: fastPath }),
      '/health',
    );
    handles.push(handle);
    systems[name] = { handle, url: `http://127.0.0.1:${port}/api/v1/chat/completions` };
  }
  const headers = benchHeaders;
  const body = requestBody(values.body);
  const names = Object.keys(systems);
  const samples = Object.fromEntries(names.map((name) => [name, { cpu: [], rate: [], failed: 0 }]));
  // One unrecorded round warms every process up.
  for (let round = -1; round < rounds; round += 1) {
    const order = names.map((_, index) => names[(index + Math.max(round, 0)) % names.length]);
    for (const name of order) {
      const { handle, url } = systems[name];
      const before = readTreeCpuSeconds([handle.pid]);
      const result = await measureThroughput({
        url,
        headers,
        body,
        connections,
        durationSeconds: round < 0 ? 4 : seconds,
      });
      const cpuSeconds = readTreeCpuSeconds([handle.pid]) - before;
      if (round < 0) continue;
      samples[name].failed += result.non2xx + result.errors + result.timeouts;
      if (result.ok > 0) {
        samples[name].cpu.push((cpuSeconds * 1e6) / result.ok);
        samples[name].rate.push(result.requestsPerSecond);
      }
    }
  }
  const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)] ?? Number.NaN;
  const bareCpu = median(samples.bare.cpu);
  const bareRate = median(samples.bare.rate);
  const rows = names.map((name) => ({
    system: name,
    'CPU us/call (median)': Math.round(median(samples[name].cpu)),
    'x bare CPU': Number((median(samples[name].cpu) / bareCpu).toFixed(2)),
    'req/s (median)': Math.round(median(samples[name].rate)),
    'x bare req/s': Number((median(samples[name].rate) / bareRate).toFixed(2)),
    'CPU us/call (all rounds)': samples[name].cpu.map(Math.round).join(' '),
    failed: samples[name].failed,
  }));
  console.log(
    `${new Date().toISOString()}, ${os.cpus().length} cores, ${os.cpus()[0]?.model}, node ${process.version}, load average ${os
      .loadavg()
      .map((value) => value.toFixed(2))
      .join(' ')}; body ${values.body}, c${connections}, ${rounds} rounds of ${seconds} s`,
  );
  console.table(rows);
} finally {
  for (const handle of handles.reverse()) await stopSystem(handle);
  rmSync(dataDir, { recursive: true, force: true });
}
