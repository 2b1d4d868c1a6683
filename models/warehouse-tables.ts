import { sql, type Kysely } from 'kysely';

// Every table the pipeline owns, created idempotently. Raw tables keep the file each row
// came from, so a changed file can be replaced without touching the others.

const RAW_TABLES = [
  sql`create table if not exists loaded_files (
    source varchar not null, path varchar not null, content_hash varchar not null,
    row_count bigint not null, loaded_at timestamptz not null, primary key (source, path))`,
  // `day` is the calendar day of `ts` in the project timezone, fixed at load time so that
  // every later query filters on a plain DATE.
  sql`create table if not exists raw_events (
    account_id varchar not null, event varchar not null, ts timestamptz not null, day date not null,
    user_id varchar, event_id varchar, properties json, source_file varchar not null)`,
  sql`create table if not exists raw_attributes (
    account_id varchar not null, attribute varchar not null, value varchar,
    observed_at timestamptz not null, day date not null, source_file varchar not null)`,
  sql`create table if not exists raw_accounts (
    account_id varchar not null, created_day date, source_file varchar not null)`,
  sql`create table if not exists raw_overrides (
    account_id varchar not null, scorecard varchar not null, score_id varchar, score double, band varchar,
    reason varchar not null, author varchar, starts_on date not null, ends_on date,
    source_line bigint not null, source_file varchar not null)`,
  sql`create table if not exists raw_churn (
    account_id varchar not null, churn_day date not null, source_file varchar not null)`,
];

const MODEL_TABLES = [
  // The compact daily aggregate every rolling window is computed from.
  sql`create table if not exists daily_activity (
    account_id varchar not null, day date not null, event varchar not null, events bigint not null)`,
];

const SNAPSHOT_TABLES = [
  sql`create table if not exists score_snapshots (
    snapshot_date date not null, scorecard varchar not null, account_id varchar not null,
    score_id varchar not null, raw_value double, score double, band varchar, weight double,
    status varchar not null)`,
  sql`create table if not exists health_snapshots (
    snapshot_date date not null, scorecard varchar not null, account_id varchar not null,
    score double, band varchar, computed_score double, computed_band varchar,
    insights varchar[] not null, overridden boolean not null, override_reason varchar,
    definition_version varchar not null)`,
  sql`create table if not exists alerts (
    alert_date date not null, scorecard varchar not null, account_id varchar not null,
    alert_id varchar not null, from_band varchar, to_band varchar,
    from_score double, to_score double)`,
];

const STATE_TABLES = [
  // Which days are materialised per scorecard, under which definition version (SQLMesh's
  // interval log). `run` wants days − done days + lookback.
  sql`create table if not exists run_log (
    scorecard varchar not null, snapshot_date date not null, definition_version varchar not null,
    run_id varchar not null, computed_at timestamptz not null,
    -- false until the day's partitions are written, so a run whose export failed is
    -- exported by the next one.
    exported boolean not null default false,
    primary key (scorecard, snapshot_date))`,
  sql`create table if not exists runs (
    run_id varchar primary key, started_at timestamptz not null, finished_at timestamptz,
    status varchar not null, days_materialised bigint, message varchar)`,
  sql`create table if not exists warehouse_settings (key varchar primary key, value varchar not null)`,
];

export async function ensureWarehouseTables(db: Kysely<any>): Promise<void> {
  for (const statement of [...RAW_TABLES, ...MODEL_TABLES, ...SNAPSHOT_TABLES, ...STATE_TABLES]) {
    await statement.execute(db);
  }
}

export const SNAPSHOT_TABLE_NAMES = ['score_snapshots', 'health_snapshots', 'alerts'] as const;
export type SnapshotTable = (typeof SNAPSHOT_TABLE_NAMES)[number];
