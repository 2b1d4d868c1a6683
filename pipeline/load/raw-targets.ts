import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { SqlDialect } from '../compile/dialect.ts';
import { refreshDailyAggregates } from '../../models/daily-aggregates.ts';

/** How one kind of source file becomes rows of its raw table: which mapped columns it
 *  needs, the expression of each target column, and the checks that reject bad rows
 *  with the field they name. */
export interface RawTarget {
  source: 'events' | 'attributes' | 'accounts' | 'churn' | 'overrides';
  table: string;
  required: string[];
  optional: string[];
  /** Target column → expression over the file's columns (`col(name)` quotes the mapped
   *  one; `line` is the row's line in the file). */
  columns(col: (name: string) => RawBuilder<unknown>, extras: RawBuilder<unknown>, d: SqlDialect, tz: string, line: RawBuilder<unknown>): Record<string, RawBuilder<unknown>>;
  checks(col: (name: string) => RawBuilder<unknown>, d: SqlDialect, tz: string): RowCheck[];
  /** Keeps derived state in step with the file's rows, inside the load transaction:
   *  called with the file's old rows still present, then with its new rows. */
  touched?: { before(trx: Kysely<any>, file: string): Promise<void>; after(trx: Kysely<any>, file: string): Promise<void> };
}

export interface RowCheck {
  field: string;
  /** True for a bad row. */
  bad: RawBuilder<unknown>;
  value: RawBuilder<unknown>;
  problem: string;
}

const required = (field: string, col: (name: string) => RawBuilder<unknown>): RowCheck => ({
  field,
  bad: sql`${col(field)} is null or trim(cast(${col(field)} as varchar)) = ''`,
  value: sql`cast(${col(field)} as varchar)`,
  problem: 'is empty',
});

const day = (field: string, col: (name: string) => RawBuilder<unknown>, d: SqlDialect, tz: string): RowCheck => ({
  field,
  bad: sql`${col(field)} is not null and ${d.dayOf(col(field), tz)} is null`,
  value: sql`cast(${col(field)} as varchar)`,
  problem: 'cannot be read as a date or timestamp',
});

const text = (value: RawBuilder<unknown>) => sql`cast(${value} as varchar)`;

export const EVENTS: RawTarget = {
  source: 'events',
  table: 'raw_events',
  required: ['account_id', 'event', 'timestamp'],
  optional: ['user_id', 'event_id'],
  columns: (col, extras, d, tz) => ({
    account_id: text(col('account_id')),
    event: text(col('event')),
    ts: d.tryTimestamp(col('timestamp')),
    day: d.dayOf(col('timestamp'), tz),
    user_id: text(col('user_id')),
    event_id: text(col('event_id')),
    properties: extras,
  }),
  // daily_activity is recomputed for every day the file had or has events.
  touched: {
    async before(trx, file) {
      await sql`create or replace temp table hs_touched_days as
        select distinct day from raw_events where source_file = ${file}`.execute(trx);
    },
    async after(trx, file) {
      await sql`insert into hs_touched_days select distinct day from raw_events where source_file = ${file}`.execute(trx);
      await refreshDailyAggregates(trx, 'hs_touched_days');
      await sql`drop table hs_touched_days`.execute(trx);
    },
  },
  checks: (col, d, tz) => [
    required('account_id', col),
    required('event', col),
    required('timestamp', col),
    {
      ...day('timestamp', col, d, tz),
      bad: sql`${d.tryTimestamp(col('timestamp'))} is null`,
      problem: 'cannot be read as a timestamp',
    },
  ],
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
    observed_at: d.tryTimestamp(col('observed_at')),
    day: d.dayOf(col('observed_at'), tz),
  }),
  checks: (col, d, tz) => [
    required('account_id', col),
    required('attribute', col),
    required('observed_at', col),
    day('observed_at', col, d, tz),
  ],
};

export const ACCOUNTS: RawTarget = {
  source: 'accounts',
  table: 'raw_accounts',
  required: ['account_id'],
  optional: ['created_at'],
  columns: (col, _extras, d, tz) => ({
    account_id: text(col('account_id')),
    created_day: d.dayOf(col('created_at'), tz),
  }),
  checks: (col, d, tz) => [required('account_id', col), day('created_at', col, d, tz)],
};

export const CHURN: RawTarget = {
  source: 'churn',
  table: 'raw_churn',
  required: ['account_id', 'churned_at'],
  optional: [],
  columns: (col, _extras, d, tz) => ({
    account_id: text(col('account_id')),
    churn_day: d.dayOf(col('churned_at'), tz),
  }),
  checks: (col, d, tz) => [required('account_id', col), required('churned_at', col), day('churned_at', col, d, tz)],
};

/** The days an override covers are no longer "done": the next run re-scores them, both
 *  for the rows a changed file drops and for the rows it adds. */
async function forgetOverriddenDays(trx: Kysely<any>, file: string): Promise<void> {
  await sql`delete from run_log r using raw_overrides o
    where o.source_file = ${file} and r.scorecard = o.scorecard
      and r.snapshot_date >= o.starts_on and (o.ends_on is null or r.snapshot_date <= o.ends_on)`.execute(trx);
}

const optionalDay = (field: string, col: (name: string) => RawBuilder<unknown>, d: SqlDialect, tz: string): RowCheck => ({
  ...day(field, col, d, tz),
  bad: sql`nullif(trim(cast(${col(field)} as varchar)), '') is not null and ${d.dayOf(col(field), tz)} is null`,
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
    starts_on: d.dayOf(col('starts_on'), tz),
    ends_on: d.dayOf(blankToNull(col('ends_on')), tz),
    source_line: line,
  }),
  checks: (col, d, tz) => [
    required('account_id', col),
    required('scorecard', col),
    { ...required('reason', col), problem: 'is empty: every override needs a reason' },
    required('starts_on', col),
    day('starts_on', col, d, tz),
    optionalDay('ends_on', col, d, tz),
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
      bad: sql`${d.dayOf(blankToNull(col('ends_on')), tz)} < ${d.dayOf(col('starts_on'), tz)}`,
      value: sql`cast(${col('ends_on')} as varchar)`,
      problem: 'is before starts_on',
    },
  ],
  touched: { before: forgetOverriddenDays, after: forgetOverriddenDays },
};
