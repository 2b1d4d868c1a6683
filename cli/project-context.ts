import { resolve } from 'node:path';
import type { SqlDialect } from '../pipeline/sql/dialects/dialect.ts';
import { dialectFor } from '../pipeline/engine/dialect-for.ts';
import { loadScorecards } from '../pipeline/definitions/load-scorecards.ts';
import { emptyWarehouse, NoWarehouseError, openWarehouse, warehouseOptions, type Warehouse } from '../pipeline/engine/warehouse.ts';
import type { ProjectConfig, Scorecard } from '../pipeline/ir/types.ts';
import { loadProject } from '../pipeline/project/load-project.ts';
import { ensureWarehouseTables } from '../models/warehouse-tables.ts';
import { UsageError } from '../pipeline/errors.ts';

export interface GlobalOptions {
  project: string;
  json?: boolean;
  verbose?: boolean;
}

export interface ProjectContext {
  config: ProjectConfig;
  scorecards: Scorecard[];
  dialect: SqlDialect;
}

/** healthscore.yaml and every definition, validated (throws ValidationError: exit 2). */
export async function readProject(options: GlobalOptions): Promise<ProjectContext> {
  const config = await loadProject(resolve(options.project));
  const scorecards = await loadScorecards(config.definitions, config.root);
  return { config, scorecards, dialect: dialectFor(config.warehouse) };
}

export interface WarehouseAccess {
  /** For commands that only read (status, explain, validate's data check): DuckDB's
   *  READ_ONLY mode, so they can run next to other readers, never create the file and never
   *  write (no table set-up or migration); on PostgreSQL, read-only transactions and no
   *  lock, and a missing schema is not created. */
  readOnly?: boolean;
  /** Read-only only: with no warehouse yet, work on an empty one (every table, no rows: an
   *  in-memory DuckDB, or PostgreSQL temporary tables) instead of failing with "no
   *  warehouse yet". For `status`. */
  missingAsEmpty?: boolean;
}

/** Opens the project's warehouse for the duration of `work`, and always closes it (DuckDB
 *  holds a file lock while it is open, PostgreSQL a connection and an advisory lock). */
export async function withWarehouse<T>(config: ProjectConfig, work: (wh: Warehouse) => Promise<T>, access: WarehouseAccess = {}): Promise<T> {
  const settings = { memoryLimit: config.memoryLimit, threads: config.threads };
  const readOnly = access.readOnly === true;
  let wh: Warehouse;
  try {
    wh = await openWarehouse(warehouseOptions(config.warehouse, { ...settings, readOnly }));
  } catch (error) {
    if (!(readOnly && access.missingAsEmpty === true && error instanceof NoWarehouseError)) throw error;
    wh = await openWarehouse(warehouseOptions(emptyWarehouse(config.warehouse), settings));
  }
  try {
    if (!wh.readOnly) await ensureWarehouseTables(wh.db, dialectFor(config.warehouse));
    return await work(wh);
  } finally {
    await wh.close();
  }
}

/** The scorecard a command is about: `--scorecard S`, or the project's only one. */
export function chooseScorecard(scorecards: Scorecard[], id: string | undefined): Scorecard {
  const names = scorecards.map((s) => s.id).join(', ');
  if (id === undefined) {
    if (scorecards.length === 1) return scorecards[0]!;
    throw new UsageError(`the project has several scorecards (${names}): choose one with --scorecard`);
  }
  const found = scorecards.find((s) => s.id === id);
  if (!found) throw new UsageError(`no scorecard "${id}" (there are: ${names})`);
  return found;
}
