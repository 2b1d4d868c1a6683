import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Kysely, RawBuilder } from 'kysely';
import { to as copyTo } from 'pg-copy-streams';
import { withPostgresClient } from './pinned-client.ts';

/** Writes the rows of `query` to `file` as CSV with `COPY (…) TO STDOUT`, on the warehouse's
 *  client (inside its transaction when `db` is one); returns the number of rows. PostgreSQL's
 *  CSV: no header, an unquoted empty field is null and `""` the empty string. COPY takes no
 *  bound parameters, so `query` must have its values as literals. */
export async function copyOutCsv(db: Kysely<any>, query: RawBuilder<unknown>, file: string): Promise<number> {
  const compiled = query.compile(db);
  if (compiled.parameters.length > 0) throw new Error('COPY … TO STDOUT cannot take bound parameters: write the values as literals');
  return withPostgresClient(db, async (client) => {
    const copy = client.query(copyTo(`copy (${compiled.sql}) to stdout with (format csv)`));
    await pipeline(copy, createWriteStream(file));
    return copy.rowCount;
  });
}
