// The SPEC §7 invariant as a test helper: after any sequence of edits and a run, every
// snapshot table and every export file equals what a fresh project with the same final
// files produces with one run. Only public behaviour is read: the three snapshot tables,
// the data checks `status` shows, and the files under the export path.
//
// No column is excluded from the comparison: score_snapshots, health_snapshots and alerts
// hold no run id and no timestamp (run ids and computed_at live in run_log/runs, which are
// state, not output). health_snapshots.definition_version is a hash of the definition, so
// it must be equal too.
import { createHash } from 'node:crypto';
import { cp, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { tableFromIPC } from 'apache-arrow';
import { sql } from 'kysely';
import { OUTPUT_TABLES } from '../../models/output-tables.ts';
import type { ProjectConfig, WarehouseLocation } from '../../pipeline/ir/types.ts';
import { loadScorecards } from '../../pipeline/definitions/load-scorecards.ts';
import { dialectFor } from '../../pipeline/engine/dialect-for.ts';
import { openWarehouse, warehouseOptions, type Warehouse } from '../../pipeline/engine/warehouse.ts';
import { runPipeline, type RunOptions } from '../../pipeline/run/run-pipeline.ts';
import { duckdbEngine, type TestEngine } from '../helpers/engines.ts';

export const SNAPSHOT_TABLES = OUTPUT_TABLES.map((t) => t.name);
/** The snapshot tables and the data checks of the load (pipeline/load/data-checks.ts). */
const COMPARED_TABLES = [...SNAPSHOT_TABLES, 'data_checks'];

/** What a project produced: each table's rows and each export file's rows (as canonical
 *  text, sorted), and whatever should not be there (staging leftovers, empty files). */
export interface ProducedState {
  tables: Record<string, string[]>;
  /** Export files by path relative to the export folder. */
  files: Record<string, string[]>;
  leftovers: string[];
}

/** Rows of a snapshot table as text: the engine's own rendering of the whole row (DuckDB's
 *  struct text, PostgreSQL's row text), which shows every column with its value (the same
 *  through any client). Rows are only compared with rows of the same engine; across
 *  engines, the export files are (diffExports). */
export function tableQuery(table: string, engine: TestEngine['name'] = 'duckdb'): string {
  return `select t::${engine === 'postgres' ? 'text' : 'varchar'} as r from ${table} t order by 1`;
}

export type QueryText = (text: string) => Promise<Record<string, unknown>[]>;

/** The produced state of a warehouse (through `query`) and an export folder. */
export async function captureState(query: QueryText, exportPath: string, engine: TestEngine['name'] = 'duckdb'): Promise<ProducedState> {
  const tables: Record<string, string[]> = {};
  for (const table of COMPARED_TABLES) tables[table] = (await query(tableQuery(table, engine))).map((row) => String(row['r']));
  const { files, leftovers } = await readExport(exportPath);
  return { tables, files, leftovers };
}

/** Every file under the export folder with its rows; `.staging-*` entries and 0-byte files
 *  are leftovers (a killed or failed run must not leave half-written things behind). */
export async function readExport(exportPath: string): Promise<{ files: Record<string, string[]>; leftovers: string[] }> {
  const files: Record<string, string[]> = {};
  const leftovers: string[] = [];
  const paths = await listFiles(exportPath);
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    for (const path of paths) {
      const rel = relative(exportPath, path);
      if (rel.split('/').some((part) => part.startsWith('.staging-'))) {
        leftovers.push(rel);
        continue;
      }
      if ((await stat(path)).size === 0) {
        leftovers.push(`${rel} (0 bytes)`);
        continue;
      }
      try {
        if (path.endsWith('.parquet')) {
          const reader = await connection.runAndReadAll(`select t::varchar as r from read_parquet('${path.replaceAll("'", "''")}') t order by 1`);
          files[rel] = reader.getRowObjectsJson().map((row) => String(row['r']));
        } else if (path.endsWith('.arrow')) {
          const table = tableFromIPC(await readFile(path));
          files[rel] = table.toArray().map((row) => JSON.stringify(plain(row.toJSON()))).sort();
        } else {
          files[rel] = [(await readFile(path)).toString('base64')];
        }
      } catch (error) {
        throw new Error(`the export file ${rel} cannot be read: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
      }
    }
    // Staging folders that hold no file yet are leftovers too.
    for (const entry of await readdir(exportPath).catch(() => [] as string[])) {
      if (entry.startsWith('.staging-') && !leftovers.some((l) => l.startsWith(entry))) leftovers.push(`${entry}/`);
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  return { files, leftovers: leftovers.sort() };
}

function plain(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object') {
    // An Arrow list value is a Vector.
    const v = value as { toArray?: () => Iterable<unknown> };
    if (typeof v.toArray === 'function') return Array.from(v.toArray()).map(plain);
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, x]) => [k, plain(x)]));
  }
  return value;
}

async function listFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(path)));
    else out.push(path);
  }
  return out.sort();
}

/** The first difference between what an edited project produced and what a fresh one
 *  did, in words with the first differing rows; undefined when they are equal. */
export function diffStates(edited: ProducedState, fresh: ProducedState, maxRows = 4): string | undefined {
  const problems: string[] = [];
  if (edited.leftovers.length) problems.push(`leftovers in the export folder of the edited project: ${edited.leftovers.slice(0, 5).join(', ')}`);
  for (const table of COMPARED_TABLES) {
    const d = diffRows(edited.tables[table] ?? [], fresh.tables[table] ?? [], maxRows);
    if (d) problems.push(`table ${table}: ${d}`);
  }
  const d = diffExports(edited, fresh, maxRows);
  if (d) problems.push(d);
  return problems.length ? problems.join('\n') : undefined;
}

/** The first difference between two export folders (the set of files, then the first file
 *  whose rows differ); undefined when they are equal. Every file is read through DuckDB, so
 *  this compares warehouses of different engines too. */
export function diffExports(edited: Pick<ProducedState, 'files'>, fresh: Pick<ProducedState, 'files'>, maxRows = 4): string | undefined {
  const problems: string[] = [];
  const editedFiles = Object.keys(edited.files).sort();
  const freshFiles = Object.keys(fresh.files).sort();
  const onlyEdited = editedFiles.filter((f) => !(f in fresh.files));
  const onlyFresh = freshFiles.filter((f) => !(f in edited.files));
  if (onlyEdited.length || onlyFresh.length) {
    problems.push(
      `export files differ (${editedFiles.length} edited, ${freshFiles.length} fresh): ` +
        `only in edited [${onlyEdited.slice(0, 5).join(', ')}${onlyEdited.length > 5 ? `, … ${onlyEdited.length} in all` : ''}], ` +
        `only in fresh [${onlyFresh.slice(0, 5).join(', ')}${onlyFresh.length > 5 ? `, … ${onlyFresh.length} in all` : ''}]`,
    );
  }
  for (const file of editedFiles.filter((f) => f in fresh.files)) {
    const d = diffRows(edited.files[file]!, fresh.files[file]!, maxRows);
    if (d) {
      problems.push(`export file ${file}: ${d}`);
      break;
    }
  }
  return problems.length ? problems.join('\n') : undefined;
}

/** Rows (sorted text) as multisets: the first rows only one side has. */
export function diffRows(edited: string[], fresh: string[], maxRows = 4): string | undefined {
  const count = new Map<string, number>();
  for (const r of fresh) count.set(r, (count.get(r) ?? 0) + 1);
  const onlyEdited: string[] = [];
  for (const r of edited) {
    const n = count.get(r) ?? 0;
    if (n > 0) count.set(r, n - 1);
    else onlyEdited.push(r);
  }
  const onlyFresh = [...count.entries()].flatMap(([r, n]) => Array(n).fill(r) as string[]).sort();
  if (!onlyEdited.length && !onlyFresh.length) return undefined;
  const show = (rows: string[]) => rows.slice(0, maxRows).map((r) => `\n      ${r}`).join('') + (rows.length > maxRows ? `\n      … ${rows.length} in all` : '');
  return `${edited.length} rows edited, ${fresh.length} fresh; only in edited (${onlyEdited.length}):${show(onlyEdited)}\n    only in fresh (${onlyFresh.length}):${show(onlyFresh)}`;
}

/** A project folder run in-process, like tempProject() but with a warehouse that can be
 *  closed (to copy the project) and reopened. Its healthscore.yaml is `config(root)`; its
 *  warehouse is a file in the folder (DuckDB) or a schema of its own (PostgreSQL). */
export class StateProject {
  private open: Warehouse | undefined;
  constructor(
    readonly root: string,
    public config: (root: string) => Partial<ProjectConfig>,
    readonly engine: TestEngine,
    readonly location: WarehouseLocation,
  ) {}

  static async create(config: (root: string) => Partial<ProjectConfig>, engine: TestEngine = duckdbEngine): Promise<StateProject> {
    const root = await mkdtemp(join(tmpdir(), 'healthscore-state-'));
    return new StateProject(root, config, engine, engine.location(root));
  }

  /** The full ProjectConfig, built the way tempProject() builds it. */
  fullConfig(): ProjectConfig {
    return {
      root: this.root,
      warehouse: this.location,
      timezone: 'UTC',
      lookback: 3,
      definitions: join(this.root, 'definitions'),
      export: { path: join(this.root, 'out'), formats: ['parquet'], partition: 'day' },
      sources: { events: { path: 'events/*.csv', format: 'csv', columns: {} } },
      ...this.config(this.root),
    };
  }

  async warehouse(): Promise<Warehouse> {
    this.open ??= await openWarehouse(warehouseOptions(this.location));
    return this.open;
  }

  async run(options: RunOptions = {}) {
    const config = this.fullConfig();
    const scorecards = await loadScorecards(config.definitions, this.root);
    const wh = await this.warehouse();
    return runPipeline(wh.db, config, scorecards, dialectFor(this.location), options);
  }

  async query(text: string): Promise<Record<string, unknown>[]> {
    return (await this.warehouse()).query(sql.raw(text));
  }

  /** Tables and export as they are now. */
  async state(): Promise<ProducedState> {
    return captureState((text) => this.query(text), this.fullConfig().export.path, this.engine.name);
  }

  async close(): Promise<void> {
    await this.open?.close();
    this.open = undefined;
  }

  /** A copy of the whole project (folder, export and warehouse: on PostgreSQL, every table
   *  of the schema copied into the copy's own schema) with the same config. */
  async copy(): Promise<StateProject> {
    await this.close();
    const copy = await StateProject.create(this.config, this.engine);
    await cp(this.root, copy.root, { recursive: true, preserveTimestamps: true });
    if (this.location.engine === 'postgres' && copy.location.engine === 'postgres') await copySchema(this.location, copy.location.schema);
    return copy;
  }

  async cleanup(): Promise<void> {
    await this.close();
    await this.engine.drop(this.location);
    await rm(this.root, { recursive: true, force: true });
  }
}

/** Every table of the warehouse at `from` copied, rows included, into a new schema `to`
 *  (the functions are created again by the copy's next run). */
async function copySchema(from: Extract<WarehouseLocation, { engine: 'postgres' }>, to: string): Promise<void> {
  const wh = await openWarehouse(warehouseOptions({ ...from, schema: to }));
  try {
    const tables = await wh.query(sql`select table_name as name from information_schema.tables
      where table_schema = ${from.schema} and table_type = 'BASE TABLE' order by 1`);
    for (const { name } of tables as { name: string }[]) {
      await wh.query(sql`create table ${sql.table(name)} (like ${sql.table(`${from.schema}.${name}`)} including all)`);
      await wh.query(sql`insert into ${sql.table(name)} select * from ${sql.table(`${from.schema}.${name}`)}`);
    }
  } finally {
    await wh.close();
  }
}

const freshCache = new Map<string, ProducedState>();

/** Builds a fresh project from the input folders of `root` (everything but the warehouse
 *  and export folders: `inputs` names them), lets `prepare` change its files in ways that
 *  must not change the result, runs it once with `config` (a function of the fresh root)
 *  and returns what it produced. Memoised on the input files, the config and the engine. */
export async function freshState(
  root: string,
  inputs: string[],
  config: (root: string) => Partial<ProjectConfig>,
  prepare?: (freshRoot: string) => Promise<void>,
  engine: TestEngine = duckdbEngine,
): Promise<ProducedState> {
  const key = `${engine.name} ${prepare ? 'prepared ' : ''}${await inputsKey(root, inputs, config)}`;
  const known = freshCache.get(key);
  if (known) return known;
  const fresh = await StateProject.create(config, engine);
  try {
    for (const input of inputs) {
      await cp(join(root, input), join(fresh.root, input), { recursive: true }).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
    }
    await prepare?.(fresh.root);
    await fresh.run();
    const state = await fresh.state();
    freshCache.set(key, state);
    return state;
  } finally {
    await fresh.cleanup();
  }
}

async function inputsKey(root: string, inputs: string[], config: (root: string) => Partial<ProjectConfig>): Promise<string> {
  const hash = createHash('sha256');
  hash.update(JSON.stringify(config('<root>')));
  for (const input of inputs) {
    for (const file of await listFiles(join(root, input))) {
      hash.update(`\n${relative(root, file)}\n`);
      hash.update(await readFile(file));
    }
  }
  return hash.digest('hex');
}

/** A throw-away folder outside any project. */
export async function scratchDir(prefix = 'healthscore-state-'): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
