import { sql, type RawBuilder } from 'kysely';
import type { ModelStep } from '../../models/account-lifecycle.ts';
import { OUTPUT_TABLES } from '../../models/output-tables.ts';
import { bandAt, bandOf, bandRank } from './bands.ts';
import { appendColumns, col } from './columns.ts';
import { conditionSql } from './conditions.ts';
import type { SqlDialect } from '../sql/dialects/dialect.ts';
import { segmentOf, subjectColumns } from './measures-model.ts';
import type { ScorecardPlan } from './plan.ts';
import { SCORE_DIGITS, scoreParts } from './scores-model.ts';

/** Inserts health_snapshots rows for the batch: one per scored account and day, computed
 *  across the row of hs_measures (every score as a column, as score_snapshots has them)
 *  rather than by grouping the long score rows. The global score is the weighted average
 *  of the present scores of weight > 0 — with groups, first per group (average | lowest |
 *  highest), then over the present groups by group weight. Score overrides replace their
 *  score before averaging; insights cap the band; a global override has the last word.
 *  `into` is another table of the same columns for scratch runs. */
export function healthModel(plan: ScorecardPlan, dialect: SqlDialect, into = 'health_snapshots'): ModelStep {
  const { scorecard } = plan;
  const bands = scorecard.bands;
  const columns = subjectColumns(plan, dialect);

  // Per score: its final value on this row (null without a row or when missing).
  const finals = scorecard.scores.map((score, i) => {
    const { hasRow, computed, fallback } = scoreParts(plan, score, dialect);
    return {
      score,
      value: sql`case when ${hasRow} then coalesce(so.${col(`o${i}_score`)}, ${computed}, ${fallback}) end as ${col(`final${i}`)}`,
      reason: sql`case when ${hasRow} and so.${col(`o${i}_active`)} then so.${col(`o${i}_reason`)} end`,
    };
  });
  const overridePivot = scorecard.scores.flatMap((score, i) => [
    sql`max(score) filter (where score_id = ${score.id}) as ${col(`o${i}_score`)}`,
    sql`coalesce(bool_or(score_id = ${score.id}), false) as ${col(`o${i}_active`)}`,
    sql`max(reason) filter (where score_id = ${score.id}) as ${col(`o${i}_reason`)}`,
  ]);

  const insights = scorecard.insights.map((insight, i) => {
    const when = conditionSql(insight.when, columns, dialect);
    const fires = insight.segment ? sql`(${conditionSql(segmentOf(plan, insight.segment), columns, dialect)} and ${when})` : when;
    return { insight, column: col(`fires${i}`), fires };
  });
  const firedList = dialect.sortedNonNullList(insights.map(({ insight, column }) => sql`case when ${column} then cast(${insight.id} as varchar) end`));
  // A scorecard without scores rates every account its best band unless an insight fires.
  const computedBand = scorecard.scores.length ? bandOf(col('computed_score'), bands) : sql`cast(${bands[bands.length - 1]!.label} as varchar)`;
  const caps = insights.flatMap(({ insight, column }) =>
    insight.band === undefined ? [] : [sql`case when ${column} then ${sql.lit(bands.findIndex((b) => b.label === insight.band))} end`],
  );
  const finalRank = sql`least(${sql.join([bandRank(col('computed_band'), bands), ...caps])})`;
  const reasons = dialect.sortedNonNullList(finals.map((f) => f.reason));
  const healthColumns = OUTPUT_TABLES.find((t) => t.name === 'health_snapshots')!.columns.map((c) => c.name);

  return {
    name: into,
    statement: sql`${dialect.insertByName(sql.table(into), healthColumns)}
      with score_overrides as (
        select account_id, day${appendColumns(overridePivot)} from hs_overrides where score_id is not null group by account_id, day),
      -- list_distinct does not keep the order, so the reasons are sorted after it.
      scored as (
        select m.*${appendColumns(finals.map((f) => f.value))}${appendColumns(insights.map(({ column, fires }) => sql`${fires} as ${column}`))},
          array_to_string(${dialect.distinctSorted(reasons)}, '; ') as score_reasons
        from hs_measures m left join score_overrides so on so.account_id = m.account_id and so.day = m.day${dialect.keepSubquery}),
      computed as (
        select *, ${dialect.round(globalScore(plan, dialect), SCORE_DIGITS)} as computed_score, ${firedList} as insights from scored${dialect.keepSubquery}),
      banded as (select *, ${computedBand} as computed_band from computed${dialect.keepSubquery})
      select b.day as snapshot_date, cast(${scorecard.id} as varchar) as scorecard, b.account_id,
        coalesce(o.score, b.computed_score) as score,
        coalesce(o.band, case when o.score is not null then ${bandOf(sql`o.score`, bands)} else ${bandAt(finalRank, bands)} end) as band,
        b.computed_score, b.computed_band, b.insights,
        (o.account_id is not null or b.score_reasons <> '') as overridden,
        nullif(concat_ws('; ', o.reason, nullif(b.score_reasons, '')), '') as override_reason,
        cast(${scorecard.version} as varchar) as definition_version
      from banded b
      left join hs_overrides o on o.account_id = b.account_id and o.day = b.day and o.score_id is null`,
  };
}


/** Σ w·s / Σ w over the present scores (of weight > 0) of `members`; null when none. */
function weightedAverage(members: { value: RawBuilder<unknown>; weight: number }[], dialect: SqlDialect): RawBuilder<unknown> {
  const weighted = members.filter((m) => m.weight > 0);
  if (weighted.length === 0) return sql`cast(null as ${dialect.columnType('double')})`;
  const numerator = sumOf(weighted.map((m) => sql`coalesce(${m.value} * ${sql.lit(m.weight)}, 0)`));
  const denominator = sumOf(weighted.map((m) => sql`(case when ${m.value} is null then 0 else ${sql.lit(m.weight)} end)`));
  return sql`((${numerator}) / nullif(${denominator}, 0))`;
}

/** Terms per flat `a + b + …` run. DuckDB parses `+` left-deep, one expression level per
 *  term, and refuses more than 1000 levels (a scorecard of 1000 scores did): longer sums
 *  are summed in runs of this many, whose sums are summed the same way. */
export const SUM_RUN = 100;

/** `a + b + …` of any length, nested at most SUM_RUN × log_SUM_RUN(n) deep. */
export function sumOf(terms: RawBuilder<unknown>[]): RawBuilder<unknown> {
  if (terms.length <= SUM_RUN) return sql.join(terms, sql` + `);
  const runs: RawBuilder<unknown>[] = [];
  for (let i = 0; i < terms.length; i += SUM_RUN) runs.push(sql`(${sql.join(terms.slice(i, i + SUM_RUN), sql` + `)})`);
  return sumOf(runs);
}

function globalScore(plan: ScorecardPlan, dialect: SqlDialect): RawBuilder<unknown> {
  const { scorecard } = plan;
  const members = scorecard.scores.map((score, i) => ({ value: col(`final${i}`), weight: score.weight, group: score.group }));
  if (!scorecard.groups) return weightedAverage(members, dialect);
  const groups = Object.entries(scorecard.groups).map(([name, group]) => {
    const inGroup = members.filter((m) => m.group === name && m.weight > 0);
    // least/greatest skip NULLs: a group is as healthy as its worst (best) present score.
    const value =
      inGroup.length === 0
        ? sql`cast(null as ${dialect.columnType('double')})`
        : group.combine === 'lowest'
          ? sql`least(${sql.join(inGroup.map((m) => m.value))})`
          : group.combine === 'highest'
            ? sql`greatest(${sql.join(inGroup.map((m) => m.value))})`
            : weightedAverage(inGroup, dialect);
    return { value, weight: group.weight };
  });
  return weightedAverage(groups, dialect);
}
