import { Kysely, type RawBuilder } from 'kysely';
import { UsageError } from '../errors.ts';

/** An open warehouse, whatever the engine: kysely over one pinned connection. Every query of
 *  the pipeline goes through `db`, so temp tables, transactions and (on PostgreSQL) the
 *  session's settings and lock behave the same on every engine. */
export interface Warehouse {
  engine: 'duckdb' | 'postgres';
  db: Kysely<any>;
  readOnly: boolean;
  /** Runs a statement and returns its rows as plain JS values, the same shapes on every
   *  engine: BIGINT and NUMERIC → number, DATE → 'YYYY-MM-DD', TIMESTAMP → ISO string in UTC,
   *  lists → arrays, JSON → its text. */
  query<R = Record<string, unknown>>(statement: RawBuilder<unknown>): Promise<R[]>;
  /** Runs statements in order inside one transaction: all or nothing. */
  transaction(work: (trx: Kysely<any>) => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

/** The Warehouse around an engine's kysely; `close` releases what the engine holds. */
export function warehouseOf(engine: Warehouse['engine'], db: Kysely<any>, readOnly: boolean, close: () => Promise<void>): Warehouse {
  return {
    engine,
    db,
    readOnly,
    async query<R>(statement: RawBuilder<unknown>) {
      const result = await statement.execute(db);
      return result.rows as R[];
    },
    async transaction(work) {
      await db.transaction().execute(work);
    },
    close,
  };
}

/** A read-only open of a warehouse that does not exist (yet): bad usage, exit 2. */
export class NoWarehouseError extends UsageError {
  constructor(readonly path: string) {
    super(`no warehouse yet at ${path}: run \`healthscore run\` first`);
  }
}

/** Another process holds the warehouse (DuckDB's file lock, PostgreSQL's advisory lock on the
 *  schema): a runtime failure (exit 1) that goes away when that process ends. */
export class WarehouseBusyError extends Error {}
