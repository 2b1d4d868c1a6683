import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { ensureWarehouseTables } from '../../models/warehouse-tables.ts';
import { postgresCopier } from '../../pipeline/engine/postgres/copy-in.ts';
import { openWarehouse, type Warehouse } from '../../pipeline/engine/warehouse.ts';
import type { ProjectConfig } from '../../pipeline/ir/types.ts';
import { planLoad, type LoadPlan } from '../../pipeline/load/plan-load.ts';
import { FileStaging, insertFileInto } from '../../pipeline/load/staged-copy.ts';
import { duckdb } from '../../pipeline/sql/dialects/duckdb.ts';
import { csv, identity, tempProject, type TempProject } from '../helpers/temp-project.ts';

// A file loaded into a PostgreSQL warehouse through the DuckDB staging gives the rows, the
// rejected rows and the errors that today's DuckDB load gives: each case loads the same
// files both ways and compares every column.

const url = inject('postgresUrl');
const TODAY = '2025-01-20';

// By hand until the PostgreSQL DDL of models/warehouse-tables.ts (ensureWarehouseTables) is merged.
const POSTGRES_TABLES = `
  create table raw_events (account_id varchar not null, event varchar not null, ts timestamptz not null, day date not null,
    user_id varchar, event_id varchar, event_key bigint, properties jsonb, file_key varchar not null,
    duplicate boolean not null default false);
  create table raw_attributes (account_id varchar not null, attribute varchar not null, value varchar,
    observed_at timestamptz not null, day date not null, file_key varchar not null);
  create table raw_accounts (account_id varchar not null, created_day date, file_key varchar not null);
  create table raw_overrides (account_id varchar not null, scorecard varchar not null, score_id varchar, score double precision,
    band varchar, reason varchar not null, author varchar, starts_on date not null, ends_on date, source_line bigint not null,
    file_key varchar not null);
  create table raw_churn (account_id varchar not null, churn_day date not null, file_key varchar not null);
  create table raw_reactivations (account_id varchar not null, day date not null, file_key varchar not null);
  create table rejected_rows (source varchar not null, file_key varchar not null, line bigint not null, "column" varchar not null,
    reason varchar not null, raw varchar);`;
const TABLES = ['raw_events', 'raw_attributes', 'raw_accounts', 'raw_overrides', 'raw_churn', 'raw_reactivations', 'rejected_rows'];

let project: TempProject;
let reference: Warehouse | undefined;
let client: pg.Client | undefined;
let staging: FileStaging | undefined;
afterEach(async () => {
  await staging?.close();
  await reference?.close();
  if (client) {
    await client.query('rollback').catch(() => undefined);
    await client.query(`drop schema if exists ${pg.escapeIdentifier(schema)} cascade`);
    await client.end();
  }
  await project?.cleanup();
  staging = reference = client = undefined;
});

let schema = '';
/** A client of the test server in a schema of its own, holding the raw tables. */
async function postgres(): Promise<pg.Client> {
  schema = `hs_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`create schema ${pg.escapeIdentifier(schema)}; set search_path to ${pg.escapeIdentifier(schema)}; set timezone to 'UTC'`);
  await client.query(POSTGRES_TABLES);
  return client;
}

/** The plan of loading every source of `config` into an empty warehouse, made on a DuckDB
 *  warehouse that is then the reference. */
async function plan(config: ProjectConfig): Promise<LoadPlan> {
  reference = await openWarehouse({ path: ':memory:' });
  await ensureWarehouseTables(reference.db, duckdb);
  return planLoad(reference.db, config, duckdb, TODAY);
}

/** Loads every file of the plan: into the DuckDB reference, and through the staging into
 *  PostgreSQL in one transaction, committed when every file loaded. */
async function loadBoth(config: ProjectConfig) {
  const { sources } = await plan(config);
  const pgClient = await postgres();
  staging = await FileStaging.open(config);
  const duck = { kind: 'duckdb' as const, trx: reference!.db, dialect: duckdb };
  const staged = { kind: 'staged' as const, staging, copier: postgresCopier(pgClient) };
  const loadAll = async (destination: typeof duck | typeof staged) => {
    for (const s of sources) for (const file of s.add) await insertFileInto(destination, config, s, file, file.key);
  };
  const duckError = await loadAll(duck).then(() => undefined, (e: Error) => e);
  await pgClient.query('begin');
  const pgError = await loadAll(staged).then(() => undefined, (e: Error) => e);
  await pgClient.query(pgError ? 'rollback' : 'commit');
  return { duckError, pgError };
}

/** Every row of the raw tables on both engines, as comparable values: text, except
 *  numbers (each engine prints a double its way), JSON (parsed: jsonb normalizes its text)
 *  and event keys (the staging writes DuckDB's unsigned hash as the signed integer of the
 *  same bits). */
async function bothTables() {
  const out: Record<string, { duck: unknown[]; pg: unknown[] }> = {};
  for (const table of TABLES) {
    const columns = await reference!.query<{ name: string; type: string }>(sql`
      select column_name as name, data_type as type from duckdb_columns() where table_name = ${table} order by column_index`);
    const select = columns.map((c) => (c.type === 'DOUBLE' ? `${pg.escapeIdentifier(c.name)}` : `cast(${pg.escapeIdentifier(c.name)} as varchar) as ${pg.escapeIdentifier(c.name)}`)).join(', ');
    const normal = (engine: 'duck' | 'pg') => (row: Record<string, unknown>) =>
      Object.fromEntries(columns.map(({ name, type }) => {
        const value = row[name];
        if (value === null || value === undefined) return [name, null];
        if (type === 'JSON') return [name, JSON.parse(String(value))];
        if (type === 'UBIGINT' && engine === 'duck') return [name, BigInt.asIntN(64, BigInt(String(value))).toString()];
        return [name, value];
      }));
    const sorted = (rows: Record<string, unknown>[]) => rows.map((r) => JSON.stringify(r)).sort().map((r) => JSON.parse(r));
    out[table] = {
      duck: sorted((await reference!.query<Record<string, unknown>>(sql.raw(`select ${select} from ${table}`))).map(normal('duck'))),
      pg: sorted((await client!.query(`select ${select} from ${table}`)).rows.map(normal('pg'))),
    };
  }
  return out;
}

async function expectSameRows(): Promise<void> {
  const tables = await bothTables();
  for (const [table, { duck, pg: rows }] of Object.entries(tables)) expect(rows, table).toEqual(duck);
}

async function pgCount(table: string): Promise<number> {
  return Number((await client!.query(`select count(*)::int as n from ${table}`)).rows[0].n);
}

const EVENT_HEADER = ['account_id', 'event', 'timestamp', 'user_id', 'event_id'];
const eventsSource = (settings: Partial<ProjectConfig['sources']['events']> = {}) => ({
  path: 'events/*', format: 'csv' as const, columns: identity(EVENT_HEADER), ...settings,
});

function config(p: TempProject, sources: Partial<ProjectConfig['sources']>, timezone = 'UTC'): ProjectConfig {
  return { ...p.config(), timezone, sources: { events: eventsSource(), ...sources } };
}

/** A CSV field, quoted the way a spreadsheet would. */
const quoted = (value: string) => `"${value.replaceAll('"', '""')}"`;

describe.skipIf(!url)('a file loaded into PostgreSQL through the DuckDB staging', () => {
  it('CSV events with odd values, extra columns as properties, DST in the project timezone: the same rows', async () => {
    project = await tempProject();
    const long = 'ł'.repeat(70_000);
    const lines = [
      [...EVENT_HEADER, 'plan', 'note'].join(','),
      // Times without an offset are UTC; their day is New York's, whose clocks jump at 07:00 UTC that day.
      `a,login,2024-03-10 06:59:59,u1,e1,pro,${quoted('a "quoted", comma')}`,
      `a,login,2024-03-10 07:00:00,u1,e2,pro,${quoted('line one\nline two\r\nline three')}`,
      `a,login,2024-11-03 03:59:59,u2,e3,,${quoted('\\.')}`,
      `b,${quoted('sign up, "now"')},2024-11-03T05:30:00Z,,,${quoted('é 名前 🚀')},${quoted(`x\n\\.\ny`)}`,
      `b,search,2024-11-03 23:59:59.999999+01:00,"",e4,${quoted(long)},back\\slash`,
      `c,login,2024-06-30,u3,e5,NULL,${quoted('')}`,
    ];
    await project.write('events/e.csv', lines.join('\n') + '\n');
    const { duckError, pgError } = await loadBoth(config(project, {}, 'America/New_York'));
    expect(duckError).toBeUndefined();
    expect(pgError).toBeUndefined();
    await expectSameRows();
    expect(await pgCount('raw_events')).toBe(6);
    const { rows } = await client!.query(`select properties->>'note' as note, length(properties->>'plan') as n, day::text as day
      from raw_events order by account_id, ts`);
    expect(rows.map((r) => r.note)).toEqual(['a "quoted", comma', 'line one\nline two\r\nline three', '\\.', 'x\n\\.\ny', 'back\\slash', null]);
    expect(rows.map((r) => r.day)).toEqual(['2024-03-10', '2024-03-10', '2024-11-02', '2024-11-03', '2024-11-03', '2024-06-30']);
    expect(rows.some((r) => r.n === 70_000)).toBe(true);
    // DuckDB's hash is unsigned: some keys are beyond a signed bigint, and still compare as before.
    expect((await client!.query('select count(*)::int as n from raw_events where event_key < 0')).rows[0].n).toBeGreaterThan(0);
  });

  it('timestamp_format, long and wide attributes, accounts, churn and overrides with their source_line: the same rows', async () => {
    project = await tempProject();
    await project.write('events/e.csv', csv([EVENT_HEADER, ['a', 'login', '10/03/2024 01:30', 'u', 'e1'], ['a', 'login', '03/11/2024 01:30', null, 'e2']]));
    await project.write('attrs.csv', csv([['account_id', 'observed_at', 'plan', 'seats', 'owner'], ['a', '2024-03-01', 'pro', 12, 'Zoë "Z"'], ['b', '2024-03-02', null, 3, '']]));
    await project.write('accounts.csv', csv([['account_id', 'created_at'], ['a', '2024-01-05 23:30:00'], ['b', null]]));
    await project.write('churn.csv', csv([['account_id', 'churned_at'], ['a', '2024-03-20']]));
    const header = ['account_id', 'scorecard', 'score_id', 'score', 'band', 'reason', 'author', 'starts_on', 'ends_on'];
    await project.write('overrides.csv', csv([header, ['a', 's', null, 4.25, null, quoted('call, "urgent"'), 'kim', '2024-03-02', '2024-03-03'], ['b', 's', 'x', null, 'red', 'é', null, '2024-03-05', null]]));
    const { duckError, pgError } = await loadBoth(config(project, {
      events: eventsSource({ timestampFormat: '%d/%m/%Y %H:%M' }),
      attributes: { path: 'attrs.csv', format: 'csv', layout: 'wide', columns: identity(['account_id', 'observed_at']) },
      accounts: { path: 'accounts.csv', format: 'csv', columns: identity(['account_id', 'created_at']) },
      churn: { kind: 'file', path: 'churn.csv', format: 'csv', columns: identity(['account_id', 'churned_at']) },
      overrides: { path: 'overrides.csv', format: 'csv', columns: identity(header) },
    }, 'Europe/Berlin'));
    expect(duckError).toBeUndefined();
    expect(pgError).toBeUndefined();
    await expectSameRows();
    // Blank cells of a wide file are no observation.
    expect(await pgCount('raw_attributes')).toBe(4);
    expect((await client!.query('select source_line::int as l from raw_overrides order by 1')).rows).toEqual([{ l: 2 }, { l: 3 }]);
  });

  it('Parquet and JSON events, typed columns and empty strings that are not missing values: the same rows', async () => {
    project = await tempProject();
    await mkdir(join(project.root, 'events'));
    const duck = await openWarehouse({ path: ':memory:' });
    try {
      await sql`copy (select * from (values
          ('a', 'login', timestamptz '2024-03-31 00:30:00+00', '', 'p1', 1.5::double, true, [1, 2], {'k': 'v "q"'}),
          ('a', 'login', timestamptz '2024-10-27 01:30:00+00', null, null, null, false, [], {'k': null}),
          ('b', 'ünï', timestamptz '2024-10-27 00:59:59.5+00', 'u', 'p2', 1e300, null, null, null))
        t(account_id, event, "timestamp", user_id, event_id, amount, flag, items, meta))
        to ${sql.lit(join(project.root, 'events', 'e.parquet'))} (format parquet)`.execute(duck.db);
    } finally {
      await duck.close();
    }
    const json = [
      { account_id: 'c', event: 'login', timestamp: '2024-03-31T01:30:00+02:00', user_id: '', event_id: 'j1', nested: { a: [1, 'x'] }, text: 'line\nbreak' },
      { account_id: 'c', event: 'login', timestamp: '2024-03-31 03:30:00', user_id: null, event_id: 'j2', nested: null, text: '' },
    ];
    await project.write('events/e.json', json.map((row) => JSON.stringify(row)).join('\n') + '\n');
    const { duckError, pgError } = await loadBoth(config(project, {
      events: eventsSource({ path: 'events/*.parquet', format: 'parquet' }),
      attributes: { path: 'events/*.json', format: 'json', layout: 'long', columns: { account_id: 'account_id', attribute: 'event', value: 'user_id', observed_at: 'timestamp' } },
    }, 'Europe/Paris'));
    expect(duckError).toBeUndefined();
    expect(pgError).toBeUndefined();
    await expectSameRows();
    const { rows } = await client!.query(`select user_id from raw_events order by ts`);
    expect(rows.map((r) => r.user_id)).toEqual(['', 'u', null]);
    const values = await client!.query(`select value from raw_attributes order by observed_at`);
    expect(values.rows.map((r) => r.value)).toEqual(['', null]);
  });

  it('JSON lines events with nested and odd properties: the same rows', async () => {
    project = await tempProject();
    const rows = [
      { account_id: 'a', event: 'login', timestamp: '2024-10-27T00:30:00Z', user_id: '', event_id: 'j1', nested: { a: [1, 'x'], b: { c: null } }, text: 'line\nbreak, "q"', n: 1.25 },
      { account_id: 'a', event: 'lögg\rin', timestamp: '2024-10-27T01:30:00Z', user_id: null, event_id: 'j2', nested: null, text: '', n: 12345678901234, pad: '  spaces  \t', tabbed: 'a\tb' },
      { account_id: 'b', event: 'login', timestamp: '2024-10-27 02:30:00+01:00', event_id: null, text: '🚀'.repeat(5000) },
    ];
    await project.write('events/e.json', rows.map((row) => JSON.stringify(row)).join('\n') + '\n');
    const { duckError, pgError } = await loadBoth(config(project, { events: eventsSource({ format: 'json' }) }, 'Europe/London'));
    expect(duckError).toBeUndefined();
    expect(pgError).toBeUndefined();
    await expectSameRows();
    const { rows: loaded } = await client!.query(`select user_id, properties->'nested'->'a'->>1 as x, properties->>'text' as text from raw_events order by ts`);
    expect(loaded.map((r) => [r.user_id, r.x, r.text?.length])).toEqual([['', 'x', 15], [null, null, 0], [null, null, 10_000]]);
  });

  it('with on_bad_rows: fail, the same error as the DuckDB load, and nothing copied', async () => {
    project = await tempProject();
    await project.write('events/e.csv', csv([EVENT_HEADER, ['a', 'login', '2024-03-01 10:00:00', 'u', 'e1'], ['a', 'login', 'yesterday', 'u', 'e2']]));
    const { duckError, pgError } = await loadBoth(config(project, {}));
    expect(duckError?.message).toBe('events/e.csv:3 timestamp: cannot be read as a timestamp ("yesterday")');
    expect(pgError?.message).toBe(duckError?.message);
    expect(await pgCount('raw_events')).toBe(0);
  });

  it('with on_bad_rows: skip, the same rejected_rows and kept rows', async () => {
    project = await tempProject();
    await project.write('events/e.csv', csv([
      [...EVENT_HEADER, 'extra'],
      ['a', 'login', '2024-03-01 10:00:00', 'u', 'e1', 'x'],
      ['', 'login', '2024-03-01 10:00:00', 'u', 'e2', quoted('a "b", c')],
      ['a', 'login', '2999-01-01 10:00:00', 'u', 'e3', 'é'],
      ['a', 'login', 'soon', null, 'e4', null],
    ]));
    const { duckError, pgError } = await loadBoth(config(project, { events: eventsSource({ onBadRows: 'skip' }) }));
    expect(duckError).toBeUndefined();
    expect(pgError).toBeUndefined();
    await expectSameRows();
    expect(await pgCount('rejected_rows')).toBe(3);
    expect(await pgCount('raw_events')).toBe(1);
  });

  it('a NUL byte, which PostgreSQL text cannot hold, is an error at its file, line and column', async () => {
    project = await tempProject();
    await project.write('events/e.csv', csv([[...EVENT_HEADER, 'extra'], ['a', 'login', '2024-03-01 10:00:00', 'u', 'e1', 'x'], ['a', 'login', '2024-03-01 10:00:00', 'u', 'e2', 'x\0y']]));
    const { duckError, pgError } = await loadBoth(config(project, {}));
    expect(duckError).toBeUndefined();
    expect(pgError?.message).toBe('events/e.csv:3 extra: holds a NUL byte (\\0), which a PostgreSQL warehouse cannot store');
  });

  it('a value PostgreSQL refuses otherwise (NaN in JSON properties) is an error naming the file and the column', async () => {
    project = await tempProject();
    await mkdir(join(project.root, 'events'));
    const duck = await openWarehouse({ path: ':memory:' });
    try {
      await sql`copy (select 'a' as account_id, 'login' as event, timestamptz '2024-03-01 10:00:00+00' as "timestamp", 'u' as user_id,
          'e1' as event_id, 'nan'::double as ratio) to ${sql.lit(join(project.root, 'events', 'e.parquet'))} (format parquet)`.execute(duck.db);
    } finally {
      await duck.close();
    }
    const { duckError, pgError } = await loadBoth(config(project, { events: eventsSource({ format: 'parquet' }) }));
    expect(duckError).toBeUndefined();
    expect(pgError?.message).toBe("events/e.parquet: cannot be copied into the warehouse's raw_events: invalid input syntax for type json (column properties)");
    expect(await pgCount('raw_events')).toBe(0);
  });

  it('a failure in the middle of a load leaves the PostgreSQL tables as they were, and the staging empty', async () => {
    project = await tempProject();
    await project.write('events/a.csv', csv([EVENT_HEADER, ['a', 'login', '2024-03-01 10:00:00', 'u', 'e1']]));
    await project.write('events/b.csv', csv([EVENT_HEADER, ['b', 'login', '2024-03-01 10:00:00', 'u', 'e2'], ['b', 'lo\0gin', '2024-03-02 10:00:00', 'u', 'e3']]));
    await project.write('events/c.csv', csv([EVENT_HEADER, ['c', 'login', '2024-03-01 10:00:00', 'u', 'e4']]));
    const cfg = config(project, { events: eventsSource({ onBadRows: 'skip' }) });
    const { sources } = await plan(cfg);
    const [a, b, c] = sources[0]!.add;
    const pgClient = await postgres();
    staging = await FileStaging.open(cfg);
    const destination = { kind: 'staged' as const, staging, copier: postgresCopier(pgClient) };
    await insertFileInto(destination, cfg, sources[0]!, a!, 'a');
    const before = (await pgClient.query('select account_id, event, file_key from raw_events')).rows;
    expect(before).toEqual([{ account_id: 'a', event: 'login', file_key: 'a' }]);

    await pgClient.query('begin');
    await insertFileInto(destination, cfg, sources[0]!, c!, 'c');
    const error = await insertFileInto(destination, cfg, sources[0]!, b!, 'b').then(() => undefined, (e: Error) => e);
    expect(error?.message).toBe('events/b.csv:3 event: holds a NUL byte (\\0), which a PostgreSQL warehouse cannot store');
    await pgClient.query('rollback');
    expect((await pgClient.query('select account_id, event, file_key from raw_events')).rows).toEqual(before);

    // The refused file's staged rows went with it: the next file copies only its own.
    await insertFileInto(destination, cfg, sources[0]!, c!, 'c');
    expect((await pgClient.query('select account_id, file_key from raw_events order by 1')).rows).toEqual([
      { account_id: 'a', file_key: 'a' }, { account_id: 'c', file_key: 'c' }]);
  });
});
