#!/usr/bin/env node
/**
 * V8's inline-cache misses per call, once the router is warm: a count that, unlike CPU time, does not move
 * with the machine's load. A warm router should miss almost never. A site that misses on every call reads
 * objects that get a hidden class (map) of their own each time, which turns every read of them into a
 * runtime lookup (bench/README.md, "Hidden classes per call").
 *
 * The router runs under `node --log-ic` against the fake upstream. After `--warm` calls the log is marked,
 * `--calls` more calls run, and the IC events logged after the mark are counted, per call and per site
 * (the JavaScript function, from the log's own code-creation events, the line and column, and the
 * property). Sites are those of the built files in `dist/` and of Node.js and the dependencies.
 *
 *   npm run build && node bench/count-ic-misses.js [--ingress chat|messages|responses] [--kind plain|stream]
 *     [--warm 5000] [--calls 1000] [--top 12] [--json]
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { callMany } from './measure-agent-streams.js';
import { ingressPaths, ingressPlainBodies, ingressStreamBodies } from './measure-ingress-streams.js';
import {
  benchHeaders,
  benchRouterArgs,
  benchRouterEnvironment,
  findFreePort,
  spawnSystem,
  startFakeUpstream,
  stopSystem,
  waitForHttp,
} from './start-system.js';

const benchDir = dirname(fileURLToPath(import.meta.url));
const rootDir = dirname(benchDir);

const usage =
  'usage: node bench/count-ic-misses.js [--ingress chat|messages|responses] [--kind plain|stream] ' +
  '[--warm 5000] [--calls 1000] [--top 12] [--json]';
const { values } = parseArgs({
  options: {
    ingress: { type: 'string' },
    kind: { type: 'string' },
    warm: { type: 'string', default: '5000' },
    calls: { type: 'string', default: '1000' },
    top: { type: 'string', default: '12' },
    json: { type: 'boolean', default: false },
  },
});
const ingresses = values.ingress === undefined ? Object.keys(ingressPaths) : [values.ingress];
const kinds = values.kind === undefined ? ['plain', 'stream'] : [values.kind];
const warm = Number(values.warm);
const calls = Number(values.calls);
const top = Number(values.top);
if (
  ingresses.some((name) => !(name in ingressPaths)) ||
  kinds.some((kind) => kind !== 'plain' && kind !== 'stream') ||
  !(warm >= 0 && calls > 0 && top >= 0)
) {
  console.error(usage);
  process.exit(2);
}

const headers = benchHeaders;

/**
 * A function that names the JavaScript function around a code address, from the log's code-creation
 * events (`code-creation,type,kind,time,address,size,name,...`); the latest code at an address wins.
 */
function codeNamer(logText) {
  const codes = [];
  for (const line of logText.split('\n')) {
    if (!line.startsWith('code-creation,')) continue;
    const fields = line.split(',');
    const start = Number.parseInt(fields[4], 16);
    const size = Number(fields[5]);
    if (Number.isFinite(start) && Number.isFinite(size)) {
      codes.push({
        start,
        end: start + size,
        name: fields
          .slice(6)
          .join(',')
          .replace(/,0x[0-9a-f]+,.*$/, ''),
      });
    }
  }
  codes.sort((left, right) => left.start - right.start);
  return (address) => {
    let low = 0;
    let high = codes.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (codes[middle].start <= address) low = middle + 1;
      else high = middle - 1;
    }
    for (let index = high; index >= 0 && address - codes[index].start < 1 << 22; index -= 1) {
      if (address < codes[index].end) return codes[index].name.replace(`file://${rootDir}/`, '');
    }
    return '(unknown code)';
  };
}

/** IC events per call after `mark`, in total and per site, from the V8 log at `logFile`. */
function countMisses(logFile, mark) {
  const text = readFileSync(logFile, 'latin1');
  const nameOf = codeNamer(text);
  const sites = new Map();
  let total = 0;
  // IC lines: `type,pc,time,line,column,old state,new state,map,key,modifier,slow stub reason`.
  for (const line of text.slice(mark).split('\n')) {
    if (!/^\w*IC,/.test(line)) continue;
    const fields = line.split(',');
    total += 1;
    const site = `${fields[0]} ${fields[8]} at ${fields[3]}:${fields[4]} in ${nameOf(Number.parseInt(fields[1], 16))}`;
    sites.set(site, (sites.get(site) ?? 0) + 1);
  }
  const topSites = [...sites]
    .sort((left, right) => right[1] - left[1])
    .slice(0, top)
    .map(([site, count]) => ({ site, perCall: count / calls }));
  return { perCall: total / calls, sites: topSites };
}

async function measure(ingress, kind) {
  const upstream = await startFakeUpstream({ chunks: 2, intervalMs: 0 });
  const dataDir = mkdtempSync(join(os.tmpdir(), 'pareto-router-ic-'));
  const logFile = join(dataDir, 'v8.log');
  const port = await findFreePort();
  const router = spawnSystem({
    name: 'router',
    command: process.execPath,
    args: [
      '--log-ic',
      `--logfile=${logFile}`,
      '--no-logfile-per-isolate',
      ...benchRouterArgs(rootDir, port, dataDir),
    ],
    env: benchRouterEnvironment(upstream.port),
    cwd: rootDir,
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  try {
    if (!(await waitForHttp(router, `http://127.0.0.1:${port}/health`, 60_000))) {
      throw new Error(`router did not start:\n${router.output}`);
    }
    const body = (kind === 'stream' ? ingressStreamBodies() : ingressPlainBodies())[ingress];
    const target = new URL(`http://127.0.0.1:${port}${ingressPaths[ingress]}`);
    await callMany({ agent, target, headers, body, count: warm });
    // V8 writes its log through a buffer: let the warm-up's lines land before marking.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const mark = statSync(logFile).size;
    await callMany({ agent, target, headers, body, count: calls });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    return countMisses(logFile, mark);
  } finally {
    agent.destroy();
    await stopSystem(router);
    await stopSystem(upstream.handle);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const results = {};
for (const ingress of ingresses) {
  for (const kind of kinds) {
    const result = await measure(ingress, kind);
    results[`${ingress} ${kind}`] = result;
    if (values.json) continue;
    console.log(`${ingress} ${kind}: ${result.perCall.toFixed(2)} IC misses per call`);
    for (const { site, perCall } of result.sites) console.log(`  ${perCall.toFixed(2)}  ${site}`);
  }
}
if (values.json) {
  console.log(
    JSON.stringify({ node: process.version, warm, calls, at: new Date().toISOString(), results }, null, 2),
  );
}
