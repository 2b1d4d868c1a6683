import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import type { OutputColumn, OutputTable } from '../../models/output-tables.ts';
import { createTable } from '../sql/create-table.ts';
import type { Warehouse } from '../engine/adapter.ts';
import { openWarehouse } from '../engine/warehouse.ts';
import type { DaySpan } from '../days.ts';
import type { ProjectConfig } from '../ir/types.ts';
import { duckdb } from '../sql/dialects/duckdb.ts';
import type { SqlDialect } from '../sql/dialects/dialect.ts';
import { stringLiteral } from '../sql/sql-literal.ts';

// The export's writers are DuckDB SQL (COPY … TO parquet with partition_by, and chunk
// streaming for Arrow). On a DuckDB warehouse they read the warehouse itself; on any other
// engine the rows of the exported days are first copied into an in-memory DuckDB, so the
// files come from the very same code, with the same types and row order.

/** Where the writers read an output table from. */
export interface ExportSource {
  /** A DuckDB kysely (and its dialect) that holds `table`'s rows of the exported days.
   *  Asking for the next table may drop the previous one's rows. */
  table(table: OutputTable): Promise<{ db: Kysely<any>; dialect: SqlDialect }>;
}

export interface StagingOptions {
  /** The exported days (whole partitions); all when absent. */
  days: DaySpan[] | undefined;
  /** A scratch folder for the rows on their way, removed by the caller. */
  folder: string;
  /** The staging DuckDB's settings (healthscore.yaml's memory_limit and threads). */
  duckdb?: Pick<ProjectConfig, 'memoryLimit' | 'threads'>;
}

/** Runs `work` with the source for `warehouse`. */
export async function withExportSource<T>(
  warehouse: Pick<Warehouse, 'engine' | 'db'>,
  dialect: SqlDialect,
  { days, folder, duckdb: settings }: StagingOptions,
  work: (source: ExportSource) => Promise<T>,
): Promise<T> {
  if (warehouse.engine === 'duckdb') return work({ table: async () => ({ db: warehouse.db, dialect }) });
  // Loaded on use, as the PostgreSQL adapter is.
  const { copyOutCsv } = await import('../engine/postgres/copy-out.ts');
  const staging = await openWarehouse({ path: ':memory:', memoryLimit: settings?.memoryLimit, threads: settings?.threads });
  try {
    // One snapshot for every table, as on DuckDB where no writer can run beside the export.
    return await warehouse.db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(async (trx) => {
      // Doubles as shortest-exact text, whatever the server's setting (for this transaction).
      await sql`select set_config('extra_float_digits', '1', true)`.execute(trx);
      await mkdir(folder, { recursive: true });
      let staged: OutputTable | undefined;
      return work({
        async table(table) {
          // One table at a time in memory: the export writes a table's files before asking for the next.
          if (staged) await sql`drop table ${sql.table(staged.name)}`.execute(staging.db);
          staged = table;
          await createTable(duckdb, table).execute(staging.db);
          const csv = join(folder, `${table.name}.csv`);
          try {
            const rows = sql`select ${sql.join(table.columns.map(asCsv))} from ${sql.table(table.name)} where ${daysWhere(table, days)}`;
            const copied = await copyOutCsv(trx, rows, csv);
            const { numAffectedRows } = await sql`insert into ${sql.table(table.name)} select ${sql.join(table.columns.map(fromCsv))} from ${readCsv(table, csv)}`
              .execute(staging.db);
            if (Number(numAffectedRows) !== copied) throw new Error(`staged ${numAffectedRows} of the ${copied} rows of ${table.name} copied out of the warehouse`);
          } finally {
            await rm(csv, { force: true });
          }
          return { db: staging.db, dialect: duckdb };
        },
      });
    });
  } finally {
    await staging.close();
  }
}

/** The exported days on PostgreSQL, as literals: COPY takes no parameters. */
function daysWhere(table: OutputTable, days: DaySpan[] | undefined) {
  if (!days) return sql`true`;
  if (days.length === 0) return sql`false`;
  const column = sql.ref(table.dateColumn);
  const day = (d: string) => sql`cast(${stringLiteral(d)} as date)`;
  return sql`(${sql.join(days.map((d) => sql`${column} between ${day(d.from)} and ${day(d.to)}`), sql` or `)})`;
}

/** A column as PostgreSQL writes it in CSV, in a form DuckDB reads back exactly: dates as
 *  ISO text whatever the session's DateStyle, lists as JSON (array_to_json quotes and
 *  escapes every item, and keeps null items). Doubles print shortest-exact (PostgreSQL 12+
 *  with extra_float_digits ≥ 1, which `read` sets). */
function asCsv(column: OutputColumn) {
  const ref = sql.ref(column.name);
  if (column.type === 'date') return sql`to_char(${ref}, 'YYYY-MM-DD')`;
  if (column.type === 'varchar[]') return sql`array_to_json(${ref})`;
  return ref;
}

function fromCsv(column: OutputColumn) {
  const ref = sql.ref(column.name);
  return column.type === 'varchar[]' ? sql`from_json(${ref}, '["VARCHAR"]')` : ref;
}

/** PostgreSQL's CSV as DuckDB reads it: nothing guessed, an unquoted empty field is null and
 *  `""` the empty string (`allow_quoted_nulls` off), quotes doubled inside quotes. */
function readCsv(table: OutputTable, file: string) {
  const types = table.columns.map((c) => sql`${stringLiteral(c.name)}: ${stringLiteral(c.type === 'varchar[]' ? 'VARCHAR' : c.type.toUpperCase())}`);
  return sql`read_csv(${stringLiteral(file)}, columns = {${sql.join(types)}}, header = false, auto_detect = false,
    delim = ',', quote = '"', escape = '"', nullstr = '', allow_quoted_nulls = false)`;
}
