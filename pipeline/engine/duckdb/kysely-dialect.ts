import type { DuckDBConnection } from '@duckdb/node-api';
import {
  DialectAdapterBase,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
} from 'kysely';
import { DuckDBDriver } from './driver.ts';

/** DuckDB speaks PostgreSQL's dialect closely enough for kysely's Postgres query
 *  compiler ($1 parameters, double-quoted identifiers). */
class DuckDBAdapter extends DialectAdapterBase {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
  override get supportsReturning(): boolean {
    return true;
  }
  // One process owns the warehouse file (DuckDB locks it), so there is nothing to lock.
  override async acquireMigrationLock(): Promise<void> {}
  override async releaseMigrationLock(): Promise<void> {}
}

export class DuckDBDialect implements Dialect {
  constructor(private readonly connection: DuckDBConnection) {}
  createDriver(): Driver {
    return new DuckDBDriver(this.connection);
  }
  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }
  createAdapter(): DialectAdapter {
    return new DuckDBAdapter();
  }
  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }
}
