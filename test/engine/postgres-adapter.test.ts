// The PostgreSQL adapter's own behaviour: its schema and session, read-only opens, the
// advisory lock that stands for DuckDB's file lock, the empty warehouse of temporary tables,
// and the pinned client for what kysely does not do (COPY).
import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { withPostgresClient } from '../../pipeline/engine/postgres/pinned-client.ts';
import { emptyWarehouse, NoWarehouseError, openWarehouse, WarehouseBusyError, type Warehouse } from '../../pipeline/engine/warehouse.ts';
import type { WarehouseLocation } from '../../pipeline/ir/types.ts';
import { postgresEngine } from '../helpers/engines.ts';

const url = inject('postgresUrl');

/** Asks the server directly, outside any warehouse connection. */
async function schemaExists(schema: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query('select exists (select from pg_namespace where nspname = $1) as found', [schema]);
    return rows[0].found as boolean;
  } finally {
    await client.end();
  }
}

const rejection = (promise: Promise<unknown>) => promise.then(() => undefined, (e: unknown) => e as Error);

describe.skipIf(!postgresEngine)('the PostgreSQL adapter', () => {
  let location: Extract<WarehouseLocation, { engine: 'postgres' }>;
  const open: Warehouse[] = [];
  const openHere = async (options: { readOnly?: boolean; schema?: string } = {}) => {
    const wh = await openWarehouse({ ...location, ...options });
    open.push(wh);
    return wh;
  };
  beforeEach(() => {
    location = postgresEngine!.location('') as typeof location;
  });
  afterEach(async () => {
    for (const wh of open.splice(0)) await wh.close();
    await postgresEngine!.drop(location);
  });

  it('creates the schema and works in it, in UTC, as healthscore', async () => {
    expect(await schemaExists(location.schema)).toBe(false);
    const wh = await openHere();
    expect(await schemaExists(location.schema)).toBe(true);
    await sql`create table t (n integer)`.execute(wh.db);
    const [row] = await wh.query(sql`
      select current_schema() as schema, current_setting('TimeZone') as zone, current_setting('application_name') as app,
        (select n.nspname from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.relname = 't') as home`);
    expect(row).toEqual({ schema: location.schema, zone: 'UTC', app: 'healthscore', home: location.schema });
  });

  it('opens an existing schema without needing CREATE on the database', async () => {
    await (await openHere()).close();
    open.length = 0;
    const user = `hs_user_${location.schema.slice(-8)}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query(`create role ${user} login`);
      await admin.query(`grant usage, create on schema ${location.schema} to ${user}`);
      const asUser = new URL(url);
      asUser.username = user;
      const wh = await openWarehouse({ ...location, url: asUser.toString() });
      await sql`create table t (n integer)`.execute(wh.db);
      await wh.close();
    } finally {
      await admin.query(`drop owned by ${user}`);
      await admin.query(`drop role ${user}`);
      await admin.end();
    }
  });

  it('a read-only open reads, refuses to write, and never creates the schema', async () => {
    const missing = await rejection(openWarehouse({ ...location, readOnly: true }));
    expect(missing).toBeInstanceOf(NoWarehouseError);
    expect(missing!.message).toBe(`no warehouse yet at ${location.url} (schema ${location.schema}): run \`healthscore run\` first`);
    expect(await schemaExists(location.schema)).toBe(false);
    // The test server trusts its users: a password in the URL is ignored, but must not show.
    const withPassword = new URL(location.url);
    withPassword.password = 's3cret';
    const shown = await rejection(openWarehouse({ ...location, url: withPassword.toString(), readOnly: true }));
    expect(shown!.message).toContain(`${withPassword.username}:***@${withPassword.host}`);
    expect(shown!.message).not.toContain('s3cret');

    const writer = await openHere();
    await sql`create table t as select 1 as n`.execute(writer.db);
    await writer.close();
    open.length = 0;
    const reader = await openHere({ readOnly: true });
    expect(reader.readOnly).toBe(true);
    expect(await reader.query(sql`select n from t`)).toEqual([{ n: 1 }]);
    await expect(sql`insert into t values (2)`.execute(reader.db)).rejects.toThrow(/read-only transaction/);
    await expect(reader.transaction(async (trx) => void (await sql`delete from t`.execute(trx)))).rejects.toThrow(/read-only transaction/);
  });

  it('a writer holds the schema: a second writer is refused with one sentence naming the holder, readers are not', async () => {
    const first = await openHere();
    const busy = await rejection(openWarehouse(location));
    expect(busy).toBeInstanceOf(WarehouseBusyError);
    const pid = (await first.query<{ pid: number }>(sql`select pg_backend_pid() as pid`))[0]!.pid;
    expect(busy!.message).toBe(
      `the warehouse ${location.url} (schema ${location.schema}) is in use by another process (server PID ${pid}, healthscore): wait for it to finish, or stop it`,
    );
    // Readers share the schema with the writer (PostgreSQL's snapshots keep them consistent);
    // a reader needs a table there (an empty schema is no warehouse yet).
    await first.query(sql`create table written (x int)`);
    await openHere({ readOnly: true });
    // The lock is the schema's: another schema of the same database is free.
    const other = postgresEngine!.location('') as typeof location;
    try {
      await (await openWarehouse(other)).close();
    } finally {
      await postgresEngine!.drop(other);
    }
    // Closing releases it.
    await first.close();
    open.splice(open.indexOf(first), 1);
    await openHere();
  });

  it('the empty warehouse of `status` is made of temporary tables that vanish on close', async () => {
    const empty = emptyWarehouse(location);
    expect(empty).toEqual({ ...location, schema: 'pg_temp' });
    const wh = await openWarehouse(empty as typeof location);
    await sql`create table if not exists t (n integer)`.execute(wh.db);
    expect(await wh.query(sql`select count(*) as n from t`)).toEqual([{ n: 0 }]);
    const temporary = (await wh.query<{ temporary: string }>(sql`select relpersistence as temporary from pg_class where relname = 't'`))[0]!.temporary;
    expect(temporary).toBe('t');
    await wh.close();
    expect(await schemaExists(location.schema)).toBe(false);
    // No lock either: two of them (two `status`) and the real warehouse open side by side.
    const [one, two] = [await openWarehouse(empty as typeof location), await openWarehouse(empty as typeof location)];
    await openHere();
    await one.close();
    await two.close();
  });

  it('lends its pinned client for COPY, inside a transaction too', async () => {
    const wh = await openHere();
    await sql`create table t (n integer)`.execute(wh.db);
    const pid = (await wh.query<{ pid: number }>(sql`select pg_backend_pid() as pid`))[0]!.pid;
    expect(await withPostgresClient(wh.db, async (client) => (await client.query('select pg_backend_pid() as pid')).rows[0].pid)).toBe(pid);
    await expect(
      wh.transaction(async (trx) => {
        await withPostgresClient(trx, (client) => client.query('insert into t values (1)'));
        expect(await sql`select count(*) as n from t`.execute(trx)).toMatchObject({ rows: [{ n: 1 }] });
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    expect(await wh.query(sql`select count(*) as n from t`)).toEqual([{ n: 0 }]);
  });
});

it('withPostgresClient refuses a DuckDB warehouse', async () => {
  const wh = await openWarehouse({ path: ':memory:' });
  await expect(withPostgresClient(wh.db, async () => undefined)).rejects.toThrow(/not a PostgreSQL warehouse/);
  await wh.close();
});
