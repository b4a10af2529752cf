/**
 * Memory of a system under test, read from /proc (Linux): resident set size of a process and of all its
 * descendants (cluster workers), sampled while load runs so the peak is what the load caused.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';

function readStatus(pid) {
  try {
    return readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
}

function fieldKilobytes(status, field) {
  const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
  return match?.[1] === undefined ? 0 : Number(match[1]);
}

/**
 * The direct children of `pid` from /proc/<pid>/task/<tid>/children, or undefined where the kernel
 * does not provide that file. Reading it costs a few microseconds; the fallback scans all of /proc.
 */
function readChildren(pid) {
  let tasks;
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const children = [];
  for (const task of tasks) {
    let text;
    try {
      text = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8');
    } catch (error) {
      if (error?.code === 'ENOENT' && existsSync(`/proc/${pid}/task/${task}`)) return undefined;
      continue;
    }
    for (const entry of text.trim().split(' ')) if (entry !== '') children.push(Number(entry));
  }
  return children;
}

/**
 * The pid and every descendant pid of `rootPid`. Sampled ten times a second while load runs, so the
 * cheap per-process children files are used where they exist.
 */
export function listProcessTree(rootPid) {
  const tree = [];
  const queue = [rootPid];
  while (queue.length > 0 && tree.length < 1024) {
    const pid = queue.shift();
    const children = readChildren(pid);
    if (children === undefined) return scanProcessTree(rootPid);
    tree.push(pid);
    queue.push(...children);
  }
  return tree;
}

/** The same tree from every process's /proc/<pid>/stat parent link. */
function scanProcessTree(rootPid) {
  const children = new Map();
  let entries = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [rootPid];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // The command name sits in parentheses and may itself hold spaces; the parent pid is the second
    // field after the closing one.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const parent = Number(fields[1]);
    const list = children.get(parent) ?? [];
    list.push(Number(entry));
    children.set(parent, list);
  }
  const tree = [];
  const queue = [rootPid];
  while (queue.length > 0 && tree.length < 1024) {
    const pid = queue.shift();
    tree.push(pid);
    for (const child of children.get(pid) ?? []) queue.push(child);
  }
  return tree;
}

/** Current and peak (VmHWM) resident memory in megabytes, summed over the process tree of `rootPid`. */
export function readTreeMemory(rootPid) {
  let rssKilobytes = 0;
  let peakKilobytes = 0;
  const pids = listProcessTree(rootPid);
  for (const pid of pids) {
    const status = readStatus(pid);
    if (status === undefined) continue;
    rssKilobytes += fieldKilobytes(status, 'VmRSS');
    peakKilobytes += fieldKilobytes(status, 'VmHWM');
  }
  return { rssMb: rssKilobytes / 1024, hwmMb: peakKilobytes / 1024, processes: pids.length };
}

/** Samples the tree's RSS every `intervalMs` until stopped; `stop()` returns the highest sample. */
export function sampleTreeMemory(rootPid, intervalMs = 100) {
  let peakMb = readTreeMemory(rootPid).rssMb;
  const timer = setInterval(() => {
    const { rssMb } = readTreeMemory(rootPid);
    if (rssMb > peakMb) peakMb = rssMb;
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      const { rssMb } = readTreeMemory(rootPid);
      return Math.max(peakMb, rssMb);
    },
  };
}
