import { sql, type Kysely } from 'kysely';
import { POSTGRES_FUNCTIONS } from '../../pipeline/sql/dialects/postgres-functions.ts';

// The tables the scoring reads and writes, in PostgreSQL types, for the compile tests only:
// to be replaced by ensureWarehouseTables once the warehouse DDL goes through the dialect.
// The texts that scoring sorts or breaks ties on are in a locale's collation, as they are
// in a database made with en_US.UTF-8 ('Pro' after 'pro'): the scoring must still order
// them by their bytes, as DuckDB does.

const TABLES = [
  sql`create table raw_events (
    account_id text not null, event text not null, ts timestamptz not null, day date not null,
    user_id text, event_id text, event_key bigint, properties jsonb, file_key text not null,
    duplicate boolean not null default false)`,
  sql`create table raw_attributes (
    account_id text not null, attribute text not null, value text collate "en-x-icu",
    observed_at timestamptz not null, day date not null, file_key text not null)`,
  sql`create table raw_accounts (account_id text not null, created_day date, file_key text not null)`,
  sql`create table raw_overrides (
    account_id text not null, scorecard text not null, score_id text, score double precision, band text,
    reason text collate "en-x-icu" not null, author text, starts_on date not null, ends_on date,
    source_line bigint not null, file_key text not null)`,
  sql`create table raw_churn (account_id text not null, churn_day date not null, file_key text not null)`,
  sql`create table raw_reactivations (account_id text not null, day date not null, file_key text not null)`,
  sql`create table daily_activity (account_id text not null, day date not null, event text not null, events bigint not null)`,
  sql`create table daily_users (account_id text not null, day date not null, user_id text not null)`,
  sql`create table score_snapshots (
    snapshot_date date not null, scorecard text not null, account_id text not null, score_id text not null,
    raw_value double precision, score double precision, band text, weight double precision, status text not null)`,
  sql`create table health_snapshots (
    snapshot_date date not null, scorecard text not null, account_id text not null, score double precision, band text,
    computed_score double precision, computed_band text, insights text[] not null, overridden boolean not null,
    override_reason text, definition_version text not null)`,
  sql`create table alerts (
    alert_date date not null, scorecard text not null, account_id text not null, alert_id text not null,
    from_band text, to_band text, from_score double precision, to_score double precision)`,
];

export async function createPostgresTables(db: Kysely<any>): Promise<void> {
  for (const statement of [...TABLES, ...POSTGRES_FUNCTIONS]) await statement.execute(db);
}
