import type { Kysely } from 'kysely';
import type { RowCopier } from '../load/staged-copy.ts';
import type { SqlDialect } from '../sql/dialects/dialect.ts';

/** Whether the warehouse's engine reads source files itself (DuckDB). Any other engine
 *  gets a file's rows from a DuckDB staging (pipeline/load/staged-copy.ts), copied in by
 *  `rowCopierFor`. The one place that decides it. */
export function readsFilesItself(dialect: SqlDialect): boolean {
  return dialect.name === 'duckdb';
}

/** How a load copies staged rows into a warehouse that does not read files itself, inside
 *  the load's transaction `trx`. PostgreSQL is the only such engine so far. Imported on
 *  use, so that a DuckDB run never loads a PostgreSQL client. */
export async function rowCopierFor(trx: Kysely<any>): Promise<RowCopier> {
  const { postgresCopier } = await import('./postgres/copy-in.ts');
  return postgresCopier(trx);
}
