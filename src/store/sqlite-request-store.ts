/**
 * The embedded default: one SQLite file under the data directory, created on first start with no set-up.
 * WAL mode lets the dashboard read while the log writer writes. The SQLite library (node:sqlite, or
 * better-sqlite3 on Node 20; see sqlite-driver.ts) is synchronous, which is
 * fine here because the request path never waits on the store (the batched writer does).
 */
import { resolve } from 'node:path';
import { RouterError } from '../core/errors.js';
import { type ApiKeyPatch, type ApiKeyRecord, applyApiKeyPatch, validateApiKeySettings } from './api-key.js';
import {
  buildDashboardQueries,
  type DashboardQueries,
  type DashboardStats,
  type DashboardStatsQuery,
  mapDashboardRows,
} from './build-dashboard-queries.js';
import {
  buildKeySpendQuery,
  buildPromptTokenQuery,
  buildRequestQuery,
  buildSpendQuery,
  mapPromptTokenRows,
  mapSpendRows,
  type PromptTokenAggregateRow,
  type SpendAggregateRow,
} from './build-store-queries.js';
import {
  type ApiKeyRow,
  apiKeyColumns,
  parseJsonColumn,
  type RequestRow,
  serializeJsonColumn,
  toApiKeyRow,
} from './map-store-rows.js';
import { mapApiKeyRow, mapRequestRow } from './read-store-rows.js';
import type { RequestRecord } from './request-record.js';
import type { PromptTokenRow, RequestQuery, RequestStore, SpendQuery, SpendRow } from './request-store.js';
import {
  constraintViolationOf,
  type SqliteConnection,
  type SqliteDriverName,
  type SqliteRunResult,
  type SqliteStatement,
} from './sqlite-driver.js';
import {
  openSqliteDatabase,
  reasonOf,
  SqliteRequestInserts,
  type SqliteValue,
} from './sqlite-request-inserts.js';
import { selectPendingMigrations, storeMigrations } from './store-migrations.js';

export interface SqliteRequestStoreOptions {
  /** The database file; missing parent directories are created. */
  filePath: string;
  /** How long a write waits for another process holding the lock, in ms. */
  busyTimeoutMs?: number;
  /** The SQLite library (default: node:sqlite where Node.js has it, else better-sqlite3). */
  driver?: SqliteDriverName;
}

const sqlitePlaceholder = (): string => '?';

const insertKeySql = `INSERT INTO api_keys (${apiKeyColumns.join(', ')}) VALUES (${apiKeyColumns
  .map(() => '?')
  .join(', ')})`;
const updateKeySql = `UPDATE api_keys SET ${apiKeyColumns
  .filter((column) => column !== 'id')
  .map((column) => `${column} = ?`)
  .join(', ')} WHERE id = ?`;

export class SqliteRequestStore implements RequestStore {
  readonly kind = 'sqlite' as const;
  readonly filePath: string;
  /** The SQLite library this store opened its file with. */
  readonly driver: SqliteDriverName;
  readonly #database: SqliteConnection;
  readonly #statements = new Map<string, SqliteStatement>();
  readonly #inserts: SqliteRequestInserts;

  /** Opens (creating when missing) the database; an unusable location throws RouterError `config_invalid`. */
  constructor(options: SqliteRequestStoreOptions) {
    this.filePath = resolve(options.filePath);
    this.#database = openSqliteDatabase(this.filePath, options.busyTimeoutMs, options.driver);
    this.driver = this.#database.driver;
    this.#inserts = new SqliteRequestInserts(this.#database);
  }

  async migrate(): Promise<void> {
    try {
      this.#database.exec(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT',
      );
      // IMMEDIATE takes the write lock before reading the versions, so two processes starting together
      // cannot both decide to apply the same migration.
      this.#database.immediate(() => {
        const applied = this.#all<{ version: number }>('SELECT version FROM schema_migrations', []);
        const pending = selectPendingMigrations(
          applied.map((row) => row.version),
          storeMigrations,
          this.filePath,
        );
        for (const migration of pending) {
          this.#database.exec(migration.sqlite);
          this.#run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
            migration.version,
            migration.name,
            Date.now(),
          ]);
        }
      });
    } catch (error) {
      if (error instanceof RouterError) throw error;
      throw new RouterError(
        'config_invalid',
        `cannot migrate the database ${this.filePath}: ${reasonOf(error)}`,
        {
          cause: error,
        },
      );
    }
  }

  /** The versions recorded in `schema_migrations`, ascending. */
  async appliedMigrations(): Promise<number[]> {
    return this.#all<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version', []).map(
      (row) => row.version,
    );
  }

  async insertRequests(records: readonly RequestRecord[]): Promise<void> {
    this.#inserts.insert(records);
  }

  async getRequest(id: string): Promise<RequestRecord | null> {
    const row = this.#get<SqliteRequestRow>('SELECT * FROM requests WHERE id = ?', [id]);
    return row === undefined ? null : decodeRequestRow(row);
  }

  async queryRequests(query: RequestQuery): Promise<RequestRecord[]> {
    const built = buildRequestQuery(query, sqlitePlaceholder);
    return this.#all<SqliteRequestRow>(built.text, built.values as SqliteValue[]).map(decodeRequestRow);
  }

  async spend(query: SpendQuery): Promise<SpendRow[]> {
    const built = buildSpendQuery(query, sqlitePlaceholder);
    return mapSpendRows(this.#all<SpendAggregateRow>(built.text, built.values as SqliteValue[]), query.by);
  }

  async promptTokenTotals(query: { since: number; until?: number }): Promise<PromptTokenRow[]> {
    const built = buildPromptTokenQuery(query, sqlitePlaceholder);
    return mapPromptTokenRows(this.#all<PromptTokenAggregateRow>(built.text, built.values as SqliteValue[]));
  }

  async dashboardStats(query: DashboardStatsQuery): Promise<DashboardStats> {
    const built = buildDashboardQueries(query, 'sqlite', sqlitePlaceholder);
    const run = (part: keyof DashboardQueries) =>
      this.#all<Record<string, unknown>>(built[part].text, built[part].values as SqliteValue[]);
    return mapDashboardRows(
      { totals: run('totals'), latency: run('latency'), fallbackReasons: run('fallbackReasons') },
      query,
    );
  }

  async keySpend(keyId: string, since: number): Promise<number> {
    const built = buildKeySpendQuery(keyId, since, sqlitePlaceholder);
    return this.#get<{ cost_usd: number }>(built.text, built.values as SqliteValue[])?.cost_usd ?? 0;
  }

  async createKey(record: ApiKeyRecord): Promise<void> {
    validateApiKeySettings(record);
    try {
      this.#run(insertKeySql, encodeApiKeyRow(toApiKeyRow(record)));
    } catch (error) {
      throw describeKeyConflict(error, record) ?? error;
    }
  }

  async findKeyByHash(hash: string): Promise<ApiKeyRecord | null> {
    const row = this.#get<SqliteApiKeyRow>('SELECT * FROM api_keys WHERE hash = ?', [hash]);
    return row === undefined ? null : decodeApiKeyRow(row);
  }

  async getKey(id: string): Promise<ApiKeyRecord | null> {
    const row = this.#get<SqliteApiKeyRow>('SELECT * FROM api_keys WHERE id = ?', [id]);
    return row === undefined ? null : decodeApiKeyRow(row);
  }

  async listKeys(): Promise<ApiKeyRecord[]> {
    return this.#all<SqliteApiKeyRow>('SELECT * FROM api_keys ORDER BY created_at, id', []).map(
      decodeApiKeyRow,
    );
  }

  async revokeKey(id: string, at: number): Promise<boolean> {
    const result = this.#run('UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?', [
      at,
      id,
    ]);
    return result.changes > 0;
  }

  async updateKey(id: string, patch: ApiKeyPatch): Promise<ApiKeyRecord | null> {
    return this.#database.immediate((): ApiKeyRecord | null => {
      const row = this.#get<SqliteApiKeyRow>('SELECT * FROM api_keys WHERE id = ?', [id]);
      if (row === undefined) return null;
      const next = applyApiKeyPatch(decodeApiKeyRow(row), patch);
      const [keyId, ...rest] = encodeApiKeyRow(toApiKeyRow(next));
      this.#run(updateKeySql, [...rest, keyId ?? id]);
      return next;
    });
  }

  async close(): Promise<void> {
    this.#database.close();
  }

  #statement(sql: string): SqliteStatement {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#database.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #get<Row>(sql: string, values: SqliteValue[]): Row | undefined {
    // The row shape is fixed by the schema this module migrates; the SQLite library cannot know it.
    return this.#statement(sql).get(...values) as Row | undefined;
  }

  #all<Row>(sql: string, values: SqliteValue[]): Row[] {
    return this.#statement(sql).all(...values) as Row[];
  }

  #run(sql: string, values: SqliteValue[]): SqliteRunResult {
    return this.#statement(sql).run(...values);
  }
}

interface SqliteRequestRow extends Omit<RequestRow, 'settings' | 'attempts' | 'streamed'> {
  settings: string;
  attempts: string;
  streamed: number;
}

interface SqliteApiKeyRow
  extends Omit<ApiKeyRow, 'allowed_models' | 'excluded_models' | 'prevent_overrides'> {
  allowed_models: string;
  excluded_models: string;
  prevent_overrides: number;
}

function decodeRequestRow(row: SqliteRequestRow): RequestRecord {
  return mapRequestRow({
    ...row,
    settings: parseJsonColumn(row.settings, 'requests.settings', row.id),
    attempts: parseJsonColumn(row.attempts, 'requests.attempts', row.id),
  });
}

function encodeApiKeyRow(row: ApiKeyRow): SqliteValue[] {
  return apiKeyColumns.map((column): SqliteValue => {
    switch (column) {
      case 'allowed_models':
      case 'excluded_models':
        return serializeJsonColumn(row[column], `api_keys.${column}`, row.id);
      case 'prevent_overrides':
        return row.prevent_overrides ? 1 : 0;
      default:
        return row[column];
    }
  });
}

function decodeApiKeyRow(row: SqliteApiKeyRow): ApiKeyRecord {
  return mapApiKeyRow({
    ...row,
    allowed_models: parseJsonColumn(row.allowed_models, 'api_keys.allowed_models', row.id),
    excluded_models: parseJsonColumn(row.excluded_models, 'api_keys.excluded_models', row.id),
  });
}

function describeKeyConflict(error: unknown, record: ApiKeyRecord): RouterError | null {
  const violation = constraintViolationOf(error);
  if (violation === 'primary_key') {
    return new RouterError('invalid_request', `a key with id ${record.id} already exists`, { cause: error });
  }
  if (violation === 'unique') {
    return new RouterError('invalid_request', `a key with the same hash as ${record.id} already exists`, {
      cause: error,
    });
  }
  return null;
}
