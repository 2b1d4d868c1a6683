import { sql, type RawBuilder } from 'kysely';

// The functions the PostgreSQL dialect (postgres.ts) calls, created in the warehouse schema
// with the tables: PostgreSQL has no try_cast. Each is `create or replace`, so running the
// list again is harmless.

export const POSTGRES_FUNCTIONS: RawBuilder<unknown>[] = [
  // scoring (part of the dialect: tryNumber, dayOf, tryTimestamp)

  // Text as a finite double, null when it is not a number, as DuckDB's try_cast reads it
  // (white space around, `_` between digits, an exponent). No exception handler, so it can
  // be inlined: the text goes through numeric, which holds any such value, and a magnitude
  // beyond a double's is null (DuckDB makes it ±inf, which tryNumber refuses) or, under the
  // smallest double, 0.
  sql`create or replace function hs_try_double(t text) returns double precision
    language sql immutable parallel safe as $$
    select case
      when t !~ '^\\s*[-+]?(\\d+(_\\d+)*(\\.(\\d+(_\\d+)*)?)?|\\.\\d+(_\\d+)*)([eE][-+]?\\d{1,4})?\\s*$' then null
      when abs(cast(replace(t, '_', '') as numeric)) > 1.7976931348623157e308 then null
      when abs(cast(replace(t, '_', '') as numeric)) < 2.5e-324 then 0
      else cast(cast(replace(t, '_', '') as numeric) as double precision) end
  $$`,
  // A calendar date written YYYY-MM-DD, null otherwise (or when it is no day: 2025-02-30).
  sql`create or replace function hs_try_date(t text) returns date
    language plpgsql immutable parallel safe as $$
    begin
      if t !~ '^\\s*\\d{4}-\\d{1,2}-\\d{1,2}\\s*$' then return null; end if;
      return cast(t as date);
    exception when others then return null;
    end $$`,
  // An ISO 8601 instant (date, then a time, with an offset or in the session's time zone).
  sql`create or replace function hs_try_timestamptz(t text) returns timestamptz
    language plpgsql stable parallel safe as $$
    begin
      if t !~ '^\\s*\\d{4}-\\d{1,2}-\\d{1,2}([ T]\\d{1,2}:\\d{2}(:\\d{2}(\\.\\d+)?)?)?\\s*(Z|[+-]\\d{2}(:?\\d{2})?)?\\s*$' then return null; end if;
      return cast(t as timestamptz);
    exception when others then return null;
    end $$`,
];
