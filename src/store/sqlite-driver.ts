/**
 * The SQLite library under the request log: Node's own `node:sqlite` (Node >= 22.13), with no native
 * build at install, or the optional `better-sqlite3` package on Node 20, which has no `node:sqlite`.
 * Both are synchronous and speak the same SQL; this module gives the store one small interface over them.
 * `PARETO_ROUTER_SQLITE_DRIVER=node|better-sqlite3` picks one explicitly (the write-path bench compares
 * them this way).
 */
import { createRequire } from 'node:module';

export type SqliteValue = string | number | null;

export type SqliteDriverName = 'node' | 'better-sqlite3';

export interface SqliteRunResult {
  changes: number;
}

export interface SqliteStatement {
  run(...values: SqliteValue[]): SqliteRunResult;
  get(...values: SqliteValue[]): unknown;
  all(...values: SqliteValue[]): unknown[];
}

export interface SqliteConnection {
  readonly driver: SqliteDriverName;
  prepare(sql: string): SqliteStatement;
  exec(sql: string): void;
  /** The first column of the first row of `PRAGMA <text>`, or undefined when it returns no row. */
  pragma(text: string): unknown;
  /** Runs `work` in a `BEGIN IMMEDIATE` transaction: committed when it returns, rolled back when it throws. */
  immediate<Result>(work: () => Result): Result;
  isOpen(): boolean;
  close(): void;
}

/** Which constraint an insert broke, from either library's error; null for any other error. */
export function constraintViolationOf(error: unknown): 'primary_key' | 'unique' | null {
  if (typeof error !== 'object' || error === null) return null;
  const { code, errcode } = error as { code?: unknown; errcode?: unknown };
  // better-sqlite3 names the extended result code; node:sqlite gives its number.
  if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || errcode === 1555) return 'primary_key';
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || errcode === 2067) return 'unique';
  return null;
}

// The parts of node:sqlite this module uses (the project's @types/node predates the module).
interface NodeSqliteStatement {
  run(...values: SqliteValue[]): { changes: number | bigint };
  get(...values: SqliteValue[]): unknown;
  all(...values: SqliteValue[]): unknown[];
}
interface NodeSqliteDatabase {
  prepare(sql: string): NodeSqliteStatement;
  exec(sql: string): void;
  close(): void;
}
interface NodeSqliteModule {
  DatabaseSync: new (path: string, options?: { open?: boolean }) => NodeSqliteDatabase;
}

// The parts of better-sqlite3 this module uses.
interface BetterSqliteStatement {
  run(...values: SqliteValue[]): { changes: number };
  get(...values: SqliteValue[]): unknown;
  all(...values: SqliteValue[]): unknown[];
}
interface BetterSqliteDatabase {
  readonly open: boolean;
  prepare(sql: string): BetterSqliteStatement;
  exec(sql: string): void;
  pragma(text: string, options: { simple: true }): unknown;
  transaction<Result>(work: () => Result): { immediate(): Result };
  close(): void;
}
type BetterSqliteConstructor = new (path: string, options?: { timeout?: number }) => BetterSqliteDatabase;

let nodeSqlite: NodeSqliteModule | null | undefined;
let betterSqlite: BetterSqliteConstructor | null | undefined;

/**
 * node:sqlite, or null on a Node.js without it. Loading it prints an ExperimentalWarning on Node 22 and
 * 24; the module is what the request log is built on, so that one warning is not shown to the operator.
 */
function loadNodeSqlite(): NodeSqliteModule | null {
  if (nodeSqlite !== undefined) return nodeSqlite;
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
    if (type === 'ExperimentalWarning' && /SQLite/i.test(text)) return;
    (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    nodeSqlite = (process.getBuiltinModule?.('node:sqlite') as NodeSqliteModule | undefined) ?? null;
  } catch {
    nodeSqlite = null;
  } finally {
    process.emitWarning = emitWarning;
  }
  return nodeSqlite;
}

function loadBetterSqlite(): BetterSqliteConstructor | null {
  if (betterSqlite !== undefined) return betterSqlite;
  try {
    betterSqlite = createRequire(import.meta.url)('better-sqlite3') as BetterSqliteConstructor;
  } catch {
    betterSqlite = null;
  }
  return betterSqlite;
}

/** The library the request log uses on this Node.js: the environment's choice, else node:sqlite, else better-sqlite3. */
export function chooseSqliteDriver(
  environment: Readonly<Record<string, string | undefined>> = process.env,
): SqliteDriverName {
  const asked = environment.PARETO_ROUTER_SQLITE_DRIVER;
  if (asked === 'node' || asked === 'better-sqlite3') return asked;
  if (asked !== undefined && asked !== '') {
    throw new Error(`PARETO_ROUTER_SQLITE_DRIVER must be node or better-sqlite3, got "${asked}"`);
  }
  if (loadNodeSqlite() !== null) return 'node';
  if (loadBetterSqlite() !== null) return 'better-sqlite3';
  throw new Error(
    `the SQLite request log needs Node.js >= 22.13 (node:sqlite), or the optional better-sqlite3 package on Node.js ${process.versions.node}; install it with \`npm install better-sqlite3\`, or set DATABASE_URL to use PostgreSQL`,
  );
}

/** Opens (creating when missing) a database file; a writer waits up to `busyTimeoutMs` for another's lock. */
export function openSqliteConnection(
  filePath: string,
  busyTimeoutMs: number,
  driver: SqliteDriverName = chooseSqliteDriver(),
): SqliteConnection {
  return driver === 'node'
    ? openWithNodeSqlite(filePath, busyTimeoutMs)
    : openWithBetterSqlite(filePath, busyTimeoutMs);
}

function openWithNodeSqlite(filePath: string, busyTimeoutMs: number): SqliteConnection {
  const module = loadNodeSqlite();
  if (module === null) {
    throw new Error(
      `node:sqlite is not available on Node.js ${process.versions.node} (it needs 22.13 or later)`,
    );
  }
  const database = new module.DatabaseSync(filePath);
  let open = true;
  try {
    database.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
  } catch (error) {
    database.close();
    throw error;
  }
  const connection: SqliteConnection = {
    driver: 'node',
    prepare: (sql) => {
      const statement = database.prepare(sql);
      return {
        run: (...values) => ({ changes: Number(statement.run(...values).changes) }),
        get: (...values) => statement.get(...values),
        all: (...values) => statement.all(...values),
      };
    },
    exec: (sql) => database.exec(sql),
    pragma: (text) => {
      const row = database.prepare(`PRAGMA ${text}`).get() as Record<string, unknown> | undefined;
      return row === undefined ? undefined : Object.values(row)[0];
    },
    immediate: (work) => {
      database.exec('BEGIN IMMEDIATE');
      let result: ReturnType<typeof work>;
      try {
        result = work();
        database.exec('COMMIT');
      } catch (error) {
        // A failed COMMIT (a full disk) may leave the transaction open; end it, or every later BEGIN fails.
        // The ROLLBACK can itself fail when SQLite already rolled back: the first error is the one to tell.
        try {
          database.exec('ROLLBACK');
        } catch {}
        throw error;
      }
      return result;
    },
    isOpen: () => open,
    close: () => {
      if (!open) return;
      open = false;
      database.close();
    },
  };
  return connection;
}

function openWithBetterSqlite(filePath: string, busyTimeoutMs: number): SqliteConnection {
  const Database = loadBetterSqlite();
  if (Database === null) {
    throw new Error(
      `better-sqlite3 is not installed (or not built for Node.js ${process.versions.node}); on Node.js >= 22.13 the request log uses node:sqlite instead`,
    );
  }
  const database = new Database(filePath, { timeout: busyTimeoutMs });
  return {
    driver: 'better-sqlite3',
    prepare: (sql) => database.prepare(sql),
    exec: (sql) => {
      database.exec(sql);
    },
    pragma: (text) => database.pragma(text, { simple: true }),
    immediate: (work) => database.transaction(work).immediate(),
    isOpen: () => database.open,
    close: () => {
      if (database.open) database.close();
    },
  };
}

/** Whether a library can open a database on this Node.js (better-sqlite3 may be missing, or built for another Node). */
export function sqliteDriverWorks(driver: SqliteDriverName): boolean {
  try {
    openSqliteConnection(':memory:', 0, driver).close();
    return true;
  } catch {
    return false;
  }
}
