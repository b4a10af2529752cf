/**
 * The options every command accepts before or after its name (`pareto-router --data-dir DIR serve` and
 * `pareto-router serve --data-dir DIR`): the values given before it, read from the command's parents.
 */
import type { Command } from 'commander';

/** Options the program itself takes, which every command that uses them also takes after its name. */
export interface ProgramOptionValues {
  snapshot?: string;
  dataDir?: string;
}

/** The program options given before the command name, nearest parent first. */
export function programOptionsOf(command: Command): ProgramOptionValues {
  let snapshot: string | undefined;
  let dataDir: string | undefined;
  for (let current = command.parent; current !== null; current = current.parent) {
    const parentValues = current.opts<ProgramOptionValues>();
    snapshot ??= parentValues.snapshot;
    dataDir ??= parentValues.dataDir;
  }
  return {
    ...(snapshot === undefined ? {} : { snapshot }),
    ...(dataDir === undefined ? {} : { dataDir }),
  };
}

/** The object without its undefined fields, so spreading it never erases a value. */
export function definedOnly<Values extends object>(values: Values): Values {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Values;
}
