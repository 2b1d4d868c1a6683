import { existsSync } from 'node:fs';
import type { DuckDBInstance as Instance } from '@duckdb/node-api';
import { Kysely, sql } from 'kysely';
import { stringLiteral } from '../../sql/sql-literal.ts';
import { tableExists } from '../catalog.ts';
import { NoWarehouseError, WarehouseBusyError, warehouseOf, type Warehouse } from '../adapter.ts';
import { DuckDBDialect } from './kysely-dialect.ts';

export interface DuckDBWarehouseOptions {
  engine?: 'duckdb';
  /** File path or ':memory:'. */
  path: string;
  memoryLimit?: string;
  threads?: number;
  /** Opens with DuckDB's READ_ONLY access mode: several readers may share the file, and a
   *  missing file is an error instead of being created. */
  readOnly?: boolean;
  /** A warehouse file attached read-only, its tables found by name: the source tables
   *  (SPEC §8) of a warehouse healthscore has not written to yet, seen from an empty one. */
  sourceTablesFrom?: string;
}

export function duckdbFileExists(path: string): boolean {
  return path === ':memory:' || existsSync(path);
}

export async function openDuckDB(options: DuckDBWarehouseOptions): Promise<Warehouse> {
  const inMemory = options.path === ':memory:';
  const readOnly = options.readOnly === true && !inMemory;
  // DuckDB refuses too, but with its own wording; and a writer would create the file.
  if (readOnly && !duckdbFileExists(options.path)) throw new NoWarehouseError(options.path);
  const settings: Record<string, string> = {};
  if (options.memoryLimit) settings['memory_limit'] = options.memoryLimit;
  if (options.threads) settings['threads'] = String(options.threads);
  if (readOnly) settings['access_mode'] = 'READ_ONLY';
  // Imported on first use, so that commands that never open the warehouse do not load DuckDB.
  // The build bundles @duckdb/node-api's ~120 CommonJS files into one chunk (only the native
  // bindings stay external): resolving and reading them one by one was most of its load
  // time. `.default` is the CommonJS exports both in the bundle and under plain Node.
  const { DuckDBInstance } = (await import('@duckdb/node-api')).default;
  let instance: Instance;
  try {
    instance = await DuckDBInstance.create(options.path, settings);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw lockError(options.path, reason) ?? new Error(`cannot open the warehouse ${options.path}: ${reason.split('\n')[0]}`);
  }
  const connection = await instance.connect();
  // Day arithmetic is done explicitly in the project timezone; the session zone stays UTC
  // so that nothing depends on the machine's locale. (ICU loads with the first connection.)
  await connection.run("SET TimeZone = 'UTC'");
  const db = new Kysely<any>({ dialect: new DuckDBDialect(connection) });
  const close = async () => {
    await db.destroy();
    instance.closeSync();
  };
  try {
    // A file that holds only the user's tables (sources) is no warehouse yet, as an empty
    // PostgreSQL schema is not: a read-only look finds none of healthscore's tables.
    if (readOnly && !(await tableExists(db, 'loaded_files'))) throw new NoWarehouseError(options.path);
    if (options.sourceTablesFrom) await attachSourceTables(db, options.sourceTablesFrom);
  } catch (error) {
    await close();
    throw error;
  }
  return warehouseOf('duckdb', db, readOnly, close);
}

async function attachSourceTables(db: Kysely<any>, path: string): Promise<void> {
  await sql`attach ${stringLiteral(path)} as source_tables (read_only)`.execute(db).catch((error: unknown) => {
    const reason = error instanceof Error ? error.message : String(error);
    throw lockError(path, reason) ?? new Error(`cannot open the warehouse ${path}: ${reason.split('\n')[0]}`);
  });
  const { rows } = await sql<{ name: string }>`select schema_name as name from information_schema.schemata where catalog_name = 'source_tables' order by 1`.execute(db);
  const path_ = ['memory.main', ...rows.map((r) => `source_tables.${r.name}`)].join(',');
  await sql`set search_path = ${stringLiteral(path_)}`.execute(db);
}

/** DuckDB's `Could not set lock on file "X": Conflicting lock is held in /usr/bin/node
 *  (PID 5220). …` as one sentence that says what to do. */
export function lockError(path: string, reason: string): WarehouseBusyError | undefined {
  if (!/Could not set lock on file/i.test(reason)) return undefined;
  const holder = /Conflicting lock is held in (.+?) \(PID (\d+)\)/.exec(reason);
  const who = holder ? ` (PID ${holder[2]}, ${holder[1]})` : '';
  return new WarehouseBusyError(`the warehouse ${path} is in use by another process${who}: wait for it to finish, or stop it`);
}
