import { resolve } from 'node:path';
import { duckdb, type SqlDialect } from '../pipeline/compile/dialect.ts';
import { loadScorecards } from '../pipeline/definitions/load-scorecards.ts';
import { openWarehouse, type Warehouse } from '../pipeline/engine/warehouse.ts';
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

/** Opens the project's warehouse for the duration of `work`, and always closes it (DuckDB
 *  holds a file lock while it is open). */
export async function withWarehouse<T>(config: ProjectConfig, work: (wh: Warehouse) => Promise<T>): Promise<T> {
  const wh = await openWarehouse({ path: config.warehouse, memoryLimit: config.memoryLimit });
  try {
    await ensureWarehouseTables(wh.db);
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
