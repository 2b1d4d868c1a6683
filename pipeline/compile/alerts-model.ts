import { sql, type RawBuilder } from 'kysely';
import type { Alert } from '../ir/types.ts';
import type { ModelStep } from '../../models/account-lifecycle.ts';
import { bandRank } from './bands.ts';
import type { SqlDialect } from './dialect.ts';
import type { ScorecardPlan } from './plan.ts';

/** Alert rows for the days [from, to], evaluated against the scorecard's health
 *  snapshots — including the ones just written in the same transaction, so it must run
 *  after health_snapshots is replaced. One row per firing. */
export function alertsModel(plan: ScorecardPlan, dialect: SqlDialect, from: string, to: string): ModelStep {
  const { scorecard } = plan;
  const selects = scorecard.alerts.map((alert) => alertSelect(plan, alert, dialect, from, to));
  return {
    name: 'alerts',
    statement: selects.length
      ? sql`insert into alerts ${sql.join(selects, sql`\nunion all\n`)}`
      : sql`select 1 where false`,
  };
}

function alertSelect(plan: ScorecardPlan, alert: Alert, dialect: SqlDialect, from: string, to: string): RawBuilder<unknown> {
  const { scorecard } = plan;
  const lookBack = alert.when.kind === 'band_became' ? 1 : alert.when.within;
  const fires =
    alert.when.kind === 'band_became'
      ? sql`today.band = ${alert.when.band}
          and ${bandRank(sql`before.band`, scorecard.bands)} > ${bandRank(sql`today.band`, scorecard.bands)}`
      : sql`today.score <= before.score - ${sql.lit(alert.when.points)}`;
  return sql`select today.snapshot_date, today.scorecard, today.account_id, cast(${alert.id} as varchar),
      before.band, today.band, before.score, today.score
    from health_snapshots today
    join health_snapshots before
      on before.scorecard = today.scorecard and before.account_id = today.account_id
     and before.snapshot_date = ${dialect.addDays(sql`today.snapshot_date`, -lookBack)}
    where today.scorecard = ${scorecard.id}
      and today.snapshot_date between ${dialect.date(from)} and ${dialect.date(to)}
      -- Stated on both sides so that neither scan reads the whole history.
      and before.scorecard = ${scorecard.id}
      and before.snapshot_date between ${dialect.addDays(dialect.date(from), -lookBack)} and ${dialect.addDays(dialect.date(to), -lookBack)}
      and ${fires}`;
}
