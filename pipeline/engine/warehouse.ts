import { existsSync } from 'node:fs';
import type { DuckDBInstance as Instance } from '@duckdb/node-api';
import { Kysely, type RawBuilder } from 'kysely';
import { UsageError } from '../errors.ts';
import { DuckDBDialect } from './duckdb-dialect.ts';


export interface WarehouseOptions {
  /** File path or ':memory:'. */
  path: string;
  memoryLimit?: string;
  threads?: number;
  /** Opens with DuckDB's READ_ONLY access mode: several readers may share the file, and a
   *  missing file is an error instead of being created. */
  readOnly?: boolean;
}

/** An open warehouse: kysely over one pinned DuckDB connection. Every query of the
 *  pipeline goes through `db`, so temp tables and transactions behave predictably. */
export interface Warehouse {
  db: Kysely<any>;
  readOnly: boolean;
  /** Runs a statement and returns its rows as plain JS values. */
  query<R = Record<string, unknown>>(statement: RawBuilder<unknown>): Promise<R[]>;
  /** Runs statements in order inside one transaction: all or nothing. */
  transaction(work: (trx: Kysely<any>) => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

/** A read-only open of a warehouse that does not exist (yet): bad usage, exit 2. */
export class NoWarehouseError extends UsageError {
  constructor(readonly path: string) {
    super(`no warehouse yet at ${path}: run \`healthscore run\` first`);
  }
}

/** Another process holds DuckDB's file lock: a runtime failure (exit 1) that goes away
 *  when that process ends. */
export class WarehouseBusyError extends Error {}

export function warehouseExists(path: string): boolean {
  return path === ':memory:' || existsSync(path);
}

export async function openWarehouse(options: WarehouseOptions): Promise<Warehouse> {
  const inMemory = options.path === ':memory:';
  const readOnly = options.readOnly === true && !inMemory;
  // DuckDB refuses too, but with its own wording; and a writer would create the file.
  if (readOnly && !warehouseExists(options.path)) throw new NoWarehouseError(options.path);
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
  return {
    db,
    readOnly,
    async query<R>(statement: RawBuilder<unknown>) {
      const result = await statement.execute(db);
      return result.rows as R[];
    },
    async transaction(work) {
      await db.transaction().execute(work);
    },
    async close() {
      await db.destroy();
      instance.closeSync();
    },
  };
}

/** DuckDB's `Could not set lock on file "X": Conflicting lock is held in /usr/bin/node
 *  (PID 5220). …` as one sentence that says what to do. */
export function lockError(path: string, reason: string): WarehouseBusyError | undefined {
  if (!/Could not set lock on file/i.test(reason)) return undefined;
  const holder = /Conflicting lock is held in (.+?) \(PID (\d+)\)/.exec(reason);
  const who = holder ? ` (PID ${holder[2]}, ${holder[1]})` : '';
  return new WarehouseBusyError(`the warehouse ${path} is in use by another process${who}: wait for it to finish, or stop it`);
}
