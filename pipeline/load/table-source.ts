import { createHash } from 'node:crypto';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { isTableSource, tableName, type DataSource, type ProjectConfig, type TableSource } from '../ir/types.ts';
import type { SqlDialect } from '../sql/dialects/dialect.ts';
import { stringLiteral } from '../sql/sql-literal.ts';
import { InputDataError } from './input-data-error.ts';
import { EVENTS, type Col, type RawTarget, type RowCheck } from './raw-targets.ts';
import { badRowProblem, checkColumns, columnOf, fieldName, mapColumns, rangeChecks, requireColumns, sourceKey } from './source-rows.ts';

// A table (or view) of the warehouse as a source (SPEC §8). It is read where it is, and
// cut into days: the rows whose time field falls on one day (in the project's time zone)
// are one content, with a key made of their count and the sum of a hash of each row. A
// changed, added or deleted row changes its day's key only, so a load reloads that day
// and nothing else, as it reloads only the changed files of a file source (SPEC §7).
// Rows without a readable day share one content. The days to insert are joined in as the
// temp table hs_table_days (hs_day, hs_key): names no source column is likely to have.

/** One day of a table: its rows' fingerprint, the day (YYYY-MM-DD, '' for rows without
 *  one), and its name in messages. */
export interface TableDay {
  hash: string;
  day: string;
  name: string;
}

/** The table's columns that the load reads, and how. */
export interface TableShape {
  /** Every column of the table, with its type in DuckDB's names. */
  described: Map<string, string>;
  /** Our column name → the table's. */
  columns: Map<string, string>;
  col: Col;
  /** The columns whose values make a row's hash: every column where the unmapped ones
   *  matter (event properties, wide attributes), else the mapped ones. */
  hashed: string[];
}

export async function describeTable(db: Kysely<any>, dialect: SqlDialect, target: RawTarget, source: TableSource, wide: boolean, timestampFormat?: string): Promise<TableShape> {
  const { rows } = await sql<{ column_name: string; data_type: string }>`
    select column_name, data_type from information_schema.columns
    where table_schema = ${source.table.schema ?? dialect.defaultSchema} and table_name = ${source.table.name}
    order by ordinal_position`.execute(db);
  if (rows.length === 0) {
    const where = source.table.schema === undefined ? ` (a table without a schema is looked up in ${dialect.defaultSchema})` : '';
    throw new InputDataError('healthscore.yaml', undefined, `${sourceKey(target)}.table`, `the warehouse has no table or view ${tableName(source)}${where}`);
  }
  const described = new Map(rows.map((r) => [r.column_name, dialect.sourceType(r.data_type)]));
  const mapped = mapColumns(source, described);
  const columns = wide ? new Map([...mapped, ['attribute', 'attribute'], ['value', 'value']]) : mapped;
  requireColumns(target, source, columns, described, tableName(source), 'table');
  const textTimes = target.timeFields.filter((f) => columns.has(f) && described.get(columns.get(f)!) === 'VARCHAR');
  if (timestampFormat !== undefined && textTimes.length > 0 && !dialect.strptime) {
    const column = columns.get(textTimes[0]!)!;
    throw new InputDataError('healthscore.yaml', undefined, `${sourceKey(target)}.timestamp_format`,
      `PostgreSQL cannot read the text column "${column}" of ${tableName(source)} with a strptime format: leave timestamp_format out and read the table through a view that makes it a timestamp (to_timestamp(...))`);
  }
  const hashed = target === EVENTS || wide ? [...described.keys()] : [...new Set(mapped.values())];
  return { described, columns, col: columnOf(columns, described, dialect, timestampFormat), hashed };
}

/** The table's days as they are now: one content each. Costs one scan of the table. */
export async function tableDays(db: Kysely<any>, dialect: SqlDialect, config: ProjectConfig, target: RawTarget, source: TableSource, shape: TableShape): Promise<TableDay[]> {
  const hash = dialect.rowHash(shape.hashed.map((c) => sql.id('r', c)));
  const { rows } = await sql<{ day: string; n: string | number; fingerprint: string | null }>`
    select ${dayOfRow(target, shape.col, dialect, config.timezone)} as day, count(*) as n, cast(sum(${hash}) as varchar) as fingerprint
    from ${tableRef(dialect, source)} r group by 1 order by 1`.execute(db);
  return rows.map((r) => {
    const digest = createHash('sha256').update(`${r.day}:${r.n}:${r.fingerprint}`).digest('hex');
    return { hash: digest, day: r.day, name: dayName(source, r.day) };
  });
}

/** `analytics.events [2025-03-01]`: how messages and the ledger name a day of a table. */
function dayName(source: TableSource, day: string): string {
  return `${tableName(source)} [${day || NO_DAY}]`;
}
const NO_DAY = 'no day';

/** A day of a table, for messages that show a table's days as one. */
export interface TableDayName {
  table: string;
  /** YYYY-MM-DD, or 'no day'. */
  day: string;
}

/** The table and day a loaded content's name (dayName) stands for, when the source reads
 *  that table (a source switched from files to a table still has its files' contents in
 *  the ledger: those are files). */
export function tableDayOf(source: DataSource, name: string): TableDayName | undefined {
  if (!isTableSource(source)) return undefined;
  const table = tableName(source);
  return name.startsWith(`${table} [`) && name.endsWith(']') ? { table, day: name.slice(table.length + 2, -1) } : undefined;
}

/** A row's day, the one that picks its content: of its time field (overrides: of its first
 *  day), as text, '' when it has none. Text so that both engines group the same way. */
function dayOfRow(target: RawTarget, col: Col, dialect: SqlDialect, tz: string): RawBuilder<unknown> {
  const time = col.time(target.timeFields[0] ?? 'starts_on');
  return sql`coalesce(cast(${dialect.dayOf(time.value, tz, time.type)} as varchar), '')`;
}

const tableRef = (dialect: SqlDialect, source: TableSource) => sql.table(`${source.table.schema ?? dialect.defaultSchema}.${source.table.name}`);

export interface InsertedDay {
  rows: number;
  rejected: number;
  future: number;
}

/** Inserts the rows of the given days into the target's raw table, each day under its key
 *  (`keys`: day → key), in one pass over the table. Bad rows stop the load with the table,
 *  the field and the row (`on_bad_rows: fail`), or go to rejected_rows (`skip`; their line
 *  is 0: a table has none). */
export async function insertTableDays(
  trx: Kysely<any>,
  config: ProjectConfig,
  dialect: SqlDialect,
  target: RawTarget,
  source: TableSource,
  shape: TableShape,
  validRange: { from: string; to: string },
  keys: Map<string, string>,
): Promise<Map<string, InsertedDay>> {
  const tz = config.timezone;
  const { col, columns } = shape;
  for (const statement of dialect.replaceTempTable('hs_table_days', sql`select * from (values ${sql.join([...keys].map(([day, key]) => sql`(${day}, ${key})`))}) d(hs_day, hs_key)`)) {
    await statement.execute(trx);
  }
  const reader = readerOf(dialect, target, source, shape);
  const rows = sql`${reader} join hs_table_days d on ${dayOfRow(target, col, dialect, tz)} = d.hs_day`;
  const checks = [...target.checks(col, dialect, tz), ...rangeChecks(target, col, dialect, tz, validRange)];
  const anyBad = sql.join(checks.map((c) => sql`coalesce(${c.bad}, false)`), sql` or `);
  const skip = (source.onBadRows ?? 'fail') === 'skip';
  if (!skip) await failOnBadRow(trx, dialect, source, rows, checks, anyBad, columns);

  const mapped = [...new Set(columns.values())];
  const extras = target === EVENTS ? dialect.extraColumns('r', [...shape.described.keys()].filter((c) => !mapped.includes(c)), mapped) : sql`null`;
  // A table has no lines: overrides are numbered within their day in the order of their
  // values, which breaks ties between two overrides alike on every engine.
  const line = sql`row_number() over (partition by d.hs_key order by ${sql.join(mapped.map((c) => dialect.byteOrder(sql`cast(${sql.id('r', c)} as varchar)`)))})`;
  const expressions = target.columns(col, extras, dialect, tz, line);
  const names = [...Object.keys(expressions), 'file_key'];
  const selectList = sql.join([...Object.entries(expressions).map(([name, expr]) => sql`${expr} as ${sql.id(name)}`), sql`d.hs_key as file_key`]);
  await sql`${dialect.insertByName(sql.table(target.table), names)} select ${selectList} from ${rows}${skip ? sql` where not (${anyBad})` : sql``}`.execute(trx);

  const counts = new Map<string, InsertedDay>([...keys.values()].map((key) => [key, { rows: 0, rejected: 0, future: 0 }]));
  const { rows: inserted } = await sql<{ file_key: string; n: number }>`
    select file_key, cast(count(*) as integer) as n from ${sql.table(target.table)}
    where file_key in (select hs_key from hs_table_days) group by file_key`.execute(trx);
  for (const r of inserted) counts.get(r.file_key)!.rows = r.n;
  if (skip) {
    const reasonOf = (text: (c: RowCheck) => string) =>
      sql`case ${sql.join(checks.map((c) => sql`when coalesce(${c.bad}, false) then ${stringLiteral(text(c))}`), sql` `)} end`;
    const late = checks.filter((c) => c.late);
    const isLate = late.length ? sql.join(late.map((c) => sql`coalesce(${c.bad}, false)`), sql` or `) : sql`false`;
    await sql`insert into rejected_rows (source, file_key, line, ${sql.id('column')}, reason, raw)
      select ${target.source}, d.hs_key, 0, ${reasonOf((c) => fieldName(c, columns))}, ${reasonOf((c) => c.problem)}, ${dialect.rowJson('r')}
      from ${rows} where ${anyBad}`.execute(trx);
    const { rows: rejected } = await sql<{ file_key: string; n: number; future: number }>`
      select d.hs_key as file_key, cast(count(*) as integer) as n, cast(count(*) filter (where ${isLate}) as integer) as future
      from ${rows} where ${anyBad} group by d.hs_key`.execute(trx);
    for (const r of rejected) Object.assign(counts.get(r.file_key)!, { rejected: r.n, future: r.future });
  }
  await sql`drop table hs_table_days`.execute(trx);
  return counts;
}

/** The table as rows aliased `r`; a wide attribute table is unpivoted into the long
 *  layout (one row per non-null attribute value), keeping the table's other columns. */
function readerOf(dialect: SqlDialect, target: RawTarget, source: TableSource, shape: TableShape): RawBuilder<unknown> {
  const table = tableRef(dialect, source);
  const keys = new Set([source.columns['account_id'] ?? 'account_id', source.columns['observed_at'] ?? 'observed_at']);
  const attributes = [...shape.described.keys()].filter((c) => !keys.has(c));
  if (!shape.columns.has('attribute') || target === EVENTS) return sql`${table} r`;
  const values = sql.join(attributes.map((c) => sql`(${c}, cast(${sql.id('t', c)} as varchar))`));
  return sql`(select t.*, v.attribute, v.value from ${table} t
    cross join lateral (values ${values}) v(attribute, value) where v.value is not null) r`;
}

/** Stops at a bad row (of the earliest day), naming the table, the first check it fails,
 *  and the row. */
async function failOnBadRow(
  trx: Kysely<any>,
  dialect: SqlDialect,
  source: TableSource,
  rows: RawBuilder<unknown>,
  checks: RowCheck[],
  anyBad: RawBuilder<unknown>,
  columns: Map<string, string>,
): Promise<void> {
  const { rows: found } = await sql<Record<string, unknown> & { row: string }>`
    select ${checkColumns(checks)}, ${dialect.rowJson('r')} as ${sql.id('row')} from ${rows} where ${anyBad} order by d.hs_day limit 1`.execute(trx);
  const bad = found[0];
  if (!bad) return;
  const { field, problem } = badRowProblem(checks, bad, columns);
  const row = bad.row.length > 300 ? `${bad.row.slice(0, 300)}…` : bad.row;
  throw new InputDataError(tableName(source), undefined, field, `${problem}, in the row ${row}`);
}
