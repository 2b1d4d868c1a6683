import { sql, type Kysely, type RawBuilder } from 'kysely';
import { OUTPUT_TABLES } from '../../models/output-tables.ts';
import type { SqlDialect } from '../sql/dialects/dialect.ts';
import type { Scorecard } from '../ir/types.ts';
import { keyed } from '../sql/create-table.ts';
import { markForExport } from './export-pending.ts';
import { getSetting, setSetting } from './settings.ts';
import { RUN_LOG } from './tables.ts';

/** A day of a scorecard is done when the run log holds it under the current definition
 *  version and no input has changed under it since. */
export async function doneDays(db: Kysely<any>, scorecard: Scorecard): Promise<Set<string>> {
  const { rows } = await sql<{ day: string }>`
    select cast(snapshot_date as varchar) as day from run_log
    where scorecard = ${scorecard.id} and definition_version = ${scorecard.version} and stale is null`.execute(db);
  return new Set(rows.map((r) => r.day));
}

/** Records [from, to] of a scorecard as done, inside the transaction that wrote its rows. */
export async function recordDays(
  trx: Kysely<any>,
  dialect: SqlDialect,
  scorecard: Scorecard,
  span: { from: string; to: string },
  runId: string,
): Promise<void> {
  await dialect.upsert(keyed(RUN_LOG), sql`
    select cast(${scorecard.id} as varchar), d.day, cast(${scorecard.version} as varchar), cast(${runId} as varchar), now(), cast(null as varchar)
    from ${dialect.dayRows(dialect.date(span.from), dialect.date(span.to))} d`).execute(trx);
  await markForExport(trx, dialect, span);
}

/** Every done day inside one of `spans` (rows from_day, to_day; to_day null for open)
 *  must be computed again, for `reason` (an input changed). Called in the transaction that
 *  changed the input, so a crash cannot lose it. */
export async function invalidateDays(trx: Kysely<any>, spans: RawBuilder<unknown>, reason: string): Promise<void> {
  await sql`update run_log set stale = ${reason} where stale is null and exists (
    select 1 from (${spans}) s
    where snapshot_date >= s.from_day and (s.to_day is null or snapshot_date <= s.to_day))`.execute(trx);
}

/** Every done day of every scorecard must be computed again. */
export async function invalidateAll(trx: Kysely<any>, reason: string): Promise<void> {
  await sql`update run_log set stale = ${reason} where stale is null`.execute(trx);
}

/** Removes what a fresh project would not have: the days of a scorecard outside the days
 *  it now covers, and every row of a scorecard that no longer exists. The days whose rows
 *  go are marked for export, so their partitions change too. */
export async function pruneOutside(
  db: Kysely<any>,
  dialect: SqlDialect,
  scorecards: Scorecard[],
  span: { from: string; to: string },
): Promise<number> {
  const ids = scorecards.map((s) => s.id);
  const keep = (column: string) => sql`(${sql.ref(column)} between cast(${span.from} as date) and cast(${span.to} as date)
    ${ids.length ? sql`and scorecard in (${sql.join(ids)})` : sql``})`;
  let removed = 0;
  await db.transaction().execute(async (trx) => {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from run_log where not ${keep('snapshot_date')}`.execute(trx);
    removed = rows[0]?.n ?? 0;
    if (removed === 0) return;
    for (const { name: table, dateColumn: column } of OUTPUT_TABLES) {
      await dialect.insertMissing('export_pending', sql`select distinct ${sql.ref(column)} from ${sql.table(table)} where not ${keep(column)}`).execute(trx);
      await sql`delete from ${sql.table(table)} where not ${keep(column)}`.execute(trx);
    }
    await sql`delete from run_log where not ${keep('snapshot_date')}`.execute(trx);
  });
  return removed;
}

export interface PendingDays {
  scorecard: string;
  reason: string;
  days: number;
  first: string;
  last: string;
}

/** Done days that must be computed again, grouped by scorecard and reason (for `status`). */
export async function staleDays(db: Kysely<any>, scorecards: Scorecard[]): Promise<PendingDays[]> {
  const versions = scorecards.map((s) => sql`(${s.id}, ${s.version})`);
  const current = versions.length
    ? sql`(select * from (values ${sql.join(versions)}) v(scorecard, version))`
    : sql`(select cast(null as varchar) as scorecard, cast(null as varchar) as version where false)`;
  const { rows } = await sql<PendingDays>`
    select r.scorecard,
           coalesce(r.stale, case when v.version is null then 'the scorecard no longer exists'
                                  else 'the definition changed' end) as reason,
           count(*)::int as days, min(r.snapshot_date)::varchar as first, max(r.snapshot_date)::varchar as last
    from run_log r left join ${current} v using (scorecard)
    where r.stale is not null or v.version is distinct from r.definition_version
    group by 1, 2 order by 1, 4`.execute(db);
  return rows;
}

export interface MaterialisedVersion {
  scorecard: string;
  definition_version: string;
  days: number;
  first: string;
  last: string;
}

export async function materialisedVersions(db: Kysely<any>): Promise<MaterialisedVersion[]> {
  const { rows } = await sql<MaterialisedVersion>`
    select scorecard, definition_version, count(*)::int as days,
           cast(min(snapshot_date) as varchar) as first, cast(max(snapshot_date) as varchar) as last
    from run_log group by scorecard, definition_version order by scorecard, first`.execute(db);
  return rows;
}

/** The last materialised day of a scorecard, if any. */
export async function lastDoneDay(db: Kysely<any>, scorecard: string): Promise<string | undefined> {
  const { rows } = await sql<{ day: string | null }>`
    select cast(max(snapshot_date) as varchar) as day from run_log where scorecard = ${scorecard}`.execute(db);
  return rows[0]?.day ?? undefined;
}

export async function isDone(db: Kysely<any>, scorecard: string, day: string): Promise<boolean> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from run_log where scorecard = ${scorecard} and snapshot_date = cast(${day} as date)`.execute(db);
  return (rows[0]?.n ?? 0) > 0;
}

/** Keeps the materialised days equal to what a fresh project would cover: when the first
 *  covered day moves, every day is computed again (alerts near the start compare with days
 *  that appear or disappear); days outside the cover, and scorecards that no longer exist,
 *  are removed. Returns the scorecard-days removed. */
export async function reconcileCoverage(
  db: Kysely<any>,
  dialect: SqlDialect,
  scorecards: Scorecard[],
  covered: { from: string; to: string },
): Promise<number> {
  await invalidateOnChange(db, dialect, 'covered_from', covered.from, `the first covered day moved to ${covered.from}`);
  return pruneOutside(db, dialect, scorecards, covered);
}

/** Every done day is computed again when the project settings every snapshot depends on
 *  besides the data (how churn is read and what ends it) differ from the last run's. Any
 *  run checks this, also one of a single scorecard (a backtest), whose days would otherwise
 *  count as done under the old settings. */
export async function reconcileSettings(db: Kysely<any>, dialect: SqlDialect, settings: string): Promise<void> {
  await invalidateOnChange(db, dialect, 'scoring_settings', settings, 'the churn source or its reactivated_by changed');
}

async function invalidateOnChange(db: Kysely<any>, dialect: SqlDialect, key: string, value: string, reason: string): Promise<void> {
  const previous = await getSetting(db, key);
  if (previous === value) return;
  await db.transaction().execute(async (trx) => {
    if (previous !== undefined) await invalidateAll(trx, reason);
    await setSetting(trx, dialect, key, value);
  });
}
