import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { ensureWarehouseTables } from '../../models/warehouse-tables.ts';
import { openWarehouse, type Warehouse } from '../engine/warehouse.ts';
import type { ProjectConfig } from '../ir/types.ts';
import { duckdb } from '../sql/dialects/duckdb.ts';
import { stringLiteral } from '../sql/sql-literal.ts';
import type { SqlDialect } from '../sql/dialects/dialect.ts';
import { InputDataError } from './input-data-error.ts';
import { insertFile } from './insert-file.ts';
import { fileSourceOf, type NewFile, type SourcePlan } from './plan-load.ts';
import { EVENTS } from './raw-targets.ts';
import { describeColumns, readerFor } from './source-files.ts';

type InsertedFile = Awaited<ReturnType<typeof insertFile>>;

/** What a warehouse that is not DuckDB offers a load: copying rows in, within the load's
 *  transaction (pipeline/engine/postgres/copy-in.ts). */
export interface RowCopier {
  /** The engine, as messages name it. */
  engine: string;
  /** Copies a CSV file into `table`'s `columns`; returns the rows copied. The file has no
   *  header; an unquoted empty field is null, `""` the empty string. */
  copyCsv(table: string, columns: string[], file: string): Promise<number>;
  /** What a failed `copyCsv` says: whether the engine refused a value of the rows (then
   *  `nul` when it was a NUL byte, which its text cannot hold), and why, in one line. */
  refusal(error: unknown): { refused: boolean; nul: boolean; reason: string };
}

/** Where a load puts a file's rows: straight into a DuckDB warehouse, or through the
 *  staging into another engine's tables. Either way the same rows, checks and errors. */
export type FileDestination =
  | { kind: 'duckdb'; trx: Kysely<any>; dialect: SqlDialect }
  | { kind: 'staged'; staging: FileStaging; copier: RowCopier };

export function insertFileInto(destination: FileDestination, config: ProjectConfig, plan: SourcePlan, file: NewFile, key: string): Promise<InsertedFile> {
  return destination.kind === 'duckdb'
    ? insertFile(destination.trx, config, destination.dialect, plan, file, key)
    : destination.staging.insertFile(destination.copier, config, plan, file, key);
}

/** DuckDB as the file reader of another engine's warehouse. A file is loaded by today's
 *  `insertFile` into empty copies of the raw tables and rejected_rows in an in-memory
 *  DuckDB, so its checks, typing, line numbers and messages are the DuckDB load's; the
 *  staged rows are then written as CSV and copied into the warehouse, and the staging
 *  emptied for the next file. Open one per load: it keeps a DuckDB and a temp folder. */
export class FileStaging {
  private readonly columns = new Map<string, { name: string; type: string }[]>();

  private constructor(
    private readonly duck: Warehouse,
    private readonly folder: string,
  ) {}

  /** The staging's DuckDB, which also lists the source files (planLoad). */
  get files(): Kysely<any> {
    return this.duck.db;
  }

  static async open(config: Pick<ProjectConfig, 'memoryLimit' | 'threads'>): Promise<FileStaging> {
    const duck = await openWarehouse({ path: ':memory:', memoryLimit: config.memoryLimit, threads: config.threads });
    try {
      await ensureWarehouseTables(duck.db, duckdb);
      return new FileStaging(duck, await mkdtemp(join(tmpdir(), 'healthscore-staging-')));
    } catch (error) {
      await duck.close();
      throw error;
    }
  }

  async insertFile(copier: RowCopier, config: ProjectConfig, plan: SourcePlan, file: NewFile, key: string): Promise<InsertedFile> {
    const tables = [plan.target.table, 'rejected_rows'];
    try {
      const result = await insertFile(this.duck.db, config, duckdb, plan, file, key);
      const staged = [result.rows, result.rejected];
      for (const [i, table] of tables.entries()) {
        if (staged[i]! > 0) await this.copyStaged(copier, table, staged[i]!, plan, file);
      }
      return result;
    } finally {
      for (const table of tables) await sql`truncate ${sql.table(table)}`.execute(this.duck.db);
    }
  }

  async close(): Promise<void> {
    await this.duck.close();
    await rm(this.folder, { recursive: true, force: true });
  }

  private async copyStaged(copier: RowCopier, table: string, rows: number, plan: SourcePlan, file: NewFile): Promise<void> {
    const columns = await this.columnsOf(table);
    const csv = join(this.folder, `${table}.csv`);
    try {
      await sql`copy (select ${sql.join(columns.map(forCopy))} from ${sql.table(table)}) to ${stringLiteral(csv)} (format csv, header false)`.execute(this.duck.db);
      let copied: number;
      try {
        copied = await copier.copyCsv(table, columns.map((c) => c.name), csv);
      } catch (error) {
        const { refused, nul, reason } = copier.refusal(error);
        const located = nul ? await this.nulInFile(plan, file, copier.engine) : undefined;
        if (located) throw located;
        const message = `cannot be copied into the warehouse's ${table}: ${reason}`;
        throw refused ? new InputDataError(file.paths[0]!, undefined, undefined, message) : new Error(`${file.paths[0]} ${message}`);
      }
      if (copied !== rows) throw new Error(`copied ${copied} of the ${rows} rows of ${file.paths[0]} into the warehouse's ${table}`);
    } finally {
      await rm(csv, { force: true });
    }
  }

  private async columnsOf(table: string): Promise<{ name: string; type: string }[]> {
    let columns = this.columns.get(table);
    if (!columns) {
      columns = await this.duck.query<{ name: string; type: string }>(sql`
        select column_name as name, data_type as type from duckdb_columns() where table_name = ${table} order by column_index`);
      this.columns.set(table, columns);
    }
    return columns;
  }

  /** The first line whose loaded values hold a NUL byte, which the warehouse refused:
   *  found only after a refusal, so a file without one costs nothing. The loaded values
   *  are the mapped columns, and for events and wide attributes every column. */
  private async nulInFile(plan: SourcePlan, file: NewFile, engine: string): Promise<InputDataError | undefined> {
    const source = fileSourceOf(plan);
    const reader = readerFor(source.format, file.file);
    const fileColumns = [...(await describeColumns(this.duck.db, reader)).keys()];
    const mapped = new Set(Object.values(source.columns));
    const loaded = plan.target === EVENTS || plan.wide ? fileColumns : fileColumns.filter((c) => mapped.has(c));
    if (loaded.length === 0) return undefined;
    const holdsNul = loaded.map((c) => ({ c, test: sql`contains(cast(${sql.id(c)} as varchar), chr(0))` }));
    const { rows } = await sql<{ line: number; field: string }>`
      select line, case ${sql.join(holdsNul.map(({ c, test }) => sql`when ${test} then ${c}`), sql` `)} end as field
      from (select row_number() over () + ${sql.lit(source.format === 'csv' ? 1 : 0)} as line, * from ${reader}) r
      where ${sql.join(holdsNul.map(({ test }) => test), sql` or `)} order by line limit 1`.execute(this.duck.db);
    const found = rows[0];
    return found && new InputDataError(file.paths[0]!, Number(found.line), found.field, `holds a NUL byte (\\0), which a ${engine} warehouse cannot store`);
  }
}

/** A staged column as the warehouse reads it from CSV. DuckDB's text of a value is
 *  PostgreSQL's (the session is UTC, so a timestamptz is written with `+00`), except an
 *  unsigned 64-bit hash: it becomes the signed 64-bit integer of the same bits, which is
 *  one-to-one, so keys made by the staging still compare equal exactly when their ids do. */
function forCopy(column: { name: string; type: string }) {
  const id = sql.id(column.name);
  if (column.type !== 'UBIGINT') return id;
  return sql`cast(case when ${id} >= 9223372036854775808 then cast(${id} as hugeint) - 18446744073709551616 else ${id} end as bigint) as ${id}`;
}
