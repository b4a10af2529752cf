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
 *   npm run bench -- --only agent-streams [--quick]   2,000 concurrent long streams (see measureAgentPhase)
 */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { request } from 'undici';
import { answerText, streamedAnswerText } from './fake-upstream.js';
import { formatFleetLines, runFleetBench } from './fleet-bench.js';
import { formatNumber, formatSummaryTable } from './format-summary.js';
import { measureAgentStreams, warmUpStreams } from './measure-agent-streams.js';
import { measureIngressCpu, measureIngressStreams } from './measure-ingress-streams.js';
import { measureLatency, measureLongRun, measureThroughput } from './measure-load.js';
import { measureOneStream, measureStreams } from './measure-stream.js';
import { readTreeCpuSeconds, startCpuAccount } from './read-cpu.js';
import { readTreeMemory, sampleTreeMemory } from './read-rss.js';
import {
  bareProxyArgs,
  benchEnvironment,
  benchRequestBodies,
  benchRouterEnvironment,
  findFreePort,
  spawnSystem,
  startFakeUpstream,
  stopSystem,
  waitForHttp,
} from './start-system.js';
import { formatCpuSummary, readCpuProfile, summariseCpuProfile } from './summarise-cpu-profile.js';

const benchDir = dirname(fileURLToPath(import.meta.url));
const rootDir = dirname(benchDir);
const allSystems = ['bare', 'portkey', 'router'];
// Phases that are not a system of the main comparison; `--only` accepts them beside the systems.
const extraPhases = ['agent-streams'];
const leakThresholdMb = 10;
/** Calls each system gets before the agent-streams run, half of them streams (`warmUpStreams`). */
const agentWarmUpCalls = 4000;
// Other processes busy for more than a tenth of a core on average make a system's figures suspect.
const otherWorkWarningCores = 0.1;

const settingsByMode = {
  quick: {
    warmupMinSeconds: 3,
    warmupMaxSeconds: 8,
    durationSeconds: 2,
    latencyWarmup: 100,
    latencyRequests: 400,
    streamWarmup: 2,
    streamCount: 10,
    streamChunks: 20,
    streamIntervalMs: 10,
    ingressCpuSeconds: 2,
    leakRequests: 20_000,
    // Quick mode keeps to its two minutes; the table names the count that ran.
    leakCapSeconds: 20,
    budgetSeconds: 120,
    routeBenchTimeoutSeconds: 40,
    // The agent-streams phase: as many streams as the full run, shorter.
    agentStreams: 2000,
    agentStreamSeconds: 15,
    agentTokensPerSecond: 50,
  },
  full: {
    warmupMinSeconds: 4,
    warmupMaxSeconds: 20,
    durationSeconds: 10,
    latencyWarmup: 300,
    latencyRequests: 3000,
    // Many short streams rather than a few long ones: time to first token gets one sample per stream,
    // and 20 chunks still give hundreds of gaps.
    streamWarmup: 3,
    streamCount: 40,
    streamChunks: 20,
    streamIntervalMs: 10,
    ingressCpuSeconds: 4,
    leakRequests: 1_000_000,
    // Not a budget: the full run always completes its million unless the router stops answering (a
    // 30 s stall ends it) or is slower than about 550 requests per second. A run cut short is reported
    // as not judged, and a run over its time budget says so.
    leakCapSeconds: 1800,
    budgetSeconds: 600,
    routeBenchTimeoutSeconds: 120,
    // 2,000 streams at 50 tokens a second for 60 s, opened within a second, for each of direct, bare
    // and router one after another (about 3.5 minutes in all).
    agentStreams: 2000,
    agentStreamSeconds: 60,
    agentTokensPerSecond: 50,
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
      'fast-path': { type: 'boolean', default: false },
      pin: { type: 'boolean', default: false },
      'agent-streams': { type: 'string' },
      'agent-seconds': { type: 'string' },
      'agent-rate': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      'usage: node bench/run.js [--quick] [--json] [--only router,bare,portkey,agent-streams] [--workers N] [--duration S] [--profile]\n' +
        '       [--fast-path] [--agent-streams N] [--agent-seconds S] [--agent-rate TOKENS_PER_SECOND] [--pin]\n',
    );
    process.exit(0);
  }
  const only =
    values.only === undefined
      ? // The quick run keeps to its two minutes; `--only agent-streams --quick` runs the short variant.
        values.quick
        ? allSystems
        : [...allSystems, ...extraPhases]
      : values.only.split(',').map((name) => name.trim());
  for (const name of only) {
    if (!allSystems.includes(name) && !extraPhases.includes(name)) {
      throw new Error(`--only takes ${[...allSystems, ...extraPhases].join(',')}; got "${name}"`);
    }
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
  for (const [flag, key, low, high] of [
    ['agent-streams', 'agentStreams', 1, 20_000],
    ['agent-seconds', 'agentStreamSeconds', 1, 600],
    ['agent-rate', 'agentTokensPerSecond', 1, 1000],
  ]) {
    if (values[flag] === undefined) continue;
    const value = Number(values[flag]);
    if (!Number.isInteger(value) || value < low || value > high) {
      throw new Error(`--${flag} must be an integer ${low}..${high}, got "${values[flag]}"`);
    }
    settings[key] = value;
  }
  return {
    mode: values.quick ? 'quick' : 'full',
    pin: values.pin,
    json: values.json,
    only,
    workers,
    profile: values.profile,
    // The router with its same-protocol fast path switched on (PARETO_ROUTER_FAST_PATH=on; off by default).
    fastPath: values['fast-path'],
    settings,
  };
}

/**
 * Writes into `directory` a `node` that starts this node with `nodeArgs` first: put ahead on PATH, it
 * lets the bin (started by `#!/usr/bin/env node`) be profiled with options NODE_OPTIONS does not allow.
 */
function writeNodeShim(directory, nodeArgs) {
  const quote = (text) => `'${text.replaceAll("'", "'\\''")}'`;
  const shim = join(directory, 'node');
  writeFileSync(shim, `#!/bin/sh\nexec ${[process.execPath, ...nodeArgs].map(quote).join(' ')} "$@"\n`);
  chmodSync(shim, 0o755);
}

function percentile(values, fraction) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((left, right) => left - right);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[index];
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

/**
 * One plain and one streamed call must bring back the fake upstream's exact answer before a system is
 * measured: a 200 carrying anything else (an error object, a canned reply that never reached the
 * upstream) would otherwise be timed as if it were a completion.
 */
async function validateSystem(url, context) {
  let plain;
  try {
    plain = await postOnce(url, context.headers, context.bodies.plain);
  } catch (error) {
    return { ok: false, reason: `plain call failed: ${error instanceof Error ? error.message : error}` };
  }
  const content = plain.parsed?.choices?.[0]?.message?.content;
  if (plain.statusCode !== 200 || content !== answerText) {
    return { ok: false, reason: `plain call answered ${plain.statusCode}: ${plain.text}` };
  }
  const expectedStream = streamedAnswerText(context.settings.streamChunks);
  try {
    const stream = await measureOneStream({
      dispatcher: undefined,
      url,
      headers: context.headers,
      body: context.bodies.stream,
      timeoutMs: 15_000,
    });
    if (stream.contentChunks !== context.settings.streamChunks || stream.text !== expectedStream) {
      return {
        ok: false,
        reason: `streamed call delivered ${stream.contentChunks}/${context.settings.streamChunks} content chunks: ${JSON.stringify(stream.text.slice(0, 200))}`,
      };
    }
    if (!stream.sawDone) return { ok: false, reason: 'streamed call ended without [DONE]' };
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
 * Load at concurrency 32 in one-second steps until throughput stops changing: three successive steps
 * within 5% of each other, after `warmupMinSeconds`, or `warmupMaxSeconds` at most. Two steps are not
 * enough: a process whose hot paths are optimised one after another climbs in stairs, and two steps on
 * one stair look settled. A fresh Node.js
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
    const recent = steps.slice(-3);
    const highest = Math.max(...recent);
    if (
      steps.length >= settings.warmupMinSeconds &&
      recent.length === 3 &&
      highest > 0 &&
      (highest - Math.min(...recent)) / highest < 0.05
    ) {
      return { steps, settled: true };
    }
  }
  return { steps, settled: false };
}

async function measureDirect(context) {
  const { settings, upstreamUrl, headers, bodies } = context;
  log('direct to upstream: warm-up, throughput c32');
  const cpuAccount = startCpuAccount([process.pid]);
  const warmup = await warmUp(upstreamUrl, context);
  const c32 = await measureThroughput({
    url: upstreamUrl,
    headers,
    body: bodies.plain,
    connections: 32,
    durationSeconds: settings.durationSeconds,
  });
  return {
    warmup,
    throughput: { c32: summariseLoad(c32) },
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
    // state, so a burst of unrelated load cannot land on one side only. Each round opens with one
    // unrecorded call: the side has sat idle through the other's round, and on a virtual machine the
    // first call after idle time pays for waking its processes, which would fill the p99 of a short run.
    for (let round = 0; round < rounds; round += 1) {
      await run(upstreamUrl, directAgent, 1);
      const direct = await run(upstreamUrl, directAgent, perRound);
      await run(url, systemAgent, 1);
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

function median(values) {
  return percentile(values, 0.5);
}

/**
 * The long run at concurrency 32. RSS under a garbage collector is a saw-tooth that also shrinks when
 * load stops, so an idle reading before the run against one just after it would count the heap growing
 * back to its working size as a leak (or hide a leak behind a shrink). Growth is therefore judged under
 * the same steady load at both ends: the median RSS over the last tenth of the run minus the median over
 * its first tenth (after the first second, while connections open). The idle readings are kept beside it.
 */
async function measureLeak(context, handle, url) {
  const { settings, headers, bodies } = context;
  await sleep(1000);
  const idleBeforeMb = readTreeMemory(handle.pid).rssMb;
  log(
    `  long run: ${settings.leakRequests.toLocaleString('en-US')} requests (cap ${settings.leakCapSeconds} s)`,
  );
  const samples = [];
  const sampleMs = 250;
  const startedAt = performance.now();
  let lastLogged = startedAt;
  const result = await measureLongRun({
    url,
    headers,
    body: bodies.plain,
    connections: 32,
    amount: settings.leakRequests,
    capSeconds: settings.leakCapSeconds,
    progressMs: sampleMs,
    onProgress(done) {
      const now = performance.now();
      samples.push({
        seconds: (now - startedAt) / 1000,
        requests: done,
        rssMb: readTreeMemory(handle.pid).rssMb,
      });
      if (now - lastLogged >= 30_000) {
        lastLogged = now;
        log(`    ${done.toLocaleString('en-US')} requests, RSS ${formatNumber(samples.at(-1).rssMb)} MB`);
      }
    },
  });
  const seconds = (performance.now() - startedAt) / 1000;
  await sleep(2000);
  const idleAfterMb = readTreeMemory(handle.pid).rssMb;
  const loaded = samples.filter((sample) => sample.seconds >= 1);
  const window = Math.max(1, Math.floor(loaded.length / 10));
  const early = loaded.slice(0, window);
  const late = loaded.slice(-window);
  const earlyMb = median(early.map((sample) => sample.rssMb));
  const lateMb = median(late.map((sample) => sample.rssMb));
  // The least-squares slope over every loaded sample, a second view of the same trend.
  const slope = leastSquaresSlope(loaded.map((sample) => [sample.requests, sample.rssMb]));
  const step = Math.max(1, Math.ceil(samples.length / 20));
  const checkpoints = samples
    .filter((_, index) => index % step === 0 || index === samples.length - 1)
    .map((sample) => ({
      ...sample,
      seconds: Number(sample.seconds.toFixed(1)),
      rssMb: Number(sample.rssMb.toFixed(1)),
    }));
  return {
    requests: result.completed,
    cappedByTime: result.cappedByTime,
    stalled: result.stalled,
    seconds,
    earlyRssMb: earlyMb,
    earlyAtRequests: early.at(-1)?.requests,
    lateRssMb: lateMb,
    lateFromRequests: late[0]?.requests,
    growthMb: lateMb - earlyMb,
    windowSamples: window,
    idleBeforeMb,
    idleAfterMb,
    slopeMbPer100kRequests: slope === undefined ? undefined : slope * 100_000,
    rssRangeMb:
      loaded.length === 0
        ? undefined
        : [
            Math.min(...loaded.map((sample) => sample.rssMb)),
            Math.max(...loaded.map((sample) => sample.rssMb)),
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
  // CPU per call: the system's own CPU time (user + system, all its processes, from /proc) over the
  // c32 phase divided by the calls it answered. Steadier than req/s on a shared machine: time another
  // process takes from the system lowers its throughput, not its CPU per call.
  const cpuBefore = readTreeCpuSeconds([handle.pid]);
  const c32 = await measureThroughput({
    url,
    headers,
    body: bodies.plain,
    connections: 32,
    durationSeconds: settings.durationSeconds,
  });
  const c32CpuSeconds = readTreeCpuSeconds([handle.pid]) - cpuBefore;
  c32.cpuMicrosecondsPerCall = c32.ok > 0 ? (c32CpuSeconds * 1e6) / c32.ok : undefined;
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
    `    c32 ${formatNumber(c32.requestsPerSecond)} req/s (${formatNumber(c32.cpuMicrosecondsPerCall)} us CPU per call), c64 ${formatNumber(c64.requestsPerSecond)} req/s`,
  );
  log(`  latency at concurrency 1 (${settings.latencyRequests} requests, paired with the upstream alone)`);
  const latency = await measureLatencyPair(context, url);
  endPhase('latency');
  log(
    `  streams (${settings.streamCount} x ${settings.streamChunks} chunks ${settings.streamIntervalMs} ms apart, paired with the upstream alone)`,
  );
  const { system: streams, direct: directStreams } = await measureStreams({
    url,
    directUrl: context.upstreamUrl,
    headers,
    body: bodies.stream,
    wakeBody: bodies.plain,
    count: settings.streamCount,
    warmup: settings.streamWarmup,
    deadlineMs: 120_000,
  });
  endPhase('streams');
  const incompleteStreams =
    streams.incomplete + streams.contentChunks.filter((count) => count !== settings.streamChunks).length;
  const firstTokenP50Ms = percentile(streams.firstTokens, 0.5);
  const gapP50Ms = percentile(streams.gaps, 0.5);
  const directFirstTokenP50Ms = percentile(directStreams.firstTokens, 0.5);
  const directGapP50Ms = percentile(directStreams.gaps, 0.5);
  const stream = {
    firstTokenP50Ms,
    gapP50Ms,
    gapP99Ms: percentile(streams.gaps, 0.99),
    directFirstTokenP50Ms,
    directGapP50Ms,
    addedFirstTokenP50Ms: firstTokenP50Ms - directFirstTokenP50Ms,
    addedGapP50Ms: gapP50Ms - directGapP50Ms,
    samples: streams.firstTokens.length,
    gapSamples: streams.gaps.length,
    errors: streams.errors,
    lastError: streams.lastError,
    incomplete: incompleteStreams,
    directErrors: directStreams.errors + directStreams.incomplete,
  };
  const ingress = name === 'router' ? await measureIngresses(url, context, handle) : undefined;
  if (ingress !== undefined) endPhase('ingressStreams');
  const leakResult = leak ? await measureLeak(context, handle, url) : undefined;
  const peakRssMb = sampler.stop();
  const otherWork = cpuAccount.stop();
  if (leak) endPhase('longRun');
  const memory = readTreeMemory(handle.pid);
  // The same check once more after the load: a system that started answering something else under
  // load would otherwise pass with 2xx counts alone.
  const recheck = await validateSystem(url, context);
  if (!recheck.ok) log(`  ${name}: wrong answer after the load phases: ${recheck.reason}`);
  return {
    measured: true,
    answeredModel: validation.answeredModel,
    answersAfterLoad: recheck.ok ? true : recheck.reason,
    warmup,
    throughput: { c32: summariseLoad(c32), c64: summariseLoad(c64) },
    latency,
    stream,
    ingress,
    memory: { idleRssMb, throughputPeakRssMb, peakRssMb, hwmMb: memory.hwmMb, processes: memory.processes },
    leak: leakResult,
    phaseSeconds,
    otherWork,
  };
}

/**
 * The router's time to first token on each ingress protocol (chat completions, Anthropic Messages,
 * OpenAI Responses), interleaved call by call; reports each p50 and what Messages and Responses add.
 */
async function measureIngresses(url, context, handle) {
  const { settings, headers } = context;
  log(`  ingress streams (${settings.streamCount} rounds of chat, messages and responses)`);
  const sides = await measureIngressStreams({
    baseUrl: new URL(url).origin,
    headers,
    count: settings.streamCount,
  });
  const p50 = (name) => percentile(sides[name].firstTokens, 0.5);
  const summary = {};
  for (const name of Object.keys(sides)) {
    const side = sides[name];
    summary[name] = {
      firstTokenP50Ms: p50(name),
      samples: side.firstTokens.length,
      errors: side.errors,
      incomplete: side.incomplete,
      ...(side.lastError === '' ? {} : { lastError: side.lastError }),
    };
  }
  summary.addedMessagesP50Ms = p50('messages') - p50('chat');
  summary.addedResponsesP50Ms = p50('responses') - p50('chat');
  log(
    `    TTFT p50: chat ${formatNumber(p50('chat'))} ms, messages ${formatNumber(p50('messages'))} ms, responses ${formatNumber(p50('responses'))} ms`,
  );
  // What converting costs per call: the same plain call on each ingress, CPU read from /proc.
  summary.cpu = await measureIngressCpu({
    baseUrl: new URL(url).origin,
    headers,
    routerPid: handle.pid,
    rounds: 3,
    seconds: settings.ingressCpuSeconds,
  });
  log(
    `    CPU per plain call: ${Object.entries(summary.cpu)
      .map(([name, value]) => `${name} ${formatNumber(value.cpuMicrosecondsPerCall)} us`)
      .join(', ')}`,
  );
  return summary;
}

/** The soft limit on open files of this process (children inherit it), or undefined when unreadable. */
function readOpenFileLimit() {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((text) => text.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    return soft === undefined || soft === 'unlimited' ? Number.POSITIVE_INFINITY : Number(soft);
  } catch {
    return undefined;
  }
}

/**
 * The agent workload: `agentStreams` streams at `agentTokensPerSecond` for `agentStreamSeconds`, opened
 * within a second, straight to a stamping fake upstream, then through the bare proxy, then through the
 * router, one after another against the same upstream process, each system warmed up first with the same
 * calls and then given the burst twice in a row. Each figure is read by the same client; what the bare
 * proxy and the router add per chunk is their delay minus the direct one.
 */
async function measureAgentPhase(context) {
  const { settings } = context;
  const streams = settings.agentStreams;
  const intervalMs = 1000 / settings.agentTokensPerSecond;
  const chunks = Math.round(settings.agentStreamSeconds * settings.agentTokensPerSecond);
  // Each stream through a proxy holds two sockets in the proxy and one here, plus files and pipes.
  const needFiles = streams * 2 + 512;
  const fileLimit = readOpenFileLimit();
  if (fileLimit !== undefined && fileLimit < needFiles) {
    const reason = `open-file limit ${fileLimit} is below the ${needFiles} needed: run \`ulimit -n ${needFiles * 2}\` first`;
    log(`agent-streams: not run: ${reason}`);
    return { ran: false, reason };
  }
  log(
    `agent-streams: ${streams} streams x ${chunks} chunks ${intervalMs} ms apart (${settings.agentStreamSeconds} s), opened within 1 s: direct, bare, router`,
  );
  let started;
  try {
    started = await startFakeUpstream({ chunks, intervalMs, stamp: true });
  } catch (error) {
    return { ran: false, reason: `stamping upstream did not start: ${error.message.slice(-500)}` };
  }
  const { handle: upstream, port } = started;
  const result = { ran: true, streams, chunks, intervalMs, seconds: settings.agentStreamSeconds };
  try {
    const agentContext = { ...context, upstreamPort: port, headers: requestHeaders(port) };
    const launchers = systemLaunchers(agentContext);
    const run = (url, pid) =>
      measureAgentStreams({
        url,
        headers: agentContext.headers,
        body: context.bodies.stream,
        streams,
        chunks,
        openMs: 1000,
        deadlineMs: (settings.agentStreamSeconds + 60) * 1000,
        pid,
      });
    const describe = (name, figures) =>
      log(
        `  ${name}: first chunk p50 ${formatNumber(figures.firstChunkP50Ms)} ms, chunk delay p50 ${formatNumber(figures.chunkDelayP50Ms)} / p99 ${formatNumber(figures.chunkDelayP99Ms)} ms (while all open ${formatNumber(figures.steadyChunkDelayP50Ms)} / ${formatNumber(figures.steadyChunkDelayP99Ms)} ms), all done in ${formatNumber(figures.allDoneSeconds)} s, ${figures.lost} lost${figures.peakRssMb === undefined ? '' : `, peak RSS ${formatNumber(figures.peakRssMb)} MB, CPU ${formatNumber(figures.cpuMsPer1000Chunks)} ms per 1,000 chunks`}`,
      );
    const upstreamCpuBefore = readTreeCpuSeconds([upstream.pid]);
    result.direct = await run(`http://127.0.0.1:${port}/v1/chat/completions`, undefined);
    result.direct.upstreamCpuSeconds = readTreeCpuSeconds([upstream.pid]) - upstreamCpuBefore;
    describe('direct', result.direct);
    for (const name of ['bare', 'router']) {
      const systemPort = await findFreePort();
      const started = await launchers[name](systemPort, 1);
      if (started.missing !== undefined) {
        result[name] = { measured: false, reason: started.missing };
        continue;
      }
      try {
        if (!(await waitForHttp(started.handle, started.readyUrl, 30_000))) {
          result[name] = { measured: false, reason: `did not start: ${started.handle.output.slice(-500)}` };
          continue;
        }
        // Both systems are measured warm, as a router in service is: see `warmUpStreams`.
        await warmUpStreams({
          url: started.url,
          headers: agentContext.headers,
          plainBody: context.bodies.plain,
          streamBody: context.bodies.warmUpStream,
          calls: agentWarmUpCalls,
        });
        const loadBefore = os.loadavg()[0];
        result[name] = {
          measured: true,
          loadAverage: loadBefore,
          ...(await run(started.url, started.handle.pid)),
        };
        describe(name, result[name]);
        // The same streams again in the same process: a system in service has met such a burst before.
        // The first burst also pays for what a process does once (opening an upstream connection per
        // stream, compiling code that only a burst reaches, growing its heap), so both are reported.
        result[name].again = { measured: true, ...(await run(started.url, started.handle.pid)) };
        describe(`${name}, second burst`, result[name].again);
      } finally {
        await stopSystem(started.handle);
      }
    }
  } finally {
    await stopSystem(upstream);
  }
  for (const name of ['bare', 'router']) {
    for (const figures of [result[name], result[name]?.again]) {
      if (!figures?.measured) continue;
      figures.addedChunkDelayP50Ms = figures.chunkDelayP50Ms - result.direct.chunkDelayP50Ms;
      figures.addedChunkDelayP99Ms = figures.chunkDelayP99Ms - result.direct.chunkDelayP99Ms;
      figures.addedFirstChunkP50Ms = figures.firstChunkP50Ms - result.direct.firstChunkP50Ms;
    }
  }
  if (result.bare?.measured && result.router?.measured) {
    result.routerOverBareFirstChunkP50Ms = result.router.firstChunkP50Ms - result.bare.firstChunkP50Ms;
  }
  if (result.bare?.again?.measured && result.router?.again?.measured) {
    result.routerOverBareFirstChunkP50MsAgain =
      result.router.again.firstChunkP50Ms - result.bare.again.firstChunkP50Ms;
  }
  return result;
}

/** The agent-streams figures as table rows (bare and router columns; direct in the notes). */
function agentStreamFigures(agent) {
  if (agent === undefined) return [];
  if (!agent.ran) {
    return [
      {
        label: 'agent streams',
        unit: '',
        values: {},
        ratios: {},
        target: '-',
        note: `not run: ${agent.reason}`,
      },
    ];
  }
  const figures = [];
  const upstreamSeconds = agent.seconds;
  // Each row twice: the first burst on a freshly started (and warmed-up) process, then the same burst
  // again in the same process (`measureAgentPhase`).
  const bursts = [
    { name: 'first burst', of: (figures) => figures, routerOverBare: agent.routerOverBareFirstChunkP50Ms },
    {
      name: 'second burst',
      of: (figures) => figures?.again,
      routerOverBare: agent.routerOverBareFirstChunkP50MsAgain,
    },
  ];
  for (const burst of bursts) {
    const bare = burst.of(agent.bare);
    const router = burst.of(agent.router);
    const row = (label, pick, target, met, note) => {
      const values = {};
      for (const [name, systemFigures] of [
        ['bare', bare],
        ['router', router],
      ]) {
        const value = systemFigures?.measured ? pick(systemFigures) : undefined;
        if (value !== undefined && Number.isFinite(value)) values[name] = value;
      }
      const directValue = pick(agent.direct);
      if (directValue !== undefined && Number.isFinite(directValue)) values.direct = directValue;
      const entry = {
        label,
        unit: '',
        values,
        ratios: { router: ratio(values.router, values.bare) },
        target,
      };
      if (router?.measured && met !== undefined) entry.met = met(router);
      if (note !== undefined) entry.note = note;
      figures.push(entry);
    };
    const prefix = `${formatNumber(agent.streams)} streams, ${burst.name}:`;
    row(
      `${prefix} all done in (s)`,
      (figures) => figures.allDoneSeconds,
      `upstream's ${formatNumber(upstreamSeconds)} s + 1 s opening`,
      // Opening takes a second and the last chunk a few milliseconds: later than that is a queue.
      (figures) => figures.lost === 0 && figures.allDoneSeconds <= upstreamSeconds + 2,
    );
    row(
      `${prefix} streams lost`,
      (figures) => figures.lost,
      '0',
      (figures) => figures.lost === 0,
      router?.lastError || undefined,
    );
    row(
      `${prefix} first chunk p50 (ms)`,
      (figures) => figures.firstChunkP50Ms,
      '< 1 ms over bare',
      (figures) => figures.firstChunkP50Ms - (bare?.firstChunkP50Ms ?? Number.NaN) < 1,
      burst.routerOverBare === undefined
        ? undefined
        : `router - bare ${formatNumber(burst.routerOverBare)} ms; p99 bare ${formatNumber(bare.firstChunkP99Ms)}, router ${formatNumber(router.firstChunkP99Ms)} ms`,
    );
    row(`${prefix} added chunk delay p50 (ms)`, (figures) => figures.addedChunkDelayP50Ms, '-');
    // Added is over the direct run, but the direct run can queue too (its own p99 was 66 ms in one run,
    // which made the router's 70 ms look like 3.7 ms added): the target holds only when the router is also
    // within 5 ms of the byte-piping proxy's p99, measured under the same load.
    const overBareP99 = (figures) => figures.chunkDelayP99Ms - (bare?.chunkDelayP99Ms ?? Number.NaN);
    row(
      `${prefix} added chunk delay p99 (ms)`,
      (figures) => figures.addedChunkDelayP99Ms,
      '< 5 ms, over direct and over bare',
      (figures) => figures.addedChunkDelayP99Ms < 5 && overBareP99(figures) < 5,
      router?.measured && bare?.measured
        ? `p99 direct ${formatNumber(agent.direct.chunkDelayP99Ms)}, bare ${formatNumber(bare.chunkDelayP99Ms)}, router ${formatNumber(router.chunkDelayP99Ms)} ms (router - bare ${formatNumber(overBareP99(router))} ms)`
        : undefined,
    );
    // Not a target: the same p99 over the chunks that came while every stream was open (after the last
    // stream's first chunk, before the first stream's end), to tell the delay of the opening burst (every
    // start at once) and of the closing one (every end within a second) from that of steady streaming.
    row(
      `${prefix} chunk delay p99 while every stream is open (ms)`,
      (figures) => figures.steadyChunkDelayP99Ms,
      '-',
      undefined,
      router?.measured
        ? `over ${formatNumber(router.steadyChunks)} of the router's ${formatNumber(router.chunks)} chunks; p50 direct ${formatNumber(agent.direct.steadyChunkDelayP50Ms)}, bare ${formatNumber(bare?.steadyChunkDelayP50Ms)}, router ${formatNumber(router.steadyChunkDelayP50Ms)} ms`
        : undefined,
    );
    row(
      `${prefix} peak RSS (MB)`,
      (figures) => figures.peakRssMb,
      '< 300 MB',
      (figures) => figures.peakRssMb < 300,
    );
    row(
      `${prefix} CPU per 1,000 chunks (ms)`,
      (figures) => figures.cpuMsPer1000Chunks,
      '-',
      undefined,
      `direct column: the fake upstream's own CPU ${formatNumber((agent.direct.upstreamCpuSeconds * 1e6) / Math.max(1, agent.direct.chunks))} ms per 1,000 chunks`,
    );
  }
  return figures;
}

/**
 * `--pin`: the bench (load generator) and the fake upstream on core 0, the measured system on the
 * other cores, so its workers' scaling is not mixed with the load generator's CPU.
 */
function pinCommands(pin) {
  if (!pin) return undefined;
  const cores = os.availableParallelism();
  if (cores < 2) throw new Error('--pin needs at least 2 cores');
  execFileSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });
  return { systemCores: cores === 2 ? '1' : `1-${cores - 1}` };
}

/** Starts a measured system, under `taskset` on the system cores when pinning. */
function spawnMeasured(context, spec) {
  if (context.pinning === undefined) return spawnSystem(spec);
  return spawnSystem({
    ...spec,
    command: 'taskset',
    args: ['-c', context.pinning.systemCores, spec.command, ...spec.args],
  });
}

function systemLaunchers(context) {
  const upstreamPort = context.upstreamPort;
  return {
    bare: async (port, workers) => {
      const handle = spawnMeasured(context, {
        name: 'bare',
        command: process.execPath,
        args: [...bareProxyArgs(port, upstreamPort), '--workers', String(workers)],
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
      const handle = spawnMeasured(context, {
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
    router: async (port, workers, nodeDirectory) => {
      const bin = join(rootDir, 'bin', 'pareto-router.js');
      if (!existsSync(join(rootDir, 'dist', 'cli', 'main.js')))
        return { missing: 'dist/ missing: run npm run build' };
      // A fresh data directory per start: each process begins with an empty request log, as a first
      // deployment would, and the profiled run does not inherit the measured run's database.
      const dataDir = mkdtempSync(join(context.routerDataDir, 'run-'));
      const args = ['serve', '--port', String(port), '--data-dir', dataDir];
      if (workers > 1) args.push('--workers', String(workers));
      // Started as a program, the way `npx pareto-router` and an installed bin start it, so the V8
      // options `serve` restarts itself with (where process.execve exists) are the ones measured, on this
      // node (its directory goes first on PATH). The profiler's options are not allowed in NODE_OPTIONS: a profiled router is given a
      // directory whose `node` adds them.
      const handle = spawnMeasured(context, {
        name: 'router',
        command: bin,
        args,
        env: benchRouterEnvironment(
          upstreamPort,
          context.fastPath ? { PARETO_ROUTER_FAST_PATH: 'on' } : {},
          nodeDirectory,
        ),
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
  writeNodeShim(profileDir, ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]);
  const started = await systemLaunchers(context).router(port, 1, profileDir);
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
  // The SQLite writer thread writes a profile of its own; the main thread's (thread id 0) is the one wanted.
  const mainFile = files.find((file) => file.split('.')[4] === '0') ?? files[0];
  const source = join(profileDir, mainFile);
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

/** value / base; none when either is not positive (an "added" time below zero is noise, not a ratio). */
function ratio(value, base) {
  if (
    value === undefined ||
    base === undefined ||
    !Number.isFinite(value) ||
    !Number.isFinite(base) ||
    value < 0 ||
    base <= 0
  ) {
    return undefined;
  }
  return value / base;
}

function buildFigures(run) {
  const systems = run.systems;
  if (Object.keys(systems).length === 0) return [];
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

  // The headline: steadier than throughput on a shared machine (see measureSystem).
  const cpu = figure(
    'CPU per call at c32 (us, /proc)',
    '',
    (result) => result.throughput.c32.cpuMicrosecondsPerCall,
    {
      meta: { target: '<= 1.25x bare' },
    },
  );
  if (router !== undefined && bare !== undefined && cpu.ratios.router !== undefined) {
    cpu.met = cpu.ratios.router <= 1.25;
  }
  const c32 = figure('throughput c32 (req/s)', '', (result) => result.throughput.c32.requestsPerSecond, {
    direct: run.direct?.throughput.c32.requestsPerSecond,
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
    if (systems.portkey !== undefined && portkey === undefined) notes.push('portkey not measured');
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
  const target = (entry, limit, pick, orEqual = false) => {
    if (router === undefined) return;
    const value = pick(router);
    entry.met = Number.isFinite(value) && (orEqual ? value <= limit : value < limit);
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
    meta: { target: '<= 0.2 ms' },
  });
  target(gap, 0.2, (result) => result.stream.addedGapP50Ms, true);
  if (router !== undefined && router.stream.incomplete + router.stream.errors > 0) {
    ttft.met = false;
    ttft.note = `${router.stream.incomplete} incomplete, ${router.stream.errors} failed streams`;
  }
  for (const [key, label] of [
    ['addedMessagesP50Ms', 'messages stream TTFT p50 over chat (ms)'],
    ['addedResponsesP50Ms', 'responses stream TTFT p50 over chat (ms)'],
  ]) {
    if (router?.ingress === undefined) break;
    const entry = figure(label, '', (result) => result.ingress?.[key], { meta: { target: '< 1 ms' } });
    target(entry, 1, (result) => result.ingress[key]);
    const side = router.ingress[key === 'addedMessagesP50Ms' ? 'messages' : 'responses'];
    if (side.errors + side.incomplete > 0) {
      entry.met = false;
      entry.note = `${side.incomplete} incomplete, ${side.errors} failed streams${side.lastError ? `: ${side.lastError}` : ''}`;
    }
  }
  if (router?.ingress?.cpu !== undefined) {
    const cpu = router.ingress.cpu;
    for (const name of ['chat', 'messages', 'responses']) {
      const entry = figure(
        `${name}: CPU per plain call (us)`,
        '',
        (result) => result.ingress?.cpu?.[name]?.cpuMicrosecondsPerCall,
        { meta: { target: '-' } },
      );
      const parts = [`${formatNumber(cpu[name].requestsPerSecond)} req/s at c8`];
      if (name !== 'chat')
        parts.push(
          `${formatNumber(cpu[name].cpuMicrosecondsPerCall / cpu.chat.cpuMicrosecondsPerCall)}x chat`,
        );
      if (cpu[name].failed > 0) parts.push(`${cpu[name].failed} failed`);
      entry.note = parts.join(', ');
    }
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
    const parts = [
      `under load ${formatNumber(leak.earlyRssMb)} MB (first tenth) -> ${formatNumber(leak.lateRssMb)} MB (last tenth)`,
      `idle ${formatNumber(leak.idleBeforeMb)} -> ${formatNumber(leak.idleAfterMb)} MB`,
    ];
    // A run cut short says nothing about the planned count, so it is not judged.
    if (leak.cappedByTime || leak.stalled) {
      parts.unshift(
        `not judged: ${formatNumber(leak.requests)} of ${formatNumber(run.settings.leakRequests)} requests ran`,
      );
    } else entry.met = leak.growthMb < leakThresholdMb && leak.non2xx + leak.errors === 0;
    if (leak.rssRangeMb !== undefined) {
      parts.push(
        `${formatNumber(leak.rssRangeMb[0])}..${formatNumber(leak.rssRangeMb[1])} MB during the run`,
      );
    }
    if (leak.slopeMbPer100kRequests !== undefined) {
      parts.push(`trend ${formatNumber(leak.slopeMbPer100kRequests)} MB per 100k requests`);
    }
    if (leak.cappedByTime) parts.push(`stopped by the ${run.settings.leakCapSeconds} s cap`);
    if (leak.stalled) parts.push('stopped: no answer for 30 s');
    parts.push(`${formatNumber(leak.seconds)} s`);
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
  const described = options.only.filter((name) => descriptions[name] !== undefined);
  return ['direct = the fake upstream alone', ...described.map((name) => descriptions[name])].join(', ');
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
  const pinning = pinCommands(options.pin);
  if (pinning !== undefined)
    log(`pinned: load generator and upstream on core 0, systems on ${pinning.systemCores}`);
  const upstream = await startFakeUpstream({
    chunks: options.settings.streamChunks,
    intervalMs: options.settings.streamIntervalMs,
  });
  const routerDataDir = mkdtempSync(join(os.tmpdir(), 'pareto-router-bench-'));
  const context = {
    settings: options.settings,
    workers: options.workers,
    upstreamPort: upstream.port,
    upstreamUrl: `http://127.0.0.1:${upstream.port}/v1/chat/completions`,
    headers: requestHeaders(upstream.port),
    bodies: benchRequestBodies(),
    routerDataDir,
    fastPath: options.fastPath,
    pinning,
  };
  const run = {
    machine,
    mode: options.mode,
    routerPath: options.fastPath ? 'fast' : 'general',
    settings: options.settings,
    workers: options.workers,
    pinning,
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
  run.phaseSeconds = {};
  try {
    const systemsToRun = allSystems.filter((name) => options.only.includes(name));
    if (systemsToRun.length > 0) {
      const direct = await measureDirect(context);
      context.direct = direct;
      run.direct = direct;
      run.phaseSeconds.direct = (performance.now() - started) / 1000;
    }
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
      const fleetStarted = performance.now();
      run.fleet = await runFleetBench({
        durationSeconds: options.settings.durationSeconds,
        upstreamPort: upstream.port,
        log,
      }).catch((error) => ({
        measured: false,
        reason: error instanceof Error ? error.message : String(error),
      }));
      run.fleet.loadAverage = os.loadavg().map((value) => Number(value.toFixed(2)));
      run.phaseSeconds.fleet = (performance.now() - fleetStarted) / 1000;
    }
    if (options.only.includes('agent-streams')) {
      const phaseStarted = performance.now();
      run.agentStreams = await measureAgentPhase(context);
      run.phaseSeconds.agentStreams = (performance.now() - phaseStarted) / 1000;
    }
    mkdirSync(join(benchDir, 'results'), { recursive: true });
    if (options.profile && options.only.includes('router')) run.profile = await profileRouter(context, stamp);
  } finally {
    await stopAll();
  }
  run.elapsedSeconds = (performance.now() - started) / 1000;
  run.loadAverageAtEnd = os.loadavg().map((value) => Number(value.toFixed(2)));
  run.figures = [...buildFigures(run), ...agentStreamFigures(run.agentStreams)];
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
    if (system.measured && system.answersAfterLoad !== true) {
      lines.push(
        `${name}: answered wrongly after the load phases, figures suspect: ${system.answersAfterLoad}`,
      );
    }
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
  if (run.fleet !== undefined) lines.push('', ...formatFleetLines(run.fleet));
  if (run.profile?.ran) {
    lines.push(
      '',
      `router CPU profile, one c32 phase after warm-up: ${formatNumber(run.profile.busyMicrosecondsPerRequest)} us of CPU per request over ${run.profile.requests} requests`,
      `(${run.profile.file}; the first ${run.profile.skippedMs} ms, start-up and warm-up, left out)`,
      formatCpuSummary(run.profile.summary),
    );
  } else if (run.profile !== undefined) lines.push(`router CPU profile not taken: ${run.profile.reason}`);
  const phases = Object.entries(run.phaseSeconds ?? {}).map(
    ([phase, seconds]) => `${phase} ${formatNumber(seconds)} s`,
  );
  const longRun = run.systems.router?.leak;
  if (longRun !== undefined) phases.push(`(router long run ${formatNumber(longRun.seconds)} s)`);
  lines.push('', `time: ${phases.join(', ')}`);
  if (run.elapsedSeconds > options.settings.budgetSeconds) {
    lines.push(
      `over budget: this ${options.mode} run took ${formatNumber(run.elapsedSeconds)} s, its budget is ${options.settings.budgetSeconds} s`,
    );
  }
  lines.push('', `results: ${resultFile}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error) => {
  process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
