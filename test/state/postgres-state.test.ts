import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { ensureWarehouseTables } from '../../models/warehouse-tables.ts';
import type { Scorecard } from '../../pipeline/ir/types.ts';
import type { SqlDialect } from '../../pipeline/sql/dialects/dialect.ts';
import { exportDone, exportOwed, markForExport } from '../../pipeline/state/export-pending.ts';
import { addLedgerEntry, cachedHashes, firstPathOf, ledgerBySource, rememberHashes, removeLedgerEntries, setLedgerPaths, type LedgerEntry } from '../../pipeline/state/ledger.ts';
import {
  doneDays, invalidateAll, invalidateDays, isDone, lastDoneDay, materialisedVersions, reconcileCoverage, reconcileSettings, recordDays, staleDays,
} from '../../pipeline/state/run-log.ts';
import { finishRun, lastRun, startRun } from '../../pipeline/state/runs.ts';
import { getSetting, setSetting } from '../../pipeline/state/settings.ts';
import { withPostgresSchema } from '../helpers/postgres-schema.ts';
import { onBothEngines, postgresUrl } from '../helpers/state-engines.ts';
import { postgres } from '../../pipeline/sql/dialects/postgres.ts';

// The warehouse's tables and the run state on both engines: the same calls give the same
// results on DuckDB and on PostgreSQL.

const tables = (db: Kysely<any>) =>
  sql<{ name: string }>`select table_name as name from information_schema.tables
    where table_catalog = current_database() and table_schema = current_schema() order by 1`.execute(db).then((r) => r.rows.map((t) => t.name));

describe.skipIf(!postgresUrl)('the warehouse tables on DuckDB and PostgreSQL', () => {
  it('creates every table, twice without harm, with the output tables typed as SPEC §4 says', async () => {
    const result = await onBothEngines(async (db, dialect) => {
      await ensureWarehouseTables(db, dialect);
      const first = await tables(db);
      await ensureWarehouseTables(db, dialect);
      const { rows: health } = await sql<{ column_name: string; data_type: string }>`
        select column_name, data_type from information_schema.columns
        where table_schema = current_schema() and table_name = 'health_snapshots' order by ordinal_position`.execute(db);
      return { first, second: await tables(db), health, version: await getSetting(db, 'schema_version') };
    });
    expect(result.postgres.first).toEqual(result.duckdb.first);
    expect(result.postgres.second).toEqual(result.duckdb.first);
    expect(result.duckdb.first).toEqual([
      'alerts', 'daily_activity', 'daily_users', 'data_checks', 'export_pending', 'file_hashes', 'health_snapshots', 'loaded_files',
      'raw_accounts', 'raw_attributes', 'raw_churn', 'raw_events', 'raw_overrides', 'raw_reactivations', 'rejected_rows', 'run_log',
      'runs', 'score_snapshots', 'warehouse_settings',
    ]);
    expect(result.postgres.version).toBe('5');
    expect(result.duckdb.version).toBe('5');
    expect(Object.fromEntries(result.postgres.health.map((c) => [c.column_name, c.data_type]))).toEqual({
      snapshot_date: 'date', scorecard: 'text', account_id: 'text', score: 'double precision', band: 'text',
      computed_score: 'double precision', computed_band: 'text', insights: 'ARRAY', overridden: 'boolean',
      override_reason: 'text', definition_version: 'text',
    });
  });

  it('rebuilds a warehouse of an older schema version, and keeps one of the current version', async () => {
    const result = await onBothEngines(async (db, dialect) => {
      await ensureWarehouseTables(db, dialect);
      await sql`insert into run_log values ('sc', date '2025-01-01', 'v1', 'r', now(), null)`.execute(db);
      await sql`insert into runs values ('r', now(), null, 'ok', 1, null)`.execute(db);
      await ensureWarehouseTables(db, dialect);
      const kept = await count(db, 'run_log');
      await sql`update warehouse_settings set value = '4' where key = 'schema_version'`.execute(db);
      await ensureWarehouseTables(db, dialect);
      return { kept, rebuilt: await count(db, 'run_log'), runs: await count(db, 'runs'), version: await getSetting(db, 'schema_version'), tables: (await tables(db)).length };
    });
    expect(result.postgres).toEqual(result.duckdb);
    // The run log goes with the rebuild; the runs (history) stay.
    expect(result.duckdb).toEqual({ kept: 1, rebuilt: 0, runs: 1, version: '5', tables: 19 });
  });

  it('creates hs_try_double on PostgreSQL, which reads numbers as DuckDB try_cast does (finite only)', async () => {
    const texts = [' 1.5 ', '1e3', '+5', '.5', '1.', '-2.25', '1_000', '1e400', '0x1A', '1,5', '', ' ', 'e5', '5e', 'Infinity', 'NaN', '1d', 'abc'];
    const result = await onBothEngines(async (db, dialect) => {
      await ensureWarehouseTables(db, dialect);
      const values = sql.join(texts.map((t, i) => sql`(${sql.lit(i)}, ${sql.lit(t)})`));
      const read = dialect.name === 'postgres'
        ? sql`hs_try_double(t)`
        : sql`(case when isfinite(try_cast(t as double)) then try_cast(t as double) end)`;
      const { rows } = await sql<{ v: number | null }>`select ${read} as v from (values ${values}) x(i, t) order by i`.execute(db);
      return rows.map((r) => r.v);
    });
    expect(result.postgres).toEqual(result.duckdb);
    expect(result.duckdb).toEqual([1.5, 1000, 5, 0.5, 1, -2.25, 1000, null, null, null, null, null, null, null, null, null, null, null]);
  });
});

const count = (db: Kysely<any>, table: string) =>
  sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(db).then((r) => r.rows[0]!.n);

const scorecard = (id: string, version: string) => ({ id, version, alerts: [] }) as unknown as Scorecard;

const entry = (file_key: string, paths: string[]): LedgerEntry => ({
  source: 'events', file_key, content_hash: `hash-${file_key}`, fingerprint: 'fp', paths, row_count: 10, rejected_rows: 1,
  valid_to: '2025-02-01', future_rows: 0,
});

/** One sequence of state calls; what each read gives. */
async function stateCalls(db: Kysely<any>, dialect: SqlDialect) {
  await ensureWarehouseTables(db, dialect);
  const seen: Record<string, unknown> = {};
  // The ledger: add, replace (same key), paths moved, removed.
  await db.transaction().execute(async (trx) => {
    await addLedgerEntry(trx, dialect, entry('k1', ['events/a.csv']));
    await addLedgerEntry(trx, dialect, entry('k2', []));
    await addLedgerEntry(trx, dialect, { ...entry('k1', ['events/a.csv', 'events/copy.csv']), row_count: 12 });
  });
  await setLedgerPaths(db, dialect, 'events', 'k2', ['events/b.csv', "events/it's.csv"]);
  seen.ledger = (await ledgerBySource(db))('events');
  const { rows: first } = await sql`select file_key, ${firstPathOf(sql.ref('l2.source'), sql.ref('l2.file_key'))} as path
    from loaded_files l2 order by 1`.execute(db);
  seen.firstPaths = first;
  await removeLedgerEntries(db, 'events', ['k1']);
  seen.afterRemove = (await ledgerBySource(db))('events').map((e) => e.file_key);
  // File hashes: remembered, replaced, looked up by size and time.
  await rememberHashes(db, dialect, [{ path: 'a.csv', size: 10, mtimeMs: 1700000000123.5, hash: 'h1' }]);
  await rememberHashes(db, dialect, [{ path: 'a.csv', size: 11, mtimeMs: 1700000000999, hash: 'h2' }, { path: 'b.csv', size: 1, mtimeMs: 2, hash: 'h3' }]);
  const hashes = await cachedHashes(db);
  seen.hashes = [hashes('a.csv', 11, 1700000000999), hashes('a.csv', 10, 1700000000123.5), hashes('b.csv', 1, 2), hashes('c.csv', 1, 2)];
  // Settings.
  await setSetting(db, dialect, 'x', 'one');
  await setSetting(db, dialect, 'x', 'two');
  seen.setting = [await getSetting(db, 'x'), await getSetting(db, 'missing')];
  // The run log: record (overlapping spans replace), invalidate, stale days, versions.
  const a = scorecard('a', 'v1');
  const b = scorecard('b', 'v1');
  await db.transaction().execute(async (trx) => {
    await recordDays(trx, dialect, a, { from: '2025-01-01', to: '2025-01-10' }, 'run1');
    await recordDays(trx, dialect, a, { from: '2025-01-08', to: '2025-01-12' }, 'run2');
    await recordDays(trx, dialect, b, { from: '2025-01-05', to: '2025-01-06' }, 'run2');
  });
  seen.done = [...(await doneDays(db, a))].sort();
  await db.transaction().execute((trx) =>
    invalidateDays(trx, sql`select date '2025-01-09' as from_day, cast(null as date) as to_day
      union all select date '2025-01-02', date '2025-01-03'`, 'events changed: e.csv'));
  seen.doneAfterInvalidate = [...(await doneDays(db, a))].sort();
  seen.stale = await staleDays(db, [a, scorecard('b', 'v2')]);
  seen.staleOfNone = await staleDays(db, []);
  seen.versions = await materialisedVersions(db);
  seen.lastDone = [await lastDoneDay(db, 'a'), await lastDoneDay(db, 'nope')];
  seen.isDone = [await isDone(db, 'a', '2025-01-12'), await isDone(db, 'a', '2025-01-13')];
  // Export owed: the recorded days, then a fingerprint change owes everything.
  seen.owedBefore = await exportOwed(db, 'fp1');
  await setSetting(db, dialect, 'export_fingerprint', 'fp1');
  seen.owed = await exportOwed(db, 'fp1');
  await exportDone(db, dialect, 'fp1', { all: false, days: [{ from: '2025-01-01', to: '2025-01-04' }] });
  seen.owedAfterExport = await exportOwed(db, 'fp1');
  // Coverage: days outside [01-03, 01-11] and scorecard b (gone) leave, their days owed.
  await exportDone(db, dialect, 'fp1', { all: true });
  await sql`insert into health_snapshots values (date '2025-01-12', 'a', 'acct', 1, 'ok', 1, 'ok', ${dialect.textList(['i1'])}, false, null, 'v1')`.execute(db);
  seen.removed = await reconcileCoverage(db, dialect, [a], { from: '2025-01-03', to: '2025-01-11' });
  seen.afterCoverage = { versions: await materialisedVersions(db), owed: await exportOwed(db, 'fp1'), health: await count(db, 'health_snapshots') };
  seen.removedAgain = await reconcileCoverage(db, dialect, [a], { from: '2025-01-03', to: '2025-01-11' });
  await reconcileSettings(db, dialect, 'churn-1');
  seen.staleAfterFirstSettings = (await staleDays(db, [a])).length;
  await reconcileSettings(db, dialect, 'churn-2');
  seen.staleAfterSettingsChange = await staleDays(db, [a]);
  await invalidateAll(db, 'all');
  seen.doneAfterAll = (await doneDays(db, a)).size;
  await markForExport(db, dialect, { from: '2025-01-03', to: '2025-01-04' });
  await markForExport(db, dialect, { from: '2025-01-04', to: '2025-01-05' });
  seen.marked = await exportOwed(db, 'fp1');
  // Runs: one killed, one finished.
  await startRun(db);
  const run = await startRun(db);
  await finishRun(db, run, 'ok', 3, 'fine');
  const last = await lastRun(db);
  seen.lastRun = { id: last?.run_id === run, status: last?.status, days: Number(last?.days_materialised), message: last?.message };
  const { rows: statuses } = await sql`select status from runs order by status`.execute(db);
  seen.runStatuses = statuses;
  return seen;
}

describe.skipIf(!postgresUrl)('the run state on DuckDB and PostgreSQL', () => {
  it('gives the same results for the same calls', async () => {
    const result = await onBothEngines(stateCalls);
    expect(result.postgres).toEqual(result.duckdb);
    const seen = result.duckdb;
    expect(seen.ledger).toMatchObject([{ file_key: 'k1', paths: ['events/a.csv', 'events/copy.csv'], row_count: 12, valid_to: '2025-02-01' },
      { file_key: 'k2', paths: ['events/b.csv', "events/it's.csv"] }]);
    expect(seen.firstPaths).toEqual([{ file_key: 'k1', path: 'events/a.csv' }, { file_key: 'k2', path: 'events/b.csv' }]);
    expect(seen.afterRemove).toEqual(['k2']);
    expect(seen.hashes).toEqual(['h2', undefined, 'h3', undefined]);
    expect(seen.setting).toEqual(['two', undefined]);
    expect(seen.done).toHaveLength(12);
    expect(seen.doneAfterInvalidate).toEqual(['2025-01-01', '2025-01-04', '2025-01-05', '2025-01-06', '2025-01-07', '2025-01-08']);
    expect(seen.stale).toEqual([
      { scorecard: 'a', reason: 'events changed: e.csv', days: 6, first: '2025-01-02', last: '2025-01-12' },
      { scorecard: 'b', reason: 'the definition changed', days: 2, first: '2025-01-05', last: '2025-01-06' },
    ]);
    expect(seen.lastDone).toEqual(['2025-01-12', undefined]);
    expect(seen.isDone).toEqual([true, false]);
    expect(seen.owedBefore).toEqual({ all: true });
    expect(seen.owed).toEqual({ all: false, days: [{ from: '2025-01-01', to: '2025-01-12' }] });
    expect(seen.owedAfterExport).toEqual({ all: false, days: [{ from: '2025-01-05', to: '2025-01-12' }] });
    expect(seen.removed).toBe(5);
    expect(seen.afterCoverage).toEqual({
      versions: [{ scorecard: 'a', definition_version: 'v1', days: 9, first: '2025-01-03', last: '2025-01-11' }],
      owed: { all: false, days: [{ from: '2025-01-12', to: '2025-01-12' }] },
      health: 0,
    });
    expect(seen.removedAgain).toBe(0);
    expect(seen.staleAfterFirstSettings).toBe(1);
    expect(seen.staleAfterSettingsChange).toEqual([
      { scorecard: 'a', reason: 'events changed: e.csv', days: 4, first: '2025-01-03', last: '2025-01-11' },
      { scorecard: 'a', reason: 'the churn source or its reactivated_by changed', days: 5, first: '2025-01-04', last: '2025-01-08' },
    ]);
    expect(seen.doneAfterAll).toBe(0);
    expect(seen.marked).toEqual({ all: false, days: [{ from: '2025-01-03', to: '2025-01-05' }, { from: '2025-01-12', to: '2025-01-12' }] });
    expect(seen.lastRun).toEqual({ id: true, status: 'ok', days: 3, message: 'fine' });
    expect(seen.runStatuses).toEqual([{ status: 'interrupted' }, { status: 'ok' }]);
  });
});

describe.skipIf(!postgresUrl)('text in a PostgreSQL warehouse', () => {
  it('sorts byte by byte, as DuckDB does, on a server whose default collation is ICU English', async () => {
    const name = `hs_test_icu_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    const admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    try {
      await admin.query(`create database ${name} template template0 locale_provider icu icu_locale 'en-US' locale 'C.UTF-8'`);
      const url = new URL(postgresUrl);
      url.pathname = `/${name}`;
      const sorted = await withPostgresSchema(url.toString(), async (db) => {
        await ensureWarehouseTables(db, postgres);
        await sql`insert into raw_churn values ('a', date '2025-01-01', 'f'), ('B', date '2025-01-01', 'f'), ('b', date '2025-01-01', 'f')`.execute(db);
        const { rows } = await sql<{ account_id: string }>`select account_id from raw_churn order by account_id`.execute(db);
        return rows.map((r) => r.account_id);
      });
      expect(sorted).toEqual(['B', 'a', 'b']);
    } finally {
      await admin.query(`drop database if exists ${name}`);
      await admin.end();
    }
  });
});
