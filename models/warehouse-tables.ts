import { sql, type Kysely, type RawBuilder } from 'kysely';

// Every table the pipeline owns, created idempotently. Raw tables keep the file each row
// came from, so a changed file can be replaced without touching the others.

const RAW_TABLES = [
  // Size and modification time let an unchanged file be skipped without hashing it.
  sql`create table if not exists loaded_files (
    source varchar not null, path varchar not null, content_hash varchar not null,
    row_count bigint not null, loaded_at timestamptz not null, file_size bigint, file_mtime_ms double,
    primary key (source, path))`,
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
  // Who was active on which day (any event): distinct-user windows read this instead of
  // the raw events.
  sql`create table if not exists daily_users (account_id varchar not null, day date not null, user_id varchar not null)`,
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

/** Bumped when a model table is added, with the step that fills it from the raw tables. */
const SCHEMA_VERSION = 3;
const MIGRATIONS: Record<number, RawBuilder<unknown>> = {
  2: sql`insert into daily_users select distinct account_id, day, user_id from raw_events where user_id is not null`,
  3: sql`alter table loaded_files add column if not exists file_size bigint;
         alter table loaded_files add column if not exists file_mtime_ms double`,
};

export async function ensureWarehouseTables(db: Kysely<any>): Promise<void> {
  for (const statement of [...RAW_TABLES, ...MODEL_TABLES, ...SNAPSHOT_TABLES, ...STATE_TABLES]) {
    await statement.execute(db);
  }
  await migrate(db);
}

/** Fills model tables that a warehouse written by an older version lacks, once. A new
 *  warehouse starts at the current version (its loads fill every model). */
async function migrate(db: Kysely<any>): Promise<void> {
  const { rows } = await sql<{ value: string }>`select value from warehouse_settings where key = 'schema_version'`.execute(db);
  const { rows: loaded } = await sql<{ n: number }>`select count(*) as n from loaded_files`.execute(db);
  const from = rows[0] ? Number(rows[0].value) : loaded[0]?.n ? 1 : SCHEMA_VERSION;
  if (rows[0] && from === SCHEMA_VERSION) return;
  await db.transaction().execute(async (trx) => {
    for (let version = from + 1; version <= SCHEMA_VERSION; version++) await MIGRATIONS[version]?.execute(trx);
    await sql`insert or replace into warehouse_settings values ('schema_version', ${String(SCHEMA_VERSION)})`.execute(trx);
  });
}
