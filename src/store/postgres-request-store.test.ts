import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { RouterError } from '../core/errors.js';
import { PostgresRequestStore, redactConnectionString } from './postgres-request-store.js';
import { describeRequestStoreConformance, makeRequestRecord } from './test-support/request-store.case.js';

const databaseUrl = process.env.PARETO_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const unreachableReason = await probe(databaseUrl);
if (unreachableReason !== null) {
  console.warn(
    `Skipping the PostgreSQL store tests: no server at ${redactConnectionString(databaseUrl)} (${unreachableReason}). ` +
      'Start one or set PARETO_TEST_DATABASE_URL.',
  );
}

async function probe(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    return error instanceof Error ? error.message || error.name : String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A fresh schema, so runs never see each other's rows; dropped by `dispose`. */
async function createSchema(): Promise<{ schema: string; admin: pg.Client }> {
  const schema = `pr_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: databaseUrl, options: `-c search_path=${schema}` });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  return { schema, admin };
}

async function dropSchema(schema: string, admin: pg.Client): Promise<void> {
  try {
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
  } finally {
    await admin.end();
  }
}

describe.skipIf(unreachableReason !== null)('PostgresRequestStore', () => {
  describeRequestStoreConformance('PostgresRequestStore', async () => {
    const { schema, admin } = await createSchema();
    const store = new PostgresRequestStore({ connectionString: databaseUrl, schema });
    return {
      store,
      appliedMigrations: () => store.appliedMigrations(),
      execute: async (sql) => {
        await admin.query(sql);
      },
      dispose: () => dropSchema(schema, admin),
    };
  });

  it('stores numbers as numbers and JSON as jsonb', async () => {
    const { schema, admin } = await createSchema();
    const store = new PostgresRequestStore({ connectionString: databaseUrl, schema });
    try {
      await store.migrate();
      await store.insertRequests([makeRequestRecord({ id: 'gen-types', createdAt: 1_736_942_400_123 })]);
      const row = await admin.query<{ created_at: unknown; settings_type: string; tier: unknown }>(
        "SELECT created_at, jsonb_typeof(settings) AS settings_type, settings->>'tier' AS tier FROM requests",
      );
      // The admin client uses pg's defaults (bigint as string); the store must not.
      expect(row.rows[0]?.created_at).toBe('1736942400123');
      expect(row.rows[0]?.settings_type).toBe('object');
      expect(row.rows[0]?.tier).toBe('high');
      const stored = await store.getRequest('gen-types');
      expect(stored?.createdAt).toBe(1_736_942_400_123);
      expect(typeof stored?.promptTokens).toBe('number');
      const [spend] = await store.spend({ by: 'model' });
      expect(typeof spend?.requests).toBe('number');
      expect(typeof spend?.promptTokens).toBe('number');
    } finally {
      await store.close();
      await dropSchema(schema, admin);
    }
  });

  it('lets two instances migrate the same database at once', async () => {
    const { schema, admin } = await createSchema();
    const first = new PostgresRequestStore({ connectionString: databaseUrl, schema });
    const second = new PostgresRequestStore({ connectionString: databaseUrl, schema });
    try {
      await Promise.all([first.migrate(), second.migrate()]);
      expect(await first.appliedMigrations()).toEqual([1, 2]);
    } finally {
      await first.close();
      await second.close();
      await dropSchema(schema, admin);
    }
  });

  it('closes twice without throwing', async () => {
    const store = new PostgresRequestStore({ connectionString: databaseUrl });
    await store.close();
    await expect(store.close()).resolves.toBeUndefined();
  });
});

describe('PostgresRequestStore without a server', () => {
  it('fails migrate with config_invalid naming the address, password masked', async () => {
    // Port 1 on loopback: nothing listens there, and the refusal is immediate.
    const store = new PostgresRequestStore({
      connectionString: 'postgres://router:s3cret@127.0.0.1:1/pareto',
      connectTimeoutMs: 2000,
    });
    try {
      const error = await store.migrate().then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(error).toBeInstanceOf(RouterError);
      expect((error as RouterError).code).toBe('config_invalid');
      expect((error as RouterError).message).toContain('postgres://router:***@127.0.0.1:1/pareto');
      expect((error as RouterError).message).toMatch(/ECONNREFUSED/);
      expect((error as RouterError).message).not.toContain('s3cret');
    } finally {
      await store.close();
    }
  });

  it('refuses a schema name that is not a plain identifier', () => {
    expect(
      () => new PostgresRequestStore({ connectionString: databaseUrl, schema: 'public; DROP TABLE x' }),
    ).toThrow(/schema must be a lowercase identifier/);
  });
});
