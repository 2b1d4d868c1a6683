import { sql, type RawBuilder } from 'kysely';
import type { Alert } from '../ir/types.ts';
import { tempTableSteps, type ModelStep } from '../../models/account-lifecycle.ts';
import { bandRank } from './bands.ts';
import type { SqlDialect } from '../sql/dialects/dialect.ts';
import type { ScorecardPlan } from './plan.ts';

/** Alert rows for the days [from, to], evaluated against the scorecard's health
 *  snapshots — including the ones just written in the same transaction, so it must run
 *  after health_snapshots is replaced. One row per firing. The health rows of the days
 *  compared are read once (`hs_recent`), not twice per alert: health_snapshots is not
 *  ordered by day, so every read of a few days scans the whole table. A temp table, not a
 *  CTE: PostgreSQL knows nothing of the rows just written (no statistics yet), and
 *  joined a CTE of them to itself row by row; the temp table is analysed (replaceTempTable). */
export function alertsModel(plan: ScorecardPlan, dialect: SqlDialect, from: string, to: string): ModelStep[] {
  const { scorecard } = plan;
  if (!scorecard.alerts.length) return [];
  const selects = scorecard.alerts.map((alert) => alertSelect(plan, alert, dialect, from, to));
  const back = Math.max(...scorecard.alerts.map(lookBack));
  return [
    ...tempTableSteps(dialect, 'hs_recent', sql`select snapshot_date, scorecard, account_id, band, score from health_snapshots
        where scorecard = ${scorecard.id}
          and snapshot_date between ${dialect.addDays(dialect.date(from), -back)} and ${dialect.date(to)}`),
    { name: 'alerts', statement: sql`insert into alerts ${sql.join(selects, sql`\nunion all\n`)}` },
  ];
}

/** How many days before D an alert compares with. */
const lookBack = (alert: Alert) => (alert.when.kind === 'band_became' ? 1 : alert.when.within);

function alertSelect(plan: ScorecardPlan, alert: Alert, dialect: SqlDialect, from: string, to: string): RawBuilder<unknown> {
  const { scorecard } = plan;
  const fires =
    alert.when.kind === 'band_became'
      ? sql`today.band = ${alert.when.band}
          and ${bandRank(sql`before.band`, scorecard.bands)} > ${bandRank(sql`today.band`, scorecard.bands)}`
      : sql`today.score <= before.score - ${sql.lit(alert.when.points)}`;
  return sql`select today.snapshot_date, today.scorecard, today.account_id, cast(${alert.id} as varchar),
      before.band, today.band, before.score, today.score
    from hs_recent today
    join hs_recent before
      on before.account_id = today.account_id
     and before.snapshot_date = ${dialect.addDays(sql`today.snapshot_date`, -lookBack(alert))}
    where today.snapshot_date between ${dialect.date(from)} and ${dialect.date(to)}
      and ${fires}`;
}
