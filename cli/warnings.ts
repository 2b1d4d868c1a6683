import { dataWarnings } from '../pipeline/definitions/check-against-data.ts';
import { dialectFor } from '../pipeline/engine/dialect-for.ts';
import { NoWarehouseError, WarehouseBusyError } from '../pipeline/engine/warehouse.ts';
import { WarehouseUnreachableError } from '../pipeline/engine/postgres/server-errors.ts';
import { formatProblem, type Problem } from '../pipeline/errors.ts';
import type { ProjectConfig, Scorecard } from '../pipeline/ir/types.ts';
import { withWarehouse } from './project-context.ts';

/** Warnings go to stderr, even with --json (which also has them as `warnings`), and never
 *  change the exit code. */
export function printWarnings(warnings: readonly Problem[]): void {
  for (const warning of warnings) process.stderr.write(`warning: ${formatProblem(warning)}\n`);
}

/** validate's check of the definitions against the loaded data, read-only. Skipped without
 *  a warehouse, and (with a note) while another process writes it or the server cannot be
 *  reached: validate must not fail because a run is going on. */
export async function warehouseDataWarnings(config: ProjectConfig, scorecards: readonly Scorecard[]): Promise<Problem[]> {
  if (config.warehouse.engine === 'duckdb' && config.warehouse.path === ':memory:') return [];
  try {
    return await withWarehouse(config, (wh) => dataWarnings(wh.db, dialectFor(config.warehouse), scorecards, config), { readOnly: true });
  } catch (error) {
    if (error instanceof NoWarehouseError) return [];
    if (!(error instanceof WarehouseBusyError || error instanceof WarehouseUnreachableError)) throw error;
    process.stderr.write(`note: the definitions were not checked against the data: ${error.message}\n`);
    return [];
  }
}
