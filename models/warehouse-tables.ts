import { sql, type Kysely } from 'kysely';
import { STATE_TABLES } from '../pipeline/state/tables.ts';
import { createOutputTable, OUTPUT_TABLES } from './output-tables.ts';

// Every table the pipeline owns, created idempotently. Raw rows keep the key of the file
// content they came from (pipeline/state/ledger.ts), so a changed or removed file's rows
// can be replaced without touching the others.

const RAW_TABLES = [
  // `day` is the calendar day of `ts` in the project timezone, fixed at load time so that
  // every later query filters on a plain DATE. `duplicate`: another row with this
  // event_id is kept (pipeline/load/duplicate-events.ts); every reader of events skips it.
  // `event_key`: a 64-bit hash of event_id, which that file looks ids up by.
  sql`create table if not exists raw_events (
    account_id varchar not null, event varchar not null, ts timestamptz not null, day date not null,
    user_id varchar, event_id varchar, event_key ubigint, properties json, file_key varchar not null,
    duplicate boolean not null default false)`,
  sql`create table if not exists raw_attributes (
    account_id varchar not null, attribute varchar not null, value varchar,
    observed_at timestamptz not null, day date not null, file_key varchar not null)`,
  sql`create table if not exists raw_accounts (
    account_id varchar not null, created_day date, file_key varchar not null)`,
  sql`create table if not exists raw_overrides (
    account_id varchar not null, scorecard varchar not null, score_id varchar, score double, band varchar,
    reason varchar not null, author varchar, starts_on date not null, ends_on date,
    source_line bigint not null, file_key varchar not null)`,
  sql`create table if not exists raw_churn (
    account_id varchar not null, churn_day date not null, file_key varchar not null)`,
  // `day`: the day of reactivated_at in the project timezone.
  sql`create table if not exists raw_reactivations (
    account_id varchar not null, day date not null, file_key varchar not null)`,
  // Rows a source with `on_bad_rows: skip` set aside: where, why, and the row as read.
  sql`create table if not exists rejected_rows (
    source varchar not null, file_key varchar not null, line bigint not null, "column" varchar not null,
    reason varchar not null, raw varchar)`, // raw: the row as JSON
];

const MODEL_TABLES = [
  // The compact daily aggregate every rolling window is computed from.
  sql`create table if not exists daily_activity (
    account_id varchar not null, day date not null, event varchar not null, events bigint not null)`,
  // Who was active on which day (any event): distinct-user windows read this instead of
  // the raw events.
  sql`create table if not exists daily_users (account_id varchar not null, day date not null, user_id varchar not null)`,
  // Data-quality counts over the raw tables, as of the last load (pipeline/load/data-checks.ts).
  sql`create table if not exists data_checks (
    name varchar primary key, found bigint not null, of_rows bigint not null, accounts bigint)`,
];

const SNAPSHOT_TABLES = OUTPUT_TABLES.map(createOutputTable);

/** Bumped when the raw, model or state tables change shape. */
const SCHEMA_VERSION = 5;

/** A warehouse of an older schema is rebuilt whole by the next run: raw rows are loaded
 *  again from the files and every day is computed and exported again. */
const REBUILT = ['loaded_files', 'raw_events', 'raw_attributes', 'raw_accounts', 'raw_overrides', 'raw_churn', 'raw_reactivations',
  'daily_activity', 'daily_users', 'data_checks', 'run_log', ...OUTPUT_TABLES.map((t) => t.name)];

export async function ensureWarehouseTables(db: Kysely<any>): Promise<void> {
  if (await tableExists(db, 'loaded_files')) await migrate(db);
  for (const statement of [...RAW_TABLES, ...MODEL_TABLES, ...SNAPSHOT_TABLES, ...STATE_TABLES]) {
    await statement.execute(db);
  }
  await sql`insert or ignore into warehouse_settings values ('schema_version', ${String(SCHEMA_VERSION)})`.execute(db);
}

async function tableExists(db: Kysely<any>, name: string): Promise<boolean> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from duckdb_tables() where table_name = ${name} and schema_name = 'main'`.execute(db);
  return (rows[0]?.n ?? 0) > 0;
}

async function migrate(db: Kysely<any>): Promise<void> {
  await sql`create table if not exists warehouse_settings (key varchar primary key, value varchar not null)`.execute(db);
  const { rows } = await sql<{ value: string }>`select value from warehouse_settings where key = 'schema_version'`.execute(db);
  if (Number(rows[0]?.value ?? 1) >= SCHEMA_VERSION) return;
  await db.transaction().execute(async (trx) => {
    for (const table of REBUILT) await sql`drop table if exists ${sql.table(table)}`.execute(trx);
    await sql`delete from warehouse_settings`.execute(trx);
    for (const statement of [...RAW_TABLES, ...MODEL_TABLES, ...SNAPSHOT_TABLES, ...STATE_TABLES]) await statement.execute(trx);
    await sql`insert into warehouse_settings values ('schema_version', ${String(SCHEMA_VERSION)})`.execute(trx);
  });
}
