import { sql } from 'kysely';
import type { ModelStep } from '../../models/account-lifecycle.ts';
import type { SqlDialect } from '../sql/dialects/dialect.ts';
import type { ScorecardPlan } from './plan.ts';

/** `hs_overrides`: the manual override in force per account, score (null = the global
 *  score) and day of [from, to]. An override lapses by itself after ends_on. When several
 *  overlap, the one that started last wins (then the one further down its file). */
export function overridesModel(plan: ScorecardPlan, dialect: SqlDialect, from: string, to: string): ModelStep {
  const day = sql`cast(d.range as date)`;
  return {
    name: 'hs_overrides',
    statement: sql`create or replace temp table hs_overrides as
      select o.account_id, o.score_id, ${day} as day, o.score, o.band, o.reason
      from raw_overrides o
      join range(${dialect.date(from)}, ${dialect.addDays(dialect.date(to), 1)}, interval 1 day) d
        on ${day} >= o.starts_on and (o.ends_on is null or ${day} <= o.ends_on)
      where o.scorecard = ${plan.scorecard.id}
      qualify row_number() over (partition by o.account_id, o.score_id, ${day}
                                 order by o.starts_on desc, o.file_key desc, o.source_line desc) = 1`,
  };
}
