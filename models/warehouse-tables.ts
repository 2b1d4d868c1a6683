import { tableExists } from '../pipeline/engine/catalog.ts';
import { sql, type Kysely } from 'kysely';
import type { SqlDialect } from '../pipeline/sql/dialects/dialect.ts';
import { columns, createTable, type TableDef } from '../pipeline/sql/create-table.ts';
import { STATE_TABLES, WAREHOUSE_SETTINGS } from '../pipeline/state/tables.ts';
import { OUTPUT_TABLES } from './output-tables.ts';

// Every table the pipeline owns, created idempotently. Raw rows keep the key of the file
// content they came from (pipeline/state/ledger.ts), so a changed or removed file's rows
// can be replaced without touching the others.

/** `day` is the calendar day of `ts` in the project timezone, fixed at load time so that
 *  every later query filters on a plain DATE. `duplicate`: another row with this event_id
 *  is kept (pipeline/load/duplicate-events.ts); every reader of events skips it.
 *  `event_key`: a 64-bit hash of event_id, which that file looks ids up by. */
const RAW_EVENTS: TableDef = {
  name: 'raw_events',
  columns: columns(
    ['account_id', 'varchar', 'not null'], ['event', 'varchar', 'not null'], ['ts', 'timestamptz', 'not null'], ['day', 'date', 'not null'],
    ['user_id', 'varchar'], ['event_id', 'varchar'], ['event_key', 'ubigint'], ['properties', 'json'], ['file_key', 'varchar', 'not null'],
    ['duplicate', 'boolean', 'not null default false'],
  ),
};

const RAW_TABLES: TableDef[] = [
  RAW_EVENTS,
  {
    name: 'raw_attributes',
    columns: columns(['account_id', 'varchar', 'not null'], ['attribute', 'varchar', 'not null'], ['value', 'varchar'],
      ['observed_at', 'timestamptz', 'not null'], ['day', 'date', 'not null'], ['file_key', 'varchar', 'not null']),
  },
  { name: 'raw_accounts', columns: columns(['account_id', 'varchar', 'not null'], ['created_day', 'date'], ['file_key', 'varchar', 'not null']) },
  {
    name: 'raw_overrides',
    columns: columns(
      ['account_id', 'varchar', 'not null'], ['scorecard', 'varchar', 'not null'], ['score_id', 'varchar'], ['score', 'double'], ['band', 'varchar'],
      ['reason', 'varchar', 'not null'], ['author', 'varchar'], ['starts_on', 'date', 'not null'], ['ends_on', 'date'],
      ['source_line', 'bigint', 'not null'], ['file_key', 'varchar', 'not null'],
    ),
  },
  { name: 'raw_churn', columns: columns(['account_id', 'varchar', 'not null'], ['churn_day', 'date', 'not null'], ['file_key', 'varchar', 'not null']) },
  // `day`: the day of reactivated_at in the project timezone.
  { name: 'raw_reactivations', columns: columns(['account_id', 'varchar', 'not null'], ['day', 'date', 'not null'], ['file_key', 'varchar', 'not null']) },
  // Rows a source with `on_bad_rows: skip` set aside: where, why, and the row as read
  // (`raw`, as JSON text).
  {
    name: 'rejected_rows',
    columns: columns(['source', 'varchar', 'not null'], ['file_key', 'varchar', 'not null'], ['line', 'bigint', 'not null'],
      ['column', 'varchar', 'not null'], ['reason', 'varchar', 'not null'], ['raw', 'varchar']),
  },
];

/** The definition of a raw table. */
export function rawTable(name: string): TableDef {
  const table = RAW_TABLES.find((t) => t.name === name);
  if (!table) throw new Error(`no raw table ${name}`);
  return table;
}

const MODEL_TABLES: TableDef[] = [
  // The compact daily aggregate every rolling window is computed from.
  {
    name: 'daily_activity',
    columns: columns(['account_id', 'varchar', 'not null'], ['day', 'date', 'not null'], ['event', 'varchar', 'not null'], ['events', 'bigint', 'not null']),
  },
  // Who was active on which day (any event): distinct-user windows read this instead of
  // the raw events.
  { name: 'daily_users', columns: columns(['account_id', 'varchar', 'not null'], ['day', 'date', 'not null'], ['user_id', 'varchar', 'not null']) },
  // Data-quality counts over the raw tables, as of the last load (pipeline/load/data-checks.ts).
  {
    name: 'data_checks',
    columns: columns(['name', 'varchar', 'not null'], ['found', 'bigint', 'not null'], ['of_rows', 'bigint', 'not null'], ['accounts', 'bigint']),
    primaryKey: ['name'],
  },
];

const TABLES: TableDef[] = [...RAW_TABLES, ...MODEL_TABLES, ...OUTPUT_TABLES, ...STATE_TABLES];

/** Bumped when the raw, model or state tables change shape. */
const SCHEMA_VERSION = 5;

/** A warehouse of an older schema is rebuilt whole by the next run: raw rows are loaded
 *  again from the files and every day is computed and exported again. */
const REBUILT = ['loaded_files', 'raw_events', 'raw_attributes', 'raw_accounts', 'raw_overrides', 'raw_churn', 'raw_reactivations',
  'daily_activity', 'daily_users', 'data_checks', 'run_log', ...OUTPUT_TABLES.map((t) => t.name)];

export async function ensureWarehouseTables(db: Kysely<any>, dialect: SqlDialect): Promise<void> {
  if (await tableExists(db, 'loaded_files')) await migrate(db, dialect);
  await createAll(db, dialect);
  await dialect.insertMissing(WAREHOUSE_SETTINGS.name, sql`values ('schema_version', ${String(SCHEMA_VERSION)})`).execute(db);
}

/** The tables, and the functions the dialect's SQL needs of the engine. */
async function createAll(db: Kysely<any>, dialect: SqlDialect): Promise<void> {
  for (const table of TABLES) await createTable(dialect, table).execute(db);
  for (const statement of dialect.functions) await statement.execute(db);
}

async function migrate(db: Kysely<any>, dialect: SqlDialect): Promise<void> {
  await createTable(dialect, WAREHOUSE_SETTINGS).execute(db);
  const { rows } = await sql<{ value: string }>`select value from warehouse_settings where key = 'schema_version'`.execute(db);
  if (Number(rows[0]?.value ?? 1) >= SCHEMA_VERSION) return;
  await db.transaction().execute(async (trx) => {
    for (const table of REBUILT) await sql`drop table if exists ${sql.table(table)}`.execute(trx);
    await sql`delete from warehouse_settings`.execute(trx);
    await createAll(trx, dialect);
    await sql`insert into warehouse_settings values ('schema_version', ${String(SCHEMA_VERSION)})`.execute(trx);
  });
}
