import { sql, type Kysely, type RawBuilder } from 'kysely';
import { churnDays } from '../../models/account-lifecycle.ts';
import type { ColumnType, SqlDialect } from '../sql/dialects/dialect.ts';
import type { ChurnSource } from '../ir/types.ts';

/** Temp tables of a backtest. `hs_bt_values` holds one row per side (primary | compare),
 *  subject ('' = the global score, else a score id), evaluation day and account. */
export const SAMPLES = 'hs_bt_samples';
export const VALUES = 'hs_bt_values';

export type Side = 'primary' | 'compare';

const dayList = (days: string[], dialect: SqlDialect) => sql.join(days.map((d) => dialect.date(d)));

/** The evaluation days on which the scorecard scored some account: a day with none has no
 *  sample, and is left out of the evaluation (and counted in its notes). */
export async function scoredDays(db: Kysely<any>, scorecard: string, days: string[], dialect: SqlDialect): Promise<Set<string>> {
  const { rows } = await sql<{ day: string }>`
    select distinct snapshot_date::varchar as day from health_snapshots
    where scorecard = ${scorecard} and snapshot_date in (${dayList(days, dialect)})`.execute(db);
  return new Set(rows.map((r) => r.day));
}

/** The samples: every account the scorecard scored on an evaluation day T, labelled
 *  churned when a churn day falls in (T, T + horizon]. Scores come from the snapshots of
 *  T, which read nothing after T; only the label looks ahead. */
export function samplesStep(scorecard: string, days: string[], horizon: number, churn: ChurnSource | undefined, dialect: SqlDialect): RawBuilder<unknown>[] {
  return dialect.replaceTempTable(SAMPLES, sql`
    with churns as (${churnDays(churn)})
    select h.snapshot_date as t, h.account_id,
      exists (select 1 from churns c where c.account_id = h.account_id
        and c.churn_day > h.snapshot_date and c.churn_day <= ${dialect.addDays(sql`h.snapshot_date`, horizon)}) as churned
    from health_snapshots h
    where h.scorecard = ${scorecard} and h.snapshot_date in (${dayList(days, dialect)})`);
}

/** `hs_bt_values`, empty. */
export function createValuesStep(dialect: SqlDialect): RawBuilder<unknown>[] {
  const t = (type: ColumnType) => dialect.columnType(type);
  return dialect.replaceTempTable(VALUES, sql`select cast(null as ${t('varchar')}) as side, cast(null as ${t('varchar')}) as subject,
    cast(null as date) as t, cast(null as ${t('varchar')}) as account_id, cast(null as boolean) as churned,
    cast(null as ${t('double')}) as score, cast(null as ${t('varchar')}) as band where false`);
}

/** Adds one side's values for the samples: the global score of every sample (null when
 *  the side did not score it: a missing score), and each score where the side has a row
 *  for it (a score limited to a segment has none outside it). */
export function valuesStep(
  side: Side,
  tables: { scorecard: string; health: string; scores: string },
  days: string[],
  dialect: SqlDialect,
): RawBuilder<unknown> {
  const within = (alias: string) =>
    sql`${sql.ref(`${alias}.scorecard`)} = ${tables.scorecard} and ${sql.ref(`${alias}.snapshot_date`)} in (${dayList(days, dialect)})`;
  return sql`insert into ${sql.table(VALUES)}
    select cast(${side} as varchar), '', s.t, s.account_id, s.churned, h.score, h.band
    from ${sql.table(SAMPLES)} s
    left join (select * from ${sql.table(tables.health)} h where ${within('h')}) h
      on h.snapshot_date = s.t and h.account_id = s.account_id
    union all
    select cast(${side} as varchar), ss.score_id, s.t, s.account_id, s.churned, ss.score, ss.band
    from ${sql.table(SAMPLES)} s
    join (select * from ${sql.table(tables.scores)} ss where ${within('ss')}) ss
      on ss.snapshot_date = s.t and ss.account_id = s.account_id`;
}
