import { sql, type RawBuilder } from 'kysely';
import { stringLiteral } from '../sql-literal.ts';
import { temporalKind } from './duckdb.ts';
import type { ColumnType, SqlDialect } from './dialect.ts';
import { POSTGRES_FUNCTIONS } from './postgres-functions.ts';

// PostgreSQL 15 or later. Its safe casts (there is no try_cast) are the hs_try_* functions
// of postgres-functions.ts, created in the warehouse schema. A `sourceType` is a DuckDB
// type name: files are read by DuckDB, whichever engine keeps the rows.

const COLUMN_TYPES: Record<ColumnType, string> = {
  varchar: 'text',
  'varchar[]': 'text[]',
  double: 'double precision',
  bigint: 'bigint',
  // A 64-bit hash (hashtextextended) is signed: it is only ever compared with hashes made
  // by the same engine.
  ubigint: 'bigint',
  boolean: 'boolean',
  date: 'date',
  timestamptz: 'timestamptz',
  // jsonb has equality, which comparing rows (`except all`) needs.
  json: 'jsonb',
};

const DOUBLE = sql.raw(COLUMN_TYPES.double);
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
    throw new Error('a timestamp_format is applied by DuckDB as a file is read, never in a PostgreSQL warehouse (strptime: false)');
  },
  // The spellings DuckDB's try_cast accepts, in any case.
  tryBoolean: (value) => sql`(case lower(${asText(value)})
      when 'true' then true when 't' then true when 'yes' then true when 'y' then true when '1' then true
      when 'false' then false when 'f' then false when 'no' then false when 'n' then false when '0' then false end)`,
  text: asText,
  hashKey: (value) => sql`hashtextextended(${value}, 0)`,
  // Top-level key of a jsonb object, any characters (DuckDB reads it by a JSON pointer).
  eventProperty: (properties, name) => sql`(${properties} ->> ${stringLiteral(name)})`,
  // DuckDB rounds a double as std::round(x · 10^d) / 10^d, in doubles; this is that, exactly
  // (the fraction of a double is exact). Through numeric the double is first cut to 15
  // digits, which moves values like 5.333349999… (from (6.6667 + 4) / 2) across the half;
  // round(double precision) rounds half to even.
  round: (value, digits) => {
    const scaled = sql`(abs(cast(${value} as ${DOUBLE})) * ${sql.lit(10 ** digits)})`;
    return sql`(sign(cast(${value} as ${DOUBLE})) * (floor(${scaled}) + case when ${scaled} - floor(${scaled}) >= 0.5 then 1 else 0 end) / ${sql.lit(10 ** digits)})`;
  },
  addDays: (day, days) => sql`(${day} + ${typeof days === 'number' ? sql.lit(days) : days})`,
  date: (isoDay) => sql`date ${stringLiteral(isoDay)}`,

  // scoring
  asofJoin: false,
  qualify: false,
  strptime: false,
  // `offset 0` keeps the planner from pulling the subquery up, without materialising it.
  keepSubquery: sql` offset 0`,
  nullNumber: sql`cast(null as numeric)`,
  divide: (a, b) => sql`cast(${a} as ${DOUBLE}) / ${b}`,
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

  // state, DDL and reads
  functions: POSTGRES_FUNCTIONS,
  columnType: (type) => sql.raw(COLUMN_TYPES[type]),
  // Text columns compare byte by byte, as in DuckDB: the same ties break the same way and
  // lists sort alike on both engines, whatever the server's locale.
  columnDefinition: (type) =>
    sql.raw(type === 'varchar' || type === 'varchar[]' ? `${COLUMN_TYPES[type]} collate "C"` : COLUMN_TYPES[type]),
  upsert: (table, rows) => {
    const others = table.columns.filter((c) => !table.key.includes(c));
    const update = others.length
      ? sql`do update set ${sql.join(others.map((c) => sql`${sql.id(c)} = excluded.${sql.id(c)}`))}`
      : sql`do nothing`;
    return sql`insert into ${sql.table(table.name)} ${rows} on conflict (${sql.join(table.key.map((c) => sql.id(c)))}) ${update}`;
  },
  insertMissing: (table, rows) => sql`insert into ${sql.table(table)} ${rows} on conflict do nothing`,
  // date − date is a number of days, date + integer a date: no timestamps in between.
  dayRows: (from, to) => sql`(select ${from} + g.i as day from generate_series(0, ${to} - ${from}) g(i))`,
  textList: (items) => (items.length ? sql`array[${sql.join(items.map((p) => sql`${p}::text`))}]` : sql`array[]::text[]`),
  // pg_temp: never a table of the warehouse's schema that has the same name. Autovacuum
  // never analyses a temp table: without `analyze`, the joins that read it (hs_measures,
  // hs_accounts…) are planned without statistics.
  jsonKeys: (value) => sql`jsonb_object_keys(${value})`,
  replaceTempTable: (name, query) => [
    sql`drop table if exists ${sql.table(`pg_temp.${name}`)}`,
    sql`create temp table ${sql.table(name)} as ${query}`,
    sql`analyze ${sql.table(name)}`,
  ],
  rowId: (alias) => sql`${sql.ref(`${alias}.ctid`)}`,
  firstBy: (value, order) => sql`(array_agg(${value} order by ${order}))[1]`,
  quantiles: (value, fractions) =>
    sql`percentile_cont(array[${sql.join(fractions.map((f) => sql.lit(f)))}]::double precision[]) within group (order by ${value})`,

  // table sources
  defaultSchema: 'public',
  sourceType: (dataType) => SOURCE_TYPES[dataType] ?? dataType.toUpperCase(),
  rowHash: (values) => sql`hashtextextended(cast(row(${sql.join(values)}) as text), 0)`,
  rowJson: (alias) => sql`cast(to_jsonb(${sql.id(alias)}) as text)`,
  // jsonb_build_object takes at most 50 pairs; removing the mapped keys takes any number.
  extraColumns: (alias, extra, mapped) =>
    extra.length === 0 ? sql`null` : sql`(to_jsonb(${sql.id(alias)}) - cast(array[${sql.join(mapped.map(stringLiteral))}] as text[]))`,
};

/** information_schema's names of the types whose DuckDB names differ otherwise than by case. */
const SOURCE_TYPES: Record<string, string> = {
  text: 'VARCHAR',
  'character varying': 'VARCHAR',
  character: 'VARCHAR',
  'timestamp without time zone': 'TIMESTAMP',
};

