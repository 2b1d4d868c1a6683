import { sql, type RawBuilder } from 'kysely';
import { tempTableSteps, type ModelStep } from '../../models/account-lifecycle.ts';
import type { SqlDialect } from '../sql/dialects/dialect.ts';
import type { ScorecardPlan } from './plan.ts';

/** `hs_overrides`: the manual override in force per account, score (null = the global
 *  score) and day of [from, to]. An override lapses by itself after ends_on. When several
 *  overlap, the one that started last wins (then the one further down its file). */
export function overridesModel(plan: ScorecardPlan, dialect: SqlDialect, from: string, to: string): ModelStep[] {
  const rank = sql`row_number() over (partition by o.account_id, o.score_id, d.day
                                 order by o.starts_on desc, o.file_key desc, o.source_line desc)`;
  const candidates = (extra: RawBuilder<unknown>) => sql`select o.account_id, o.score_id, d.day, o.score, o.band, o.reason${extra}
      from raw_overrides o
      join ${dialect.dayRows(dialect.date(from), dialect.date(to))} d
        on d.day >= o.starts_on and (o.ends_on is null or d.day <= o.ends_on)
      where o.scorecard = ${plan.scorecard.id}`;
  return tempTableSteps(dialect, 'hs_overrides', dialect.qualify
    ? sql`${candidates(sql``)}
      qualify ${rank} = 1`
    : sql`select account_id, score_id, day, score, band, reason from (${candidates(sql`, ${rank} as rank`)}) ranked
      where rank = 1`);
}
