import type { Kysely } from 'kysely';
import type { RowCopier } from '../load/staged-copy.ts';
import type { SqlDialect } from '../sql/dialects/dialect.ts';

/** How a load copies a file's staged rows into the warehouse inside its transaction `trx`:
 *  undefined for DuckDB, which reads the files itself (pipeline/load/staged-copy.ts).
 *  Imported on use, so that a DuckDB run never loads a PostgreSQL client. */
export async function rowCopierFor(dialect: SqlDialect, trx: Kysely<any>): Promise<RowCopier | undefined> {
  if (dialect.name === 'duckdb') return undefined;
  const { postgresCopier } = await import('./postgres/copy-in.ts');
  return postgresCopier(trx);
}
