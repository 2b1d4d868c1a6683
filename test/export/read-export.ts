// Reading an export back the way its users do, with readers independent of DuckDB:
// hyparquet for Parquet, apache-arrow for Arrow IPC.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';

/** Every partition file of a table: folder → rows, in the file's order. */
export async function readTable(root: string, table: string, ext: '.parquet' | '.arrow') {
  const files: Record<string, Record<string, unknown>[]> = {};
  for (const folder of (await readdir(join(root, table))).sort()) {
    const path = join(root, table, folder, `data${ext}`);
    files[folder] = ext === '.parquet'
      ? await parquetReadObjects({ file: await asyncBufferFromFile(path) })
      : tableFromIPC(await readFile(path)).toArray().map((row) => plain(row.toJSON()));
  }
  return files;
}

/** A file's columns and their types, as its readers see them. */
export async function fileSchema(path: string): Promise<unknown> {
  if (path.endsWith('.arrow')) return tableFromIPC(await readFile(path)).schema.fields.map((f) => `${f.name}: ${String(f.type)}`);
  const { schema } = await parquetMetadataAsync(await asyncBufferFromFile(path));
  return schema;
}

/** Arrow values as hyparquet gives them: lists as arrays, dates as Date. */
function plain(row: Record<string, unknown>): Record<string, unknown> {
  const value = (k: string, v: unknown) =>
    v !== null && typeof v === 'object' && 'toArray' in v ? [...(v as unknown as Iterable<unknown>)] : typeof v === 'number' && k.endsWith('_date') ? new Date(v) : v;
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, value(k, v)]));
}
