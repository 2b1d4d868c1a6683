import { sql } from 'kysely';
import type { ColumnType, SqlDialect } from './dialect.ts';
import { POSTGRES_FUNCTIONS } from './postgres-functions.ts';

// The PostgreSQL dialect (15+). The scoring methods are written with the compiler
// (pipeline/compile/); the block below is what the tables, the run state, the load's
// warehouse-side SQL, `explain`/`preview` and the backtest need.

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

// state, DDL and reads
export const postgresStateAndReads: Pick<
  SqlDialect,
  'functions' | 'columnType' | 'columnDefinition' | 'upsert' | 'insertMissing' | 'dayRows' | 'textList' | 'replaceTempTable' | 'rowId' | 'firstBy' | 'quantiles'
> = {
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
  // pg_temp: never a table of the warehouse's schema that has the same name.
  replaceTempTable: (name, query) => [
    sql`drop table if exists ${sql.table(`pg_temp.${name}`)}`,
    sql`create temp table ${sql.table(name)} as ${query}`,
  ],
  rowId: (alias) => sql`${sql.ref(`${alias}.ctid`)}`,
  firstBy: (value, order) => sql`(array_agg(${value} order by ${order}))[1]`,
  quantiles: (value, fractions) =>
    sql`percentile_cont(array[${sql.join(fractions.map((f) => sql.lit(f)))}]::double precision[]) within group (order by ${value})`,
};
