import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Kysely } from 'kysely';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { RowCopier } from '../../load/staged-copy.ts';
import { withPostgresClient } from './pinned-client.ts';

/** Copying rows into PostgreSQL with `COPY … FROM STDIN` on `on` (a client, or the
 *  warehouse's kysely or a transaction of it), so that it takes part in whatever
 *  transaction that connection is in (the load's). */
export function postgresCopier(on: pg.ClientBase | Kysely<any>): RowCopier {
  const withClient = <T>(work: (client: pg.ClientBase) => Promise<T>) => (on instanceof Kysely ? withPostgresClient(on, work) : work(on));
  return {
    engine: 'PostgreSQL',
    copyCsv: (table, columns, file) => withClient(async (client) => {
      const target = `${pg.escapeIdentifier(table)} (${columns.map((c) => pg.escapeIdentifier(c)).join(', ')})`;
      // PostgreSQL's CSV rules are DuckDB's CSV writer's: unquoted empty is null, "" is ''.
      const copy = client.query(copyFrom(`copy ${target} from stdin with (format csv)`));
      await pipeline(createReadStream(file), copy);
      return copy.rowCount;
    }),
    refusal(error) {
      const { code, message, where } = error as { code?: unknown; message?: unknown; where?: unknown };
      // Class 22 is "data exception": a value the column's type refused. Its line is the
      // copied CSV's, not the file's, so only the column is worth showing.
      const column = typeof where === 'string' ? /COPY [^\n]*?, line \d+, column ([^:\n]+):/.exec(where)?.[1] : undefined;
      return {
        refused: typeof code === 'string' && code.startsWith('22'),
        // A NUL byte in text (character_not_in_repertoire), `\u0000` in JSON (untranslatable_character).
        nul: code === '22021' || code === '22P05',
        reason: `${String(message ?? error).split('\n')[0]}${column ? ` (column ${column})` : ''}`,
      };
    },
  };
}
