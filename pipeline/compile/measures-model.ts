import { sql, type RawBuilder } from 'kysely';
import type { GoalMeasure, Subject } from '../ir/types.ts';
import { scoredOn, tempTableSteps, type ModelStep } from '../../models/account-lifecycle.ts';
import { appendColumns, attributeDay, attributeValue, col, measureStale, measureText, measureValue, previousValue } from './columns.ts';
import { conditionSql, type SubjectColumns } from './conditions.ts';
import { attributeStates, dailyInputs, sparseDaily } from './daily-inputs.ts';
import type { SqlDialect } from '../sql/dialects/dialect.ts';
import {
  BY_ACCOUNT,
  byName,
  derivedMeasure,
  framedTrendOf,
  goalValue,
  OVER_SPINE,
  overJoinedDays,
  projectedColumns,
  windowColumns,
} from './measure-expressions.ts';
import { lagDays, rangeSupported, type MeasureStrategy } from './measure-strategy.ts';
import type { PlannedMeasure, ScorecardPlan } from './plan.ts';

export interface DayRange {
  /** First day on the spine: the first snapshot day minus the history the windows need. */
  spineFrom: string;
  from: string;
  to: string;
}

/** `hs_measures`: one row per scored account and day in [from, to], one column per
 *  measure. The windowed measures are computed by one of two strategies (see
 *  measure-strategy.ts). With `spine`, windows run over a dense account × day spine that
 *  starts `history` days early, and rows outside [from, to] are filtered only at the end
 *  (a WHERE next to a window function would cut the window's input). Layers:
 *  daily → windows → layer0 (projections, goals) → layer1… (trends, ratios). */
export function measuresModel(plan: ScorecardPlan, dialect: SqlDialect, days: DayRange, strategy: MeasureStrategy): ModelStep[] {
  const { scorecard } = plan;
  const maxDepth = Math.max(0, ...plan.measures.map((m) => m.depth));
  const goals = plan.measures.filter((m): m is PlannedMeasure & { measure: GoalMeasure } => m.measure.kind === 'goal');
  if (strategy === 'range' && !rangeSupported(plan)) throw new Error(`scorecard ${scorecard.id} needs the spine strategy (it has goals)`);
  // The range strategy has rows only for the days later layers read.
  const rowsFrom = strategy === 'spine' ? dialect.date(days.spineFrom) : dialect.addDays(dialect.date(days.from), -lagDays(plan));
  const ctes: RawBuilder<unknown>[] = [
    sql`spine as (
      select a.account_id, d.day, a.first_day
      from hs_accounts a
      cross join ${dialect.dayRows(rowsFrom, dialect.date(days.to))} d
      where a.first_day <= ${dialect.date(days.to)}${strategy === 'spine' ? sql`
        -- Before an account has data its windows are empty: its spine starts there (less
        -- the days LAG-based trends read back), not years early with the whole history.
        and d.day >= ${dialect.addDays(sql`a.data_from`, -lagDays(plan))}` : sql``}
        -- An account churned through every snapshot day has no row to compute.
        and not exists (select 1 from hs_churn_intervals c where c.account_id = a.account_id
          and c.churn_day <= ${dialect.date(days.from)} and (c.back_on is null or c.back_on > ${dialect.date(days.to)})))`,
    ...(strategy === 'spine'
      ? [
          sql`daily as (${dailyInputs(plan, dialect, days)})`,
          sql`windows as (select daily.*${appendColumns(windowColumns(plan, OVER_SPINE, dialect))} from daily)`,
        ]
      : [
          sql`daily as (${sparseDaily(plan, dialect, days)})`,
          // A range join: each spine row with its account's days with data up to its day.
          sql`windows as (select spine.account_id, spine.day, spine.first_day${appendColumns(windowColumns(plan, overJoinedDays(sql`spine`, sql`daily`), dialect))}
            from spine left join daily on daily.account_id = spine.account_id and daily.day <= spine.day
            group by spine.account_id, spine.day, spine.first_day)`,
        ]),
    sql`with_attributes as (${withAttributes(plan, dialect, days)})`,
    sql`${col(goals.length ? 'projected' : 'layer0')} as (select with_attributes.*${appendColumns(projectedColumns(plan, dialect))} from with_attributes)`,
  ];
  if (goals.length) {
    const joins = goals.map((m) => {
      const before = col(`before${m.index}`);
      return sql`left join projected ${before} on ${before}.account_id = now.account_id
        and ${before}.day = ${dialect.addDays(sql`now.${col(`goal${m.index}_start`)}`, -1)}`;
    });
    ctes.push(sql`layer0 as (select now.*${appendColumns(goals.map((m) => sql`${goalValue(m, dialect)} as ${measureValue(m)}`))}
      from projected now ${sql.join(joins, sql` `)})`);
  }
  for (let depth = 1; depth <= maxDepth; depth++) {
    const here = plan.measures.filter((m) => m.depth === depth);
    // Trends of anything but a plain event measure compare with a LAG of their input.
    const lagged = here.filter((m) => m.measure.kind === 'trend' && !framedTrendOf(plan, m));
    let input = col(`layer${depth - 1}`);
    if (lagged.length) {
      const lags = lagged.map((m) => {
        const trend = m.measure as { of: string; window: number };
        return sql`lag(${measureValue(byName(plan, trend.of))}, ${sql.lit(trend.window)}) over (${BY_ACCOUNT}) as ${previousValue(m)}`;
      });
      ctes.push(sql`${col(`layer${depth}_lags`)} as (select *${appendColumns(lags)} from ${input})`);
      input = col(`layer${depth}_lags`);
    }
    ctes.push(sql`${col(`layer${depth}`)} as (select *${appendColumns(here.map((m) => sql`${derivedMeasure(plan, m, dialect)} as ${measureValue(m)}`))} from ${input})`);
  }

  const columns = subjectColumns(plan, dialect);
  const segment = scorecard.segment ? conditionSql(segmentOf(plan, scorecard.segment), columns, dialect) : sql`true`;
  // Only what scores and conditions read is kept.
  const kept = [
    ...plan.measures.flatMap((m) => (m.measure.kind === 'attribute' ? [measureValue(m), measureText(m), measureStale(m)] : [measureValue(m)])),
    ...plan.attributes.map((_, k) => attributeValue(k)),
  ];
  return tempTableSteps(dialect, 'hs_measures', sql`with ${sql.join(ctes, sql`,\n`)}
      select m.account_id, m.day${appendColumns(kept.map((c) => sql`m.${c}`))}
      from ${col(`layer${maxDepth}`)} m
      where m.day between ${dialect.date(days.from)} and ${dialect.date(days.to)} and ${scoredOn(sql`m`)} and ${segment}`);
}

/** The windowed rows that later layers still read — the snapshot days, plus the days a
 *  LAG-based trend looks back to, or every day for a goal (its start may be long ago) —
 *  with the attributes as of each day, by one ASOF join on the small attribute-state
 *  table (without ASOF, a join to the state whose days [day, next_day) hold the row's
 *  day: an equi-join on the account, few states each). Filtering after the windows keeps
 *  their input whole. */
function withAttributes(plan: ScorecardPlan, dialect: SqlDialect, days: DayRange): RawBuilder<unknown> {
  const hasGoal = plan.measures.some((m) => m.measure.kind === 'goal');
  const kept = hasGoal ? sql`true` : sql`windows.day >= ${dialect.addDays(dialect.date(days.from), -lagDays(plan))}`;
  if (!plan.attributes.length) return sql`select * from windows where ${kept}`;
  const values = plan.attributes.flatMap((name, k) => [
    sql`states.${attributeValue(k)}`,
    ...(plan.datedAttributes.includes(name) ? [sql`states.${attributeDay(k)}`] : []),
  ]);
  const states = attributeStates(plan, dialect, days);
  const join = dialect.asofJoin
    ? sql`asof left join (${states}) states
      on states.account_id = windows.account_id and windows.day >= states.day`
    : sql`left join (${states}) states
      on states.account_id = windows.account_id and windows.day >= states.day
        and (states.next_day is null or windows.day < states.next_day)`;
  return sql`select windows.*${appendColumns(values)}
    from windows ${join}
    where ${kept}`;
}


/** Conditions evaluated on hs_measures rows (segments, insights). */
export function subjectColumns(plan: ScorecardPlan, dialect: SqlDialect): SubjectColumns {
  const attribute = (name: string) => attributeValue(plan.attributes.indexOf(name));
  const text = (subject: Subject): RawBuilder<unknown> => {
    if (subject.kind === 'attribute') return attribute(subject.name);
    if (subject.kind === 'property') throw new Error('an event property can only be tested inside an event measure');
    const m = byName(plan, subject.name);
    return m.measure.kind === 'attribute' ? measureText(m) : dialect.text(measureValue(m));
  };
  return {
    text,
    number: (subject) => (subject.kind === 'measure' ? measureValue(byName(plan, subject.name)) : dialect.tryNumber(text(subject))),
  };
}

export function segmentOf(plan: ScorecardPlan, name: string) {
  const segment = plan.scorecard.segments[name];
  if (!segment) throw new Error(`unknown segment ${name}`);
  return segment;
}
