import { sql } from 'kysely';
import { stringLiteral } from '../sql-literal.ts';
import { addDays } from '../../days.ts';
import { timestampFormatKind } from '../../timestamp-format.ts';
import type { SqlDialect } from './dialect.ts';

/** DuckDB's temporal column types (a naive TIMESTAMP is read in the session's UTC, as
 *  its text would be). */
export function temporalKind(sourceType: string | undefined): 'date' | 'timestamp' | undefined {
  if (sourceType === 'DATE') return 'date';
  if (sourceType && /^TIMESTAMP( WITH TIME ZONE|_S|_MS|_NS)?$/.test(sourceType)) return 'timestamp';
  return undefined;
}

const jsonPointer = (name: string) => '/' + name.replaceAll('~', '~0').replaceAll('/', '~1');

export const duckdb: SqlDialect = {
  name: 'duckdb',
  dayOf: (value, timezone, sourceType) => {
    const tz = stringLiteral(timezone);
    switch (temporalKind(sourceType)) {
      case 'date':
        return sql`cast(${value} as date)`;
      case 'timestamp':
        // In UTC the day is plain arithmetic on the instant: no time-zone library call per
        // row, which was the dearest part of loading typed events. (Floor division: the
        // remainder is negative before 1970.)
        if (timezone === 'UTC') {
          const micros = sql`epoch_us(${value})`;
          return sql`(date '1970-01-01' + cast(${micros} // 86400000000 - cast(${micros} % 86400000000 < 0 as integer) as integer))`;
        }
        return sql`cast(timezone(${tz}, cast(${value} as timestamptz)) as date)`;
      default:
        return sql`(case
      when length(cast(${value} as varchar)) <= 10 then try_cast(${value} as date)
      else cast(timezone(${tz}, try_cast(${value} as timestamptz)) as date) end)`;
    }
  },
  // NaN and ±inf are not numbers a score can use: DuckDB sorts NaN above every number,
  // so a clamp would give it the best score.
  tryNumber: (value) => sql`(case when isfinite(try_cast(${value} as double)) then try_cast(${value} as double) end)`,
  dayOutside(value, timezone, op, isoDay, sourceType) {
    if (temporalKind(sourceType) !== 'timestamp') return sql`${this.dayOf(value, timezone, sourceType)} ${sql.raw(op)} ${this.date(isoDay)}`;
    // The day starts at local midnight (or, where a DST change skips midnight, the first
    // local time after it, as ICU resolves it).
    const start = (day: string) => sql`timezone(${stringLiteral(timezone)}, cast(${this.date(day)} as timestamp))`;
    return op === '<'
      ? sql`cast(${value} as timestamptz) < ${start(isoDay)}`
      : sql`cast(${value} as timestamptz) >= ${start(addDays(isoDay, 1))}`;
  },
  tryTimestamp: (value, sourceType) =>
    temporalKind(sourceType) === undefined ? sql`try_cast(${value} as timestamptz)` : sql`cast(${value} as timestamptz)`,
  parseTimestamp: (text, format) => {
    const parsed = sql`try_strptime(${text}, ${stringLiteral(format)})`;
    switch (timestampFormatKind(format)) {
      case 'date':
        return { value: sql`cast(${parsed} as date)`, type: 'DATE' };
      case 'timestamp':
        return { value: parsed, type: 'TIMESTAMP' };
      case 'instant':
        return { value: parsed, type: 'TIMESTAMP WITH TIME ZONE' };
    }
  },
  tryBoolean: (value) => sql`try_cast(${value} as boolean)`,
  text: (value) => sql`cast(${value} as varchar)`,
  hashKey: (value) => sql`case when ${value} is not null then hash(${value}) end`,
  eventProperty: (properties, name) => sql`json_extract_string(${properties}, ${stringLiteral(jsonPointer(name))})`,
  round: (value, digits) => sql`round(${value}, ${sql.lit(digits)})`,
  addDays: (day, days) => sql`(${day} + ${typeof days === 'number' ? sql.lit(days) : days})`,
  date: (isoDay) => sql`date ${stringLiteral(isoDay)}`,

  // scoring
  asofJoin: true,
  qualify: true,
  strptime: true,
  keepSubquery: sql``,
  nullNumber: sql`null`,
  divide: (a, b) => sql`${a} / ${b}`,
  latestBy: (value, order) => sql`arg_max(${value}, (${sql.join(order)}))`,
  // DuckDB compares text by its bytes already.
  byteOrder: (text) => text,
  sortedNonNullList: (items) =>
    items.length
      ? sql`list_sort(list_filter(cast([${sql.join(items)}] as varchar[]), x -> x is not null))`
      : sql`cast([] as varchar[])`,
  distinctSorted: (list) => sql`list_sort(list_distinct(${list}))`,
  lastNonNull: (value, over) => sql`last_value(${value} ignore nulls) ${over}`,
  insertByName: (table) => sql`insert into ${table} by name`,

  // state, DDL and reads
  functions: [],
  columnType: (type) => sql.raw(type),
  columnDefinition: (type) => sql.raw(type),
  upsert: (table, rows) => sql`insert or replace into ${sql.table(table.name)} ${rows}`,
  insertMissing: (table, rows) => sql`insert or ignore into ${sql.table(table)} ${rows}`,
  dayRows(from, to) {
    return sql`(select cast(d.range as date) as day from range(${from}, ${this.addDays(to, 1)}, interval 1 day) d)`;
  },
  textList: (items) => (items.length ? sql`[${sql.join(items.map((p) => sql`${p}::varchar`))}]` : sql`[]::varchar[]`),
  jsonKeys: (value) => sql`unnest(json_keys(${value}))`,
  replaceTempTable: (name, query) => [sql`create or replace temp table ${sql.table(name)} as ${query}`],
  rowId: (alias) => sql`${sql.ref(`${alias}.rowid`)}`,
  firstBy: (value, order) => sql`arg_min(${value}, ${order})`,
  quantiles: (value, fractions) => sql`quantile_cont(${value}, [${sql.join(fractions.map((f) => sql.lit(f)))}])`,

  // table sources
  defaultSchema: 'main',
  sourceType: (dataType) => dataType,
  rowHash: (values) => sql`hash(${sql.join(values)})`,
  rowJson: (alias) => sql`cast(to_json(${sql.id(alias)}) as varchar)`,
  extraColumns: (alias, extra) =>
    extra.length === 0 ? sql`null` : sql`json_object(${sql.join(extra.map((name) => sql`${stringLiteral(name)}, ${sql.id(alias, name)}`))})`,
};
