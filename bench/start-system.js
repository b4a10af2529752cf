/**
 * Child processes of the bench: start one, wait until it answers HTTP, stop it. Every wait is bounded;
 * output is kept (capped) so a system that fails to start can say why.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import { delimiter, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { warmUpMarker } from './fake-upstream.js';

const benchDir = dirname(fileURLToPath(import.meta.url));

const maxLogChars = 16 * 1024;

/**
 * The environment of a system under test: the bench's own, without the caller's upstream keys and URLs,
 * database and Redis URLs, router settings, port, host or node options, then `extra`.
 */
export function benchEnvironment(extra = {}) {
  const env = {};
  for (const [name, value] of Object.entries(process.env)) {
    // DATABASE_URL would send the router's request log to the caller's Postgres.
    if (
      /_API_KEY$|_BASE_URL$|^PARETO_ROUTER_|^DATABASE_URL$|^REDIS_URL$|^PORT$|^HOST$|^NODE_OPTIONS$/.test(
        name,
      )
    )
      continue;
    env[name] = value;
  }
  return { ...env, ...extra };
}

/** Asks the OS for a free loopback port (closed again before returning, so a tiny race is possible). */
export function findFreePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Spawns `command args` with `env` added to the bench's environment. The returned handle keeps the
 * last 16 KiB of output and knows whether the process has exited.
 */
export function spawnSystem({ name, command, args, env = {}, cwd }) {
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const handle = {
    name,
    child,
    pid: child.pid,
    output: '',
    exited: false,
    exitCode: null,
    exitSignal: null,
  };
  const keep = (chunk) => {
    handle.output = (handle.output + chunk.toString('utf8')).slice(-maxLogChars);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  handle.exitedPromise = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      handle.exited = true;
      handle.exitCode = code;
      handle.exitSignal = signal;
      resolve();
    });
    child.once('error', (error) => {
      keep(`spawn failed: ${error.message}\n`);
      handle.exited = true;
      resolve();
    });
  });
  return handle;
}

/**
 * Polls `url` until any HTTP answer arrives (a 404 still means the server is up), the process exits,
 * or `timeoutMs` passes. Resolves true when it answered.
 */
export async function waitForHttp(handle, url, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !handle.exited) {
    try {
      const response = await request(url, { method: 'GET', signal: AbortSignal.timeout(1000) });
      await response.body.dump();
      return true;
    } catch {
      await sleep(100);
    }
  }
  return false;
}

/** Sends SIGTERM, then SIGKILL if the process is still there after `graceMs`. */
export async function stopSystem(handle, graceMs = 5000) {
  if (handle.exited) return;
  handle.child.kill('SIGTERM');
  const stopped = await Promise.race([
    handle.exitedPromise.then(() => true),
    // Unreferenced: a timer left over from a race the exit won must not hold the bench open.
    sleep(graceMs, undefined, { ref: false }).then(() => false),
  ]);
  if (!stopped && !handle.exited) {
    handle.child.kill('SIGKILL');
    await Promise.race([handle.exitedPromise, sleep(2000, undefined, { ref: false })]);
  }
}

/** The headers of every bench call: a JSON body, and a key the router in open mode and the bare proxy ignore. */
export const benchHeaders = Object.freeze({
  'content-type': 'application/json',
  authorization: 'Bearer bench',
});

/**
 * The bench's chat request, plain and streamed: a short coding question to `openrouter/pareto-code` with
 * a high bar, and a streamed one the fake upstream answers briefly, for warm-ups. Every system gets the same
 * bodies, so the comparison is fair.
 */
export function benchRequestBodies() {
  const base = {
    model: 'openrouter/pareto-code',
    messages: [
      { role: 'system', content: 'You are a careful coding assistant.' },
      { role: 'user', content: 'Write a Python function add(a, b) that returns the sum of a and b.' },
    ],
    max_tokens: 64,
    plugins: [{ id: 'pareto-router', min_coding_score: 0.8 }],
  };
  const stream = { ...base, stream: true, stream_options: { include_usage: true } };
  const [system, user] = base.messages;
  return {
    plain: JSON.stringify(base),
    stream: JSON.stringify(stream),
    // The fake upstream answers this one with a short stream (`warmUpMarker`), for warm-ups.
    warmUpStream: JSON.stringify({
      ...stream,
      messages: [system, { ...user, content: `${user.content} ${warmUpMarker}` }],
    }),
  };
}

/**
 * The environment of a router under test: the bench's own (see `benchEnvironment`), routing to the fake
 * upstream at `upstreamPort`, with `nodeDirectory` first on PATH so the bin's `#!/usr/bin/env node` runs
 * that node (this process's by default), then `extra`.
 */
export function benchRouterEnvironment(upstreamPort, extra = {}, nodeDirectory = dirname(process.execPath)) {
  return benchEnvironment({
    OPENROUTER_API_KEY: 'bench',
    OPENROUTER_BASE_URL: `http://127.0.0.1:${upstreamPort}/api/v1`,
    PATH: `${nodeDirectory}${delimiter}${process.env.PATH ?? ''}`,
    ...extra,
  });
}

/**
 * `pareto-router serve` through the bin of the checkout at `root`: the bin's path, then its arguments. For
 * a runner that puts something before it (node's own flags, valgrind), with `benchRouterEnvironment`.
 */
export function benchRouterArgs(root, port, dataDir) {
  return [join(root, 'bin', 'pareto-router.js'), 'serve', '--port', String(port), '--data-dir', dataDir];
}

/** The bare proxy's arguments to node: forwarding to the fake upstream at `upstreamPort`. */
export function bareProxyArgs(port, upstreamPort) {
  return [
    join(benchDir, 'bare-proxy.js'),
    '--port',
    String(port),
    '--upstream',
    `http://127.0.0.1:${upstreamPort}/v1`,
  ];
}

/**
 * Starts `pareto-router serve` from the checkout at `root`, through its bin (as an installed bin runs),
 * routing to the fake upstream at `upstreamPort`, with its request log in `dataDir`. Callers wait for
 * `/health` themselves.
 */
export function spawnBenchRouter({ root, port, dataDir, upstreamPort }) {
  const [bin, ...args] = benchRouterArgs(root, port, dataDir);
  return spawnSystem({
    name: 'router',
    command: bin,
    args,
    env: benchRouterEnvironment(upstreamPort),
    cwd: root,
  });
}

/**
 * Starts the fake upstream on a free port: `chunks` content chunks `intervalMs` apart per stream; `stamp`
 * writes each chunk's send time into it (the agent-streams figures). Resolves once it answers.
 */
export async function startFakeUpstream({ chunks, intervalMs, stamp = false }) {
  const port = await findFreePort();
  const handle = spawnSystem({
    name: 'upstream',
    command: process.execPath,
    args: [
      join(benchDir, 'fake-upstream.js'),
      '--port',
      String(port),
      '--chunks',
      String(chunks),
      '--interval-ms',
      String(intervalMs),
      ...(stamp ? ['--stamp'] : []),
    ],
    env: benchEnvironment({}),
  });
  if (!(await waitForHttp(handle, `http://127.0.0.1:${port}/`))) {
    throw new Error(`fake upstream did not start:\n${handle.output}`);
  }
  return { handle, port };
}
