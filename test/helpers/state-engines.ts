import type { Kysely } from 'kysely';
import { inject } from 'vitest';
import { openWarehouse } from '../../pipeline/engine/warehouse.ts';
import type { SqlDialect } from '../../pipeline/sql/dialects/dialect.ts';
import { duckdb } from '../../pipeline/sql/dialects/duckdb.ts';
import { postgres } from '../../pipeline/sql/dialects/postgres.ts';
import { withPostgresSchema } from './postgres-schema.ts';

/** The test server's URL, '' without one (then skip). */
export const postgresUrl = inject('postgresUrl');

export type Engine = 'duckdb' | 'postgres';

/** Runs `work` on an empty in-memory DuckDB and on a PostgreSQL schema of its own, and
 *  gives both results, to be compared. */
export async function onBothEngines<T>(work: (db: Kysely<any>, dialect: SqlDialect, engine: Engine) => Promise<T>): Promise<Record<Engine, T>> {
  const wh = await openWarehouse({ path: ':memory:' });
  let onDuckDB: T;
  try {
    onDuckDB = await work(wh.db, duckdb, 'duckdb');
  } finally {
    await wh.close();
  }
  const onPostgres = await withPostgresSchema(postgresUrl, (db) => work(db, postgres, 'postgres'));
  return { duckdb: onDuckDB, postgres: onPostgres };
}
