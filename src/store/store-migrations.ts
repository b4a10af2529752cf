/**
 * The schema history, one list for both engines: a version means the same tables everywhere, so the
 * conformance suite can reason about versions without knowing the engine. Migrations are append-only:
 * never edit a shipped one, add the next version.
 */
import { RouterError } from '../core/errors.js';

export interface StoreMigration {
  version: number;
  name: string;
  sqlite: string;
  postgres: string;
}

export const storeMigrations: readonly StoreMigration[] = [
  {
    version: 1,
    name: 'request log',
    sqlite: `
      CREATE TABLE requests (
        id TEXT PRIMARY KEY,
        created_at INTEGER NOT NULL,
        key_id TEXT,
        requested_model TEXT NOT NULL,
        settings TEXT NOT NULL,
        tier TEXT,
        attempts TEXT NOT NULL,
        model TEXT,
        upstream TEXT,
        prompt_tokens INTEGER NOT NULL,
        completion_tokens INTEGER NOT NULL,
        cached_tokens INTEGER NOT NULL,
        cache_write_tokens INTEGER NOT NULL,
        reasoning_tokens INTEGER NOT NULL,
        cost_usd REAL NOT NULL,
        latency_ms REAL NOT NULL,
        time_to_first_token_ms REAL,
        output_tokens_per_second REAL,
        session_hash TEXT,
        finish_reason TEXT,
        streamed INTEGER NOT NULL,
        status INTEGER NOT NULL,
        error_code TEXT
      ) STRICT;
      CREATE INDEX requests_created_at ON requests (created_at);
      CREATE INDEX requests_key_id_created_at ON requests (key_id, created_at);
      CREATE INDEX requests_model_created_at ON requests (model, created_at);
    `,
    postgres: `
      CREATE TABLE requests (
        id text PRIMARY KEY,
        created_at bigint NOT NULL,
        key_id text,
        requested_model text NOT NULL,
        settings jsonb NOT NULL,
        tier text,
        attempts jsonb NOT NULL,
        model text,
        upstream text,
        prompt_tokens bigint NOT NULL,
        completion_tokens bigint NOT NULL,
        cached_tokens bigint NOT NULL,
        cache_write_tokens bigint NOT NULL,
        reasoning_tokens bigint NOT NULL,
        cost_usd double precision NOT NULL,
        latency_ms double precision NOT NULL,
        time_to_first_token_ms double precision,
        output_tokens_per_second double precision,
        session_hash text,
        finish_reason text,
        streamed boolean NOT NULL,
        status integer NOT NULL,
        error_code text
      );
      CREATE INDEX requests_created_at ON requests (created_at);
      CREATE INDEX requests_key_id_created_at ON requests (key_id, created_at);
      CREATE INDEX requests_model_created_at ON requests (model, created_at);
    `,
  },
  {
    version: 2,
    name: 'api keys',
    sqlite: `
      CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        hash TEXT NOT NULL UNIQUE,
        prefix TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        revoked_at INTEGER,
        default_min_coding_score REAL,
        prevent_overrides INTEGER NOT NULL,
        allowed_models TEXT NOT NULL,
        excluded_models TEXT NOT NULL,
        limit_daily_usd REAL,
        limit_monthly_usd REAL,
        limit_total_usd REAL,
        rate_limit_per_minute INTEGER
      ) STRICT;
    `,
    postgres: `
      CREATE TABLE api_keys (
        id text PRIMARY KEY,
        name text NOT NULL,
        hash text NOT NULL UNIQUE,
        prefix text NOT NULL,
        created_at bigint NOT NULL,
        revoked_at bigint,
        default_min_coding_score double precision,
        prevent_overrides boolean NOT NULL,
        allowed_models jsonb NOT NULL,
        excluded_models jsonb NOT NULL,
        limit_daily_usd double precision,
        limit_monthly_usd double precision,
        limit_total_usd double precision,
        rate_limit_per_minute integer
      );
    `,
  },
];

/**
 * The migrations still to apply, oldest first. A database that records a version this build does not know
 * was migrated by a newer release: refusing to start beats writing rows an older schema cannot describe.
 */
export function selectPendingMigrations(
  appliedVersions: readonly number[],
  migrations: readonly StoreMigration[],
  location: string,
): StoreMigration[] {
  const known = new Set(migrations.map((migration) => migration.version));
  const unknown = appliedVersions.filter((version) => !known.has(version));
  if (unknown.length > 0) {
    const latest = Math.max(0, ...known);
    throw new RouterError(
      'config_invalid',
      `the database at ${location} has schema version ${Math.max(...unknown)}, newer than this pareto-router knows (${latest}); upgrade pareto-router or point it at another database`,
    );
  }
  const applied = new Set(appliedVersions);
  return migrations
    .filter((migration) => !applied.has(migration.version))
    .sort((left, right) => left.version - right.version);
}
