import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { SqlDialect } from '../compile/dialect.ts';
import { daysBetween } from '../days.ts';
import { stringLiteral } from '../engine/sql-literal.ts';
import { writeArrowPartitions } from './arrow-ipc.ts';

export interface ExportTarget {
  table: 'score_snapshots' | 'health_snapshots' | 'alerts';
  dateColumn: 'snapshot_date' | 'alert_date';
}

export const EXPORTS: ExportTarget[] = [
  { table: 'score_snapshots', dateColumn: 'snapshot_date' },
  { table: 'health_snapshots', dateColumn: 'snapshot_date' },
  { table: 'alerts', dateColumn: 'alert_date' },
];

export interface ExportOptions {
  path: string;
  formats: ('parquet' | 'arrow')[];
  /** Only these days (the ones a run materialised); all days when absent. */
  days?: { from: string; to: string }[];
  /** Also delete those days' files in the formats not written (a format dropped from
   *  healthscore.yaml must not leave stale files behind). */
  prune?: boolean;
}

const EXTENSIONS = { parquet: '.parquet', arrow: '.arrow' } as const;

/** Writes `<path>/<table>/<date column>=YYYY-MM-DD/data.parquet` (and `data.arrow`).
 *  Every partition is written under a staging folder first and then renamed into place
 *  file by file: a rename is atomic, so a reader sees the old file or the new one, never
 *  half of one. Returns the number of partition files written. */
export async function exportTables(db: Kysely<any>, dialect: SqlDialect, options: ExportOptions): Promise<number> {
  await removeStaging(options.path);
  const staging = join(options.path, `.staging-${process.pid}-${Date.now()}`);
  let written = 0;
  try {
    for (const target of EXPORTS) {
      const where = daysFilter(target, dialect, options.days);
      if (options.formats.includes('parquet')) {
        const out = join(staging, 'parquet', target.table);
        await writeParquetPartitions(db, target, where, out, options.days);
        written += await publish(out, join(options.path, target.table), '.parquet', target, options.days);
      }
      if (options.formats.includes('arrow')) {
        const out = join(staging, 'arrow', target.table);
        await writeArrowPartitions(db, target, where, out);
        written += await publish(out, join(options.path, target.table), '.arrow', target, options.days);
      }
      if (options.prune) {
        for (const [format, ext] of Object.entries(EXTENSIONS)) {
          if (!options.formats.includes(format as keyof typeof EXTENSIONS)) {
            await removeStale(join(options.path, target.table), ext, target, options.days, new Set());
          }
        }
      }
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return written;
}

/** DuckDB keeps at most `partitioned_write_max_open_files` (100) partitions open and
 *  starts a second file when it must reopen one; writing at most that many days per
 *  COPY keeps every partition in one file, which is what makes the rename atomic. */
const DAYS_PER_COPY = 90;

async function writeParquetPartitions(
  db: Kysely<any>,
  target: ExportTarget,
  where: RawBuilder<unknown>,
  out: string,
  days: ExportOptions['days'],
) {
  const table = sql.table(target.table);
  const column = sql.ref(target.dateColumn);
  const copy = (chunk: RawBuilder<unknown>) => sql`copy (select * from ${table} where ${where} and ${chunk}
        order by ${column}, scorecard, account_id)
      to ${stringLiteral(out)} (format parquet, compression snappy, partition_by (${column}),
        overwrite_or_ignore true, filename_pattern 'data_{i}')`.execute(db);
  await mkdir(out, { recursive: true });
  // A run's few days fit in one COPY: no need to read the table once more for its days.
  if (days && days.reduce((n, d) => n + daysBetween(d.from, d.to) + 1, 0) <= DAYS_PER_COPY) {
    await copy(sql`true`);
    return;
  }
  const { rows } = await sql<{ day: string }>`select distinct ${column} as day from ${table} where ${where} order by 1`.execute(db);
  for (let i = 0; i < rows.length; i += DAYS_PER_COPY) {
    const chunk = rows.slice(i, i + DAYS_PER_COPY);
    await copy(sql`${column} between cast(${chunk[0]!.day} as date) and cast(${chunk[chunk.length - 1]!.day} as date)`);
  }
}

function daysFilter(target: ExportTarget, dialect: SqlDialect, days: ExportOptions['days']) {
  if (!days) return sql`true`;
  if (days.length === 0) return sql`false`;
  const column = sql.ref(target.dateColumn);
  return sql`(${sql.join(
    days.map((d) => sql`${column} between ${dialect.date(d.from)} and ${dialect.date(d.to)}`),
    sql` or `,
  )})`;
}

/** Moves each staged partition's file to `<final>/<partition>/data<ext>` by rename, and
 *  removes the files of exported days that no longer have rows (an alert that stopped
 *  firing after a definition change must not linger in the export). */
async function publish(staged: string, final: string, ext: string, target: ExportTarget, days: ExportOptions['days']): Promise<number> {
  const published = new Set<string>();
  for (const partition of await subfolders(staged)) {
    const files = (await readdir(join(staged, partition))).filter((f) => f.endsWith(ext));
    if (files.length !== 1) throw new Error(`expected one ${ext} file in ${partition}, found ${files.length}`);
    await mkdir(join(final, partition), { recursive: true });
    await rename(join(staged, partition, files[0]!), join(final, partition, `data${ext}`));
    published.add(partition);
  }
  await removeStale(final, ext, target, days, published);
  return published.size;
}

/** Deletes `data<ext>` of the covered days' partitions, except the ones just published. */
async function removeStale(final: string, ext: string, target: ExportTarget, days: ExportOptions['days'], keep: Set<string>) {
  const prefix = `${target.dateColumn}=`;
  for (const partition of await subfolders(final)) {
    const day = partition.startsWith(prefix) ? partition.slice(prefix.length) : undefined;
    if (!day || keep.has(partition)) continue;
    if (!days || days.some((d) => d.from <= day && day <= d.to)) await rm(join(final, partition, `data${ext}`), { force: true });
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
