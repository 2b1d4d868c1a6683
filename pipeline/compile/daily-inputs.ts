import { sql, type RawBuilder } from 'kysely';
import type { EventMeasure, Signal } from '../ir/types.ts';
import { appendColumns, attributeDay, attributeObserved, attributeObservedDay, attributeValue, col, distinctDelta, signalColumn } from './columns.ts';
import { conditionSql, type SubjectColumns } from './conditions.ts';
import type { SqlDialect } from '../sql/dialects/dialect.ts';
import type { DayRange } from './measures-model.ts';
import { countsDistinct, type PlannedMeasure, type PlannedSignal, type ScorecardPlan } from './plan.ts';

/** One sparse source of daily figures: a subquery with one row per account and day that
 *  has data, and the columns it gives (named as the window expressions read them). */
interface DailySource {
  alias: string;
  subquery: RawBuilder<unknown>;
  /** Columns of the subquery: the name `daily` gives it, and its own name when that
   *  differs. */
  columns: { name: RawBuilder<unknown>; from?: RawBuilder<unknown> }[];
}

/** Every figure the windows need, per account and day in [spineFrom, to]: the signals'
 *  daily counts and totals and the deltas of the distinct counts. */
function dailySources(plan: ScorecardPlan, dialect: SqlDialect, days: DayRange): DailySource[] {
  const range = sql`day between ${dialect.date(days.spineFrom)} and ${dialect.date(days.to)}`;
  const sources: DailySource[] = [];

  const plain = plan.signals.filter((s) => s.fromDailyActivity);
  if (plain.length) {
    const sums = plain.map((s) => sql`sum(events) filter (where ${eventFilter(s.signal)}) as ${signalColumn(s.index, 'n')}`);
    sources.push({
      alias: 'plain',
      subquery: sql`select account_id, day, ${sql.join(sums)} from daily_activity where ${range} group by account_id, day`,
      columns: plain.map((s) => ({ name: signalColumn(s.index, 'n') })),
    });
  }

  const rich = plan.signals.filter((s) => !s.fromDailyActivity);
  if (rich.length) {
    const aggregates = rich.flatMap((s) => richAggregates(s, dialect));
    sources.push({
      alias: 'rich',
      subquery: sql`select account_id, day, ${sql.join(aggregates.map((a) => a.sql))} from raw_events where not duplicate and ${range} group by account_id, day`,
      columns: aggregates.map((a) => ({ name: a.column })),
    });
  }

  for (const m of plan.measures) {
    if (m.measure.kind === 'event' && countsDistinct(m.measure)) {
      sources.push({
        alias: `distinct${m.index}`,
        subquery: distinctValuesDelta(m, m.measure, dialect, days),
        columns: [{ name: distinctDelta(m), from: sql`delta` }],
      });
    }
  }
  return sources;
}

/** The `daily` model of the spine strategy: the dense account × day spine with, per day,
 *  every daily figure (null on a day without data). */
export function dailyInputs(plan: ScorecardPlan, dialect: SqlDialect, days: DayRange): RawBuilder<unknown> {
  const sources = dailySources(plan, dialect, days);
  const joins = sources.map(({ alias, subquery }) =>
    sql`left join (${subquery}) ${col(alias)} on ${col(alias)}.account_id = spine.account_id and ${col(alias)}.day = spine.day`);
  const selects = sources.flatMap(({ alias, columns }) =>
    columns.map((c) => (c.from ? sql`${col(alias)}.${c.from} as ${c.name}` : sql`${col(alias)}.${c.name}`)));
  return sql`select spine.account_id, spine.day, spine.first_day${appendColumns(selects)}
    from spine ${sql.join(joins, sql` `)}`;
}

/** The `daily` rows of the range strategy: only the account-days with data, every source
 *  stacked (a source's row has nulls in the other sources' columns, which every window
 *  aggregate skips). */
export function sparseDaily(plan: ScorecardPlan, dialect: SqlDialect, days: DayRange): RawBuilder<unknown> {
  const sources = dailySources(plan, dialect, days);
  if (sources.length === 0) return sql`select null::varchar as account_id, null::date as day where false`;
  const parts = sources.map((source) => {
    const values = sources.flatMap((other) =>
      other.columns.map((c) => (other !== source ? sql`${dialect.nullNumber} as ${c.name}` : c.from ? sql`${c.from} as ${c.name}` : c.name)));
    return sql`select account_id, day${appendColumns(values)} from (${source.subquery}) ${col(source.alias)}`;
  });
  return sql.join(parts, sql`\nunion all\n`);
}

function eventFilter(signal: Signal): RawBuilder<unknown> {
  if (signal.events.kind === 'any') return sql`true`;
  return sql`${col('event')} in (${sql.join(signal.events.names.map((n) => sql.val(n)))})`;
}

/** Subjects of a `where:` are properties of the event row. */
function eventProperties(dialect: SqlDialect): SubjectColumns {
  return {
    text: (subject) => dialect.eventProperty(col('properties'), subject.name),
    number: (subject) => dialect.tryNumber(dialect.eventProperty(col('properties'), subject.name)),
  };
}

function signalFilter(signal: Signal, dialect: SqlDialect): RawBuilder<unknown> {
  if (!signal.where) return eventFilter(signal);
  return sql`${eventFilter(signal)} and ${conditionSql(signal.where, eventProperties(dialect), dialect)}`;
}

/** Signals with a property or a `where:` are aggregated from raw_events (its kept rows,
 *  not the duplicates), once, for the days of the spine only; the others roll up from
 *  daily_activity. */
function richAggregates(s: PlannedSignal, dialect: SqlDialect): { sql: RawBuilder<unknown>; column: RawBuilder<unknown> }[] {
  const filter = signalFilter(s.signal, dialect);
  const part = (name: 'n' | 'vn' | 'total' | 'lo' | 'hi', aggregate: RawBuilder<unknown>) => ({
    sql: sql`${aggregate} filter (where ${filter}) as ${signalColumn(s.index, name)}`,
    column: signalColumn(s.index, name),
  });
  if (s.signal.property === undefined) return [part('n', sql`count(*)`)];
  const value = dialect.tryNumber(dialect.eventProperty(col('properties'), s.signal.property));
  return [
    part('n', sql`count(*)`),
    part('vn', sql`count(${value})`),
    part('total', sql`sum(${value})`),
    part('lo', sql`min(${value})`),
    part('hi', sql`max(${value})`),
  ];
}

/** The different values of a distinct count in an N-day window, without a range join:
 *  each (value, day) with an event covers [day, day + N); cut at the value's next day, the
 *  covers are disjoint, so the values counted on D are a running sum of +1 at each cover's
 *  start and −1 at its end. One window pass, linear in the number of value-days. */
function distinctValuesDelta(m: PlannedMeasure, measure: EventMeasure, dialect: SqlDialect, days: DayRange): RawBuilder<unknown> {
  const n = measure.window;
  // Correct from the first day anything reads (earlier spine rows are never used).
  const start = dialect.addDays(dialect.date(days.from), -m.readsBefore);
  const day = col('day');
  const inRange = sql`day between ${dialect.addDays(start, 1 - n)} and ${dialect.date(days.to)}`;
  return sql`with value_days as (${valueDays(measure, dialect, inRange)}),
      covers as (
        select account_id, greatest(${day}, ${start}) as starts,
               least(${dialect.addDays(day, n)},
                     coalesce(lead(${day}) over (partition by account_id, value order by ${day}), ${dialect.addDays(day, n)})) as ends
        from value_days where value is not null)
    select account_id, day, sum(delta) as delta from (
      select account_id, starts as day, 1 as delta from covers where ends > starts
      union all select account_id, ends as day, -1 as delta from covers where ends > starts) deltas
    group by account_id, day`;
}

/** Each account's days with a matching event per value counted (null included: the
 *  caller drops it). A distinct count compares property values as text, as the properties
 *  hold them. The load keeps the users of any event in daily_users. */
function valueDays(measure: EventMeasure, dialect: SqlDialect, inRange: RawBuilder<unknown>): RawBuilder<unknown> {
  const { signal } = measure;
  const users = measure.aggregate === 'distinct_users';
  if (users && signal.events.kind === 'any' && !signal.where) return sql`select account_id, user_id as value, day from daily_users where ${inRange}`;
  const value = users ? col('user_id') : dialect.eventProperty(col('properties'), signal.property!);
  return sql`select distinct account_id, ${value} as value, day from raw_events where not duplicate and ${signalFilter(signal, dialect)} and ${inRange}`;
}

/** The value of the latest of a group of raw_attributes rows: the latest `observed_at`, and of
 *  two at the same instant the greater value as text (by its bytes, on every engine), so
 *  that the choice never depends on row order. The scoring and `explain` both use it. */
export const latestAttributeValue = (dialect: SqlDialect) =>
  dialect.latestBy(sql`value`, [sql`observed_at`, dialect.byteOrder(sql`value`)]);

/** Each account's attribute values as of every day one of them was observed (the latest of a
 *  day wins, latestAttributeValue; an empty value is no observation): a small table, read
 *  by one ASOF join per spine row instead of a running window per attribute over the spine.
 *  Without ASOF joins each state also has the day the next one starts (`next_day`). */
export function attributeStates(plan: ScorecardPlan, dialect: SqlDialect, days: DayRange): RawBuilder<unknown> {
  const pivot = plan.attributes.flatMap((name, k) => [
    sql`max(value) filter (where attribute = ${name}) as ${attributeObserved(k)}`,
    ...(plan.datedAttributes.includes(name) ? [sql`max(day) filter (where attribute = ${name}) as ${attributeObservedDay(k)}`] : []),
  ]);
  const running = sql`over (partition by account_id order by day rows between unbounded preceding and current row)`;
  const states = plan.attributes.flatMap((name, k) => [
    sql`${dialect.lastNonNull(attributeObserved(k), running)} as ${attributeValue(k)}`,
    ...(plan.datedAttributes.includes(name) ? [sql`${dialect.lastNonNull(attributeObservedDay(k), running)} as ${attributeDay(k)}`] : []),
  ]);
  if (!dialect.asofJoin) states.push(sql`lead(day) over (partition by account_id order by day) as next_day`);
  return sql`select account_id, day, ${sql.join(states)} from (
      select account_id, day, ${sql.join(pivot)}
      from (
        select account_id, attribute, day, ${latestAttributeValue(dialect)} as value
        from raw_attributes
        where attribute in (${sql.join(plan.attributes.map((a) => sql.val(a)))})
          and value is not null and day <= ${dialect.date(days.to)}
        group by account_id, attribute, day) latest
      group by account_id, day) observed`;
}
