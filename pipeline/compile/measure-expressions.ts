import { sql, type RawBuilder } from 'kysely';
import type { AttributeMeasure, EventMeasure, GoalMeasure, Since, TrendMeasure } from '../ir/types.ts';
import {
  attributeDay,
  attributeValue,
  col,
  distinctDelta,
  goalStart,
  goalTotal,
  measureStale,
  measureText,
  measureValue,
  previousValue,
  signalColumn,
} from './columns.ts';
import type { SqlDialect } from '../sql/dialects/dialect.ts';
import { countsDistinct, signalFor, type PlannedMeasure, type ScorecardPlan } from './plan.ts';

// The measure columns of the `layer*` models, as expressions over `daily`'s columns.

export const ACCOUNT = col('account_id');
export const DAY = col('day');
export const BY_ACCOUNT = sql`partition by ${ACCOUNT} order by ${DAY}`;

/** How a measure column aggregates the daily rows of its frame: the `width` days ending
 *  `offset` days before D, or every day up to D (`running`). The two measure strategies
 *  (see measure-strategy.ts) differ only here. */
export interface Framing {
  frame(aggregate: 'sum' | 'min' | 'max', value: RawBuilder<unknown>, width: number, offset: number): RawBuilder<unknown>;
  running(value: RawBuilder<unknown>): RawBuilder<unknown>;
}

/** Window functions over the dense account × day spine: `rows between (offset + width − 1)
 *  preceding and offset preceding` is a window of `width` days because every day has a row. */
export const OVER_SPINE: Framing = {
  frame: (aggregate, value, width, offset) => {
    const end = offset === 0 ? sql`current row` : sql`${sql.lit(offset)} preceding`;
    return sql`${sql.raw(aggregate)}(${value}) over (${BY_ACCOUNT} rows between ${sql.lit(offset + width - 1)} preceding and ${end})`;
  },
  running: (value) => sql`sum(${value}) over (${BY_ACCOUNT} rows between unbounded preceding and current row)`,
};

/** Aggregates of the daily rows `rows` that a range join brought to the target row
 *  `target`, each keeping only its frame's days (the join already keeps days ≤ D). */
export function overJoinedDays(target: RawBuilder<unknown>, rows: RawBuilder<unknown>): Framing {
  return {
    frame: (aggregate, value, width, offset) =>
      sql`${sql.raw(aggregate)}(${value}) filter (where ${rows}.${DAY} between ${target}.${DAY} - ${sql.lit(offset + width - 1)} and ${target}.${DAY} - ${sql.lit(offset)})`,
    running: (value) => sql`sum(${value})`,
  };
}

/** Every window function of the scorecard, all over the same partition and order so
 *  that the engine sorts the spine once: event windows, the previous period of trends of
 *  event measures, running distinct counts and goal totals. */
export function windowColumns(plan: ScorecardPlan, framing: Framing, dialect: SqlDialect): RawBuilder<unknown>[] {
  const columns: RawBuilder<unknown>[] = [];
  for (const m of plan.measures) {
    const { measure } = m;
    if (measure.kind === 'event') {
      columns.push(
        countsDistinct(measure)
          ? sql`coalesce(${framing.running(distinctDelta(m))}, 0) as ${measureValue(m)}`
          : sql`${eventWindow(plan, measure, 0, framing, dialect)} as ${measureValue(m)}`,
      );
    }
    if (measure.kind === 'goal') columns.push(sql`coalesce(${framing.running(goalDaily(plan, measure))}, 0) as ${goalTotal(m)}`);
    const framed = framedTrendOf(plan, m);
    if (framed) columns.push(sql`${eventWindow(plan, framed, (measure as TrendMeasure).window, framing, dialect)} as ${previousValue(m)}`);
  }
  return columns;
}

/** A trend of an event measure (other than a distinct count) reads the previous period
 *  with a second frame in the same window pass instead of a LAG over the first. */
export function framedTrendOf(plan: ScorecardPlan, m: PlannedMeasure): EventMeasure | undefined {
  if (m.measure.kind !== 'trend') return undefined;
  const of = byName(plan, m.measure.of).measure;
  return of.kind === 'event' && !countsDistinct(of) ? of : undefined;
}

function eventWindow(plan: ScorecardPlan, measure: EventMeasure, offset: number, framing: Framing, dialect: SqlDialect): RawBuilder<unknown> {
  const s = signalFor(plan, measure.signal).index;
  const over = (aggregate: 'sum' | 'min' | 'max', value: RawBuilder<unknown>) => framing.frame(aggregate, value, measure.window, offset);
  switch (measure.aggregate) {
    case 'count':
      return sql`coalesce(${over('sum', signalColumn(s, 'n'))}, 0)`;
    case 'active_days':
      return sql`coalesce(${over('sum', sql`case when ${signalColumn(s, 'n')} > 0 then 1 else 0 end`)}, 0)`;
    case 'sum':
      return sql`coalesce(${over('sum', signalColumn(s, 'total'))}, 0)`;
    case 'avg':
      return sql`(${dialect.divide(over('sum', signalColumn(s, 'total')), sql`nullif(${over('sum', signalColumn(s, 'vn'))}, 0)`)})`;
    case 'min':
      return over('min', signalColumn(s, 'lo'));
    case 'max':
      return over('max', signalColumn(s, 'hi'));
    case 'distinct_users':
    case 'distinct':
      throw new Error(`${measure.aggregate} is a running sum of deltas, not a frame`);
  }
}

function goalDaily(plan: ScorecardPlan, goal: GoalMeasure): RawBuilder<unknown> {
  const s = signalFor(plan, goal.signal).index;
  if (goal.aggregate === 'sum') return signalColumn(s, 'total');
  if (goal.aggregate === 'active_days') return sql`case when ${signalColumn(s, 'n')} > 0 then 1 else 0 end`;
  return signalColumn(s, 'n');
}

/** Projections over the windows: attribute measures (with staleness), ages and goal
 *  starts. Goal values need another row (the day before the start), added by a join. */
export function projectedColumns(plan: ScorecardPlan, dialect: SqlDialect): RawBuilder<unknown>[] {
  return plan.measures.flatMap((m) => {
    switch (m.measure.kind) {
      case 'attribute':
        return attributeMeasure(plan, m, m.measure, dialect);
      case 'age': {
        const start = sinceDay(plan, m.measure.since, dialect);
        return [sql`case when ${DAY} < ${start} then null else ${DAY} - ${start} end as ${measureValue(m)}`];
      }
      case 'goal':
        return [sql`${sinceDay(plan, m.measure.since, dialect)} as ${goalStart(m)}`];
      default:
        return [];
    }
  });
}

/** Missing when never observed; stale (missing, with status `stale`) when observed more
 *  than max_age days before D. */
function attributeMeasure(plan: ScorecardPlan, m: PlannedMeasure, measure: AttributeMeasure, dialect: SqlDialect): RawBuilder<unknown>[] {
  const k = plan.attributes.indexOf(measure.attribute);
  const value = attributeValue(k);
  const stale =
    measure.maxAge === undefined ? sql`false` : sql`coalesce(${DAY} - ${attributeDay(k)} > ${sql.lit(measure.maxAge)}, false)`;
  return [
    sql`case when ${stale} then null else ${dialect.tryNumber(value)} end as ${measureValue(m)}`,
    sql`case when ${stale} then null else ${value} end as ${measureText(m)}`,
    sql`${stale} as ${measureStale(m)}`,
  ];
}

function sinceDay(plan: ScorecardPlan, since: Since, dialect: SqlDialect): RawBuilder<unknown> {
  if (since.kind === 'first_seen') return col('first_day');
  // A start-date attribute holds a calendar date; a full timestamp is read in UTC.
  return dialect.dayOf(attributeValue(plan.attributes.indexOf(since.attribute)), 'UTC');
}

/** actual / expected, where actual = total(D) − total(start − 1) and
 *  expected = target × min(1, (D − start + 1) / within); missing before the start day.
 *  `now` is the row of D, `before<i>` the row of the day before the goal's start. */
export function goalValue(m: PlannedMeasure & { measure: GoalMeasure }, dialect: SqlDialect): RawBuilder<unknown> {
  const { target, within } = m.measure;
  const start = sql`now.${goalStart(m)}`;
  const elapsed = sql`(now.day - ${start} + 1)`;
  const actual = sql`(now.${goalTotal(m)} - coalesce(${col(`before${m.index}`)}.${goalTotal(m)}, 0))`;
  return sql`case when ${start} is null or now.day < ${start} then null
    else ${dialect.divide(actual, sql`(${sql.lit(target)} * least(1.0, cast(${elapsed} as ${dialect.columnType('double')}) / ${sql.lit(within)}))`)} end`;
}

/** Trends and ratios. A trend's previous value is a framed window (see framedTrendOf)
 *  or the lag column of its layer. */
export function derivedMeasure(plan: ScorecardPlan, m: PlannedMeasure, dialect: SqlDialect): RawBuilder<unknown> {
  const measure = m.measure;
  if (measure.kind === 'trend') {
    const now = measureValue(byName(plan, measure.of));
    const before = previousValue(m);
    return sql`case when ${before} is null or ${before} = 0 then null else ${dialect.divide(sql`(${now} - ${before})`, before)} end`;
  }
  if (measure.kind === 'ratio') {
    return sql`(${dialect.divide(measureValue(byName(plan, measure.numerator)), sql`nullif(${measureValue(byName(plan, measure.denominator))}, 0)`)})`;
  }
  throw new Error(`measure ${m.name} is not derived`);
}

export function byName(plan: ScorecardPlan, name: string): PlannedMeasure {
  const found = plan.measures.find((m) => m.name === name);
  if (!found) throw new Error(`unknown measure ${name}`);
  return found;
}
