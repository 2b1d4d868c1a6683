import type { DatabaseConnection, Kysely, PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';

/** One pg.Client seen by kysely's PostgresDialect as a pool that hands out that client and
 *  nothing else. Pinning matters: temp tables, transactions, the session's search_path and
 *  the warehouse's advisory lock live on a connection, and a pool would reconnect behind
 *  our back. A caller waits until the previous one released the client, so a transaction
 *  has it to itself. */
export class PinnedClientPool implements PostgresPool {
  #queue: Promise<void> = Promise.resolve();

  constructor(readonly client: pg.Client) {}

  async connect(): Promise<PostgresPoolClient> {
    const previous = this.#queue;
    let release!: () => void;
    this.#queue = new Promise((resolve) => (release = resolve));
    await previous;
    return { query: this.client.query.bind(this.client) as PostgresPoolClient['query'], release };
  }

  async end(): Promise<void> {
    await this.client.end();
  }
}

// kysely's connection object keeps its client private; its onCreateConnection hook tells us
// which of our clients each connection wraps.
const clients = new WeakMap<DatabaseConnection, pg.Client>();

export function rememberClient(connection: DatabaseConnection, client: pg.Client): void {
  clients.set(connection, client);
}

/** Runs `work` with the pg.Client under `db` (a warehouse's kysely or a transaction of it),
 *  for what kysely does not do, such as `COPY … FROM STDIN`. Inside a transaction it is the
 *  transaction's connection; otherwise `work` has the client to itself until it returns. */
export async function withPostgresClient<T>(db: Kysely<any>, work: (client: pg.Client) => Promise<T>): Promise<T> {
  return db.getExecutor().provideConnection(async (connection) => {
    const client = clients.get(connection);
    if (!client) throw new Error('not a PostgreSQL warehouse: withPostgresClient needs a kysely opened by openWarehouse on PostgreSQL');
    return work(client);
  });
}
