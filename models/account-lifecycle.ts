import { sql, type RawBuilder } from 'kysely';
import type { ChurnSource, Reactivation } from '../pipeline/ir/types.ts';
import type { SqlDialect } from '../pipeline/sql/dialects/dialect.ts';

/** A named statement of a model, as `healthscore compile` prints it. */
export interface ModelStep {
  name: string;
  statement: RawBuilder<unknown>;
}

/** The steps that (re)create the temp table `name` as `query` (one statement or a few,
 *  by engine: see SqlDialect.replaceTempTable). */
export function tempTableSteps(dialect: SqlDialect, name: string, query: RawBuilder<unknown>): ModelStep[] {
  return dialect.replaceTempTable(name, query).map((statement) => ({ name, statement }));
}

/** Which accounts are scored on which day (SPEC §3.1):
 *  - an account's first day is accounts.created_at, else its first event or attribute
 *    (`data_from`: the earliest of the three, before which it has no row of any source);
 *  - it is churned from a churn day until the first later day that brings it back: a day
 *    with any event, or as `reactivated_by` says (some events, or a file of reactivations).
 *  The steps build the small tables `scoredOn` reads; scorecard-independent. */
export function accountLifecycleSteps(churn: ChurnSource | undefined, dialect: SqlDialect): ModelStep[] {
  return [
    ...tempTableSteps(dialect, 'hs_accounts', sql`with first_event as (select account_id, min(day) as day from daily_activity group by account_id),
             first_attribute as (select account_id, min(day) as day from raw_attributes group by account_id),
             created as (select account_id, min(created_day) as day from raw_accounts group by account_id),
             everyone as (select account_id from first_event union select account_id from first_attribute
                          union select account_id from created)
        select everyone.account_id,
               coalesce(created.day, least(first_event.day, first_attribute.day)) as first_day,
               least(created.day, first_event.day, first_attribute.day) as data_from
        from everyone
        left join created using (account_id)
        left join first_event using (account_id)
        left join first_attribute using (account_id)`),
    // Churned on D ⇔ some churn day c ≤ D has no reactivation in (c, D]: each churn opens
    // an interval [c, first reactivation day after c). Few accounts churn, so this is a
    // small table. A join, not a correlated subquery: PostgreSQL runs that as one scan of
    // daily_activity per churn (minutes at 10M events), DuckDB decorrelates it.
    ...tempTableSteps(dialect, 'hs_churn_intervals', sql`with churn_days as (${churnDays(churn)})
        select c.account_id, c.churn_day, min(a.day) as back_on
        from churn_days c left join ${reactivationDays(churn?.reactivatedBy)} a on a.account_id = c.account_id and a.day > c.churn_day
        group by c.account_id, c.churn_day`),
  ];
}

/** (account_id, churn_day): every churn of the churn source — a row of the churn file, or
 *  a day with the churn event. Also the labels of a backtest. */
export function churnDays(churn: ChurnSource | undefined): RawBuilder<unknown> {
  if (churn === undefined) return sql`select null::varchar as account_id, null::date as churn_day where false`;
  return churn.kind === 'event'
    ? sql`select distinct account_id, day as churn_day from daily_activity where event = ${churn.event}`
    : sql`select distinct account_id, churn_day from raw_churn`;
}

/** (account_id, day) rows whose day brings a churned account back: every event day by
 *  default, the days with one of the named events, or the days of the reactivation file. */
function reactivationDays(rule: Reactivation | undefined): RawBuilder<unknown> {
  if (rule === undefined) return sql`daily_activity`;
  return rule.kind === 'events'
    ? sql`(select account_id, day from daily_activity where event in (${sql.join(rule.events)}))`
    : sql`raw_reactivations`;
}

/** What the churn intervals depend on besides the loaded rows: a change of it makes every
 *  snapshot day stale. A reactivation file's rows are the loader's business, like the
 *  churn file's. Without `reactivatedBy` the text is what it was before that setting
 *  existed, so upgrading recomputes nothing. */
export function lifecycleSettings(churn: ChurnSource | undefined): string {
  const back = churn?.reactivatedBy;
  return JSON.stringify({
    churn: churn === undefined ? null : churn.kind === 'event' ? { event: churn.event } : 'file',
    ...(back && { reactivatedBy: back.kind === 'events' ? { events: [...new Set(back.events)].sort() } : 'file' }),
  });
}

/** The account of `row` (with account_id, day and first_day) is scored on its day. */
export function scoredOn(row: RawBuilder<unknown>): RawBuilder<boolean> {
  return sql<boolean>`${row}.first_day <= ${row}.day and not exists (
    select 1 from hs_churn_intervals c
    where c.account_id = ${row}.account_id and c.churn_day <= ${row}.day
      and (c.back_on is null or ${row}.day < c.back_on))`;
}
