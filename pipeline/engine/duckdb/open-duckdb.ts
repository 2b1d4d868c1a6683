import { existsSync } from 'node:fs';
import type { DuckDBInstance as Instance } from '@duckdb/node-api';
import { Kysely } from 'kysely';
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
  return warehouseOf('duckdb', db, readOnly, async () => {
    await db.destroy();
    instance.closeSync();
  });
}

/** DuckDB's `Could not set lock on file "X": Conflicting lock is held in /usr/bin/node
 *  (PID 5220). …` as one sentence that says what to do. */
export function lockError(path: string, reason: string): WarehouseBusyError | undefined {
  if (!/Could not set lock on file/i.test(reason)) return undefined;
  const holder = /Conflicting lock is held in (.+?) \(PID (\d+)\)/.exec(reason);
  const who = holder ? ` (PID ${holder[2]}, ${holder[1]})` : '';
  return new WarehouseBusyError(`the warehouse ${path} is in use by another process${who}: wait for it to finish, or stop it`);
}
