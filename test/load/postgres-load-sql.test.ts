import { sql, type Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { ensureWarehouseTables } from '../../models/warehouse-tables.ts';
import { readDataChecks, refreshDataChecks } from '../../pipeline/load/data-checks.ts';
import { setAsideDuplicates } from '../../pipeline/load/duplicate-events.ts';
import { ACCOUNTS, CHURN, EVENTS, OVERRIDES, type RawTarget } from '../../pipeline/load/raw-targets.ts';
import type { SqlDialect } from '../../pipeline/sql/dialects/dialect.ts';
import { onBothEngines, postgresUrl } from '../helpers/state-engines.ts';

// The load's warehouse-side SQL on both engines, over the same raw rows inserted into each:
// the data checks, the duplicate-event decision and the days a changed row affects.

/** account, event, ts, event_id (key: its index in IDS), file_key, duplicate. */
type EventRow = [string, string, string, string | null, string, boolean?];
const IDS = ['e1', 'e2', 'e3', 'e4', 'e5'];

async function insertEvents(db: Kysely<any>, rows: EventRow[]) {
  for (const [account, event, ts, id, file, duplicate] of rows) {
    const key = id === null ? null : IDS.indexOf(id) + 1;
    await sql`insert into raw_events values (${account}, ${event}, cast(${ts} as timestamptz), cast(cast(${ts} as timestamptz) as date),
      'u', ${id}, ${key}, ${'{"k":"v"}'}, ${file}, ${duplicate ?? false})`.execute(db);
  }
}

describe.skipIf(!postgresUrl)('the load on DuckDB and PostgreSQL', () => {
  it('counts the same data checks', async () => {
    const result = await onBothEngines(async (db, dialect) => {
      await ensureWarehouseTables(db, dialect);
      await insertEvents(db, [
        ['a', 'login', '2025-01-01 10:00:00+00', 'e1', 'f1'], ['a', 'login', '2025-01-02 10:00:00+00', 'e1', 'f1', true],
        ['b', 'login', '2025-01-03 10:00:00+00', null, 'f1'], ['ghost', 'login', '2025-01-03 10:00:00+00', null, 'f1'],
      ]);
      await sql`insert into daily_activity values ('a', date '2025-01-01', 'login', 3), ('a', date '2025-01-05', 'login', 2),
        ('b', date '2025-01-03', 'login', 4), ('ghost', date '2025-01-03', 'login', 1)`.execute(db);
      await sql`insert into raw_accounts values ('a', date '2025-01-04', 'fa'), ('a', date '2025-01-02', 'fa'), ('b', null, 'fa')`.execute(db);
      await sql`insert into raw_churn values ('a', date '2025-02-01', 'fc'), ('a', date '2025-02-01', 'fc'), ('b', date '2025-02-01', 'fc')`.execute(db);
      await sql`insert into raw_attributes values
        ('a', 'plan', 'pro', timestamptz '2025-01-01 00:00:00+00', date '2025-01-01', 'fat'),
        ('a', 'plan', 'basic', timestamptz '2025-01-01 00:00:00+00', date '2025-01-01', 'fat'),
        ('a', 'plan', null, timestamptz '2025-01-01 00:00:00+00', date '2025-01-01', 'fat'),
        ('b', 'plan', 'pro', timestamptz '2025-01-01 00:00:00+00', date '2025-01-01', 'fat')`.execute(db);
      await db.transaction().execute((trx) => refreshDataChecks(trx));
      return readDataChecks(db);
    });
    expect(result.postgres).toEqual(result.duckdb);
    expect(result.duckdb).toEqual({
      eventsBeforeCreated: { rows: 3, of: 10, share: 0.3, accounts: 1 },
      eventsOfUnknownAccounts: { rows: 1, of: 10, share: 0.1, accounts: 1 },
      duplicateChurnRows: { rows: 1, of: 3, share: 1 / 3 },
      conflictingAttributeObservations: { rows: 2, of: 3, share: 2 / 3 },
      reusedEventIds: { rows: 1, of: 4, share: 0.25 },
    });
  });

  it('sets aside the same duplicates of an event_id, and gives the event back when its file leaves', async () => {
    const flags = (db: Kysely<any>) => sql<{ file_key: string; event_id: string; account_id: string; duplicate: boolean }>`
      select file_key, event_id, account_id, duplicate from raw_events order by event_id, file_key, account_id, ts`.execute(db).then((r) => r.rows);
    const flipped = (db: Kysely<any>) => sql<{ file_key: string; day: string }>`
      select file_key, cast(day as varchar) as day from hs_flipped order by 1, 2`.execute(db).then((r) => r.rows);
    const result = await onBothEngines(async (db, dialect: SqlDialect) => {
      await ensureWarehouseTables(db, dialect);
      // A first file: e1 twice (the earlier kept), e2 tied on time (the account id decides:
      // "B" before "a", byte order).
      await insertEvents(db, [
        ['a', 'login', '2025-01-02 10:00:00+00', 'e1', 'k1'], ['a', 'login', '2025-01-01 10:00:00+00', 'e1', 'k1'],
        ['a', 'login', '2025-01-03 10:00:00+00', 'e2', 'k1'], ['B', 'login', '2025-01-03 10:00:00+00', 'e2', 'k1'],
        ['a', 'view', '2025-01-04 10:00:00+00', 'e3', 'k1'], ['a', 'view', '2025-01-06 10:00:00+00', 'e4', 'k1'],
      ]);
      const first = await db.transaction().execute(async (trx) => {
        await setAsideDuplicates(trx, dialect, ['k1'], []);
        return { flags: await flags(trx), flipped: await flipped(trx) };
      });
      // A second file with an earlier e3 (it takes the event from k1), a later e1, and e4 at
      // the same time as k1's (the file decides before the account: k1 keeps it).
      await insertEvents(db, [['a', 'view', '2025-01-03 09:00:00+00', 'e3', 'k2'], ['a', 'login', '2025-01-05 10:00:00+00', 'e1', 'k2'],
        ['B', 'view', '2025-01-06 10:00:00+00', 'e4', 'k2']]);
      const second = await db.transaction().execute(async (trx) => {
        await setAsideDuplicates(trx, dialect, ['k2'], []);
        return { flags: await flags(trx), flipped: await flipped(trx) };
      });
      // k2 leaves: e3 goes back to k1's row.
      const third = await db.transaction().execute(async (trx) => {
        await setAsideDuplicates(trx, dialect, [], ['k2']);
        return { flags: await flags(trx), flipped: await flipped(trx) };
      });
      return { first, second, third };
    });
    expect(result.postgres).toEqual(result.duckdb);
    const duplicates = (r: typeof result.duckdb.first) => r.flags.filter((f) => f.duplicate).map((f) => `${f.event_id}@${f.file_key}:${f.account_id}`);
    expect(duplicates(result.duckdb.first)).toEqual(['e1@k1:a', 'e2@k1:a']);
    expect(result.duckdb.first.flipped).toEqual([]);
    expect(duplicates(result.duckdb.second)).toEqual(['e1@k1:a', 'e1@k2:a', 'e2@k1:a', 'e3@k1:a', 'e4@k2:B']);
    expect(result.duckdb.second.flipped).toEqual([{ file_key: 'k1', day: '2025-01-04' }]);
    expect(duplicates(result.duckdb.third)).toEqual(['e1@k1:a', 'e1@k2:a', 'e2@k1:a', 'e4@k2:B']);
    expect(result.duckdb.third.flipped).toEqual([{ file_key: 'k1', day: '2025-01-04' }]);
  });

  it('finds the same affected days of changed rows', async () => {
    const changed: [RawTarget, ReturnType<typeof sql>][] = [
      [EVENTS, sql`select date '2025-01-05' as day union all select date '2025-01-03'`],
      [CHURN, sql`select date '2025-01-09' as churn_day`],
      [ACCOUNTS, sql`select 'a' as account_id, date '2025-01-04' as created_day union all select 'b', cast(null as date)`],
      [OVERRIDES, sql`select date '2025-01-02' as starts_on, date '2025-01-06' as ends_on union all select date '2025-01-08', cast(null as date)`],
    ];
    const result = await onBothEngines(async (db, dialect) => {
      await ensureWarehouseTables(db, dialect);
      await sql`insert into daily_activity values ('a', date '2025-01-03', 'login', 1), ('b', date '2025-01-07', 'login', 1)`.execute(db);
      await sql`insert into raw_attributes values ('b', 'plan', 'pro', timestamptz '2025-01-06 00:00:00+00', date '2025-01-06', 'f')`.execute(db);
      const spans: Record<string, unknown> = {};
      for (const [target, rows] of changed) {
        for (const statement of dialect.replaceTempTable('hs_changed', rows)) await statement.execute(db);
        const { rows: found } = await sql<{ from_day: string; to_day: string | null }>`
          select cast(from_day as varchar) as from_day, cast(to_day as varchar) as to_day from (${target.affectedDays(7)}) s order by 1`.execute(db);
        spans[target.source] = found;
      }
      return spans;
    });
    expect(result.postgres).toEqual(result.duckdb);
    expect(result.duckdb).toEqual({
      events: [{ from_day: '2025-01-03', to_day: null }],
      churn: [{ from_day: '2025-01-09', to_day: null }],
      accounts: [{ from_day: '2025-01-03', to_day: null }],
      overrides: [{ from_day: '2025-01-02', to_day: '2025-01-13' }, { from_day: '2025-01-08', to_day: null }],
    });
  });
});
