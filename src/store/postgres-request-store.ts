/**
 * The shared store for teams and for several router instances: a `pg` pool on a `postgres://` URL.
 * Counters and sums come back as JavaScript numbers (the driver's default is strings for bigint and
 * numeric), and the JSON columns are jsonb so they can be queried in place.
 */
import { createRequire } from 'node:module';
import type pg from 'pg';
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
  type RequestRow,
  requestColumns,
  serializeJsonColumn,
  toApiKeyRow,
  toRequestRow,
} from './map-store-rows.js';
import { mapApiKeyRow, mapRequestRow } from './read-store-rows.js';
import { assertStorableRequestRecord, type RequestRecord } from './request-record.js';
import type { PromptTokenRow, RequestQuery, RequestStore, SpendQuery, SpendRow } from './request-store.js';
import { selectPendingMigrations, storeMigrations } from './store-migrations.js';

let driver: typeof pg | undefined;

/** The `pg` module, loaded on first use: a router logging to SQLite never loads the PostgreSQL driver. */
function postgresDriver(): typeof pg {
  driver ??= createRequire(import.meta.url)('pg') as typeof pg;
  return driver;
}

export interface PostgresRequestStoreOptions {
  /** `postgres://user:password@host:port/database`. */
  connectionString: string;
  /** Schema holding the tables (lowercase identifier); default: the server's search_path. */
  schema?: string;
  maxConnections?: number;
  connectTimeoutMs?: number;
  /** Errors on idle pooled connections (a server restart, for example); the pool replaces the connection. */
  onConnectionError?: (error: Error) => void;
}

const postgresPlaceholder = (position: number): string => `$${position}`;

// Any constant works: it only has to be the same for every instance migrating the same database.
const migrationLockKey = 0x7072_6d67;

const schemaPattern = /^[a-z_][a-z0-9_]{0,62}$/;

const recordsetColumns: Record<(typeof requestColumns)[number], string> = {
  id: 'text',
  created_at: 'bigint',
  key_id: 'text',
  requested_model: 'text',
  settings: 'jsonb',
  tier: 'text',
  attempts: 'jsonb',
  model: 'text',
  upstream: 'text',
  prompt_tokens: 'bigint',
  completion_tokens: 'bigint',
  cached_tokens: 'bigint',
  cache_write_tokens: 'bigint',
  reasoning_tokens: 'bigint',
  cost_usd: 'double precision',
  latency_ms: 'double precision',
  time_to_first_token_ms: 'double precision',
  output_tokens_per_second: 'double precision',
  session_hash: 'text',
  finish_reason: 'text',
  streamed: 'boolean',
  status: 'integer',
  error_code: 'text',
};

// One statement for the whole batch: the rows travel as a single jsonb parameter, so a batch of any size
// stays under the protocol's 65,535-parameter limit and is atomic without an explicit transaction.
const insertRequestsSql =
  `INSERT INTO requests (${requestColumns.join(', ')}) ` +
  `SELECT ${requestColumns.join(', ')} FROM jsonb_to_recordset($1::jsonb) AS batch(${requestColumns
    .map((column) => `${column} ${recordsetColumns[column]}`)
    .join(', ')}) ON CONFLICT (id) DO NOTHING`;

const insertKeySql = `INSERT INTO api_keys (${apiKeyColumns.join(', ')}) VALUES (${apiKeyColumns
  .map((column, index) => (isJsonKeyColumn(column) ? `$${index + 1}::jsonb` : `$${index + 1}`))
  .join(', ')})`;

const updateKeySql = `UPDATE api_keys SET ${apiKeyColumns
  .map((column, index) => [column, index + 1] as const)
  .filter(([column]) => column !== 'id')
  .map(([column, position]) => `${column} = $${position}${isJsonKeyColumn(column) ? '::jsonb' : ''}`)
  .join(', ')} WHERE id = $1`;

export class PostgresRequestStore implements RequestStore {
  readonly kind = 'postgres' as const;
  /** The URL with its password masked, safe for messages and logs. */
  readonly location: string;
  readonly #pool: pg.Pool;
  #closed = false;

  /** Creates the pool; nothing connects until the first query (normally `migrate`). */
  constructor(options: PostgresRequestStoreOptions) {
    this.location = redactConnectionString(options.connectionString);
    if (options.schema !== undefined && !schemaPattern.test(options.schema)) {
      throw new RouterError(
        'config_invalid',
        `PostgreSQL schema must be a lowercase identifier, got ${JSON.stringify(options.schema)}`,
      );
    }
    const types = new (postgresDriver().TypeOverrides)();
    // bigint (20) and numeric (1700) arrive as strings to protect huge values; ours are epoch
    // milliseconds, token counts and sums of them, all far below 2^53.
    types.setTypeParser(20, Number);
    types.setTypeParser(1700, Number);
    this.#pool = new (postgresDriver().Pool)({
      connectionString: options.connectionString,
      max: options.maxConnections ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
      types,
      ...(options.schema === undefined ? {} : { options: `-c search_path=${options.schema}` }),
    });
    // Without a listener, an idle connection dropped by the server would crash the process.
    this.#pool.on('error', (error) => options.onConnectionError?.(error));
  }

  async migrate(): Promise<void> {
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      throw new RouterError(
        'config_invalid',
        `cannot connect to PostgreSQL at ${this.location}: ${reasonOf(error)}`,
        {
          cause: error,
          metadata: { database: this.location },
        },
      );
    }
    let broken = false;
    try {
      await client.query('BEGIN');
      // The lock serialises instances starting together; it is released with the transaction.
      await client.query('SELECT pg_advisory_xact_lock($1)', [migrationLockKey]);
      await client.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)',
      );
      const applied = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
      const pending = selectPendingMigrations(
        applied.rows.map((row) => row.version),
        storeMigrations,
        this.location,
      );
      for (const migration of pending) {
        await client.query(migration.postgres);
        await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
          migration.version,
          migration.name,
          Date.now(),
        ]);
      }
      await client.query('COMMIT');
    } catch (error) {
      broken = !(await rollback(client));
      if (error instanceof RouterError) throw error;
      throw new RouterError(
        'config_invalid',
        `cannot migrate the database ${this.location}: ${reasonOf(error)}`,
        {
          cause: error,
          metadata: { database: this.location },
        },
      );
    } finally {
      client.release(broken);
    }
  }

  /** The versions recorded in `schema_migrations`, ascending. */
  async appliedMigrations(): Promise<number[]> {
    const result = await this.#pool.query<{ version: number }>(
      'SELECT version FROM schema_migrations ORDER BY version',
    );
    return result.rows.map((row) => row.version);
  }

  async insertRequests(records: readonly RequestRecord[]): Promise<void> {
    if (records.length === 0) return;
    // Encoded row by row so an unencodable value is reported with the record it belongs to.
    const encoded = records.map((record) => {
      assertStorableRequestRecord(record);
      return serializeJsonColumn(toRequestRow(record), 'request record', record.id);
    });
    await this.#pool.query(insertRequestsSql, [`[${encoded.join(',')}]`]);
  }

  async getRequest(id: string): Promise<RequestRecord | null> {
    const result = await this.#pool.query<RequestRow>('SELECT * FROM requests WHERE id = $1', [id]);
    const row = result.rows[0];
    return row === undefined ? null : mapRequestRow(row);
  }

  async queryRequests(query: RequestQuery): Promise<RequestRecord[]> {
    const built = buildRequestQuery(query, postgresPlaceholder);
    const result = await this.#pool.query<RequestRow>(built.text, built.values);
    return result.rows.map(mapRequestRow);
  }

  async spend(query: SpendQuery): Promise<SpendRow[]> {
    const built = buildSpendQuery(query, postgresPlaceholder);
    const result = await this.#pool.query<SpendAggregateRow>(built.text, built.values);
    return mapSpendRows(result.rows, query.by);
  }

  async promptTokenTotals(query: { since: number; until?: number }): Promise<PromptTokenRow[]> {
    const built = buildPromptTokenQuery(query, postgresPlaceholder);
    const result = await this.#pool.query<PromptTokenAggregateRow>(built.text, built.values);
    return mapPromptTokenRows(result.rows);
  }

  async dashboardStats(query: DashboardStatsQuery): Promise<DashboardStats> {
    const built = buildDashboardQueries(query, 'postgres', postgresPlaceholder);
    const run = async (part: keyof DashboardQueries) =>
      (await this.#pool.query<Record<string, unknown>>(built[part].text, built[part].values)).rows;
    const [totals, latency, fallbackReasons] = await Promise.all([
      run('totals'),
      run('latency'),
      run('fallbackReasons'),
    ]);
    return mapDashboardRows({ totals, latency, fallbackReasons }, query);
  }

  async keySpend(keyId: string, since: number): Promise<number> {
    const built = buildKeySpendQuery(keyId, since, postgresPlaceholder);
    const result = await this.#pool.query<{ cost_usd: number }>(built.text, built.values);
    return result.rows[0]?.cost_usd ?? 0;
  }

  async createKey(record: ApiKeyRecord): Promise<void> {
    validateApiKeySettings(record);
    try {
      await this.#pool.query(insertKeySql, encodeApiKeyRow(toApiKeyRow(record)));
    } catch (error) {
      throw describeKeyConflict(error, record) ?? error;
    }
  }

  async findKeyByHash(hash: string): Promise<ApiKeyRecord | null> {
    const result = await this.#pool.query<ApiKeyRow>('SELECT * FROM api_keys WHERE hash = $1', [hash]);
    const row = result.rows[0];
    return row === undefined ? null : mapApiKeyRow(row);
  }

  async getKey(id: string): Promise<ApiKeyRecord | null> {
    const result = await this.#pool.query<ApiKeyRow>('SELECT * FROM api_keys WHERE id = $1', [id]);
    const row = result.rows[0];
    return row === undefined ? null : mapApiKeyRow(row);
  }

  async listKeys(): Promise<ApiKeyRecord[]> {
    const result = await this.#pool.query<ApiKeyRow>('SELECT * FROM api_keys ORDER BY created_at, id');
    return result.rows.map(mapApiKeyRow);
  }

  async revokeKey(id: string, at: number): Promise<boolean> {
    const result = await this.#pool.query(
      'UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1',
      [id, at],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async updateKey(id: string, patch: ApiKeyPatch): Promise<ApiKeyRecord | null> {
    const client = await this.#pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      // FOR UPDATE: two concurrent patches to different fields must both survive.
      const current = await client.query<ApiKeyRow>('SELECT * FROM api_keys WHERE id = $1 FOR UPDATE', [id]);
      const row = current.rows[0];
      if (row === undefined) {
        await client.query('COMMIT');
        return null;
      }
      const next = applyApiKeyPatch(mapApiKeyRow(row), patch);
      await client.query(updateKeySql, encodeApiKeyRow(toApiKeyRow(next)));
      await client.query('COMMIT');
      return next;
    } catch (error) {
      broken = !(await rollback(client));
      throw error;
    } finally {
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }
}

/** The URL with any password replaced by `***`. */
export function redactConnectionString(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    if (url.password !== '') url.password = '***';
    return url.toString();
  } catch {
    return '(the configured database URL)';
  }
}

function isJsonKeyColumn(column: (typeof apiKeyColumns)[number]): boolean {
  return column === 'allowed_models' || column === 'excluded_models';
}

function encodeApiKeyRow(row: ApiKeyRow): unknown[] {
  // pg would send a JavaScript array as a PostgreSQL array literal, not JSON: encode lists explicitly.
  return apiKeyColumns.map((column) =>
    isJsonKeyColumn(column) ? serializeJsonColumn(row[column], `api_keys.${column}`, row.id) : row[column],
  );
}

async function rollback(client: pg.PoolClient): Promise<boolean> {
  try {
    await client.query('ROLLBACK');
    return true;
  } catch {
    return false;
  }
}

function describeKeyConflict(error: unknown, record: ApiKeyRecord): RouterError | null {
  if (!(error instanceof postgresDriver().DatabaseError) || error.code !== '23505') return null;
  if (error.constraint === 'api_keys_pkey') {
    return new RouterError('invalid_request', `a key with id ${record.id} already exists`, { cause: error });
  }
  return new RouterError('invalid_request', `a key with the same hash as ${record.id} already exists`, {
    cause: error,
  });
}

function reasonOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return error.errors.map(reasonOf).join('; ');
  }
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message = error.message === '' ? error.name : error.message;
    return code === undefined || message.includes(code) ? message : `${message} (${code})`;
  }
  return String(error);
}
