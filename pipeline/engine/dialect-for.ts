import type { WarehouseLocation } from '../ir/types.ts';
import type { SqlDialect } from '../sql/dialects/dialect.ts';
import { duckdb } from '../sql/dialects/duckdb.ts';
import { postgres } from '../sql/dialects/postgres.ts';

/** The SQL dialect of the warehouse's engine: the one place that maps an engine to its
 *  dialect. */
export function dialectFor(location: WarehouseLocation): SqlDialect {
  switch (location.engine) {
    case 'duckdb':
      return duckdb;
    case 'postgres':
      return postgres;
  }
}
