import type { DuckDBConnection, DuckDBDataChunk, DuckDBResultReader } from '@duckdb/node-api';
import { CompiledQuery, type DatabaseConnection, type Kysely, type QueryResult, type RawBuilder } from 'kysely';

/** Plain JS values for query results: BIGINT → number, DATE → 'YYYY-MM-DD',
 *  TIMESTAMP → ISO string, lists → arrays. Result sets we read are small summaries,
 *  never event rows, so the conversion cost does not matter. */
function toPlainRows(result: DuckDBResultReader): Record<string, unknown>[] {
  const types = result.columnTypes().map((t) => t.toString());
  const names = result.columnNames();
  return result.getRowObjectsJS().map((row) => {
    const out: Record<string, unknown> = {};
    names.forEach((name, i) => {
      out[name] = plain(row[name], types[i] ?? '');
    });
    return out;
  });
}

function plain(value: unknown, type: string): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return type === 'DATE' ? value.toISOString().slice(0, 10) : value.toISOString();
  if (Array.isArray(value)) return value.map((v) => plain(v, type.replace(/\[\]$/, '')));
  return value;
}

/** One pinned DuckDB connection seen through kysely's DatabaseConnection. Pinning matters:
 *  temp tables and transactions live on a connection. */
export class DuckDBKyselyConnection implements DatabaseConnection {
  constructor(readonly duckdb: DuckDBConnection) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const params = query.parameters as unknown[];
    const result = params.length
      ? await this.duckdb.runAndReadAll(query.sql, params as never)
      : await this.duckdb.runAndReadAll(query.sql);
    const kind = query.query.kind;
    if (kind === 'InsertQueryNode' || kind === 'UpdateQueryNode' || kind === 'DeleteQueryNode') {
      const changed = BigInt(result.rowsChanged);
      if (result.columnCount === 0 || result.columnNames()[0] === 'Count') {
        return { rows: [], numAffectedRows: changed };
      }
    }
    return { rows: toPlainRows(result) as R[], numAffectedRows: BigInt(result.rowsChanged) };
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not used: scores are computed in SQL, not in JavaScript');
  }
}

/** Streams a statement's result chunk by chunk (2,048 rows, column vectors) on the pinned
 *  connection, for a reader that takes whole columns rather than row objects (the Arrow
 *  export). `onChunk` runs before the next chunk is fetched. */
export async function streamChunks(
  db: Kysely<any>,
  statement: RawBuilder<unknown>,
  onChunk: (chunk: DuckDBDataChunk) => Promise<void>,
): Promise<void> {
  const query = statement.compile(db);
  await db.getExecutor().provideConnection(async (connection) => {
    const duckdb = (connection as DuckDBKyselyConnection).duckdb;
    const params = query.parameters as never;
    const result = query.parameters.length ? await duckdb.stream(query.sql, params) : await duckdb.stream(query.sql);
    for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
      await onChunk(chunk);
    }
  });
}
