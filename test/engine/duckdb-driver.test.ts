import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openWarehouse } from '../../pipeline/engine/warehouse.ts';

describe('the kysely driver over @duckdb/node-api', () => {
  it('runs kysely queries with bound values and converts results to plain JS', async () => {
    const wh = await openWarehouse({ path: ':memory:' });
    await sql`create table t (id varchar, d date, n bigint, x double, tags varchar[])`.execute(wh.db);
    const name = `it's; drop table t; --`;
    await wh.db.insertInto('t').values({ id: name, d: sql`date '2025-03-04'`, n: 7, x: 1.5, tags: sql`['a','b']` }).execute();
    const rows = await wh.db.selectFrom('t').selectAll().where('id', '=', name).execute();
    expect(rows).toEqual([{ id: name, d: '2025-03-04', n: 7, x: 1.5, tags: ['a', 'b'] }]);
    await wh.close();
  });

  it('keeps temp tables on the one pinned connection', async () => {
    const wh = await openWarehouse({ path: ':memory:' });
    await sql`create temp table scratch as select 42 as answer`.execute(wh.db);
    expect(await wh.query(sql`select answer from scratch`)).toEqual([{ answer: 42 }]);
    await wh.close();
  });

  it('rolls a failed transaction back completely', async () => {
    const wh = await openWarehouse({ path: ':memory:' });
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
    await wh.close();
  });

  it('serialises concurrent queries on the single connection', async () => {
    const wh = await openWarehouse({ path: ':memory:' });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => wh.query<{ v: number }>(sql`select ${i}::integer as v`)),
    );
    expect(results.map((r) => r[0]?.v)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    await wh.close();
  });
});
