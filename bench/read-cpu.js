/**
 * How much CPU other work took while a system was measured: the machine's busy time (/proc/stat) minus
 * the time of the bench's own processes. On a shared machine this says which figures to distrust.
 */
import { readFileSync } from 'node:fs';
import { listProcessTree } from './read-rss.js';

const ticksPerSecond = 100;

function readMachineBusySeconds() {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    const fields = line.trim().split(/\s+/).slice(1).map(Number);
    // user, nice, system: the columns process times add up to. Interrupt time (loopback networking is
    // mostly softirq) belongs to no process and would count the bench's own traffic as other work.
    return ((fields[0] ?? 0) + (fields[1] ?? 0) + (fields[2] ?? 0)) / ticksPerSecond;
  } catch {
    return Number.NaN;
  }
}

function readProcessSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the command name.
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  } catch {
    return 0;
  }
}

/** CPU seconds (user + system) used so far by the processes under `rootPids`. */
export function readTreeCpuSeconds(rootPids) {
  return readOwnSeconds(rootPids);
}

function readOwnSeconds(rootPids) {
  let seconds = 0;
  for (const root of rootPids) {
    for (const pid of listProcessTree(root)) seconds += readProcessSeconds(pid);
  }
  return seconds;
}

/**
 * Starts counting; `stop()` returns the machine's busy CPU seconds, those of the processes under
 * `rootPids` (the bench itself, the upstream, the system), the difference, and the wall time.
 * Processes that exit in between are not counted as the bench's, so call stop() before stopping them.
 */
export function startCpuAccount(rootPids) {
  const startedAt = process.hrtime.bigint();
  const machineBefore = readMachineBusySeconds();
  const ownBefore = readOwnSeconds(rootPids);
  return {
    stop() {
      const wallSeconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
      const machineSeconds = readMachineBusySeconds() - machineBefore;
      const ownSeconds = readOwnSeconds(rootPids) - ownBefore;
      return {
        wallSeconds,
        machineSeconds,
        ownSeconds,
        otherSeconds: Math.max(0, machineSeconds - ownSeconds),
        otherCores: wallSeconds > 0 ? Math.max(0, machineSeconds - ownSeconds) / wallSeconds : 0,
      };
    },
  };
}
