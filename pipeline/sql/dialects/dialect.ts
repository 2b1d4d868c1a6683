import type { RawBuilder } from 'kysely';

/** The column types of the warehouse's tables, in DuckDB's names; each dialect says what
 *  its engine calls them. */
export type ColumnType = 'varchar' | 'double' | 'bigint' | 'ubigint' | 'boolean' | 'date' | 'timestamptz' | 'json' | 'varchar[]';

/** What an upsert needs to know of its table: every column in order, and the key. */
export interface KeyedTable {
  name: string;
  columns: string[];
  key: string[];
}

/** Every SQL difference between engines lives behind this interface, so a PostgreSQL or
 *  warehouse dialect can be added without touching the scoring logic. Methods build
 *  fragments; a capability flag says which of two strategies the compiler writes
 *  (pipeline/sql/CONTEXT.md lists them). */
export interface SqlDialect {
  name: string;
  /** Calendar day in `timezone` of a timestamp-like value; date-only values are taken
   *  as that day (a date is not a midnight in UTC). `sourceType`, the engine's type of a
   *  typed file column (Parquet, JSON), lets a typed value skip the text parsing that
   *  an untyped (CSV) value needs: that parsing was most of the cost of a load. */
  dayOf(value: RawBuilder<unknown>, timezone: string, sourceType?: string): RawBuilder<unknown>;
  /** True when the day of `value` in `timezone` is before (`<`) or after (`>`) `isoDay`. A
   *  typed timestamp is compared with the instant the day starts, computed once, instead of
   *  converting every row to its day. */
  dayOutside(value: RawBuilder<unknown>, timezone: string, op: '<' | '>', isoDay: string, sourceType?: string): RawBuilder<unknown>;
  tryNumber(value: RawBuilder<unknown>): RawBuilder<unknown>;
  tryTimestamp(value: RawBuilder<unknown>, sourceType?: string): RawBuilder<unknown>;
  /** Text read with a strptime `format` (a source's `timestamp_format`), null where it does
   *  not match; `type` is the engine's type of the result, to give to `dayOf` & co. */
  parseTimestamp(text: RawBuilder<unknown>, format: string): { value: RawBuilder<unknown>; type: string };
  tryBoolean(value: RawBuilder<unknown>): RawBuilder<unknown>;
  text(value: RawBuilder<unknown>): RawBuilder<unknown>;
  /** A 64-bit hash of a text value, null for null: a compact key to look values up by. */
  hashKey(value: RawBuilder<unknown>): RawBuilder<unknown>;
  /** A named property of an event (its `properties` JSON) as text. */
  eventProperty(properties: RawBuilder<unknown>, name: string): RawBuilder<unknown>;
  /** Rounded to `digits` decimals, half away from zero. */
  round(value: RawBuilder<unknown>, digits: number): RawBuilder<unknown>;
  addDays(day: RawBuilder<unknown>, days: number | RawBuilder<unknown>): RawBuilder<unknown>;
  date(isoDay: string): RawBuilder<unknown>;

  // scoring

  /** `asof left join … on key = key and a >= b` picks the latest matching row per row;
   *  without it the compiler joins each row to the one state whose day range holds it. */
  asofJoin: boolean;
  /** `qualify` filters on a window function; without it the compiler wraps a subquery. */
  qualify: boolean;
  /** `parseTimestamp` reads strptime formats: a table source (read by the engine itself) may
   *  have a `timestamp_format` for its text time columns. Files are read by DuckDB anyway. */
  strptime: boolean;
  /** Ends a subquery (or CTE) whose columns are expressions that later ones read several
   *  times: PostgreSQL would inline it and compute each expression at every use (a score's
   *  in its band, its band in the final band…); DuckDB shares common subexpressions. */
  keepSubquery: RawBuilder<unknown>;
  /** A null that a `union all` unifies with any numeric type (PostgreSQL types two bare
   *  nulls as text, which then does not match a number in a third branch). */
  nullNumber: RawBuilder<unknown>;
  /** `a / b` as a fraction, whatever the types of a and b (PostgreSQL truncates integer
   *  division; DuckDB's `/` always gives a double). */
  divide(a: RawBuilder<unknown>, b: RawBuilder<unknown>): RawBuilder<unknown>;
  /** Aggregate: `value` of the row that sorts last by `order` (each item ascending). */
  latestBy(value: RawBuilder<unknown>, order: RawBuilder<unknown>[]): RawBuilder<unknown>;
  /** A text value that sorts and compares by its bytes (code points), as DuckDB's do, not
   *  by a locale's collation. */
  byteOrder(text: RawBuilder<unknown>): RawBuilder<unknown>;
  /** The non-null items, sorted by their bytes, as a list of text (empty for no items). */
  sortedNonNullList(items: RawBuilder<unknown>[]): RawBuilder<unknown>;
  /** A list of text without its repeated items, sorted by their bytes. */
  distinctSorted(list: RawBuilder<unknown>): RawBuilder<unknown>;
  /** Window function: the last non-null value of the frame of `over` (`over (...)`). */
  lastNonNull(value: RawBuilder<unknown>, over: RawBuilder<unknown>): RawBuilder<unknown>;
  /** `insert into table` for a query whose columns are named as `columns`, the table's
   *  own columns in their order. */
  insertByName(table: RawBuilder<unknown>, columns: string[]): RawBuilder<unknown>;

  // state, DDL and reads
  /** The keys of a JSON object, one row each (a set-returning expression for a select list). */
  jsonKeys(value: RawBuilder<unknown>): RawBuilder<unknown>;
  /** Functions this dialect's SQL calls that the engine lacks, created with the tables. */
  functions: readonly RawBuilder<unknown>[];
  /** The engine's name of a column type, as in a cast. */
  columnType(type: ColumnType): RawBuilder<unknown>;
  /** A column's type in `create table`: the type and, where the engine needs one, the
   *  collation that makes text compare as on every other engine. */
  columnDefinition(type: ColumnType): RawBuilder<unknown>;
  /** Inserts `rows` (`values …` or a query, in the table's column order); a row whose key
   *  is already in the table replaces it. */
  upsert(table: KeyedTable, rows: RawBuilder<unknown>): RawBuilder<unknown>;
  /** Inserts `rows` (`values …` or a query, in the table's column order), leaving out those
   *  whose key is already in the table. */
  insertMissing(table: string, rows: RawBuilder<unknown>): RawBuilder<unknown>;
  /** A from-item of one row per day from `from` to `to` (both dates, inclusive), with the
   *  one column `day` (a date). */
  dayRows(from: RawBuilder<unknown>, to: RawBuilder<unknown>): RawBuilder<unknown>;
  /** A list of text values (a `varchar[]` column's value). */
  textList(items: string[]): RawBuilder<unknown>;
  /** The statements that (re)create a temporary table as the rows of `query`. */
  replaceTempTable(name: string, query: RawBuilder<unknown>): RawBuilder<unknown>[];
  /** The row's identity in its table (`alias` names the table in the query), valid until
   *  the transaction changes that row: to update the rows a query picked. */
  rowId(alias: string): RawBuilder<unknown>;
  /** Aggregate: `value` at the row with the least `order`. */
  firstBy(value: RawBuilder<unknown>, order: RawBuilder<unknown>): RawBuilder<unknown>;
  /** Aggregate: the continuous (interpolated) quantiles of `value` at `fractions`, as a list. */
  quantiles(value: RawBuilder<unknown>, fractions: number[]): RawBuilder<unknown>;

  // table sources (pipeline/load/table-source.ts)

  /** The schema a table source without one is looked up in. */
  defaultSchema: string;
  /** A column type as information_schema.columns names it, in DuckDB's names (the names
   *  `dayOf` & co. take). */
  sourceType(dataType: string): string;
  /** A 64-bit integer hash of the values together; summed over rows, it fingerprints a
   *  multiset of rows. Only ever compared with hashes of the same engine. */
  rowHash(values: RawBuilder<unknown>[]): RawBuilder<unknown>;
  /** The row of the table aliased `alias` as JSON text. */
  rowJson(alias: string): RawBuilder<unknown>;
  /** A JSON object of the columns `extra` of the row aliased `alias`; `mapped` are its
   *  other columns. */
  extraColumns(alias: string, extra: string[], mapped: string[]): RawBuilder<unknown>;
}
