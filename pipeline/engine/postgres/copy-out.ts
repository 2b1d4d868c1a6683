import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
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
    const out = createWriteStream(file);
    let failed: { error: unknown } | undefined;
    out.on('error', (error) => (failed ??= { error }));
    const copy = client.query(copyTo(`copy (${compiled.sql}) to stdout with (format csv)`));
    // Not stream.pipeline: it would destroy the COPY stream when the file fails, and a COPY
    // that is not read to its end holds the client forever (the rollback after it too).
    // After a failed write, the rest of the rows are read and dropped.
    try {
      for await (const chunk of copy) {
        if (!failed && !out.write(chunk)) await once(out, 'drain').catch(() => undefined);
      }
    } catch (error) {
      out.destroy();
      throw error;
    }
    if (failed) throw failed.error;
    out.end();
    await finished(out);
    return copy.rowCount;
  });
}
