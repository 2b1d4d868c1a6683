import pg from 'pg';

// How the PostgreSQL client turns result text into JS values: the same shapes as the DuckDB
// connection returns for the same SQL types (duckdb/connection.ts), so that nothing above
// the engine has to know which engine answered. Set on each client, never globally.

const { builtins } = pg.types;
const ARRAY = { int8: 1016, numeric: 1231, date: 1182, timestamp: 1115, timestamptz: 1185, json: 199, jsonb: 3807 };

const asText = (text: string) => text;
// text[]: pg's parser of an array literal, items as text (null for NULL).
const textList = (pg.types.getTypeParser as (oid: number) => (text: string) => (string | null)[])(1009);
const list = (item: (text: string) => unknown) => (text: string) => textList(text).map((v) => (v === null ? null : item(v)));

/** '2025-03-04 05:06:07.123456+00' → '2025-03-04T05:06:07.123Z', as DuckDB's connection
 *  gives (milliseconds). A naive TIMESTAMP is read in UTC, as the session's zone is UTC.
 *  ±infinity has no ISO form: it stays text. */
const instant = pg.types.getTypeParser(builtins.TIMESTAMPTZ) as (text: string) => Date | number;
function isoInstant(text: string): string {
  const value = instant(text);
  return value instanceof Date && !Number.isNaN(value.getTime()) ? value.toISOString() : text;
}
const isoTimestamp = (text: string) => isoInstant(/^-?infinity$/.test(text) ? text : `${text}+00`);

// A 64-bit integer beyond 2^53 loses precision as a number; DuckDB's connection converts the
// same way (Number(bigint)), so a hash compares equal with itself on either side.
const PARSERS: Record<number, (text: string) => unknown> = {
  [builtins.INT8]: Number,
  [builtins.NUMERIC]: Number,
  [builtins.DATE]: asText,
  [builtins.TIMESTAMP]: isoTimestamp,
  [builtins.TIMESTAMPTZ]: isoInstant,
  [builtins.JSON]: asText,
  [builtins.JSONB]: asText,
  [ARRAY.int8]: list(Number),
  [ARRAY.numeric]: list(Number),
  [ARRAY.date]: list(asText),
  [ARRAY.timestamp]: list(isoTimestamp),
  [ARRAY.timestamptz]: list(isoInstant),
  [ARRAY.json]: list(asText),
  [ARRAY.jsonb]: list(asText),
};

/** For pg.Client's `types` option. */
export const typeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    return (format !== 'binary' && PARSERS[oid]) || pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;
