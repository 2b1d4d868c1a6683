import { randomUUID } from 'node:crypto';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';

/** A kysely over one connection to the test server (test/postgres-server.ts), working in a
 *  schema of its own that is dropped afterwards: test files run in parallel on one server.
 *  One connection (a pool of one), so temp tables and transactions behave as on DuckDB. */
export async function withPostgresSchema<T>(url: string, work: (db: Kysely<any>, schema: string) => Promise<T>): Promise<T> {
  const schema = `hs_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
  try {
    await sql`create schema ${sql.id(schema)}`.execute(db);
    await sql`set search_path to ${sql.id(schema)}`.execute(db);
    await sql`set timezone to 'UTC'`.execute(db);
    return await work(db, schema);
  } finally {
    await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db).catch(() => undefined);
    await db.destroy();
  }
}
