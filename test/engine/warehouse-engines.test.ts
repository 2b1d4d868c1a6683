// The adapter's promises, on every engine: the same JS shapes for the same SQL types, temp
// tables on the one pinned connection, transactions that roll back whole, queries serialised.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { tableExists } from '../../pipeline/engine/catalog.ts';
import { emptyWarehouse, openWarehouse, warehouseOptions, type Warehouse } from '../../pipeline/engine/warehouse.ts';
import type { WarehouseLocation } from '../../pipeline/ir/types.ts';
import { engines } from '../helpers/engines.ts';

describe.each(engines)('a warehouse on $name', (engine) => {
  let root: string;
  let location: WarehouseLocation;
  let wh: Warehouse;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'healthscore-engine-'));
    location = engine.location(root);
    wh = await openWarehouse(warehouseOptions(location));
  });
  afterEach(async () => {
    vi.unstubAllEnvs();
    await wh.close();
    await engine.drop(location);
    await rm(root, { recursive: true, force: true });
  });

  it("returns the same JS shapes for the same SQL types, whatever the machine's time zone", async () => {
    // Node reads TZ when it changes: a naive TIMESTAMP must not be read in the local zone.
    vi.stubEnv('TZ', 'America/New_York');
    const rows = await wh.query(sql`select
      date '2025-03-04' as d,
      timestamp '2025-03-04 05:06:07.123456' as ts,
      cast('2025-03-04 05:06:07+02' as timestamptz) as tstz,
      cast(9007199254740993 as bigint) as big,
      (select count(*) from (values (1), (2)) as t(v)) as n,
      cast(2 as integer) as i,
      sum(cast(2 as integer)) as total,
      cast(1.5 as double precision) as x,
      round(cast(2.345 as numeric(10, 3)), 2) as dec,
      true as b,
      cast(null as integer) as nothing,
      'it''s' as t,
      cast('{"a":1}' as json) as j,
      cast(array['b', null, 'a'] as text[]) as list,
      cast(array[] as text[]) as empty,
      cast(null as text[]) as no_list,
      array[date '2025-01-01'] as days,
      cast(array[1, null] as bigint[]) as bigs`);
    expect(rows).toEqual([
      {
        d: '2025-03-04',
        ts: '2025-03-04T05:06:07.123Z',
        tstz: '2025-03-04T03:06:07.000Z',
        // A 64-bit integer is a JS number on both engines (a stored hash compares with itself).
        big: 9007199254740992,
        n: 2,
        i: 2,
        total: 2,
        x: 1.5,
        dec: 2.35,
        b: true,
        nothing: null,
        t: "it's",
        j: '{"a":1}',
        list: ['b', null, 'a'],
        empty: [],
        no_list: null,
        days: ['2025-01-01'],
        bigs: [1, null],
      },
    ]);
  });

  it('binds values and keeps temp tables on the one pinned connection', async () => {
    const name = `it's; drop table t; --`;
    await sql`create temp table scratch as select cast(${name} as text) as name, cast(42 as integer) as answer`.execute(wh.db);
    expect(await wh.query(sql`select answer from scratch where name = ${name}`)).toEqual([{ answer: 42 }]);
  });

  it('rolls a failed transaction back completely', async () => {
    await sql`create table t (n integer)`.execute(wh.db);
    await sql`insert into t values (1)`.execute(wh.db);
    await expect(
      wh.transaction(async (trx) => {
        await sql`delete from t`.execute(trx);
        await sql`insert into t values (2)`.execute(trx);
        await sql`select * from no_such_table`.execute(trx);
      }),
    ).rejects.toThrow(/no_such_table/);
    expect(await wh.query(sql`select n from t`)).toEqual([{ n: 1 }]);
    await wh.transaction(async (trx) => {
      await sql`insert into t values (3)`.execute(trx);
    });
    expect(await wh.query(sql`select n from t order by n`)).toEqual([{ n: 1 }, { n: 3 }]);
  });

  it('serialises concurrent queries, and keeps a transaction to itself', async () => {
    await sql`create table t (n integer)`.execute(wh.db);
    const outside: Promise<unknown>[] = [];
    await expect(
      wh.transaction(async (trx) => {
        await sql`insert into t values (1)`.execute(trx);
        // Queued behind the transaction: it must not run inside it, so it sees no row.
        outside.push(wh.query(sql`select count(*) as n from t`));
        await sql`insert into t values (2)`.execute(trx);
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    expect(await outside[0]).toEqual([{ n: 0 }]);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => wh.query<{ v: number }>(sql`select cast(${i} as integer) as v`)));
    expect(results.map((r) => r[0]?.v)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it("knows which tables the warehouse has (its own schema's, not a temp table's)", async () => {
    expect(await tableExists(wh.db, 'scores')).toBe(false);
    await sql`create table scores (n integer)`.execute(wh.db);
    expect(await tableExists(wh.db, 'scores')).toBe(true);
    expect(await tableExists(wh.db, "scores' or 'x' = 'x")).toBe(false);
    await sql`create temp table scratch (n integer)`.execute(wh.db);
    expect(await tableExists(wh.db, 'scratch')).toBe(false);
  });

  it('the empty warehouse (status before the first run) sees its own tables only', async () => {
    await sql`create table scores (n integer)`.execute(wh.db);
    const empty = await openWarehouse(warehouseOptions(emptyWarehouse(location)));
    try {
      expect(await tableExists(empty.db, 'scores')).toBe(false);
      await sql`create table if not exists scores (n integer)`.execute(empty.db);
      expect(await tableExists(empty.db, 'scores')).toBe(true);
      expect(await empty.query(sql`select count(*) as n from scores`)).toEqual([{ n: 0 }]);
    } finally {
      await empty.close();
    }
  });
});
