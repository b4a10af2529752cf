#!/usr/bin/env node
/**
 * Instructions per warm call, counted by valgrind's callgrind: a figure to compare commits that does not
 * move with the machine's load the way CPU time does. The router (or the bare proxy) runs under
 * `valgrind --tool=callgrind --instr-atstart=no --separate-threads=yes`; after `--warm` uninstrumented calls
 * at concurrency 8, instrumentation is switched on (`callgrind_control -i on`) for `--calls` calls, then
 * dumped, `--windows` times. Per window it prints thousands of instructions per call: all threads, the main
 * thread, the largest other thread (usually the router's request-log writer; in a window where V8 marks the
 * old generation, one of its helper threads can be larger) and the rest: V8's helper threads (concurrent
 * marking, compiling, sweeping), which vary most between windows. Needs valgrind (3.19 tried).
 * Add `--perf-map` to write /tmp/perf-<pid>.map, which names JIT code in the kept callgrind files.
 *
 *   npm run build && node bench/count-instructions.js [--system router|bare] [--kind plain|stream]
 *     [--warm 8000] [--calls 2000] [--windows 3] [--root DIR] [--perf-map]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { callMany } from './measure-agent-streams.js';
import {
  bareProxyArgs,
  benchEnvironment,
  benchHeaders,
  benchRequestBodies,
  benchRouterArgs,
  benchRouterEnvironment,
  findFreePort,
  spawnSystem,
  startFakeUpstream,
  stopSystem,
  waitForHttp,
} from './start-system.js';

const benchDir = dirname(fileURLToPath(import.meta.url));

const { values } = parseArgs({
  options: {
    system: { type: 'string', default: 'router' },
    kind: { type: 'string', default: 'plain' },
    warm: { type: 'string', default: '8000' },
    calls: { type: 'string', default: '2000' },
    windows: { type: 'string', default: '3' },
    root: { type: 'string', default: dirname(benchDir) },
    'perf-map': { type: 'boolean', default: false },
  },
});
if (!['router', 'bare'].includes(values.system) || !['plain', 'stream'].includes(values.kind)) {
  console.error('usage: node bench/count-instructions.js [--system router|bare] [--kind plain|stream]');
  process.exit(2);
}
const root = resolve(values.root);
const calls = Number(values.calls);

const headers = benchHeaders;

/** The last `totals:` line of a callgrind file: its instruction count. */
function totalOf(file) {
  const totals = [...readFileSync(file, 'utf8').matchAll(/^totals: (\d+)$/gm)];
  return totals.length === 0 ? 0 : Number(totals[totals.length - 1][1]);
}

const upstream = await startFakeUpstream({ chunks: 2, intervalMs: 0 });
const port = await findFreePort();
const dataDir = mkdtempSync(join(os.tmpdir(), 'pareto-count-data-'));
const outDir = mkdtempSync(join(os.tmpdir(), 'pareto-callgrind-'));
const program =
  values.system === 'router' ? benchRouterArgs(root, port, dataDir) : bareProxyArgs(port, upstream.port);
const handle = spawnSystem({
  name: values.system,
  command: 'valgrind',
  args: [
    '--tool=callgrind',
    '--instr-atstart=no',
    '--separate-threads=yes',
    `--callgrind-out-file=${join(outDir, 'callgrind.%p')}`,
    process.execPath,
    ...(values['perf-map'] ? ['--perf-basic-prof'] : []),
    ...program,
  ],
  env: values.system === 'router' ? benchRouterEnvironment(upstream.port) : benchEnvironment({}),
  cwd: root,
});
try {
  if (!(await waitForHttp(handle, `http://127.0.0.1:${port}/`, 180_000))) {
    throw new Error(`${values.system} did not start under valgrind:\n${handle.output}`);
  }
  const bodies = benchRequestBodies();
  const body = values.kind === 'stream' ? bodies.stream : bodies.plain;
  const path = values.system === 'router' ? '/api/v1/chat/completions' : '/v1/chat/completions';
  const target = new URL(`http://127.0.0.1:${port}${path}`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  await callMany({ agent, target, headers, body, count: Number(values.warm) });
  const pid = String(handle.pid);
  console.log(
    `${values.system}, ${values.kind} calls, ${values.warm} warm-up, ${calls} counted per window, ` +
      `node ${process.version}; thousands of instructions per call`,
  );
  for (let window = 1; window <= Number(values.windows); window += 1) {
    execFileSync('callgrind_control', ['--zero', pid], { stdio: 'ignore' });
    execFileSync('callgrind_control', ['--instr=on', pid], { stdio: 'ignore' });
    await callMany({ agent, target, headers, body, count: calls });
    execFileSync('callgrind_control', ['--instr=off', pid], { stdio: 'ignore' });
    execFileSync('callgrind_control', [`--dump=window${window}`, pid], { stdio: 'ignore' });
    // One file per thread and dump: callgrind.<pid>.<dump>-<thread>, thread 01 the main thread.
    const files = readdirSync(outDir).filter((name) => name.startsWith(`callgrind.${pid}.${window}-`));
    const counts = files.map((name) => ({ main: name.endsWith('-01'), count: totalOf(join(outDir, name)) }));
    const all = counts.reduce((sum, thread) => sum + thread.count, 0);
    const main = counts.find((thread) => thread.main)?.count ?? 0;
    const largestOther = Math.max(
      0,
      ...counts.filter((thread) => !thread.main).map((thread) => thread.count),
    );
    const perCall = (count) => (count / calls / 1000).toFixed(1);
    console.log(
      `window ${window}: all threads ${perCall(all)}, main ${perCall(main)}, largest other ` +
        `${perCall(largestOther)}, the rest ${perCall(all - main - largestOther)}`,
    );
  }
  console.log(`callgrind files: ${outDir}`);
} finally {
  await stopSystem(handle);
  await stopSystem(upstream.handle);
  rmSync(dataDir, { recursive: true, force: true });
}
