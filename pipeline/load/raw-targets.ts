import { sql, type RawBuilder } from 'kysely';
import type { SqlDialect } from '../sql/dialects/dialect.ts';

/** How one kind of source file becomes rows of its raw table: which mapped columns it
 *  needs, the expression of each target column, the checks that reject bad rows with the
 *  field they name, and the first snapshot day a changed row can affect. */
export interface RawTarget {
  source: 'events' | 'attributes' | 'accounts' | 'churn' | 'reactivations' | 'overrides';
  table: string;
  required: string[];
  optional: string[];
  /** Target column → expression over the file's columns (`col(name)` quotes the mapped
   *  one; `line` is the row's line in the file). */
  columns(col: Col, extras: RawBuilder<unknown>, d: SqlDialect, tz: string, line: RawBuilder<unknown>): Record<string, RawBuilder<unknown>>;
  checks(col: Col, d: SqlDialect, tz: string): RowCheck[];
  /** Fields holding the time of a row: their day must lie in the source's valid_range. */
  timeFields: string[];
  /** Over `hs_changed` (the rows that differ between the old and the new files): the
   *  spans of snapshot days they can change, as rows (from_day, to_day), to_day null for
   *  open. Nothing before the day of a row reads it (snapshots are point-in-time); most
   *  rows can change every later day (windows, first days, churn). `alertHorizon`: how
   *  many days later an alert still compares with a changed day. */
  affectedDays(alertHorizon: number): RawBuilder<unknown>;
  /** The columns `affectedDays` reads (all that `hs_changed` keeps). */
  affects: string[];
}

/** A mapped column of the file (`null` when unmapped), and its type in the file. */
export interface Col {
  (name: string): RawBuilder<unknown>;
  /** The engine's type of the file column; undefined when unmapped. */
  type(name: string): string | undefined;
  /** The column as a time: text read by the source's `timestamp_format` (then `format` is
   *  that format and `type` the parsed value's), else the column itself. */
  time(name: string): TimeValue;
}

export interface TimeValue {
  value: RawBuilder<unknown>;
  type: string | undefined;
  format?: string;
}

export interface RowCheck {
  field: string;
  /** True for a bad row. */
  bad: RawBuilder<unknown>;
  value: RawBuilder<unknown>;
  problem: string;
  /** A day after the valid range: it may become valid as the clock moves on. */
  late?: boolean;
}

const required = (field: string, col: Col): RowCheck => ({
  field,
  // Only text can be blank; casting a typed column to text would cost a formatting per row.
  bad: isText(col.type(field))
    ? sql`${col(field)} is null or trim(cast(${col(field)} as varchar)) = ''`
    : sql`${col(field)} is null`,
  value: sql`cast(${col(field)} as varchar)`,
  problem: 'is empty',
});

const isText = (type: string | undefined) => type === undefined || type === 'VARCHAR';

/** The day of a time field, typed or text; `blank`: blank text is no day (an optional
 *  field). */
const dayOfField = (field: string, col: Col, d: SqlDialect, tz: string, blank = false) => {
  const time = col.time(field);
  return d.dayOf(blank && isText(time.type) ? blankToNull(time.value) : time.value, tz, time.type);
};

/** Why a time value is unreadable: with a timestamp_format, that it does not match it. */
const unreadableTime = (time: TimeValue, what: string) =>
  time.format === undefined ? `cannot be read as ${what}` : `does not match timestamp_format ${JSON.stringify(time.format)}`;

const day = (field: string, col: Col, d: SqlDialect, tz: string): RowCheck => ({
  field,
  bad: sql`${col(field)} is not null and ${dayOfField(field, col, d, tz)} is null`,
  value: sql`cast(${col(field)} as varchar)`,
  problem: unreadableTime(col.time(field), 'a date or timestamp'),
});

const timestamp = (field: string, col: Col, d: SqlDialect) => {
  const time = col.time(field);
  return d.tryTimestamp(time.value, time.type);
};

const text = (value: RawBuilder<unknown>) => sql`cast(${value} as varchar)`;

const fromFirst = (column: string) => () => sql`select min(${sql.ref(column)}) as from_day, null::date as to_day from hs_changed`;

export const EVENTS: RawTarget = {
  source: 'events',
  table: 'raw_events',
  required: ['account_id', 'event', 'timestamp'],
  optional: ['user_id', 'event_id'],
  columns: (col, extras, d, tz) => ({
    account_id: text(col('account_id')),
    event: text(col('event')),
    ts: timestamp('timestamp', col, d),
    day: dayOfField('timestamp', col, d, tz),
    user_id: text(col('user_id')),
    event_id: text(col('event_id')),
    event_key: d.hashKey(text(col('event_id'))),
    properties: extras,
  }),
  checks: (col, d, tz) => [
    required('account_id', col),
    required('event', col),
    required('timestamp', col),
    {
      ...day('timestamp', col, d, tz),
      bad: sql`${timestamp('timestamp', col, d)} is null`,
      problem: unreadableTime(col.time('timestamp'), 'a timestamp'),
    },
  ],
  timeFields: ['timestamp'],
  affectedDays: fromFirst('day'),
  affects: ['day'],
};

export const LONG_ATTRIBUTES: RawTarget = {
  source: 'attributes',
  table: 'raw_attributes',
  required: ['account_id', 'attribute', 'observed_at'],
  optional: ['value'],
  columns: (col, _extras, d, tz) => ({
    account_id: text(col('account_id')),
    attribute: text(col('attribute')),
    value: text(col('value')),
    observed_at: timestamp('observed_at', col, d),
    day: dayOfField('observed_at', col, d, tz),
  }),
  checks: (col, d, tz) => [
    required('account_id', col),
    required('attribute', col),
    required('observed_at', col),
    day('observed_at', col, d, tz),
  ],
  timeFields: ['observed_at'],
  affectedDays: fromFirst('day'),
  affects: ['day'],
};

export const ACCOUNTS: RawTarget = {
  source: 'accounts',
  table: 'raw_accounts',
  required: ['account_id'],
  optional: ['created_at'],
  columns: (col, _extras, d, tz) => ({
    account_id: text(col('account_id')),
    created_day: dayOfField('created_at', col, d, tz),
  }),
  checks: (col, d, tz) => [required('account_id', col), day('created_at', col, d, tz)],
  timeFields: ['created_at'],
  // An account's first day is its created day, else its first event or attribute: a
  // changed row moves it between the two.
  affectedDays: () => sql`select min(least(c.created_day, f.day)) as from_day, null::date as to_day
    from hs_changed c left join (
      select account_id, min(day) as day from (select account_id, day from daily_activity
                                               union all select account_id, day from raw_attributes) d
      group by account_id) f using (account_id)`,
  affects: ['account_id', 'created_day'],
};

/** A file of account days: one row per account and the day of its time field. */
function accountDays(source: RawTarget['source'], table: string, field: string, column: string): RawTarget {
  return {
    source,
    table,
    required: ['account_id', field],
    optional: [],
    columns: (col, _extras, d, tz) => ({ account_id: text(col('account_id')), [column]: dayOfField(field, col, d, tz) }),
    checks: (col, d, tz) => [required('account_id', col), required(field, col), day(field, col, d, tz)],
    timeFields: [field],
    affectedDays: fromFirst(column),
    affects: [column],
  };
}

export const CHURN: RawTarget = accountDays('churn', 'raw_churn', 'churned_at', 'churn_day');

/** The days that bring a churned account back (`churn.reactivated_by.path`). A row of day R
 *  can only end churns before R, so it changes days from R on. */
export const REACTIVATIONS: RawTarget = accountDays('reactivations', 'raw_reactivations', 'reactivated_at', 'day');

const optionalDay = (field: string, col: Col, d: SqlDialect, tz: string): RowCheck => ({
  ...day(field, col, d, tz),
  bad: sql`nullif(trim(cast(${col(field)} as varchar)), '') is not null and ${dayOfField(field, col, d, tz)} is null`,
});

/** Override days may lie in the future, but must be days every part of the program can
 *  handle (a year of six digits is no plan, it is a typo). */
const plausibleDay = (field: string, col: Col, d: SqlDialect, tz: string): RowCheck => ({
  field,
  bad: sql`${dayOfField(field, col, d, tz, true)} not between date '1900-01-01' and date '9999-12-31'`,
  value: sql`cast(${col(field)} as varchar)`,
  problem: 'is not a day between 1900-01-01 and 9999-12-31',
});

const blankToNull = (value: RawBuilder<unknown>) => sql`nullif(trim(cast(${value} as varchar)), '')`;

export const OVERRIDES: RawTarget = {
  source: 'overrides',
  table: 'raw_overrides',
  required: ['account_id', 'scorecard', 'reason', 'starts_on'],
  optional: ['score_id', 'score', 'band', 'author', 'ends_on'],
  columns: (col, _extras, d, tz, line) => ({
    account_id: text(col('account_id')),
    scorecard: text(col('scorecard')),
    score_id: blankToNull(col('score_id')),
    score: d.tryNumber(blankToNull(col('score'))),
    band: blankToNull(col('band')),
    reason: text(col('reason')),
    author: blankToNull(col('author')),
    starts_on: dayOfField('starts_on', col, d, tz),
    ends_on: dayOfField('ends_on', col, d, tz, true),
    source_line: line,
  }),
  checks: (col, d, tz) => [
    required('account_id', col),
    required('scorecard', col),
    { ...required('reason', col), problem: 'is empty: every override needs a reason' },
    required('starts_on', col),
    day('starts_on', col, d, tz),
    plausibleDay('starts_on', col, d, tz),
    optionalDay('ends_on', col, d, tz),
    plausibleDay('ends_on', col, d, tz),
    {
      field: 'score',
      bad: sql`${blankToNull(col('score'))} is not null and ${d.tryNumber(blankToNull(col('score')))} is null`,
      value: sql`cast(${col('score')} as varchar)`,
      problem: 'is not a number',
    },
    {
      field: 'score',
      bad: sql`${blankToNull(col('score'))} is null and ${blankToNull(col('band'))} is null`,
      value: sql`null`,
      problem: 'and band are both empty: an override sets a score, a band or both',
    },
    {
      field: 'ends_on',
      bad: sql`${dayOfField('ends_on', col, d, tz, true)} < ${dayOfField('starts_on', col, d, tz)}`,
      value: sql`cast(${col('ends_on')} as varchar)`,
      problem: 'is before starts_on',
    },
  ],
  // Overrides are not time-stamped observations: a plan may start in the future.
  timeFields: [],
  // An override changes its own days, and the alerts that compare with them.
  affectedDays: (alertHorizon) => sql`select starts_on as from_day, ends_on + ${sql.lit(alertHorizon)} as to_day from hs_changed`,
  affects: ['starts_on', 'ends_on'],
};
