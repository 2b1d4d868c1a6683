import { mkdir, readdir, rename, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { exportOrder, OUTPUT_TABLES, type OutputTable } from '../../models/output-tables.ts';
import type { Warehouse } from '../engine/adapter.ts';
import type { SqlDialect } from '../sql/dialects/dialect.ts';
import type { DaySpan } from '../days.ts';
import type { ProjectConfig } from '../ir/types.ts';
import { stringLiteral } from '../sql/sql-literal.ts';
import { writeArrowPartitions } from './arrow-ipc.ts';
import { withExportSource } from './export-source.ts';
import {
  copySpans, folderDays, partitionColumn, partitionCount, partitionSelect, partitionSpans, PARTITIONS_PER_COPY, type Partitioning,
} from './partitions.ts';

export type ExportFormat = 'parquet' | 'arrow';

export interface ExportOptions {
  path: string;
  formats: ExportFormat[];
  /** One file per day (the default) or per month. */
  partition?: Partitioning;
  /** Only these days (the ones a run materialised), widened to whole partitions; all days
   *  when absent. */
  days?: DaySpan[];
  /** Also delete those days' files in the formats not written (a format dropped from
   *  healthscore.yaml must not leave stale files behind). */
  prune?: boolean;
  /** The settings of the in-memory DuckDB that writes a PostgreSQL warehouse's files
   *  (export-source.ts). */
  duckdb?: Pick<ProjectConfig, 'memoryLimit' | 'threads'>;
}

const EXTENSIONS: Record<ExportFormat, string> = { parquet: '.parquet', arrow: '.arrow' };

/** Writes `<path>/<table>/<partition folder>/data.parquet` (and `data.arrow`), see
 *  partitions.ts for the folders. Every partition is written under a staging folder first
 *  and then renamed into place file by file: a rename is atomic, so a reader sees the old
 *  file or the new one, never half of one. Returns the number of partition files written.
 *  The files are written by DuckDB whatever the warehouse's engine (export-source.ts). */
export async function exportTables(warehouse: Pick<Warehouse, 'engine' | 'db'>, dialect: SqlDialect, options: ExportOptions): Promise<number> {
  const partition = options.partition ?? 'day';
  const days = options.days && partitionSpans(options.days, partition);
  await removeStaging(options.path);
  const staging = join(options.path, `.staging-${process.pid}-${Date.now()}`);
  let written = 0;
  try {
    await withExportSource(warehouse, dialect, { days, folder: staging, duckdb: options.duckdb }, async (source) => {
      for (const table of OUTPUT_TABLES) {
        const final = join(options.path, table.name);
        // Pruning alone reads no rows.
        const read = options.formats.length > 0 ? await source.table(table) : undefined;
        for (const format of Object.keys(EXTENSIONS) as ExportFormat[]) {
          if (read && options.formats.includes(format)) {
            const where = daysFilter(table, read.dialect, days);
            const out = join(staging, format, table.name);
            await mkdir(out, { recursive: true });
            if (format === 'parquet') await writeParquetPartitions(read.db, table, partition, where, out, days);
            else await writeArrowPartitions(read.db, table, partition, where, out);
            written += await publish(out, final, EXTENSIONS[format], table, days);
          } else if (options.prune) {
            await removeStale(final, EXTENSIONS[format], table, days, new Set());
          }
        }
      }
    });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return written;
}

async function writeParquetPartitions(
  db: Kysely<any>,
  table: OutputTable,
  partition: Partitioning,
  where: RawBuilder<unknown>,
  out: string,
  days: DaySpan[] | undefined,
) {
  const date = sql.ref(table.dateColumn);
  const copy = (range: RawBuilder<unknown>) => sql`copy (select *${partitionSelect(table, partition)} from ${sql.table(table.name)} where ${where} and ${range}
        order by ${exportOrder(table)})
      to ${stringLiteral(out)} (format parquet, compression snappy, partition_by (${sql.ref(partitionColumn(table, partition))}),
        overwrite_or_ignore true, filename_pattern 'data_{i}')`.execute(db);
  // A run's few days fit in one COPY: no need to read the table once more for its bounds.
  if (days && days.reduce((n, d) => n + partitionCount(d, partition), 0) <= PARTITIONS_PER_COPY) {
    await copy(sql`true`);
    return;
  }
  const { rows } = await sql<{ first: string | null; last: string | null }>`
    select min(${date})::varchar as first, max(${date})::varchar as last from ${sql.table(table.name)} where ${where}`.execute(db);
  const { first, last } = rows[0] ?? {};
  if (!first || !last) return;
  for (const span of copySpans({ from: first, to: last }, partition)) {
    await copy(sql`${date} between cast(${span.from} as date) and cast(${span.to} as date)`);
  }
}

function daysFilter(table: OutputTable, dialect: SqlDialect, days: DaySpan[] | undefined) {
  if (!days) return sql`true`;
  if (days.length === 0) return sql`false`;
  const column = sql.ref(table.dateColumn);
  return sql`(${sql.join(
    days.map((d) => sql`${column} between ${dialect.date(d.from)} and ${dialect.date(d.to)}`),
    sql` or `,
  )})`;
}

/** Moves each staged partition's file to `<final>/<partition>/data<ext>` by rename, and
 *  removes the files of exported days that no longer have rows (an alert that stopped
 *  firing after a definition change must not linger in the export). */
async function publish(staged: string, final: string, ext: string, table: OutputTable, days: DaySpan[] | undefined): Promise<number> {
  const published = new Set<string>();
  for (const partition of await subfolders(staged)) {
    const files = (await readdir(join(staged, partition))).filter((f) => f.endsWith(ext));
    if (files.length !== 1) throw new Error(`expected one ${ext} file in ${partition}, found ${files.length}`);
    await mkdir(join(final, partition), { recursive: true });
    await rename(join(staged, partition, files[0]!), join(final, partition, `data${ext}`));
    published.add(partition);
  }
  await removeStale(final, ext, table, days, published);
  return published.size;
}

/** Deletes `data<ext>` of the partitions (of either layout) that hold covered days, except
 *  the ones just published, and their folders once empty. */
async function removeStale(final: string, ext: string, table: OutputTable, days: DaySpan[] | undefined, keep: Set<string>) {
  for (const partition of await subfolders(final)) {
    const span = folderDays(table, partition);
    if (!span || keep.has(partition)) continue;
    if (days && !days.some((d) => d.from <= span.to && span.from <= d.to)) continue;
    await rm(join(final, partition, `data${ext}`), { force: true });
    // The other format's file may still be there.
    await rmdir(join(final, partition)).catch(() => undefined);
  }
}

/** Staging folders of an export that was killed: the warehouse lock this process holds
 *  means no other export of the project is under way. */
export async function removeStaging(path: string): Promise<void> {
  for (const name of await subfolders(path)) {
    if (name.startsWith('.staging-')) await rm(join(path, name), { recursive: true, force: true });
  }
}

async function subfolders(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return [];
  }
}
