import { DuckDBInstance } from '@duckdb/node-api';

/** Writes the rows of `select` (DuckDB SQL) to a Parquet file with an in-memory DuckDB, so
 *  that a test makes the same file whatever its warehouse's engine. */
export async function writeParquet(file: string, select: string): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run("set TimeZone = 'UTC'");
    await connection.run(`copy (${select}) to '${file.replaceAll("'", "''")}' (format parquet)`);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
