import { DuckDBInstance } from '@duckdb/node-api';
import { Kysely, type RawBuilder } from 'kysely';
import { DuckDBDialect } from './duckdb-dialect.ts';

export interface WarehouseOptions {
  /** File path or ':memory:'. */
  path: string;
  memoryLimit?: string;
  threads?: number;
}

/** An open warehouse: kysely over one pinned DuckDB connection. Every query of the
 *  pipeline goes through `db`, so temp tables and transactions behave predictably. */
export interface Warehouse {
  db: Kysely<any>;
  /** Runs a statement and returns its rows as plain JS values. */
  query<R = Record<string, unknown>>(statement: RawBuilder<unknown>): Promise<R[]>;
  /** Runs statements in order inside one transaction: all or nothing. */
  transaction(work: (trx: Kysely<any>) => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

export async function openWarehouse(options: WarehouseOptions): Promise<Warehouse> {
  const settings: Record<string, string> = {};
  if (options.memoryLimit) settings['memory_limit'] = options.memoryLimit;
  if (options.threads) settings['threads'] = String(options.threads);
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(options.path, settings);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new Error(`cannot open the warehouse ${options.path}: ${reason}`);
  }
  const connection = await instance.connect();
  // Day arithmetic is done explicitly in the project timezone; the session zone stays UTC
  // so that nothing depends on the machine's locale. (ICU loads with the first connection.)
  await connection.run("SET TimeZone = 'UTC'");
  const db = new Kysely<any>({ dialect: new DuckDBDialect(connection) });
  return {
    db,
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

