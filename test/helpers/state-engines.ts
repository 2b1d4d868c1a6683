import type { Kysely } from 'kysely';
import { inject } from 'vitest';
import { openWarehouse } from '../../pipeline/engine/warehouse.ts';
import type { SqlDialect } from '../../pipeline/sql/dialects/dialect.ts';
import { duckdb } from '../../pipeline/sql/dialects/duckdb.ts';
import { postgresStateAndReads } from '../../pipeline/sql/dialects/postgres.ts';
import { withPostgresSchema } from './postgres-schema.ts';

/** The test server's URL, '' without one (then skip). */
export const postgresUrl = inject('postgresUrl');

/** The PostgreSQL dialect as far as the state, the tables and the reads use it, until the
 *  full dialect (its scoring methods) is merged: the only scoring methods this code calls,
 *  `date` and `addDays`, are the same SQL text on both engines. */
export const postgresForState: SqlDialect = { ...duckdb, ...postgresStateAndReads, name: 'postgres' };

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
  const onPostgres = await withPostgresSchema(postgresUrl, (db) => work(db, postgresForState, 'postgres'));
  return { duckdb: onDuckDB, postgres: onPostgres };
}
