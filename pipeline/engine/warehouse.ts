// The entry to the engines: openWarehouse picks the adapter from the options (a DuckDB path,
// or a PostgreSQL URL and schema) and loads only that engine's client library.

import { existsSync } from 'node:fs';
import type { WarehouseLocation } from '../ir/types.ts';
import type { Warehouse } from './adapter.ts';
import type { DuckDBWarehouseOptions } from './duckdb/open-duckdb.ts';
import type { PostgresWarehouseOptions } from './postgres/open-postgres.ts';

export { NoWarehouseError, WarehouseBusyError, type Warehouse } from './adapter.ts';

export type WarehouseOptions = DuckDBWarehouseOptions | PostgresWarehouseOptions;

export async function openWarehouse(options: WarehouseOptions): Promise<Warehouse> {
  if (options.engine === 'postgres') return (await import('./postgres/open-postgres.ts')).openPostgres(options);
  return (await import('./duckdb/open-duckdb.ts')).openDuckDB(options);
}

/** The options that open `location`; the DuckDB settings apply to a DuckDB warehouse only. */
export function warehouseOptions(
  location: WarehouseLocation | WarehouseOptions,
  settings: { memoryLimit?: string; threads?: number; readOnly?: boolean } = {},
): WarehouseOptions {
  if (location.engine === 'postgres') return { ...location, ...(settings.readOnly !== undefined && { readOnly: settings.readOnly }) };
  return { ...location, ...settings };
}

/** The same warehouse, empty and gone on close: for a read-only look at a warehouse that does
 *  not exist yet (`status` before the first run). */
export function emptyWarehouse(location: WarehouseLocation): WarehouseOptions {
  if (location.engine === 'postgres') return { ...location, schema: 'pg_temp' };
  // The file may exist with the user's tables only: its source tables stay readable.
  return { engine: 'duckdb', path: ':memory:', ...(location.path !== ':memory:' && existsSync(location.path) && { sourceTablesFrom: location.path }) };
}
