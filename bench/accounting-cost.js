#!/usr/bin/env node
/**
 * What accounting costs the request path: CPU per call of `finishRequest` (the request-log record, the
 * metrics observation, the JSON log line) with everything on, and with each part switched off in turn,
 * on the router's own ops (SQLite request log written by its worker thread, buffered log output sent to
 * /dev/null). Rounds rotate through the variants so a burst of other load lands on all of them.
 *
 *   npm run build && node bench/accounting-cost.js [--calls 200000] [--rounds 5] [--json]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { loadConfig } from '../dist/config/load-config.js';
import { finishRequest, newRequestFacts } from '../dist/server/request-accounting.js';
import { openRouterOps } from '../dist/server/router-ops.js';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '200000' },
    rounds: { type: 'string', default: '5' },
    json: { type: 'boolean', default: false },
  },
});
const calls = Number(values.calls);
const rounds = Number(values.rounds);

function answeredFacts(index) {
  const facts = newRequestFacts(`gen-bench-${index}`, 1_765_000_000_000 + index, performance.now() - 1.5);
  facts.keyId = null;
  facts.requestedModel = 'openrouter/pareto-code';
  facts.routerModel = 'openrouter/pareto-code';
  facts.settings = { min_coding_score: 0.8, ingress: 'chat' };
  facts.tier = 'high';
  facts.attempts = [
    {
      model: 'anthropic/claude-sonnet-4.5',
      upstream: 'openrouter',
      status: 200,
      errorCode: null,
      durationMs: 1.2,
    },
  ];
  facts.model = 'anthropic/claude-sonnet-4.5';
  facts.upstream = 'openrouter';
  facts.usage = { ...facts.usage, promptTokens: 24, completionTokens: 12 };
  facts.costUsd = 0.000252;
  facts.finishReason = 'stop';
  facts.upstreamMs = 1.1;
  return facts;
}

async function main() {
  const dataDir = mkdtempSync(join(os.tmpdir(), 'pareto-router-accounting-'));
  const config = loadConfig({ env: {}, overrides: { dataDir } });
  const destination = pino.destination({ dest: '/dev/null', minLength: 4096, sync: false });
  const ops = await openRouterOps(config, { logDestination: destination, now: Date.now });
  const silent = pino({ level: 'silent' });
  const variants = {
    'all on': ops,
    'no log record': { ...ops, logWriter: { append() {} } },
    'no metrics': { ...ops, metrics: { observeRequest() {}, observeFallback() {} } },
    'no log line': { ...ops, logger: silent },
    'all off': {
      ...ops,
      logWriter: { append() {} },
      metrics: { observeRequest() {}, observeFallback() {} },
      logger: silent,
    },
  };
  const facts = Array.from({ length: 1000 }, (_, index) => answeredFacts(index));
  const cpuSeconds = {};
  for (const name of Object.keys(variants)) cpuSeconds[name] = [];
  let counter = 0;
  const runVariant = async (name) => {
    const variantOps = variants[name];
    const before = process.cpuUsage();
    for (let index = 0; index < calls; index += 1) {
      const current = facts[index % facts.length];
      current.id = `gen-bench-${counter++}`;
      finishRequest(variantOps, current, 200, undefined);
      // Let the writer's timers, the worker's replies and the log stream run, as between requests.
      if (index % 500 === 499) await new Promise((resolve) => setImmediate(resolve));
    }
    const used = process.cpuUsage(before);
    return (used.user + used.system) / 1e6;
  };
  // One unrecorded pass of each, for the optimising compiler.
  for (const name of Object.keys(variants)) await runVariant(name);
  for (let round = 0; round < rounds; round += 1) {
    for (const name of Object.keys(variants)) cpuSeconds[name].push(await runVariant(name));
  }
  await ops.close();
  destination.flushSync();
  rmSync(dataDir, { recursive: true, force: true });
  const median = (list) => [...list].sort((left, right) => left - right)[Math.floor(list.length / 2)];
  const result = {};
  for (const [name, list] of Object.entries(cpuSeconds)) {
    result[name] = { microsecondsPerCall: (median(list) * 1e6) / calls, rounds: list.length };
  }
  const allOn = result['all on'].microsecondsPerCall;
  for (const name of ['no log record', 'no metrics', 'no log line', 'all off']) {
    result[name].savedMicroseconds = allOn - result[name].microsecondsPerCall;
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  process.stdout.write(
    `finishRequest, main-thread CPU per call (median of ${rounds} rounds of ${calls.toLocaleString('en-US')} calls; includes the request-log worker hand-off):\n`,
  );
  for (const [name, entry] of Object.entries(result)) {
    const saved =
      entry.savedMicroseconds === undefined ? '' : `  (saves ${entry.savedMicroseconds.toFixed(2)} us)`;
    process.stdout.write(`  ${name.padEnd(14)} ${entry.microsecondsPerCall.toFixed(2)} us${saved}\n`);
  }
}

main().catch((error) => {
  process.stderr.write(
    `accounting-cost: ${error instanceof Error ? (error.stack ?? error.message) : error}\n`,
  );
  process.exitCode = 1;
});
