/**
 * Picks the store from configuration: PostgreSQL when a `postgres://` URL is given, otherwise the embedded
 * SQLite file under the data directory. The caller runs `migrate()` before serving.
 */
import { join } from 'node:path';
import { RouterError } from '../core/errors.js';
import { PostgresRequestStore, redactConnectionString } from './postgres-request-store.js';
import type { RequestStore } from './request-store.js';
import { SqliteRequestStore } from './sqlite-request-store.js';

export interface CreateRequestStoreOptions {
  /** A `postgres://` or `postgresql://` URL; absent or empty means SQLite. */
  databaseUrl?: string | undefined;
  /** Where the SQLite file lives (created when missing). */
  dataDir: string;
}

/** The SQLite file name inside the data directory. */
export const sqliteFileName = 'pareto-router.db';

/**
 * Creates the configured store (not yet migrated). A URL with another scheme is refused rather than
 * silently replaced by SQLite: an operator who named a database expects the log to land there.
 */
export function createRequestStore(options: CreateRequestStoreOptions): RequestStore {
  const databaseUrl = options.databaseUrl?.trim() ?? '';
  if (databaseUrl === '') return new SqliteRequestStore({ filePath: join(options.dataDir, sqliteFileName) });
  if (/^postgres(ql)?:\/\//i.test(databaseUrl)) {
    return new PostgresRequestStore({ connectionString: databaseUrl });
  }
  throw new RouterError(
    'config_invalid',
    `database URL ${redactConnectionString(databaseUrl)} is not supported: use a postgres:// or postgresql:// URL, or leave it unset for SQLite in the data directory`,
  );
}
