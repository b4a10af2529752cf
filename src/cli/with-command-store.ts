/**
 * The request log and key store as the operator commands reach it: the same configuration `serve` reads
 * (`--config`, `--data-dir`, DATABASE_URL), so `keys`, `logs`, `spend` and `forecast --from-log` always
 * look at the database the router writes to.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../config/load-config.js';
import { isRouterError } from '../core/errors.js';
import { createRequestStore, sqliteFileName } from '../store/create-request-store.js';
import { redactConnectionString } from '../store/postgres-request-store.js';
import type { RequestStore } from '../store/request-store.js';
import type { CliContext } from './cli-context.js';
import { withSpinner } from './progress.js';
import { UsageError } from './usage-error.js';

interface StoreOptionValues {
  dataDir?: string;
  config?: string;
}

export const dataDirOptionHelp = 'data directory (env PARETO_ROUTER_DATA_DIR; default ~/.pareto-router)';
export const configOptionHelp =
  'YAML configuration file (env PARETO_ROUTER_CONFIG); its dataDir and databaseUrl select the store';

/** Adds `--config FILE` to a command (forecast already has `--data-dir` from its snapshot options). */
export function addConfigOption(command: Command): Command {
  return command.option('--config <file>', configOptionHelp);
}

/** Adds `--data-dir DIR` and `--config FILE` to a command. */
export function addStoreOptions(command: Command): Command {
  return addConfigOption(command.option('--data-dir <dir>', dataDirOptionHelp));
}

export interface StoreLocation {
  dataDir: string;
  databaseUrl: string | undefined;
  /** Where the operator should look: the SQLite file, or the redacted PostgreSQL URL. */
  description: string;
  /** The snapshot the configuration pins, if any (what `serve` with the same configuration routes on). */
  snapshotVersion: string | undefined;
}

/** The store a command names: its own options first, then its parents', then the configuration. */
export function storeLocationOf(command: Command, context: CliContext): StoreLocation {
  let dataDir: string | undefined;
  let configPath: string | undefined;
  for (let current: Command | null = command; current !== null; current = current.parent) {
    const values = current.opts<StoreOptionValues>();
    dataDir ??= values.dataDir;
    configPath ??= values.config;
  }
  try {
    const config = loadConfig({
      configPath,
      env: { ...context.environment },
      overrides: dataDir === undefined ? {} : { dataDir },
    });
    const databaseUrl = config.databaseUrl;
    return {
      dataDir: config.dataDir,
      databaseUrl,
      snapshotVersion: config.snapshotVersion,
      description:
        databaseUrl === undefined
          ? join(config.dataDir, sqliteFileName)
          : redactConnectionString(databaseUrl),
    };
  } catch (error) {
    // A configuration that cannot be read is a mistake in how the command was called: exit 2.
    if (isRouterError(error) && error.code === 'config_invalid') throw new UsageError(error.message);
    throw error;
  }
}

export interface CommandStoreOptions {
  /**
   * Commands that only read refuse a SQLite file that does not exist yet instead of creating it: a
   * mistyped `--data-dir` would otherwise show an empty log, and leave an empty database behind.
   */
  mustExist: boolean;
}

/** Opens and migrates the store, runs `use`, and always closes the store afterwards. */
export async function withCommandStore<Result>(
  command: Command,
  context: CliContext,
  options: CommandStoreOptions,
  use: (store: RequestStore, location: StoreLocation) => Promise<Result>,
): Promise<Result> {
  const location = storeLocationOf(command, context);
  if (options.mustExist && location.databaseUrl === undefined && !existsSync(location.description)) {
    // Not a usage error: the command was called correctly, there is just nothing to read (exit 1).
    throw new Error(
      `no request log at ${location.description}: the router has not run with this data directory (check --data-dir or --config)`,
    );
  }
  let store: RequestStore;
  try {
    store = createRequestStore({ dataDir: location.dataDir, databaseUrl: location.databaseUrl });
  } catch (error) {
    if (isRouterError(error) && error.code === 'config_invalid') throw new UsageError(error.message);
    throw error;
  }
  try {
    // A large log or a remote database can take a while: a bar on a terminal after a second.
    return await withSpinner(context.progress, `reading ${location.description}`, async () => {
      await store.migrate();
      return await use(store, location);
    });
  } finally {
    await store.close();
  }
}
