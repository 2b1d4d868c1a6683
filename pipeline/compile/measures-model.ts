import { sql, type RawBuilder } from 'kysely';
import type { AttributeMeasure, EventMeasure, GoalMeasure, Since, Signal, Subject } from '../ir/types.ts';
import type { ModelStep } from '../../models/account-lifecycle.ts';
import { attributeDay, attributeValue, col, measureStale, measureText, measureValue, signalColumn } from './columns.ts';
import { conditionSql, type SubjectColumns } from './conditions.ts';
import type { SqlDialect } from './dialect.ts';
import { signalFor, type PlannedMeasure, type PlannedSignal, type ScorecardPlan } from './plan.ts';

export interface DayRange {
  /** First day on the spine: the first snapshot day minus the history the windows need. */
  spineFrom: string;
  from: string;
  to: string;
}

const ACCOUNT = col('account_id');
const DAY = col('day');
const BY_ACCOUNT = sql`partition by ${ACCOUNT} order by ${DAY}`;

/** `hs_measures`: one row per scored account and day in [from, to], one column per
 *  measure. Windows run over a dense account × day spine that starts `history` days
 *  early, and rows outside [from, to] are filtered only at the end (a WHERE next to a
 *  window function would cut the window's input). */
export function measuresModel(plan: ScorecardPlan, dialect: SqlDialect, days: DayRange): ModelStep {
  const columns = subjectColumns(plan, dialect);
  const { scorecard } = plan;
  const maxDepth = Math.max(0, ...plan.measures.map((m) => m.depth));
  const ctes: RawBuilder<unknown>[] = [
    sql`spine as (
      select a.account_id, cast(d.range as date) as day, a.first_day
      from hs_accounts a
      cross join range(${dialect.date(days.spineFrom)}, ${dialect.addDays(dialect.date(days.to), 1)}, interval 1 day) d
      where a.first_day <= ${dialect.date(days.to)})`,
    sql`daily as (${dailySignals(plan, dialect, days)})`,
    sql`attributes as (${attributesAsOf(plan)})`,
    ...layerZero(plan, dialect),
  ];
  for (let depth = 1; depth <= maxDepth; depth++) {
    const here = plan.measures.filter((m) => m.depth === depth);
    const trends = here.filter((m) => m.measure.kind === 'trend');
    ctes.push(sql`${col(`layer${depth}_lags`)} as (select *${sql.join(
      trends.map((m) => sql`, lag(${inputOf(plan, m)}, ${sql.lit((m.measure as { window: number }).window)}) over (${BY_ACCOUNT}) as ${lagColumn(m)}`),
      sql``,
    )} from ${col(`layer${depth - 1}`)})`);
    ctes.push(sql`${col(`layer${depth}`)} as (select *${sql.join(
      here.map((m) => sql`, ${derivedMeasure(plan, m)} as ${measureValue(m)}`),
      sql``,
    )} from ${col(`layer${depth}_lags`)})`);
  }
  const segment = scorecard.segment ? conditionSql(segmentOf(plan, scorecard.segment), columns, dialect) : sql`true`;
  return {
    name: 'hs_measures',
    statement: sql`create or replace temp table hs_measures as
      with ${sql.join(ctes, sql`,\n`)}
      select m.* from ${col(`layer${maxDepth}`)} m
      join hs_scored_accounts s on s.account_id = m.account_id and s.day = m.day
      where ${segment}`,
  };
}

// ---------------------------------------------------------------- daily signals

/** Per account and day, the signals' daily figures. Plain event counts roll up from
 *  daily_activity; signals with a property or a `where:` read raw_events, once, for
 *  the days of the spine only. */
function dailySignals(plan: ScorecardPlan, dialect: SqlDialect, days: DayRange): RawBuilder<unknown> {
  const range = sql`day between ${dialect.date(days.spineFrom)} and ${dialect.date(days.to)}`;
  const plain = plan.signals.filter((s) => s.fromDailyActivity);
  const rich = plan.signals.filter((s) => !s.fromDailyActivity);
  const selects: RawBuilder<unknown>[] = [];
  const joins: RawBuilder<unknown>[] = [];
  if (plain.length) {
    const sums = plain.map((s) => sql`sum(events) filter (where ${eventFilter(s.signal, col('event'))}) as ${signalColumn(s.index, 'n')}`);
    joins.push(sql`left join (select account_id, day, ${sql.join(sums)} from daily_activity where ${range} group by account_id, day) plain
      on plain.account_id = spine.account_id and plain.day = spine.day`);
    selects.push(...plain.map((s) => sql`plain.${signalColumn(s.index, 'n')}`));
  }
  if (rich.length) {
    const aggregates = rich.flatMap((s) => {
      const filter = richFilter(s, dialect);
      const count = sql`count(*) filter (where ${filter}) as ${signalColumn(s.index, 'n')}`;
      if (s.signal.property === undefined) return [count];
      const value = dialect.tryNumber(dialect.eventProperty(col('properties'), s.signal.property));
      return [
        count,
        sql`count(${value}) filter (where ${filter}) as ${signalColumn(s.index, 'vn')}`,
        sql`sum(${value}) filter (where ${filter}) as ${signalColumn(s.index, 'total')}`,
        sql`min(${value}) filter (where ${filter}) as ${signalColumn(s.index, 'lo')}`,
        sql`max(${value}) filter (where ${filter}) as ${signalColumn(s.index, 'hi')}`,
      ];
    });
    joins.push(sql`left join (select account_id, day, ${sql.join(aggregates)} from raw_events where ${range} group by account_id, day) rich
      on rich.account_id = spine.account_id and rich.day = spine.day`);
    selects.push(
      ...rich.flatMap((s) =>
        (s.signal.property === undefined ? (['n'] as const) : (['n', 'vn', 'total', 'lo', 'hi'] as const)).map(
          (part) => sql`rich.${signalColumn(s.index, part)}`,
        ),
      ),
    );
  }
  for (const m of plan.measures) {
    if (m.measure.kind !== 'event' || m.measure.aggregate !== 'distinct_users') continue;
    const alias = col(`users${m.index}`);
    joins.push(sql`left join (${activeUsersDelta(m.measure, dialect, days)}) ${alias}
      on ${alias}.account_id = spine.account_id and ${alias}.day = spine.day`);
    selects.push(sql`${alias}.delta as ${usersDelta(m)}`);
  }
  return sql`select spine.account_id, spine.day, spine.first_day${sql.join(selects.map((s) => sql`, ${s}`), sql``)}
    from spine ${sql.join(joins, sql` `)}`;
}

const usersDelta = (m: PlannedMeasure) => col(`users${m.index}_delta`);

/** Distinct users in an N-day window without a range join: each active (user, day) covers
 *  the days [day, day + N − 1]; overlapping covers of one user merge into islands; the
 *  users counted on D are the islands covering D, i.e. a running sum of +1 at each
 *  island's start and −1 after its end. Linear in the number of active user-days. */
function activeUsersDelta(measure: EventMeasure, dialect: SqlDialect, days: DayRange): RawBuilder<unknown> {
  const n = measure.window;
  const filter = measure.signal.where
    ? sql`${eventFilter(measure.signal, col('event'))} and ${conditionSql(measure.signal.where, eventProperties(dialect), dialect)}`
    : eventFilter(measure.signal, col('event'));
  const start = dialect.date(days.spineFrom);
  return sql`with user_days as (
        select distinct account_id, user_id, day from raw_events
        where user_id is not null and ${filter}
          and day between ${dialect.addDays(start, 1 - n)} and ${dialect.date(days.to)}),
      marked as (
        select *, case when lag(day) over (partition by account_id, user_id order by day) >= ${dialect.addDays(DAY, -n)}
                       then 0 else 1 end as new_island
        from user_days),
      numbered as (
        select *, sum(new_island) over (partition by account_id, user_id order by day rows unbounded preceding) as island
        from marked),
      islands as (
        select account_id, greatest(min(day), ${start}) as starts, ${dialect.addDays(sql`max(day)`, n)} as ends
        from numbered group by account_id, user_id, island)
    select account_id, day, sum(delta) as delta from (
      select account_id, starts as day, 1 as delta from islands
      union all select account_id, ends as day, -1 as delta from islands)
    group by account_id, day`;
}

function eventFilter(signal: Signal, event: RawBuilder<unknown>): RawBuilder<unknown> {
  if (signal.events.kind === 'any') return sql`true`;
  return sql`${event} in (${sql.join(signal.events.names.map((n) => sql.val(n)))})`;
}

function richFilter(s: PlannedSignal, dialect: SqlDialect): RawBuilder<unknown> {
  if (!s.signal.where) return eventFilter(s.signal, col('event'));
  return sql`${eventFilter(s.signal, col('event'))} and ${conditionSql(s.signal.where, eventProperties(dialect), dialect)}`;
}

/** Subjects of a `where:` are properties of the event row. */
function eventProperties(dialect: SqlDialect): SubjectColumns {
  return {
    text: (subject) => dialect.eventProperty(col('properties'), subject.name),
    number: (subject) => dialect.tryNumber(dialect.eventProperty(col('properties'), subject.name)),
  };
}

// ---------------------------------------------------------------- attributes

/** The latest observation on or before each spine day of every attribute the scorecard
 *  reads (ASOF join: no window, so no history needed). Several observations on one day:
 *  the latest timestamp wins. An empty value is no observation. */
function attributesAsOf(plan: ScorecardPlan): RawBuilder<unknown> {
  const joins = plan.attributes.map((name, k) => {
    const alias = col(`attr${k}`);
    return sql`asof left join (
        select account_id, day, arg_max(value, observed_at) as value
        from raw_attributes where attribute = ${name} and value is not null group by account_id, day) ${alias}
      on ${alias}.account_id = daily.account_id and daily.day >= ${alias}.day`;
  });
  const values = plan.attributes.map((_, k) => {
    const alias = col(`attr${k}`);
    return sql`, ${alias}.value as ${attributeValue(k)}, ${alias}.day as ${attributeDay(k)}`;
  });
  return sql`select daily.*${sql.join(values, sql``)} from daily ${sql.join(joins, sql` `)}`;
}

// ---------------------------------------------------------------- measures

/** Measures read from data. Goals need the running total at another row (the day before
 *  their start), so they are computed in a second step over the first one's rows. */
function layerZero(plan: ScorecardPlan, dialect: SqlDialect): RawBuilder<unknown>[] {
  const base = plan.measures.filter((m) => m.depth === 0);
  const goals = base.filter((m): m is PlannedMeasure & { measure: GoalMeasure } => m.measure.kind === 'goal');
  const columns = base.flatMap((m) => {
    switch (m.measure.kind) {
      case 'event':
        return m.measure.aggregate === 'distinct_users'
          ? [sql`coalesce(sum(${usersDelta(m)}) over (${BY_ACCOUNT} rows unbounded preceding), 0) as ${measureValue(m)}`]
          : [sql`${eventMeasure(plan, m.measure, dialect)} as ${measureValue(m)}`];
      case 'attribute':
        return attributeMeasure(plan, m, m.measure, dialect);
      case 'goal':
        return goalInputs(plan, m, m.measure, dialect);
      case 'age': {
        const start = sinceDay(plan, m.measure.since, dialect);
        return [sql`case when ${DAY} < ${start} then null else ${DAY} - ${start} end as ${measureValue(m)}`];
      }
      default:
        throw new Error(`measure ${m.name} has depth 0 but is derived`);
    }
  });
  const first = goals.length ? 'layer0_inputs' : 'layer0';
  const ctes = [sql`${col(first)} as (select attributes.*${sql.join(columns.map((c) => sql`, ${c}`), sql``)} from attributes)`];
  if (goals.length) {
    const joins = goals.map((m) => {
      const before = col(`before${m.index}`);
      return sql`left join layer0_inputs ${before} on ${before}.account_id = now.account_id
        and ${before}.day = ${dialect.addDays(sql`now.${goalStart(m)}`, -1)}`;
    });
    const values = goals.map((m) => sql`, ${goalValue(m)} as ${measureValue(m)}`);
    ctes.push(sql`layer0 as (select now.*${sql.join(values, sql``)} from layer0_inputs now ${sql.join(joins, sql` `)})`);
  }
  return ctes;
}

function eventMeasure(plan: ScorecardPlan, measure: EventMeasure, dialect: SqlDialect): RawBuilder<unknown> {
  const s = signalFor(plan, measure.signal).index;
  const over = (value: RawBuilder<unknown>) => dialect.trailingSum(value, measure.window, ACCOUNT, DAY);
  const frame = sql`over (${BY_ACCOUNT} rows between ${sql.lit(measure.window - 1)} preceding and current row)`;
  switch (measure.aggregate) {
    case 'count':
      return sql`coalesce(${over(signalColumn(s, 'n'))}, 0)`;
    case 'active_days':
      return sql`coalesce(${over(sql`case when ${signalColumn(s, 'n')} > 0 then 1 else 0 end`)}, 0)`;
    case 'sum':
      return sql`coalesce(${over(signalColumn(s, 'total'))}, 0)`;
    case 'avg':
      return sql`(${over(signalColumn(s, 'total'))} / nullif(${over(signalColumn(s, 'vn'))}, 0))`;
    case 'min':
      return sql`min(${signalColumn(s, 'lo')}) ${frame}`;
    case 'max':
      return sql`max(${signalColumn(s, 'hi')}) ${frame}`;
    case 'distinct_users':
      throw new Error('distinct_users is computed from user islands (activeUsersDelta)');
  }
}

/** An attribute measure is missing when never observed, and stale (missing, with status
 *  `stale`) when observed more than max_age days before D. */
function attributeMeasure(plan: ScorecardPlan, m: PlannedMeasure, measure: AttributeMeasure, dialect: SqlDialect): RawBuilder<unknown>[] {
  const k = plan.attributes.indexOf(measure.attribute);
  const value = attributeValue(k);
  const stale =
    measure.maxAge === undefined
      ? sql`false`
      : sql`coalesce(${DAY} - ${attributeDay(k)} > ${sql.lit(measure.maxAge)}, false)`;
  return [
    sql`case when ${stale} then null else ${dialect.tryNumber(value)} end as ${measureValue(m)}`,
    sql`case when ${stale} then null else ${value} end as ${measureText(m)}`,
    sql`${stale} as ${measureStale(m)}`,
  ];
}

const goalStart = (m: PlannedMeasure) => col(`goal${m.index}_start`);
const goalTotal = (m: PlannedMeasure) => col(`goal${m.index}_total`);

/** A goal's running total since the spine's start (which, for a scorecard with goals, is
 *  the first day with data) and its start day: the account's first day, or a date
 *  attribute as of D. */
function goalInputs(plan: ScorecardPlan, m: PlannedMeasure, goal: GoalMeasure, dialect: SqlDialect): RawBuilder<unknown>[] {
  const s = signalFor(plan, goal.signal).index;
  const daily =
    goal.aggregate === 'sum'
      ? signalColumn(s, 'total')
      : goal.aggregate === 'active_days'
        ? sql`case when ${signalColumn(s, 'n')} > 0 then 1 else 0 end`
        : signalColumn(s, 'n');
  const start = sinceDay(plan, goal.since, dialect);
  return [
    sql`coalesce(sum(${daily}) over (${BY_ACCOUNT} rows unbounded preceding), 0) as ${goalTotal(m)}`,
    sql`${start} as ${goalStart(m)}`,
  ];
}

function sinceDay(plan: ScorecardPlan, since: Since, dialect: SqlDialect): RawBuilder<unknown> {
  if (since.kind === 'first_seen') return col('first_day');
  // A start-date attribute holds a calendar date; a full timestamp is read in UTC.
  return dialect.dayOf(attributeValue(plan.attributes.indexOf(since.attribute)), 'UTC');
}

/** actual / expected, where actual = total(D) − total(start − 1) and
 *  expected = target × min(1, (D − start + 1) / within); missing before the start day. */
function goalValue(m: PlannedMeasure & { measure: GoalMeasure }): RawBuilder<unknown> {
  const { target, within } = m.measure;
  const start = sql`now.${goalStart(m)}`;
  const elapsed = sql`(now.day - ${start} + 1)`;
  const actual = sql`(now.${goalTotal(m)} - coalesce(${col(`before${m.index}`)}.${goalTotal(m)}, 0))`;
  return sql`case when ${start} is null or now.day < ${start} then null
    else ${actual} / (${sql.lit(target)} * least(1.0, cast(${elapsed} as double) / ${sql.lit(within)})) end`;
}

function derivedMeasure(plan: ScorecardPlan, m: PlannedMeasure): RawBuilder<unknown> {
  const measure = m.measure;
  if (measure.kind === 'trend') {
    const now = inputOf(plan, m);
    const before = lagColumn(m);
    return sql`case when ${before} is null or ${before} = 0 then null else (${now} - ${before}) / ${before} end`;
  }
  if (measure.kind === 'ratio') {
    return sql`(${measureValue(byName(plan, measure.numerator))} / nullif(${measureValue(byName(plan, measure.denominator))}, 0))`;
  }
  throw new Error(`measure ${m.name} is not derived`);
}

function inputOf(plan: ScorecardPlan, m: PlannedMeasure): RawBuilder<unknown> {
  if (m.measure.kind !== 'trend') throw new Error('not a trend');
  return measureValue(byName(plan, m.measure.of));
}

const lagColumn = (m: PlannedMeasure) => col(`lag${m.index}:${m.name}`);

export function byName(plan: ScorecardPlan, name: string): PlannedMeasure {
  const found = plan.measures.find((m) => m.name === name);
  if (!found) throw new Error(`unknown measure ${name}`);
  return found;
}

// ---------------------------------------------------------------- conditions

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
