import type { DuckDBConnection } from '@duckdb/node-api';
import type { DatabaseConnection, Driver } from 'kysely';
import { DuckDBKyselyConnection } from './connection.ts';

/** kysely Driver over one pinned @duckdb/node-api connection. Queries are serialised
 *  by kysely's own connection handling: there is a single connection to hand out, so
 *  acquireConnection waits until the previous holder released it. */
export class DuckDBDriver implements Driver {
  readonly #connection: DuckDBKyselyConnection;
  #queue: Promise<void> = Promise.resolve();
  #release: (() => void) | undefined;

  constructor(connection: DuckDBConnection) {
    this.#connection = new DuckDBKyselyConnection(connection);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    const previous = this.#queue;
    let release!: () => void;
    this.#queue = new Promise((resolve) => (release = resolve));
    await previous;
    this.#release = release;
    return this.#connection;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as DuckDBKyselyConnection).duckdb.run('BEGIN TRANSACTION');
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as DuckDBKyselyConnection).duckdb.run('COMMIT');
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as DuckDBKyselyConnection).duckdb.run('ROLLBACK');
  }

  async releaseConnection(): Promise<void> {
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }

  async destroy(): Promise<void> {
    this.#connection.duckdb.closeSync();
  }
}
