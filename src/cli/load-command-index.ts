/**
 * The snapshot options every offline command shares, and loading the index they select. The options
 * exist both on the program (`pareto-router --snapshot 2026-05 route`) and on each command
 * (`pareto-router route --snapshot 2026-05`); the command's own value wins.
 */
import type { Command } from 'commander';
import { buildModelIndex } from '../core/build-model-index.js';
import type { ModelIndex } from '../core/model-index.js';
import type { CliContext, SnapshotRequest } from './cli-context.js';
import { parseSnapshotVersion } from './parse-option-values.js';

interface SnapshotOptionValues {
  snapshot?: string;
  dataDir?: string;
}

/** Adds `--snapshot VERSION` and `--data-dir DIR` to a command. */
export function addSnapshotOptions(command: Command): Command {
  return command
    .option('--snapshot <version>', 'index snapshot to use (default: the latest)', parseSnapshotVersion)
    .option('--data-dir <dir>', 'data directory holding imported snapshots (env PARETO_ROUTER_DATA_DIR)');
}

/** The snapshot a command asked for: its own options first, then the program's, then the environment. */
export function snapshotRequestOf(command: Command, context: CliContext): SnapshotRequest {
  const request: SnapshotRequest = {};
  let current: Command | null = command;
  // Nearest command first, so `route --snapshot X` beats `pareto-router --snapshot Y route`.
  while (current !== null) {
    const values = current.opts<SnapshotOptionValues>();
    if (request.version === undefined && values.snapshot !== undefined) request.version = values.snapshot;
    if (request.dataDir === undefined && values.dataDir !== undefined) request.dataDir = values.dataDir;
    current = current.parent;
  }
  const environmentDataDir = context.environment.PARETO_ROUTER_DATA_DIR;
  if (request.dataDir === undefined && environmentDataDir !== undefined && environmentDataDir !== '') {
    request.dataDir = environmentDataDir;
  }
  return request;
}

/** Loads the selected snapshot and derives the routing index from it. */
export async function loadCommandIndex(command: Command, context: CliContext): Promise<ModelIndex> {
  const snapshot = await context.loadSnapshot(snapshotRequestOf(command, context));
  return buildModelIndex(snapshot);
}
