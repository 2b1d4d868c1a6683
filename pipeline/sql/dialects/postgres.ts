import { sql, type RawBuilder } from 'kysely';
import { stringLiteral } from '../sql-literal.ts';
import { temporalKind } from './duckdb.ts';
import type { SqlDialect } from './dialect.ts';

// PostgreSQL 15 or later. Its safe casts (there is no try_cast) are the hs_try_* functions
// of postgres-functions.ts, created in the warehouse schema. A `sourceType` is a DuckDB
// type name: files are read by DuckDB, whichever engine keeps the rows.

const DOUBLE = sql`double precision`;
const asText = (value: RawBuilder<unknown>) => sql`cast(${value} as text)`;

export const postgres: SqlDialect = {
  name: 'postgres',
  dayOf: (value, timezone, sourceType) => {
    const tz = stringLiteral(timezone);
    switch (temporalKind(sourceType)) {
      case 'date':
        return sql`cast(${value} as date)`;
      case 'timestamp':
        return sql`cast(timezone(${tz}, cast(${value} as timestamptz)) as date)`;
      default:
        return sql`(case
      when length(${asText(value)}) <= 10 then hs_try_date(${asText(value)})
      else cast(timezone(${tz}, hs_try_timestamptz(${asText(value)})) as date) end)`;
    }
  },
  dayOutside(value, timezone, op, isoDay, sourceType) {
    return sql`${this.dayOf(value, timezone, sourceType)} ${sql.raw(op)} ${this.date(isoDay)}`;
  },
  tryNumber: (value) => sql`hs_try_double(${asText(value)})`,
  tryTimestamp: (value, sourceType) =>
    temporalKind(sourceType) === undefined ? sql`hs_try_timestamptz(${asText(value)})` : sql`cast(${value} as timestamptz)`,
  parseTimestamp: () => {
    throw new Error('a timestamp_format is applied by DuckDB as a file is read, never in a PostgreSQL warehouse');
  },
  // The spellings DuckDB's try_cast accepts, in any case.
  tryBoolean: (value) => sql`(case lower(${asText(value)})
      when 'true' then true when 't' then true when 'yes' then true when 'y' then true when '1' then true
      when 'false' then false when 'f' then false when 'no' then false when 'n' then false when '0' then false end)`,
  text: asText,
  hashKey: (value) => sql`hashtextextended(${value}, 0)`,
  // Top-level key of a jsonb object, any characters (DuckDB reads it by a JSON pointer).
  eventProperty: (properties, name) => sql`(${properties} ->> ${stringLiteral(name)})`,
  // round(double precision, int) does not exist; numeric's rounds half away from zero.
  round: (value, digits) => sql`cast(round(cast(${value} as numeric), ${sql.lit(digits)}) as ${DOUBLE})`,
  addDays: (day, days) => sql`(${day} + ${typeof days === 'number' ? sql.lit(days) : days})`,
  date: (isoDay) => sql`date ${stringLiteral(isoDay)}`,

  // scoring
  asofJoin: false,
  qualify: false,
  doubleType: DOUBLE,
  nullNumber: sql`cast(null as numeric)`,
  divide: (a, b) => sql`cast(${a} as ${DOUBLE}) / ${b}`,
  // Temp tables are never analysed by autovacuum: without statistics, the joins that
  // read them are planned blind.
  createTempTable: (table, query) => [
    sql`drop table if exists pg_temp.${table}`,
    sql`create temp table ${table} as${query}`,
    sql`analyze ${table}`,
  ],
  daySeries: (from, to) =>
    sql`(select cast(g as date) as range from generate_series(cast(${from} as timestamp), cast(${to} as timestamp), interval '1 day') g)`,
  latestBy: (value, order) => sql`(array_agg(${value} order by ${sql.join(order.map((o) => sql`${o} desc nulls last`))}))[1]`,
  byteOrder: (text) => sql`(${text} collate "C")`,
  sortedNonNullList: (items) =>
    items.length
      ? sql`array(select x from unnest(cast(array[${sql.join(items)}] as text[])) x where x is not null order by x collate "C")`
      : sql`cast(array[] as text[])`,
  // The values keep their own collation: only the order is by bytes, so that no "C"
  // meets another collation in a later comparison.
  distinctSorted: (list) => sql`array(select x from (select distinct x from unnest(${list}) x) u order by x collate "C")`,
  // No `ignore nulls`: the non-null values of the frame, in order, and the last of them.
  lastNonNull: (value, over) => sql`(array_agg(${value}) filter (where ${value} is not null) ${over})[count(${value}) ${over}]`,
  insertByName: (table, columns) => sql`insert into ${table} (${sql.join(columns.map((c) => sql.id(c)))})`,
};
