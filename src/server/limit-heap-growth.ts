/**
 * Keeps a busy router's heap near its live size. Under load V8 lets the old generation grow to up to four
 * times the live heap before a full collection; for a router whose live heap is about 20 MB that is
 * 60 to 80 MB of garbage held between collections. A growth factor of 1.5 measured 55 to 65 MB less peak
 * RSS at concurrency 32 and 64 with no throughput change (bench/README.md). A `--heap-growing-percent`
 * given to node on the command line wins.
 */
import v8 from 'node:v8';

export const defaultHeapGrowingPercent = 50;

/** Sets V8's heap growing factor unless the process was started with its own; true when it set it. */
export function limitHeapGrowth(
  percent: number = defaultHeapGrowingPercent,
  execArgv: readonly string[] = process.execArgv,
): boolean {
  if (execArgv.some((argument) => /^--heap[-_]growing[-_]percent(=|$)/.test(argument))) return false;
  v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
  return true;
}
