#!/usr/bin/env node
/**
 * The performance suite: pareto-router side by side with a bare Node.js proxy (the floor) and the
 * Portkey gateway (the peer), each in its own process, against the same fake upstream, under the same
 * load, in the same run. Prints one summary table (or JSON with --json) and writes
 * bench/results/<timestamp>.json.
 *
 *   npm run bench                      full suite (under 10 minutes on 2 cores)
 *   npm run bench -- --quick           smaller counts (under 2 minutes)
 *   npm run bench -- --only router,bare --workers 2 --duration 5 --json --profile
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { request } from 'undici';
import { formatNumber, formatSummaryTable } from './format-summary.js';
import { measureLatency, measureLongRun, measureThroughput } from './measure-load.js';
import { measureOneStream, measureStreams } from './measure-stream.js';
import { startCpuAccount } from './read-cpu.js';
import { readTreeMemory, sampleTreeMemory } from './read-rss.js';
import { findFreePort, spawnSystem, stopSystem, waitForHttp } from './start-system.js';
import { formatCpuSummary, readCpuProfile, summariseCpuProfile } from './summarise-cpu-profile.js';

const benchDir = dirname(fileURLToPath(import.meta.url));
const rootDir = dirname(benchDir);
const allSystems = ['bare', 'portkey', 'router'];
const leakThresholdMb = 10;
// Other processes busy for more than a tenth of a core on average make a system's figures suspect.
const otherWorkWarningCores = 0.1;

const settingsByMode = {
  quick: {
    warmupMinSeconds: 2,
    warmupMaxSeconds: 6,
    durationSeconds: 2,
    latencyWarmup: 100,
    latencyRequests: 400,
    streamWarmup: 2,
    streamCount: 8,
    streamChunks: 20,
    streamIntervalMs: 10,
    leakRequests: 30_000,
    leakCapSeconds: 8,
    routeBenchTimeoutSeconds: 40,
  },
  full: {
    warmupMinSeconds: 3,
    warmupMaxSeconds: 20,
    durationSeconds: 10,
    latencyWarmup: 300,
    latencyRequests: 3000,
    streamWarmup: 3,
    streamCount: 30,
    streamChunks: 50,
    streamIntervalMs: 10,
    leakRequests: 1_000_000,
    leakCapSeconds: 180,
    routeBenchTimeoutSeconds: 120,
  },
};

const log = (line) => process.stderr.write(`${line}\n`);

function parseOptions() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      only: { type: 'string' },
      workers: { type: 'string', default: '1' },
      duration: { type: 'string' },
      profile: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      'usage: node bench/run.js [--quick] [--json] [--only router,bare,portkey] [--workers N] [--duration S] [--profile]\n',
    );
    process.exit(0);
  }
  const only = values.only === undefined ? allSystems : values.only.split(',').map((name) => name.trim());
  for (const name of only) {
    if (!allSystems.includes(name)) throw new Error(`--only takes ${allSystems.join(',')}; got "${name}"`);
  }
  const workers = Number(values.workers);
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) {
    throw new Error(`--workers must be an integer 1..64, got "${values.workers}"`);
  }
  const settings = { ...settingsByMode[values.quick ? 'quick' : 'full'] };
  if (values.duration !== undefined) {
    const duration = Number(values.duration);
    if (!Number.isFinite(duration) || duration < 1 || duration > 600) {
      throw new Error(`--duration must be 1..600 seconds, got "${values.duration}"`);
    }
    settings.durationSeconds = duration;
  }
  return {
    mode: values.quick ? 'quick' : 'full',
    json: values.json,
    only,
    workers,
    profile: values.profile,
    settings,
  };
}

/**
 * The bench's environment minus anything that could send a system somewhere else: upstream keys and base
 * URLs from the caller's shell, and the router's own configuration variables.
 */
function benchEnvironment(extra) {
  const env = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/_API_KEY$|_BASE_URL$|^PARETO_ROUTER_|^PORT$|^HOST$|^NODE_OPTIONS$/.test(name)) continue;
    env[name] = value;
  }
  return { ...env, ...extra };
}

function percentile(values, fraction) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((left, right) => left - right);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[index];
}

function requestBodies() {
  const base = {
    model: 'openrouter/pareto-code',
    messages: [
      { role: 'system', content: 'You are a careful coding assistant.' },
      { role: 'user', content: 'Write a Python function add(a, b) that returns the sum of a and b.' },
    ],
    max_tokens: 64,
    plugins: [{ id: 'pareto-router', min_coding_score: 0.8 }],
  };
  return {
    plain: JSON.stringify(base),
    stream: JSON.stringify({ ...base, stream: true, stream_options: { include_usage: true } }),
  };
}

function requestHeaders(upstreamPort) {
  // One header set for every system: each ignores the others' headers, and identical requests keep
  // the comparison fair. Portkey needs the provider and custom host to reach the fake upstream.
  return {
    'content-type': 'application/json',
    authorization: 'Bearer bench',
    'x-portkey-provider': 'openai',
    'x-portkey-custom-host': `http://127.0.0.1:${upstreamPort}/v1`,
  };
}

async function postOnce(url, headers, body) {
  const response = await request(url, {
    method: 'POST',
    headers,
    body,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.body.text();
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { statusCode: response.statusCode, text: text.slice(0, 500), parsed };
}

/** One plain and one streamed call must succeed before a system is measured. */
async function validateSystem(url, context) {
  const plain = await postOnce(url, context.headers, context.bodies.plain);
  const content = plain.parsed?.choices?.[0]?.message?.content;
  if (plain.statusCode !== 200 || typeof content !== 'string') {
    return { ok: false, reason: `plain call answered ${plain.statusCode}: ${plain.text}` };
  }
  try {
    const stream = await measureOneStream({
      dispatcher: undefined,
      url,
      headers: context.headers,
      body: context.bodies.stream,
      timeoutMs: 15_000,
    });
    if (stream.contentChunks !== context.settings.streamChunks) {
      return {
        ok: false,
        reason: `streamed call delivered ${stream.contentChunks}/${context.settings.streamChunks} content chunks`,
      };
    }
  } catch (error) {
    return { ok: false, reason: `streamed call failed: ${error instanceof Error ? error.message : error}` };
  }
  return { ok: true, answeredModel: plain.parsed?.model };
}

function summariseLoad(result) {
  const { statusCodes: _statusCodes, ...rest } = result;
  return rest;
}

/**
 * Load at concurrency 32 in one-second steps until throughput stops changing: two successive steps
 * within 5% of each other, after `warmupMinSeconds`, or `warmupMaxSeconds` at most. A fresh Node.js
 * process needs several seconds of load before the optimising compiler has done its work (the fake
 * upstream alone goes from about 5,000 to 12,000 requests per second on this kind of machine), and a
 * fixed short warm-up would measure compilation instead of the system.
 */
async function warmUp(url, context) {
  const { settings, headers, bodies } = context;
  const steps = [];
  for (let second = 0; second < settings.warmupMaxSeconds; second += 1) {
    const step = await measureThroughput({
      url,
      headers,
      body: bodies.plain,
      connections: 32,
      durationSeconds: 1,
    });
    steps.push(Math.round(step.requestsPerSecond));
    const last = steps.at(-1);
    const previous = steps.at(-2);
    if (
      steps.length >= settings.warmupMinSeconds &&
      previous !== undefined &&
      last > 0 &&
      Math.abs(last - previous) / last < 0.05
    ) {
      return { steps, settled: true };
    }
  }
  return { steps, settled: false };
}

async function measureDirect(context) {
  const { settings, upstreamUrl, headers, bodies } = context;
  log('direct to upstream: warm-up, throughput c32, streams');
  const cpuAccount = startCpuAccount([process.pid]);
  const warmup = await warmUp(upstreamUrl, context);
  const c32 = await measureThroughput({
    url: upstreamUrl,
    headers,
    body: bodies.plain,
    connections: 32,
    durationSeconds: settings.durationSeconds,
  });
  const streams = await measureStreams({
    url: upstreamUrl,
    headers,
    body: bodies.stream,
    count: settings.streamCount,
    warmup: settings.streamWarmup,
    deadlineMs: 120_000,
  });
  return {
    warmup,
    throughput: { c32: summariseLoad(c32) },
    stream: {
      firstTokenP50Ms: percentile(streams.firstTokens, 0.5),
      gapP50Ms: percentile(streams.gaps, 0.5),
      gapP99Ms: percentile(streams.gaps, 0.99),
      samples: streams.firstTokens.length,
      errors: streams.errors,
    },
    rawStreams: streams,
    otherWork: cpuAccount.stop(),
  };
}

async function measureLatencyPair(context, url) {
  const { settings, upstreamUrl, headers, bodies } = context;
  const rounds = 10;
  const perRound = Math.ceil(settings.latencyRequests / rounds);
  // One keep-alive connection per side for the whole measurement, as a client of a gateway would hold.
  const directAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const systemAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const run = (target, agent, amount) =>
    measureLatency({ url: target, headers, body: bodies.plain, amount, agent });
  const directTimes = [];
  const systemTimes = [];
  let failed = 0;
  try {
    await run(upstreamUrl, directAgent, settings.latencyWarmup);
    await run(url, systemAgent, settings.latencyWarmup);
    // Alternating short rounds of the upstream alone and the system mean both see the same machine
    // state, so a burst of unrelated load cannot land on one side only.
    for (let round = 0; round < rounds; round += 1) {
      const direct = await run(upstreamUrl, directAgent, perRound);
      const system = await run(url, systemAgent, perRound);
      directTimes.push(...direct.latenciesMs);
      systemTimes.push(...system.latenciesMs);
      failed += system.failed;
    }
  } finally {
    directAgent.destroy();
    systemAgent.destroy();
  }
  const directP50 = percentile(directTimes, 0.5);
  const directP99 = percentile(directTimes, 0.99);
  const systemP50 = percentile(systemTimes, 0.5);
  const systemP99 = percentile(systemTimes, 0.99);
  return {
    directP50Ms: directP50,
    directP99Ms: directP99,
    systemP50Ms: systemP50,
    systemP99Ms: systemP99,
    addedP50Ms: systemP50 - directP50,
    addedP99Ms: systemP99 - directP99,
    samples: systemTimes.length,
    failed,
  };
}

function leastSquaresSlope(points) {
  if (points.length < 3) return undefined;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / points.length;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / points.length;
  let numerator = 0;
  let denominator = 0;
  for (const [x, y] of points) {
    numerator += (x - meanX) * (y - meanY);
    denominator += (x - meanX) ** 2;
  }
  return denominator === 0 ? undefined : numerator / denominator;
}

async function measureLeak(context, handle, url) {
  const { settings, headers, bodies } = context;
  await sleep(1000);
  const before = readTreeMemory(handle.pid).rssMb;
  log(
    `  long run: ${settings.leakRequests.toLocaleString('en-US')} requests (cap ${settings.leakCapSeconds} s)`,
  );
  const samples = [];
  const result = await measureLongRun({
    url,
    headers,
    body: bodies.plain,
    connections: 32,
    amount: settings.leakRequests,
    capSeconds: settings.leakCapSeconds,
    onProgress(done) {
      samples.push({ requests: done, rssMb: readTreeMemory(handle.pid).rssMb });
    },
  });
  await sleep(2000);
  const after = readTreeMemory(handle.pid).rssMb;
  // RSS once a second during the run, thinned to about ten points; the second half of the run shows a
  // leak apart from the heap settling after warm-up.
  const step = Math.max(1, Math.ceil(samples.length / 10));
  const checkpoints = samples.filter((_, index) => index % step === 0 || index === samples.length - 1);
  const middle = samples[Math.floor(samples.length / 2)];
  // RSS under a garbage collector is a saw-tooth; the least-squares slope over every sample is a steadier
  // leak signal than any two points, so it is kept beside the figure the target is judged on.
  const slope = leastSquaresSlope(samples.map((sample) => [sample.requests, sample.rssMb]));
  return {
    requests: result.completed,
    cappedByTime: result.cappedByTime,
    rssAfterWarmupMb: before,
    rssAfterRunMb: after,
    growthMb: after - before,
    secondHalfGrowthMb: middle === undefined ? undefined : after - middle.rssMb,
    slopeMbPer100kRequests: slope === undefined ? undefined : slope * 100_000,
    rssRangeMb:
      samples.length === 0
        ? undefined
        : [
            Math.min(...samples.map((sample) => sample.rssMb)),
            Math.max(...samples.map((sample) => sample.rssMb)),
          ],
    requestsPerSecond: result.requestsPerSecond,
    non2xx: result.non2xx,
    errors: result.errors,
    checkpoints,
  };
}

/** Measures one running system: validity, throughput and memory, latency, streaming, and (router) leak. */
async function measureSystem(name, handle, url, context, { leak }) {
  const { settings, headers, bodies } = context;
  const validation = await validateSystem(url, context);
  if (!validation.ok) {
    log(`  ${name}: not measured: ${validation.reason}`);
    return { measured: false, reason: validation.reason };
  }
  log(
    `  ${name}: answers correctly${validation.answeredModel ? ` (model ${validation.answeredModel})` : ''}`,
  );
  const idleRssMb = readTreeMemory(handle.pid).rssMb;
  const cpuAccount = startCpuAccount([process.pid]);
  const phaseSeconds = {};
  let phaseStarted = performance.now();
  const endPhase = (phase) => {
    const now = performance.now();
    phaseSeconds[phase] = Number(((now - phaseStarted) / 1000).toFixed(2));
    phaseStarted = now;
  };
  // Sampled from the first request of the warm-up to the end of the last phase: the peak is the
  // highest resident memory any of the load phases caused.
  const sampler = sampleTreeMemory(handle.pid);
  const warmup = await warmUp(url, context);
  log(`  warm-up: ${warmup.steps.join(', ')} req/s${warmup.settled ? '' : ' (still changing at the cap)'}`);
  endPhase('warmup');
  const throughputSampler = sampleTreeMemory(handle.pid);
  const c32 = await measureThroughput({
    url,
    headers,
    body: bodies.plain,
    connections: 32,
    durationSeconds: settings.durationSeconds,
  });
  const c64 = await measureThroughput({
    url,
    headers,
    body: bodies.plain,
    connections: 64,
    durationSeconds: settings.durationSeconds,
  });
  const throughputPeakRssMb = throughputSampler.stop();
  endPhase('throughput');
  log(
    `    c32 ${formatNumber(c32.requestsPerSecond)} req/s, c64 ${formatNumber(c64.requestsPerSecond)} req/s`,
  );
  log(`  latency at concurrency 1 (${settings.latencyRequests} requests, paired with the upstream alone)`);
  const latency = await measureLatencyPair(context, url);
  endPhase('latency');
  log(`  streams (${settings.streamCount} x ${settings.streamChunks} chunks)`);
  const streams = await measureStreams({
    url,
    headers,
    body: bodies.stream,
    count: settings.streamCount,
    warmup: settings.streamWarmup,
    deadlineMs: 120_000,
  });
  endPhase('streams');
  const incompleteStreams =
    streams.incomplete + streams.contentChunks.filter((count) => count !== settings.streamChunks).length;
  const stream = {
    firstTokenP50Ms: percentile(streams.firstTokens, 0.5),
    gapP50Ms: percentile(streams.gaps, 0.5),
    gapP99Ms: percentile(streams.gaps, 0.99),
    addedFirstTokenP50Ms: percentile(streams.firstTokens, 0.5) - context.direct.stream.firstTokenP50Ms,
    addedGapP50Ms: percentile(streams.gaps, 0.5) - context.direct.stream.gapP50Ms,
    samples: streams.firstTokens.length,
    errors: streams.errors,
    lastError: streams.lastError,
    incomplete: incompleteStreams,
  };
  const leakResult = leak ? await measureLeak(context, handle, url) : undefined;
  const peakRssMb = sampler.stop();
  const otherWork = cpuAccount.stop();
  if (leak) endPhase('longRun');
  const memory = readTreeMemory(handle.pid);
  return {
    measured: true,
    answeredModel: validation.answeredModel,
    warmup,
    throughput: { c32: summariseLoad(c32), c64: summariseLoad(c64) },
    latency,
    stream,
    memory: { idleRssMb, throughputPeakRssMb, peakRssMb, hwmMb: memory.hwmMb, processes: memory.processes },
    leak: leakResult,
    phaseSeconds,
    otherWork,
  };
}

async function startUpstream(settings) {
  const port = await findFreePort();
  const handle = spawnSystem({
    name: 'upstream',
    command: process.execPath,
    args: [
      join(benchDir, 'fake-upstream.js'),
      '--port',
      String(port),
      '--chunks',
      String(settings.streamChunks),
      '--interval-ms',
      String(settings.streamIntervalMs),
    ],
    env: benchEnvironment({}),
  });
  if (!(await waitForHttp(handle, `http://127.0.0.1:${port}/`))) {
    throw new Error(`fake upstream did not start:\n${handle.output}`);
  }
  return { handle, port };
}

function systemLaunchers(context) {
  const upstreamPort = context.upstreamPort;
  return {
    bare: async (port, workers) => {
      const handle = spawnSystem({
        name: 'bare',
        command: process.execPath,
        args: [
          join(benchDir, 'bare-proxy.js'),
          '--port',
          String(port),
          '--upstream',
          `http://127.0.0.1:${upstreamPort}/v1`,
          '--workers',
          String(workers),
        ],
        env: benchEnvironment({}),
      });
      return {
        handle,
        url: `http://127.0.0.1:${port}/v1/chat/completions`,
        readyUrl: `http://127.0.0.1:${port}/`,
      };
    },
    portkey: async (port) => {
      const entry = join(rootDir, 'node_modules', '@portkey-ai', 'gateway', 'build', 'start-server.js');
      if (!existsSync(entry)) return { missing: `${entry} not installed (npm install)` };
      // The gateway's own bin, headless (no console UI, as a server deployment runs it); its CLI has no
      // host flag, so a preload keeps it on loopback.
      const handle = spawnSystem({
        name: 'portkey',
        command: process.execPath,
        args: ['--import', join(benchDir, 'bind-loopback.js'), entry, `--port=${port}`, '--headless'],
        env: benchEnvironment({}),
        cwd: rootDir,
      });
      return {
        handle,
        url: `http://127.0.0.1:${port}/v1/chat/completions`,
        readyUrl: `http://127.0.0.1:${port}/`,
      };
    },
    router: async (port, workers, extraNodeArgs = []) => {
      const bin = join(rootDir, 'bin', 'pareto-router.js');
      if (!existsSync(join(rootDir, 'dist', 'cli', 'main.js')))
        return { missing: 'dist/ missing: run npm run build' };
      const args = [...extraNodeArgs, bin, 'serve', '--port', String(port)];
      if (workers > 1) args.push('--workers', String(workers));
      const handle = spawnSystem({
        name: 'router',
        command: process.execPath,
        args,
        env: benchEnvironment({
          OPENROUTER_API_KEY: 'bench',
          OPENROUTER_BASE_URL: `http://127.0.0.1:${upstreamPort}/api/v1`,
          PARETO_ROUTER_DATA_DIR: context.routerDataDir,
        }),
        cwd: rootDir,
      });
      return {
        handle,
        url: `http://127.0.0.1:${port}/api/v1/chat/completions`,
        readyUrl: `http://127.0.0.1:${port}/health`,
      };
    },
  };
}

async function runSystem(name, context) {
  const launch = systemLaunchers(context)[name];
  let workers = name === 'portkey' ? 1 : context.workers;
  const notes = [];
  log(`${name}: starting${workers > 1 ? ` with ${workers} workers` : ''}`);
  let port = await findFreePort();
  let started = await launch(port, workers);
  if (started.missing !== undefined) {
    log(`${name}: skipped: ${started.missing}`);
    return { measured: false, reason: started.missing, notes };
  }
  let ready = await waitForHttp(started.handle, started.readyUrl, 30_000);
  if (!ready && workers > 1 && /unknown option|workers/i.test(started.handle.output)) {
    const note = `--workers ${workers} rejected by ${name}; measured with 1 process`;
    log(`${name}: ${note}`);
    notes.push(note);
    await stopSystem(started.handle);
    workers = 1;
    port = await findFreePort();
    started = await launch(port, workers);
    ready = await waitForHttp(started.handle, started.readyUrl, 30_000);
  }
  if (!ready) {
    const reason = `did not answer within 30 s${started.handle.exited ? ` (exited ${started.handle.exitCode ?? started.handle.exitSignal})` : ''}`;
    log(`${name}: ${reason}\n${started.handle.output.slice(-2000)}`);
    await stopSystem(started.handle);
    return { measured: false, reason, notes, output: started.handle.output.slice(-2000) };
  }
  try {
    const result = await measureSystem(name, started.handle, started.url, context, {
      leak: name === 'router',
    });
    return {
      ...result,
      workers,
      notes,
      ...(result.measured ? {} : { output: started.handle.output.slice(-2000) }),
    };
  } finally {
    await stopSystem(started.handle);
  }
}

async function runRouteBench(settings, mode) {
  const script = join(benchDir, 'route-bench.js');
  if (!existsSync(script)) return { ran: false, reason: 'bench/route-bench.js not present' };
  log('route-bench: the routing decision alone');
  const args = [script, '--json', ...(mode === 'quick' ? ['--quick'] : [])];
  const handle = spawnSystem({
    name: 'route-bench',
    command: process.execPath,
    args,
    env: benchEnvironment({}),
    cwd: rootDir,
  });
  const finished = await Promise.race([
    handle.exitedPromise.then(() => true),
    sleep(settings.routeBenchTimeoutSeconds * 1000, undefined, { ref: false }).then(() => false),
  ]);
  if (!finished) {
    await stopSystem(handle);
    return { ran: false, reason: `timed out after ${settings.routeBenchTimeoutSeconds} s` };
  }
  if (handle.exitCode !== 0) {
    return {
      ran: false,
      reason: `exited ${handle.exitCode ?? handle.exitSignal}: ${handle.output.slice(-500)}`,
    };
  }
  // The micro-benchmark prints a JSON object; take the last line that parses as one.
  const lines = handle.output.trim().split('\n').reverse();
  for (const line of lines) {
    try {
      const parsed = JSON.parse(line);
      if (typeof parsed === 'object' && parsed !== null) return { ran: true, result: parsed };
    } catch {
      // not the JSON line
    }
  }
  try {
    const parsed = JSON.parse(handle.output);
    if (typeof parsed === 'object' && parsed !== null) return { ran: true, result: parsed };
  } catch {
    // fall through
  }
  return { ran: false, reason: `printed no JSON: ${handle.output.slice(-500)}` };
}

function describeRouteBench(result, limit = 4) {
  const parts = [];
  const visit = (value, path) => {
    if (parts.length >= limit) return;
    if (typeof value === 'number') parts.push(`${path}=${formatNumber(value)}`);
    else if (typeof value === 'object' && value !== null) {
      for (const [key, child] of Object.entries(value)) visit(child, path === '' ? key : `${path}.${key}`);
    }
  };
  visit(result, '');
  return parts.join(', ');
}

async function profileRouter(context, stamp) {
  const profileDir = mkdtempSync(join(os.tmpdir(), 'pareto-router-profile-'));
  log(`router profile: ${context.settings.durationSeconds} s of c32 load under --cpu-prof`);
  const port = await findFreePort();
  const spawnedAt = performance.now();
  const started = await systemLaunchers(context).router(port, 1, [
    '--cpu-prof',
    `--cpu-prof-dir=${profileDir}`,
  ]);
  if (started.missing !== undefined) return { ran: false, reason: started.missing };
  let measuredFromMs = 0;
  let throughput;
  try {
    if (!(await waitForHttp(started.handle, started.readyUrl, 30_000))) {
      return { ran: false, reason: `router did not start: ${started.handle.output.slice(-500)}` };
    }
    const load = {
      url: started.url,
      headers: context.headers,
      body: context.bodies.plain,
      connections: 32,
    };
    await warmUp(started.url, context);
    measuredFromMs = performance.now() - spawnedAt;
    throughput = await measureThroughput({ ...load, durationSeconds: context.settings.durationSeconds });
  } finally {
    await stopSystem(started.handle, 15_000);
  }
  const files = readdirSync(profileDir).filter((file) => file.endsWith('.cpuprofile'));
  if (files.length === 0) {
    rmSync(profileDir, { recursive: true, force: true });
    return { ran: false, reason: 'the router wrote no .cpuprofile (did it exit on SIGTERM?)' };
  }
  const source = join(profileDir, files[0]);
  const kept = join(benchDir, 'results', `${stamp}-router.cpuprofile`);
  const profile = readCpuProfile(source);
  writeFileSync(kept, JSON.stringify(profile));
  rmSync(profileDir, { recursive: true, force: true });
  // Start-up and warm-up are left out: the summary describes the steady state under load. The profile
  // clock starts a little after the spawn, so a few warm-up samples may remain; none of the load is lost.
  const summary = summariseCpuProfile(profile, 25, measuredFromMs);
  const requests = throughput?.ok ?? 0;
  return {
    ran: true,
    file: kept,
    skippedMs: Math.round(measuredFromMs),
    requests,
    busyMicrosecondsPerRequest: requests > 0 ? (summary.busyMs * 1000) / requests : undefined,
    summary,
  };
}

function ratio(value, base) {
  if (
    value === undefined ||
    base === undefined ||
    !Number.isFinite(value) ||
    !Number.isFinite(base) ||
    base <= 0
  ) {
    return undefined;
  }
  return value / base;
}

function buildFigures(run) {
  const systems = run.systems;
  const measured = (name) => (systems[name]?.measured ? systems[name] : undefined);
  const bare = measured('bare');
  const portkey = measured('portkey');
  const router = measured('router');
  const figures = [];
  const figure = (label, unit, pick, extra = {}) => {
    const values = {};
    for (const name of allSystems) {
      const result = measured(name);
      const value = result === undefined ? undefined : pick(result);
      if (value !== undefined && !Number.isNaN(value)) values[name] = value;
    }
    if (extra.direct !== undefined) values.direct = extra.direct;
    const ratios = {};
    for (const name of ['portkey', 'router']) ratios[name] = ratio(values[name], values.bare);
    const entry = { label, unit, values, ratios, ...extra.meta };
    figures.push(entry);
    return entry;
  };
  const loadErrors = (result) =>
    result === undefined
      ? 0
      : ['c32', 'c64'].reduce(
          (sum, key) =>
            sum +
            (result.throughput[key].non2xx ?? 0) +
            (result.throughput[key].errors ?? 0) +
            (result.throughput[key].timeouts ?? 0),
          0,
        );

  const c32 = figure('throughput c32 (req/s)', '', (result) => result.throughput.c32.requestsPerSecond, {
    direct: run.direct.throughput.c32.requestsPerSecond,
    meta: { target: '>= 0.8x bare, >= 10x portkey' },
  });
  if (router !== undefined) {
    const checks = [];
    const notes = [];
    if (bare !== undefined) {
      checks.push(c32.ratios.router >= 0.8);
      notes.push(`${formatNumber(c32.ratios.router)}x bare`);
    }
    if (portkey !== undefined) {
      const overPortkey = c32.values.router / c32.values.portkey;
      checks.push(overPortkey >= 10);
      notes.push(`${formatNumber(overPortkey)}x portkey`);
    }
    if (loadErrors(router) > 0) {
      checks.push(false);
      notes.push(`${loadErrors(router)} failed requests`);
    }
    if (checks.length > 0) c32.met = checks.every(Boolean);
    c32.note = notes.join(', ');
  }
  figure('throughput c64 (req/s)', '', (result) => result.throughput.c64.requestsPerSecond, {
    meta: { target: '-' },
  });
  const target = (entry, limit, pick) => {
    if (router === undefined) return;
    const value = pick(router);
    entry.met = Number.isFinite(value) && value < limit;
  };
  const p50 = figure('added latency c1 p50 (ms)', '', (result) => result.latency.addedP50Ms, {
    meta: { target: '< 0.3 ms' },
  });
  target(p50, 0.3, (result) => result.latency.addedP50Ms);
  if (router !== undefined && router.latency.failed > 0) {
    p50.met = false;
    p50.note = `${router.latency.failed} failed requests`;
  }
  const p99 = figure('added latency c1 p99 (ms)', '', (result) => result.latency.addedP99Ms, {
    meta: { target: '< 2 ms' },
  });
  target(p99, 2, (result) => result.latency.addedP99Ms);
  const ttft = figure('stream added TTFT p50 (ms)', '', (result) => result.stream.addedFirstTokenP50Ms, {
    meta: { target: '< 1 ms' },
  });
  target(ttft, 1, (result) => result.stream.addedFirstTokenP50Ms);
  const gap = figure('stream added chunk gap p50 (ms)', '', (result) => result.stream.addedGapP50Ms, {
    meta: { target: '< 0.2 ms' },
  });
  target(gap, 0.2, (result) => result.stream.addedGapP50Ms);
  if (router !== undefined && router.stream.incomplete + router.stream.errors > 0) {
    ttft.met = false;
    ttft.note = `${router.stream.incomplete} incomplete, ${router.stream.errors} failed streams`;
  }
  const rss = figure('peak RSS under load (MB)', '', (result) => result.memory.peakRssMb, {
    meta: { target: '< 150 MB' },
  });
  target(rss, 150, (result) => result.memory.peakRssMb);
  if (router?.workers > 1) rss.note = `sum of ${router.memory.processes} processes`;
  if (router?.leak !== undefined) {
    const leak = router.leak;
    const entry = figure(
      `RSS growth over ${formatNumber(leak.requests)} requests (MB)`,
      '',
      (result) => result.leak?.growthMb,
      { meta: { target: `< ${leakThresholdMb} MB` } },
    );
    entry.met = leak.growthMb < leakThresholdMb && leak.non2xx + leak.errors === 0;
    const parts = [`${formatNumber(leak.rssAfterWarmupMb)} -> ${formatNumber(leak.rssAfterRunMb)} MB`];
    if (leak.rssRangeMb !== undefined) {
      parts.push(
        `${formatNumber(leak.rssRangeMb[0])}..${formatNumber(leak.rssRangeMb[1])} MB during the run`,
      );
    }
    if (leak.slopeMbPer100kRequests !== undefined) {
      parts.push(`trend ${formatNumber(leak.slopeMbPer100kRequests)} MB per 100k requests`);
    }
    if (leak.cappedByTime) parts.push(`stopped by the ${run.settings.leakCapSeconds} s cap`);
    if (leak.non2xx + leak.errors > 0) parts.push(`${leak.non2xx + leak.errors} failed requests`);
    entry.note = parts.join(', ');
  }
  if (run.routeBench !== undefined) {
    const summary = run.routeBench.ran ? run.routeBench.result.summary : undefined;
    const median = summary?.shippedMedianMicroseconds;
    const entry = {
      label: 'routing decision alone p50 (us)',
      unit: '',
      values: typeof median === 'number' ? { router: median } : {},
      ratios: {},
      target: '-',
    };
    if (!run.routeBench.ran) entry.note = `not run: ${run.routeBench.reason}`;
    else if (summary !== undefined) {
      entry.note = `p99 ${formatNumber(summary.shippedP99Microseconds)} us; 1,000-model index p50 ${formatNumber(summary.synthetic1000MedianMicroseconds)}, p99 ${formatNumber(summary.synthetic1000P99Microseconds)} us`;
    } else entry.note = describeRouteBench(run.routeBench.result);
    figures.push(entry);
  }
  return figures;
}

function describeSystems(options) {
  const workers = options.workers > 1 ? ` (${options.workers} workers)` : '';
  const descriptions = {
    bare: `bare = node:http pass-through${workers}`,
    portkey: 'portkey = @portkey-ai/gateway 1.15.2 (headless)',
    router: `router = pareto-router serve${workers}`,
  };
  return ['direct = the fake upstream alone', ...options.only.map((name) => descriptions[name])].join(', ');
}

function machineInfo() {
  return {
    loadAverage: os.loadavg().map((value) => Number(value.toFixed(2))),
    date: new Date().toISOString(),
    nproc: os.availableParallelism(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    memoryGb: Math.round(os.totalmem() / 1024 ** 3),
  };
}

async function main() {
  const options = parseOptions();
  const started = performance.now();
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const machine = machineInfo();
  log(
    `pareto-router bench (${options.mode}): ${machine.date}, ${machine.nproc} cores, ${machine.cpu}, node ${machine.node}`,
  );
  if (machine.loadAverage[0] > machine.nproc * 0.5) {
    log(`note: load average ${machine.loadAverage[0]} on ${machine.nproc} cores before the run`);
  }
  const upstream = await startUpstream(options.settings);
  const routerDataDir = mkdtempSync(join(os.tmpdir(), 'pareto-router-bench-'));
  const context = {
    settings: options.settings,
    workers: options.workers,
    upstreamPort: upstream.port,
    upstreamUrl: `http://127.0.0.1:${upstream.port}/v1/chat/completions`,
    headers: requestHeaders(upstream.port),
    bodies: requestBodies(),
    routerDataDir,
  };
  const run = {
    machine,
    mode: options.mode,
    settings: options.settings,
    workers: options.workers,
    systems: {},
  };
  const stopAll = async () => {
    await stopSystem(upstream.handle);
    rmSync(routerDataDir, { recursive: true, force: true });
  };
  const onSignal = () => {
    stopAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const direct = await measureDirect(context);
    context.direct = direct;
    run.direct = {
      warmup: direct.warmup,
      throughput: direct.throughput,
      stream: direct.stream,
      otherWork: direct.otherWork,
    };
    run.phaseSeconds = { direct: (performance.now() - started) / 1000 };
    for (const name of allSystems) {
      if (!options.only.includes(name)) continue;
      const phaseStarted = performance.now();
      run.systems[name] = await runSystem(name, context);
      run.phaseSeconds[name] = (performance.now() - phaseStarted) / 1000;
    }
    if (options.only.includes('router')) {
      const phaseStarted = performance.now();
      run.routeBench = await runRouteBench(options.settings, options.mode);
      run.phaseSeconds.routeBench = (performance.now() - phaseStarted) / 1000;
    }
    mkdirSync(join(benchDir, 'results'), { recursive: true });
    if (options.profile && options.only.includes('router')) run.profile = await profileRouter(context, stamp);
  } finally {
    await stopAll();
  }
  run.elapsedSeconds = (performance.now() - started) / 1000;
  run.loadAverageAtEnd = os.loadavg().map((value) => Number(value.toFixed(2)));
  run.figures = buildFigures(run);
  mkdirSync(join(benchDir, 'results'), { recursive: true });
  const resultFile = join(benchDir, 'results', `${stamp}.json`);
  writeFileSync(resultFile, `${JSON.stringify(run, null, 2)}\n`);

  if (options.json) {
    process.stdout.write(`${JSON.stringify(run, null, 2)}\n`);
    return;
  }
  const lines = [
    '',
    `pareto-router bench, ${options.mode} run, ${machine.date.slice(0, 10)}: ${machine.nproc} x ${machine.cpu}, node ${machine.node}, ${formatNumber(run.elapsedSeconds)} s`,
    `systems: ${describeSystems(options)}; (Nx) = ratio to bare`,
    '',
    formatSummaryTable(run.figures, { useColour: process.stdout.isTTY === true }),
  ];
  const noisy = [['direct', run.direct], ...Object.entries(run.systems)].filter(
    ([, result]) => (result?.otherWork?.otherCores ?? 0) > otherWorkWarningCores,
  );
  if (noisy.length > 0) {
    const parts = noisy.map(([name, result]) => `${name} ${formatNumber(result.otherWork.otherCores)}`);
    lines.push(
      `warning: other processes used CPU while these were measured (cores busy on average): ${parts.join(', ')}; their figures are noisy`,
    );
  }
  for (const name of allSystems) {
    const system = run.systems[name];
    if (system === undefined) continue;
    if (!system.measured) lines.push(`${name}: not measured: ${system.reason}`);
    for (const note of system.notes ?? []) lines.push(`${name}: ${note}`);
    if (system.measured) {
      const failures = ['c32', 'c64'].map(
        (key) => system.throughput[key].non2xx + system.throughput[key].errors,
      );
      if (failures.some((count) => count > 0)) {
        lines.push(`${name}: failed requests under load: c32 ${failures[0]}, c64 ${failures[1]}`);
      }
      if (system.stream.errors + system.stream.incomplete > 0) {
        lines.push(
          `${name}: streams: ${system.stream.errors} failed, ${system.stream.incomplete} incomplete ${system.stream.lastError}`,
        );
      }
    }
  }
  if (run.profile?.ran) {
    lines.push(
      '',
      `router CPU profile, one c32 phase after warm-up: ${formatNumber(run.profile.busyMicrosecondsPerRequest)} us of CPU per request over ${run.profile.requests} requests`,
      `(${run.profile.file}; the first ${run.profile.skippedMs} ms, start-up and warm-up, left out)`,
      formatCpuSummary(run.profile.summary),
    );
  } else if (run.profile !== undefined) lines.push(`router CPU profile not taken: ${run.profile.reason}`);
  lines.push('', `results: ${resultFile}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error) => {
  process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
