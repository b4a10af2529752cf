/**
 * Opening the request log's SQLite file, turning request records into the values of an insert, and
 * running the inserts: all the SQLite writer thread needs, so that thread loads the SQLite library and
 * little else (the store's queries, and the zod schemas that read rows back, stay on the main thread).
 */
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { RouterError } from '../core/errors.js';
import { type RequestRow, requestColumns, serializeJsonColumn, toRequestRow } from './map-store-rows.js';
import { assertStorableRequestRecord, type RequestRecord } from './request-record.js';
import {
  openSqliteConnection,
  type SqliteConnection,
  type SqliteDriverName,
  type SqliteStatement,
  type SqliteValue,
} from './sqlite-driver.js';

export type { SqliteValue } from './sqlite-driver.js';

const insertRequestSql = `INSERT INTO requests (${requestColumns.join(', ')}) VALUES (${requestColumns
  .map(() => '?')
  .join(', ')}) ON CONFLICT (id) DO NOTHING`;

/** Inserts request records on one connection, one transaction per batch; a repeated id is skipped. */
export class SqliteRequestInserts {
  readonly #database: SqliteConnection;
  #statement: SqliteStatement | undefined;

  constructor(database: SqliteConnection) {
    this.#database = database;
  }

  insert(records: readonly RequestRecord[]): void {
    this.insertRows(encodeRequestRecords(records));
  }

  /** Inserts rows from `encodeRequestRecords`, in one transaction. */
  insertRows(rows: readonly (readonly SqliteValue[])[]): void {
    if (rows.length === 0) return;
    this.#statement ??= this.#database.prepare(insertRequestSql);
    const statement = this.#statement;
    this.#database.immediate(() => {
      for (const row of rows) statement.run(...row);
    });
  }
}

/**
 * Opens (creating when missing) the database in WAL mode and proves it writable; an unusable location
 * throws RouterError `config_invalid`. A writer waits up to `busyTimeoutMs` for another one's lock.
 */
export function openSqliteDatabase(
  filePath: string,
  busyTimeoutMs = 5000,
  driver?: SqliteDriverName,
): SqliteConnection {
  const directory = dirname(filePath);
  try {
    mkdirSync(directory, { recursive: true });
    accessSync(directory, constants.W_OK);
    if (existsSync(filePath)) accessSync(filePath, constants.R_OK | constants.W_OK);
  } catch (error) {
    throw new RouterError(
      'config_invalid',
      `the data directory ${directory} is not usable for the database: ${reasonOf(error)}`,
      { cause: error, metadata: { path: directory } },
    );
  }
  let database: SqliteConnection;
  try {
    database = openSqliteConnection(filePath, busyTimeoutMs, driver);
  } catch (error) {
    throw new RouterError('config_invalid', `cannot open the database ${filePath}: ${reasonOf(error)}`, {
      cause: error,
      metadata: { path: filePath },
    });
  }
  try {
    const mode = database.pragma('journal_mode = WAL');
    if (mode !== 'wal') throw new Error(`journal_mode stayed ${String(mode)}`);
    // NORMAL is durable across application crashes in WAL mode; only a power loss can drop the last commits.
    database.pragma('synchronous = NORMAL');
    // Rewriting the header value it already holds is a real write: a read-only file or full disk fails
    // here, at start, instead of on the first logged request.
    const version = Number(database.pragma('user_version'));
    database.pragma(`user_version = ${Number.isSafeInteger(version) ? version : 0}`);
  } catch (error) {
    database.close();
    throw new RouterError('config_invalid', `the database ${filePath} is not writable: ${reasonOf(error)}`, {
      cause: error,
      metadata: { path: filePath },
    });
  }
  return database;
}

/**
 * Checks every record and turns each into its insert's values, in column order; throws RouterError
 * `invalid_request` naming the first bad record. Everything is checked and encoded before any transaction
 * opens, so a bad record writes nothing. The writer thread gets these arrays, not the records: arrays of
 * plain values cost the thread hand-off about half of what the records' objects cost (bench/README.md,
 * "The request log's hand-off").
 */
export function encodeRequestRecords(records: readonly RequestRecord[]): SqliteValue[][] {
  return records.map((record) => {
    assertStorableRequestRecord(record);
    return encodeRequestRow(toRequestRow(record));
  });
}

/** A row's insert values, in `requestColumns` order (a test holds the two together). */
function encodeRequestRow(row: RequestRow): SqliteValue[] {
  return [
    row.id,
    row.created_at,
    row.key_id,
    row.requested_model,
    serializeJsonColumn(row.settings, 'requests.settings', row.id),
    row.tier,
    serializeJsonColumn(row.attempts, 'requests.attempts', row.id),
    row.model,
    row.upstream,
    row.prompt_tokens,
    row.completion_tokens,
    row.cached_tokens,
    row.cache_write_tokens,
    row.reasoning_tokens,
    row.cost_usd,
    row.latency_ms,
    row.time_to_first_token_ms,
    row.output_tokens_per_second,
    row.session_hash,
    row.finish_reason,
    row.streamed ? 1 : 0,
    row.status,
    row.error_code,
  ];
}

/** An error's message with its errno code (EACCES, ENOSPC...) when the message does not already name it. */
export function reasonOf(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === undefined || error.message.includes(code) ? error.message : `${error.message} (${code})`;
  }
  return String(error);
}
