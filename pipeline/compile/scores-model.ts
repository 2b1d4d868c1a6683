import { sql, type RawBuilder } from 'kysely';
import type { Score, Scoring } from '../ir/types.ts';
import type { ModelStep } from '../../models/account-lifecycle.ts';
import { bandOf } from './bands.ts';
import { measureStale, measureText, measureValue } from './columns.ts';
import { conditionSql } from './conditions.ts';
import type { SqlDialect } from '../sql/dialects/dialect.ts';
import { byName } from './measure-expressions.ts';
import { segmentOf, subjectColumns } from './measures-model.ts';
import type { ScorecardPlan } from './plan.ts';

export const SCORE_DIGITS = 4;

/** Inserts score_snapshots rows for the batch straight from hs_measures: one row per
 *  account, day and score. A score restricted to a segment has no row for accounts
 *  outside it. `into` is another table of the same columns for scratch runs. */
export function scoresModel(plan: ScorecardPlan, dialect: SqlDialect, into = 'score_snapshots'): ModelStep {
  const selects = plan.scorecard.scores.map((score) => scoreSelect(plan, score, dialect));
  return {
    name: into,
    statement: selects.length
      ? sql`insert into ${sql.table(into)} ${sql.join(selects, sql`\nunion all\n`)}`
      : sql`select 1 where false`,
  };
}

/** A score as expressions over an hs_measures row: whether the account has a row for it,
 *  the computed score (rounded; null when missing), the score a missing policy supplies,
 *  and whether the input is stale. Shared by the long rows and the health model. */
export function scoreParts(plan: ScorecardPlan, score: Score, dialect: SqlDialect) {
  const m = byName(plan, score.measure);
  const text = m.measure.kind === 'attribute' ? measureText(m) : dialect.text(measureValue(m));
  const input = score.scoring.kind === 'map' ? text : measureValue(m);
  return {
    measure: m,
    hasRow: score.segment ? conditionSql(segmentOf(plan, score.segment), subjectColumns(plan, dialect), dialect) : sql<boolean>`true`,
    computed: dialect.round(scoring(score.scoring, input, plan.scorecard.scale, dialect), SCORE_DIGITS),
    fallback: score.missing.kind === 'value' ? sql.lit(score.missing.value) : sql`null::${dialect.columnType('double')}`,
    stale: m.measure.kind === 'attribute' ? measureStale(m) : sql`false`,
  };
}

function scoreSelect(plan: ScorecardPlan, score: Score, dialect: SqlDialect): RawBuilder<unknown> {
  const { measure: m, hasRow: segment, computed, fallback, stale } = scoreParts(plan, score, dialect);
  const bands = score.bands ?? plan.scorecard.bands;
  // A manual override replaces the score (and/or its band) before averaging.
  const final = sql`coalesce(o.score, scored.score)`;
  return sql`select scored.snapshot_date, scorecard, scored.account_id, scored.score_id, raw_value, ${final} as score,
      coalesce(o.band, ${bandOf(final, bands)}) as band, weight,
      case when o.account_id is null then status else 'overridden' end as status
    from (
      select day as snapshot_date, cast(${plan.scorecard.id} as varchar) as scorecard, account_id,
        cast(${score.id} as varchar) as score_id,
        raw_value,
        coalesce(computed, ${fallback}) as score,
        cast(${sql.lit(score.weight)} as ${dialect.columnType('double')}) as weight,
        case when computed is not null then 'ok' when stale then 'stale' else 'missing' end as status
      from (select day, account_id, cast(${measureValue(m)} as ${dialect.columnType('double')}) as raw_value, ${computed} as computed,
              ${stale} as stale
            from hs_measures where ${segment}${dialect.keepSubquery}) scored_rows${dialect.keepSubquery}
    ) scored
    left join hs_overrides o
      on o.account_id = scored.account_id and o.day = scored.snapshot_date and o.score_id = scored.score_id`;
}

/** score = f(x) on 0…scale; null when x is missing or (map) not listed. */
function scoring(s: Scoring, x: RawBuilder<unknown>, scale: number, dialect: SqlDialect): RawBuilder<unknown> {
  switch (s.kind) {
    case 'linear': {
      const raw = dialect.divide(sql`(${x} - ${sql.lit(s.worst)}) * ${sql.lit(scale)}`, sql.lit(s.best - s.worst));
      // greatest/least skip NULLs, so a missing x must stay missing explicitly.
      return sql`(case when ${x} is null then null else greatest(${sql.lit(0)}, least(${sql.lit(scale)}, ${raw})) end)`;
    }
    case 'steps': {
      const whens = s.steps.map((step) =>
        step.below === undefined
          ? sql`else ${sql.lit(step.score)}`
          : sql`when ${x} < ${sql.lit(step.below)} then ${sql.lit(step.score)}`,
      );
      return sql`(case when ${x} is null then null ${sql.join(whens, sql` `)} end)`;
    }
    case 'map': {
      const whens = Object.entries(s.map).map(([label, value]) => sql`when ${sql.val(label)} then ${sql.lit(value)}`);
      return sql`(case ${x} ${sql.join(whens, sql` `)} end)`;
    }
  }
}
