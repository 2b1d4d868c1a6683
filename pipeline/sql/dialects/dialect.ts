import type { RawBuilder } from 'kysely';

/** Every SQL difference between engines lives behind this interface, so a PostgreSQL or
 *  warehouse dialect can be added without touching the scoring logic. Methods build
 *  fragments. (The compiler also uses DuckDB's ASOF JOIN for attribute look-ups; another
 *  engine would need a capability flag and a window-based fallback there.) */
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
  /** The non-null items, sorted, as a list of text. */
  sortedNonNullList(items: RawBuilder<unknown>[]): RawBuilder<unknown>;
  /** Window function: the last non-null value of the frame (`over (...)` follows). */
  lastNonNull(value: RawBuilder<unknown>): RawBuilder<unknown>;
}
