import { sql } from 'kysely';
import type { Warehouse } from '../../pipeline/engine/warehouse.ts';

/** Every row of `table` without the `omit` columns, in one order on any engine (PostgreSQL
 *  has no `order by all` nor `* exclude`): for checks that a step changed nothing. */
export async function tableRows(wh: Warehouse, table: string, omit: string[] = []): Promise<Record<string, unknown>[]> {
  const rows = await wh.query<Record<string, unknown>>(sql`select * from ${sql.table(table)}`);
  const kept = rows.map((row) => Object.fromEntries(Object.entries(row).filter(([column]) => !omit.includes(column))));
  return kept.map((row) => [JSON.stringify(row), row] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
}
