import { sql, type RawBuilder } from 'kysely';
import type { ModelStep } from '../../models/account-lifecycle.ts';
import { bandAt, bandOf, bandRank } from './bands.ts';
import { col } from './columns.ts';
import { conditionSql } from './conditions.ts';
import type { SqlDialect } from './dialect.ts';
import { segmentOf, subjectColumns } from './measures-model.ts';
import type { ScorecardPlan } from './plan.ts';
import { SCORE_DIGITS } from './scores-model.ts';

/** Inserts health_snapshots rows for the batch: one per scored account and day, from the
 *  score_snapshots rows just written in the same transaction. The global score is the weighted average of the present scores of weight > 0 — with
 *  groups, first per group (average | lowest | highest), then over the present groups by
 *  group weight. Insights that fire cap the band. */
export function healthModel(plan: ScorecardPlan, dialect: SqlDialect, from: string, to: string): ModelStep {
  const { scorecard } = plan;
  const bands = scorecard.bands;
  const columns = subjectColumns(plan, dialect);

  const insightIds = scorecard.insights.map((insight) => {
    const fires = insight.segment
      ? sql`(${conditionSql(segmentOf(plan, insight.segment), columns, dialect)} and ${conditionSql(insight.when, columns, dialect)})`
      : conditionSql(insight.when, columns, dialect);
    return { insight, fires };
  });
  const firedList = insightIds.length
    ? dialect.sortedNonNullList(insightIds.map(({ insight, fires }) => sql`case when ${fires} then cast(${insight.id} as varchar) end`))
    : sql`cast([] as varchar[])`;
  // A scorecard without scores rates every account its best band unless an insight fires.
  const computedBand = scorecard.scores.length ? bandOf(col('computed_score'), bands) : sql`cast(${bands[bands.length - 1]!.label} as varchar)`;
  const caps = insightIds.flatMap(({ insight }, i) =>
    insight.band === undefined
      ? []
      : [sql`case when ${col(`fires${i}`)} then ${sql.lit(bands.findIndex((b) => b.label === insight.band))} end`],
  );
  const finalRank = sql`least(${sql.join([bandRank(col('computed_band'), bands), ...caps])})`;

  return {
    name: 'health_snapshots',
    statement: sql`insert into health_snapshots by name
      with scores as (${batchScores(plan, dialect, from, to)}),
      global as (${globalScore(plan)}),
      fired as (
        select m.day, m.account_id, g.computed_score, ${firedList} as insights
        ${sql.join(insightIds.map(({ fires }, i) => sql`, ${fires} as ${col(`fires${i}`)}`), sql``)}
        from hs_measures m left join global g on g.day = m.day and g.account_id = m.account_id),
      banded as (select *, ${computedBand} as computed_band from fired),
      score_overrides as (
        select s.snapshot_date as day, s.account_id, string_agg(distinct o.reason, '; ' order by o.reason) as reasons
        from scores s join hs_overrides o on o.account_id = s.account_id and o.day = s.snapshot_date and o.score_id = s.score_id
        where s.status = 'overridden' group by s.snapshot_date, s.account_id)
      select b.day as snapshot_date, cast(${scorecard.id} as varchar) as scorecard, b.account_id,
        coalesce(o.score, b.computed_score) as score,
        -- A global override has the last word, over insights too.
        coalesce(o.band, case when o.score is not null then ${bandOf(sql`o.score`, bands)} else ${bandAt(finalRank, bands)} end) as band,
        b.computed_score, b.computed_band, b.insights,
        (o.account_id is not null or so.reasons is not null) as overridden,
        nullif(concat_ws('; ', o.reason, so.reasons), '') as override_reason,
        cast(${scorecard.version} as varchar) as definition_version
      from banded b
      left join hs_overrides o on o.account_id = b.account_id and o.day = b.day and o.score_id is null
      left join score_overrides so on so.account_id = b.account_id and so.day = b.day`,
  };
}

/** The batch's score rows with each score's group. */
function batchScores(plan: ScorecardPlan, dialect: SqlDialect, from: string, to: string): RawBuilder<unknown> {
  const grouped = plan.scorecard.scores.filter((s) => s.group !== undefined);
  const group = grouped.length
    ? sql`(case score_id ${sql.join(grouped.map((s) => sql`when ${s.id} then ${s.group!}`), sql` `)} end)`
    : sql`cast(null as varchar)`;
  return sql`select *, ${group} as score_group from score_snapshots
    where scorecard = ${plan.scorecard.id} and snapshot_date between ${dialect.date(from)} and ${dialect.date(to)}`;
}

function globalScore(plan: ScorecardPlan): RawBuilder<unknown> {
  const { scorecard } = plan;
  const digits = sql.lit(SCORE_DIGITS);
  const present = sql`score is not null and weight > 0`;
  if (!scorecard.groups) {
    return sql`select snapshot_date as day, account_id,
        round(sum(score * weight) / sum(weight), ${digits}) as computed_score
      from scores where ${present} group by snapshot_date, account_id`;
  }
  const groups = Object.entries(scorecard.groups);
  const groupWeight = sql`(case score_group ${sql.join(groups.map(([name, g]) => sql`when ${name} then ${sql.lit(g.weight)}`), sql` `)} end)`;
  const combined = sql`(case score_group ${sql.join(
    groups.map(([name, g]) => {
      const value = g.combine === 'lowest' ? sql`min(score)` : g.combine === 'highest' ? sql`max(score)` : sql`sum(score * weight) / sum(weight)`;
      return sql`when ${name} then ${value}`;
    }),
    sql` `,
  )} end)`;
  return sql`select day, account_id, round(sum(group_score * group_weight) / sum(group_weight), ${digits}) as computed_score
    from (select snapshot_date as day, account_id, ${combined} as group_score, ${groupWeight} as group_weight
          from scores where ${present} group by snapshot_date, account_id, score_group)
    where group_weight > 0
    group by day, account_id`;
}
