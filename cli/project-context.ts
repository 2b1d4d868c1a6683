import { resolve } from 'node:path';
import type { SqlDialect } from '../pipeline/sql/dialects/dialect.ts';
import { duckdb } from '../pipeline/sql/dialects/duckdb.ts';
import { loadScorecards } from '../pipeline/definitions/load-scorecards.ts';
import { openWarehouse, warehouseExists, type Warehouse } from '../pipeline/engine/warehouse.ts';
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
  return { config, scorecards, dialect: duckdb };
}

export interface WarehouseAccess {
  /** For commands that only read (status, explain, validate's data check): DuckDB's
   *  READ_ONLY mode, so they can run next to other readers, never create the file and never
   *  write (no table set-up or migration). */
  readOnly?: boolean;
  /** Read-only only: with no warehouse file yet, work on an empty in-memory warehouse
   *  (every table, no rows) instead of failing with "no warehouse yet". For `status`. */
  missingAsEmpty?: boolean;
}

/** Opens the project's warehouse for the duration of `work`, and always closes it (DuckDB
 *  holds a file lock while it is open). */
export async function withWarehouse<T>(config: ProjectConfig, work: (wh: Warehouse) => Promise<T>, access: WarehouseAccess = {}): Promise<T> {
  const empty = access.readOnly === true && access.missingAsEmpty === true && !warehouseExists(config.warehouse);
  const wh = await openWarehouse({
    path: empty ? ':memory:' : config.warehouse,
    memoryLimit: config.memoryLimit,
    threads: config.threads,
    readOnly: access.readOnly === true && !empty,
  });
  try {
    if (!wh.readOnly) await ensureWarehouseTables(wh.db, duckdb);
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
