import { sql } from 'kysely';

// Functions a PostgreSQL warehouse needs where DuckDB has a built-in, created in the
// warehouse's schema with its tables (models/warehouse-tables.ts). Each `create or replace`,
// so that creating them again is harmless and a new release replaces an old body.

export const POSTGRES_FUNCTIONS = [
  // DuckDB's `try_cast(value as double)`, finite values only (the dialects' tryNumber): a
  // number in decimal or exponent notation, blanks around it, underscores between digits
  // ("1_000") as DuckDB reads them; anything else, or too large for a double, is null.
  // The pattern is checked first, so that only text that looks like a number pays for the
  // exception block (a subtransaction).
  sql`create or replace function hs_try_double(value text) returns double precision
    language plpgsql immutable parallel safe as $$
    declare
      result double precision;
    begin
      if value !~ '^\\s*[+-]?(\\d+(_\\d+)*(\\.(\\d+(_\\d+)*)?)?|\\.\\d+(_\\d+)*)([eE][+-]?\\d+)?\\s*$' then
        return null;
      end if;
      begin
        result := replace(value, '_', '')::double precision;
      exception when numeric_value_out_of_range then
        return null;
      end;
      return result;
    end $$`,
];
