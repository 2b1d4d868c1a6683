import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { readsFilesItself } from '../engine/row-copier.ts';
import { openWarehouse } from '../engine/warehouse.ts';
import type { FileFormat } from '../ir/types.ts';
import type { SqlDialect } from '../sql/dialects/dialect.ts';

/** The files of a source path: the path itself when such a file exists (its name may hold
 *  glob characters), else the files its glob matches, sorted, by the engine's own glob. */
export async function listSourceFiles(db: Kysely<any>, root: string, pattern: string): Promise<string[]> {
  const absolute = isAbsolute(pattern) ? pattern : join(root, pattern);
  if ((await stat(absolute).catch(() => undefined))?.isFile()) return [absolute];
  const { rows } = await sql<{ file: string }>`select file from glob(${absolute}) order by file`.execute(db);
  return rows.map((r) => r.file);
}

/** Runs `work` with a DuckDB that can list source files: the warehouse itself when it is
 *  DuckDB, else an in-memory DuckDB opened for it (a load has its staging's instead). */
export async function withFileLister<T>(db: Kysely<any>, dialect: SqlDialect, work: (files: Kysely<any>) => Promise<T>): Promise<T> {
  if (readsFilesItself(dialect)) return work(db);
  const duck = await openWarehouse({ path: ':memory:' });
  try {
    return await work(duck.db);
  } finally {
    await duck.close();
  }
}

/** A file name as a glob that matches only itself: each glob character in brackets. */
export function literalGlob(file: string): string {
  return file.replace(/[[*?{]/g, (c) => `[${c}]`);
}

export function displayPath(root: string, file: string): string {
  const rel = relative(root, file);
  return rel.startsWith('..') ? file : rel;
}

export async function hashFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The table function that reads one file (as itself, never as a glob). CSV is read as
 *  text so that type sniffing never guesses differently from one file to the next; values
 *  are cast explicitly. */
export function readerFor(format: FileFormat, file: string): RawBuilder<unknown> {
  const path = sql.val(literalGlob(file));
  switch (format) {
    case 'csv':
      return sql`read_csv(${path}, header = true, all_varchar = true)`;
    case 'parquet':
      return sql`read_parquet(${path})`;
    case 'json':
      return sql`read_json_auto(${path})`;
  }
}

export async function describeColumns(db: Kysely<any>, reader: RawBuilder<unknown>): Promise<Map<string, string>> {
  const { rows } = await sql<{ column_name: string; column_type: string }>`describe select * from ${reader}`.execute(db);
  return new Map(rows.map((r) => [r.column_name, r.column_type]));
}
