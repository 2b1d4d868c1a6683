import { sql, type Kysely, type RawBuilder } from 'kysely';
import { keyed } from '../sql/create-table.ts';
import type { SqlDialect } from '../sql/dialects/dialect.ts';
import { FILE_HASHES, LOADED_FILES } from './tables.ts';

/** A distinct file content of a source, loaded under one source fingerprint. */
export interface LedgerEntry {
  source: string;
  file_key: string;
  content_hash: string;
  fingerprint: string;
  paths: string[];
  row_count: number;
  rejected_rows: number;
  valid_to: string;
  future_rows: number;
}

/** Every ledger entry, by source, in one query: `status` and `run` read the ledger at
 *  every start, and a query per source cost a round trip each. */
export async function ledgerBySource(db: Kysely<any>): Promise<(source: string) => LedgerEntry[]> {
  const { rows } = await sql<LedgerEntry>`
    select source, file_key, content_hash, fingerprint, paths, row_count::int as row_count,
           rejected_rows::int as rejected_rows, valid_to::varchar as valid_to, future_rows::int as future_rows
    from loaded_files order by source, file_key`.execute(db);
  return (source) => rows.filter((r) => r.source === source);
}

export async function addLedgerEntry(trx: Kysely<any>, dialect: SqlDialect, entry: LedgerEntry): Promise<void> {
  await dialect.upsert(keyed(LOADED_FILES), sql`values (${entry.source}, ${entry.file_key}, ${entry.content_hash},
    ${entry.fingerprint}, ${dialect.textList(entry.paths)}, ${entry.row_count}, ${entry.rejected_rows}, now(),
    cast(${entry.valid_to} as date), ${entry.future_rows})`).execute(trx);
}

export async function removeLedgerEntries(trx: Kysely<any>, source: string, keys: string[]): Promise<void> {
  if (keys.length === 0) return;
  await sql`delete from loaded_files where source = ${source} and file_key in (${sql.join(keys)})`.execute(trx);
}

/** Where a loaded content is seen now (a rename or a copy changes only this). */
export async function setLedgerPaths(db: Kysely<any>, dialect: SqlDialect, source: string, key: string, paths: string[]): Promise<void> {
  await sql`update loaded_files set paths = ${dialect.textList(paths)} where source = ${source} and file_key = ${key}`.execute(db);
}

/** Where the rows of a file key were read from, for messages about rows. `source` and
 *  `fileKey` are qualified columns of the outer query. */
export function firstPathOf(source: RawBuilder<unknown>, fileKey: RawBuilder<unknown>) {
  return sql<string>`(select l.paths[1] from loaded_files l where l.source = ${source} and l.file_key = ${fileKey})`;
}

/** The content hashes of files whose size and modification time have not changed since
 *  they were last hashed, by path. One query for all files: a per-file look-up cost a
 *  round trip each at every start of `status` and `run`. */
export async function cachedHashes(db: Kysely<any>): Promise<(path: string, size: number, mtimeMs: number) => string | undefined> {
  const { rows } = await sql<{ path: string; file_size: number; file_mtime_ms: number; content_hash: string }>`
    select path, file_size, file_mtime_ms, content_hash from file_hashes`.execute(db);
  const byPath = new Map(rows.map((r) => [r.path, r]));
  return (path, size, mtimeMs) => {
    const known = byPath.get(path);
    return known && Number(known.file_size) === size && Number(known.file_mtime_ms) === mtimeMs ? known.content_hash : undefined;
  };
}

export async function rememberHashes(db: Kysely<any>, dialect: SqlDialect, hashes: { path: string; size: number; mtimeMs: number; hash: string }[]): Promise<void> {
  for (const h of hashes) {
    await dialect.upsert(keyed(FILE_HASHES), sql`values (${h.path}, ${h.size}, ${h.mtimeMs}, ${h.hash})`).execute(db);
  }
}
