import { sql, type RawBuilder } from 'kysely';
import type { SqlDialect } from '../compile/dialect.ts';

/** How one kind of source file becomes rows of its raw table: which mapped columns it
 *  needs, the expression of each target column, and the checks that reject bad rows
 *  with the field they name. */
export interface RawTarget {
  source: 'events' | 'attributes' | 'accounts' | 'churn';
  table: string;
  required: string[];
  optional: string[];
  /** Target column → expression over the file's columns (`col(name)` quotes the mapped one). */
  columns(col: (name: string) => RawBuilder<unknown>, extras: RawBuilder<unknown>, d: SqlDialect, tz: string): Record<string, RawBuilder<unknown>>;
  checks(col: (name: string) => RawBuilder<unknown>, d: SqlDialect, tz: string): RowCheck[];
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
