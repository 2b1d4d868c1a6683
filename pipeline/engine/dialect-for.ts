import { UsageError } from '../errors.ts';
import type { WarehouseLocation } from '../ir/types.ts';
import type { SqlDialect } from '../sql/dialects/dialect.ts';
import { duckdb } from '../sql/dialects/duckdb.ts';

/** The SQL dialect of the warehouse's engine: the one place that maps an engine to its
 *  dialect. */
export function dialectFor(location: WarehouseLocation): SqlDialect {
  switch (location.engine) {
    case 'duckdb':
      return duckdb;
    case 'postgres':
      // pipeline/sql/dialects/postgres.ts is written in parallel (issue #10); wired at merge.
      throw new UsageError('PostgreSQL warehouses are not available in this build yet');
  }
}
