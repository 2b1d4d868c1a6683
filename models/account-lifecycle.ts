import { sql, type RawBuilder } from 'kysely';
import type { ChurnSource } from '../pipeline/ir/types.ts';
import type { SqlDialect } from '../pipeline/compile/dialect.ts';

/** A named statement of a model, as `healthscore compile` prints it. */
export interface ModelStep {
  name: string;
  statement: RawBuilder<unknown>;
}

/** Which accounts are scored on which day (SPEC §3.1), for the days [from, to]:
 *  - an account's first day is accounts.created_at, else its first event or attribute;
 *  - it is churned from a churn day until the first later day with an event.
 *  Scorecard-independent, so it is built once per run and shared. */
export function accountLifecycleSteps(churn: ChurnSource | undefined, dialect: SqlDialect, from: string, to: string): ModelStep[] {
  const churnDays =
    churn === undefined
      ? sql`select null::varchar as account_id, null::date as churn_day where false`
      : churn.kind === 'event'
        ? sql`select distinct account_id, day as churn_day from daily_activity where event = ${churn.event}`
        : sql`select distinct account_id, churn_day from raw_churn`;
  return [
    {
      name: 'hs_accounts',
      statement: sql`create or replace temp table hs_accounts as
        with first_event as (select account_id, min(day) as day from daily_activity group by account_id),
             first_attribute as (select account_id, min(day) as day from raw_attributes group by account_id),
             created as (select account_id, min(created_day) as day from raw_accounts group by account_id),
             everyone as (select account_id from first_event union select account_id from first_attribute
                          union select account_id from created)
        select everyone.account_id,
               coalesce(created.day, least(first_event.day, first_attribute.day)) as first_day
        from everyone
        left join created using (account_id)
        left join first_event using (account_id)
        left join first_attribute using (account_id)`,
    },
    { name: 'hs_churn_days', statement: sql`create or replace temp table hs_churn_days as ${churnDays}` },
    {
      name: 'hs_scored_accounts',
      // Churned on D ⇔ some churn day c ≤ D has no event in (c, D]: each churn opens an
      // interval [c, first active day after c). Few accounts churn, so the intervals are
      // a small table and the check is an anti-join, not a look-up for every account-day.
      statement: sql`create or replace temp table hs_scored_accounts as
        with churned as (
          select c.account_id, c.churn_day,
                 (select min(a.day) from daily_activity a where a.account_id = c.account_id and a.day > c.churn_day) as back_on
          from hs_churn_days c)
        select a.account_id, cast(d.range as date) as day
        from hs_accounts a
        cross join range(${dialect.date(from)}, ${dialect.addDays(dialect.date(to), 1)}, interval 1 day) d
        where a.first_day <= cast(d.range as date)
          and not exists (
            select 1 from churned c
            where c.account_id = a.account_id and c.churn_day <= cast(d.range as date)
              and (c.back_on is null or cast(d.range as date) < c.back_on))`,
    },
  ];
}
