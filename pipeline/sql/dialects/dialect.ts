import type { RawBuilder } from 'kysely';

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
  /** The type name of an 8-byte float, for casts. */
  doubleType: RawBuilder<unknown>;
  /** A null that a `union all` unifies with any numeric type (PostgreSQL types two bare
   *  nulls as text, which then does not match a number in a third branch). */
  nullNumber: RawBuilder<unknown>;
  /** `a / b` as a fraction, whatever the types of a and b (PostgreSQL truncates integer
   *  division; DuckDB's `/` always gives a double). */
  divide(a: RawBuilder<unknown>, b: RawBuilder<unknown>): RawBuilder<unknown>;
  /** The statements that (re)create the temp table `table` as the result of `query`.
   *  `query` keeps its own leading white space (the statement reads `… as<query>`). */
  createTempTable(table: RawBuilder<unknown>, query: RawBuilder<unknown>): RawBuilder<unknown>[];
  /** A from-item with one row per day of [from, to], its column `range` (cast it to date). */
  daySeries(from: RawBuilder<unknown>, to: RawBuilder<unknown>): RawBuilder<unknown>;
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
}
