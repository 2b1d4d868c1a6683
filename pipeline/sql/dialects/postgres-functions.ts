import { sql, type RawBuilder } from 'kysely';

// Functions a PostgreSQL warehouse needs where DuckDB has a built-in, created in the
// warehouse's schema with its tables (models/warehouse-tables.ts). Each `create or replace`,
// so that creating them again is harmless and a new release replaces an old body.

export const POSTGRES_FUNCTIONS: RawBuilder<unknown>[] = [
  // scoring and reads (the dialect's tryNumber, dayOf, tryTimestamp)

  // DuckDB's `try_cast(value as double)`, finite values only: a number in decimal or
  // exponent notation, blanks around it, underscores between digits ("1_000"); anything
  // else, or too large for a double, is null, and under the smallest double it is 0, as
  // in DuckDB. No exception block (a subtransaction per call) and one expression, so the
  // planner inlines it: the text goes through numeric, which holds any such value.
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
