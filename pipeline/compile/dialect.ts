import { sql, type RawBuilder } from 'kysely';
import { stringLiteral } from '../engine/sql-literal.ts';
import { addDays } from '../days.ts';
import { timestampFormatKind } from '../timestamp-format.ts';

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

/** DuckDB's temporal column types (a naive TIMESTAMP is read in the session's UTC, as
 *  its text would be). */
function temporalKind(sourceType: string | undefined): 'date' | 'timestamp' | undefined {
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
  sortedNonNullList: (items) =>
    sql`list_sort(list_filter(cast([${sql.join(items)}] as varchar[]), x -> x is not null))`,
  lastNonNull: (value) => sql`last_value(${value} ignore nulls)`,
};
