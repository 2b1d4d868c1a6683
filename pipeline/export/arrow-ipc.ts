import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Bool, DateDay, Field, Float64, List, Table, Utf8, tableToIPC, vectorFromArray, type DataType } from 'apache-arrow';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { ExportTarget } from './export-tables.ts';

/** Arrow IPC files, one per date partition, laid out like the Parquet export. DuckDB has
 *  no built-in Arrow writer, so the snapshot rows (already computed in SQL) are read per
 *  partition and encoded with apache-arrow, with the same BI-friendly types. */
export async function writeArrowPartitions(db: Kysely<any>, target: ExportTarget, where: RawBuilder<unknown>, out: string): Promise<void> {
  const table = sql.table(target.table);
  const column = sql.ref(target.dateColumn);
  const { rows: schema } = await sql<{ column_name: string; column_type: string }>`describe ${table}`.execute(db);
  const { rows: dates } = await sql<{ day: string }>`select distinct ${column} as day from ${table} where ${where} order by 1`.execute(db);
  for (const { day } of dates) {
    const { rows } = await sql<Record<string, unknown>>`
      select * exclude (${column}) from ${table} where ${column} = cast(${day} as date)
      order by scorecard, account_id`.execute(db);
    const vectors = Object.fromEntries(
      schema
        .filter((c) => c.column_name !== target.dateColumn)
        .map((c) => [c.column_name, vectorFromArray(rows.map((r) => toArrowValue(r[c.column_name], c.column_type)), arrowType(c.column_type))]),
    );
    const folder = join(out, `${target.dateColumn}=${day}`);
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'data.arrow'), tableToIPC(new Table(vectors), 'file'));
  }
}

function arrowType(duckdbType: string): DataType {
  switch (duckdbType) {
    case 'DOUBLE':
      return new Float64();
    case 'BOOLEAN':
      return new Bool();
    case 'DATE':
      return new DateDay();
    case 'VARCHAR[]':
      return new List(new Field('item', new Utf8(), true));
    default:
      return new Utf8();
  }
}

function toArrowValue(value: unknown, duckdbType: string): unknown {
  if (value === null || value === undefined) return null;
  if (duckdbType === 'DATE') return new Date(`${value as string}T00:00:00Z`);
  return value;
}
