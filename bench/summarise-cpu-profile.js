#!/usr/bin/env node
/**
 * Reads a V8 `.cpuprofile` (written by `node --cpu-prof`) and lists where the time went: the functions
 * with the most self time, and the same time grouped by source file or package.
 *
 *   node bench/summarise-cpu-profile.js <file.cpuprofile> [--top 25] [--skip-ms 0]
 */
import { readFileSync, statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const maxProfileBytes = 512 * 1024 * 1024;

/** Shortens a script URL to what a reader needs: the package, `dist/...` path or `node:` module. */
export function describeSource(url) {
  if (url === '') return '(native)';
  const path = url.replace(/^file:\/\//, '');
  const packageMatch = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(path);
  if (packageMatch) return `${packageMatch[1]}/${packageMatch[2]}`;
  const distIndex = path.lastIndexOf('/dist/');
  if (distIndex >= 0) return path.slice(distIndex + 1);
  return path;
}

function groupOf(url) {
  if (url === '') return '(native / V8)';
  if (url.startsWith('node:')) return 'node core';
  const path = url.replace(/^file:\/\//, '');
  const packageMatch = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path);
  if (packageMatch) return `package ${packageMatch[1]}`;
  const distIndex = path.lastIndexOf('/dist/');
  if (distIndex >= 0) return path.slice(distIndex + 1);
  return path;
}

/**
 * Self time per function and per file, in milliseconds and as a share of the busy (non-idle) time.
 * Samples from the first `skipMs` of the profile (start-up, module loading, warm-up) are left out.
 */
export function summariseCpuProfile(profile, top = 25, skipMs = 0) {
  const nodesById = new Map();
  for (const node of profile.nodes ?? []) nodesById.set(node.id, node);
  const selfMicros = new Map();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  let elapsedMicros = 0;
  for (let index = 0; index < samples.length; index += 1) {
    elapsedMicros += deltas[index] ?? 0;
    if (elapsedMicros < skipMs * 1000) continue;
    // A sample's duration is the gap to the next one (what DevTools does); the last gets the mean.
    const next = deltas[index + 1];
    const duration =
      next ?? (samples.length > 0 ? (profile.endTime - profile.startTime) / samples.length : 0);
    const id = samples[index];
    selfMicros.set(id, (selfMicros.get(id) ?? 0) + Math.max(0, duration));
  }
  const byFunction = new Map();
  const byGroup = new Map();
  let busyMicros = 0;
  let idleMicros = 0;
  for (const [id, micros] of selfMicros) {
    const frame = nodesById.get(id)?.callFrame;
    if (frame === undefined) continue;
    const name = frame.functionName === '' ? '(anonymous)' : frame.functionName;
    if (name === '(idle)') {
      idleMicros += micros;
      continue;
    }
    busyMicros += micros;
    const where = frame.url === '' ? '' : ` ${describeSource(frame.url)}:${frame.lineNumber + 1}`;
    const key = `${name}${where}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + micros);
    const group = name.startsWith('(') ? name : groupOf(frame.url);
    byGroup.set(group, (byGroup.get(group) ?? 0) + micros);
  }
  // Inclusive time of the project's own functions (callees included), so a reader sees what share of a
  // request routing, conversion or the executor take. Each sample counts once per distinct function on
  // its stack, so recursion is not counted twice.
  const parents = new Map();
  for (const node of profile.nodes ?? []) {
    for (const child of node.children ?? []) parents.set(child, node.id);
  }
  const inclusive = new Map();
  for (const [id, micros] of selfMicros) {
    if (nodesById.get(id)?.callFrame?.functionName === '(idle)') continue;
    const seen = new Set();
    for (let current = id, depth = 0; current !== undefined && depth < 2000; depth += 1) {
      const frame = nodesById.get(current)?.callFrame;
      if (frame?.url.includes('/dist/')) {
        const name = frame.functionName === '' ? '(anonymous)' : frame.functionName;
        const key = `${name} ${describeSource(frame.url)}:${frame.lineNumber + 1}`;
        if (!seen.has(key)) {
          seen.add(key);
          inclusive.set(key, (inclusive.get(key) ?? 0) + micros);
        }
      }
      current = parents.get(current);
    }
  }
  const rank = (map) =>
    [...map.entries()]
      .sort((left, right) => right[1] - left[1])
      .slice(0, top)
      .map(([name, micros]) => ({
        name,
        selfMs: micros / 1000,
        share: busyMicros > 0 ? micros / busyMicros : 0,
      }));
  return {
    busyMs: busyMicros / 1000,
    idleMs: idleMicros / 1000,
    functions: rank(byFunction),
    groups: rank(byGroup),
    projectInclusive: rank(inclusive),
  };
}

/** Renders a summary as plain text lines. */
export function formatCpuSummary(summary) {
  const lines = [
    `busy ${summary.busyMs.toFixed(0)} ms, idle ${summary.idleMs.toFixed(0)} ms`,
    'top self time by function:',
  ];
  for (const entry of summary.functions) {
    lines.push(
      `  ${(entry.share * 100).toFixed(1).padStart(5)}%  ${entry.selfMs.toFixed(0).padStart(7)} ms  ${entry.name}`,
    );
  }
  lines.push('self time by file / package:');
  for (const entry of summary.groups) {
    lines.push(
      `  ${(entry.share * 100).toFixed(1).padStart(5)}%  ${entry.selfMs.toFixed(0).padStart(7)} ms  ${entry.name}`,
    );
  }
  if (summary.projectInclusive.length > 0) {
    lines.push("the project's own functions, time including callees:");
    for (const entry of summary.projectInclusive) {
      lines.push(
        `  ${(entry.share * 100).toFixed(1).padStart(5)}%  ${entry.selfMs.toFixed(0).padStart(7)} ms  ${entry.name}`,
      );
    }
  }
  return lines.join('\n');
}

/** Loads and parses a `.cpuprofile` file. */
export function readCpuProfile(file) {
  if (statSync(file).size > maxProfileBytes)
    throw new Error(`${file} is larger than ${maxProfileBytes} bytes`);
  const text = readFileSync(file, 'utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${file} is not a JSON cpuprofile: ${error instanceof Error ? error.message : error}`);
  }
}

function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string', default: '25' }, 'skip-ms': { type: 'string', default: '0' } },
  });
  const file = positionals[0];
  if (file === undefined)
    throw new Error('usage: summarise-cpu-profile.js <file.cpuprofile> [--top N] [--skip-ms MS]');
  const top = Number(values.top);
  const skipMs = Number(values['skip-ms']);
  process.stdout.write(`${formatCpuSummary(summariseCpuProfile(readCpuProfile(file), top, skipMs))}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    main();
  } catch (error) {
    process.stderr.write(
      `summarise-cpu-profile: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exitCode = 1;
  }
}
