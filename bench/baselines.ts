/** The table the hand-written script's scorecard writes (one wide row per scored account and day). */
export const HANDWRITTEN_TABLE = 'handwritten_scores';

/** The daily aggregate the hand-written script's load writes: events per account, day and event. */
export const DAILY_TABLE = 'daily_events';

export interface HandWrittenOptions {
  /** The day the first snapshot describes (healthscore.yaml start_date), YYYY-MM-DD. */
  firstSnapshot: string;
  /** Table the statement writes. */
  table?: string;
  /** The daily aggregate (account_id, day, event, events) it reads the counts from. */
  daily?: string;
}

/**
 * The scorecard of definitions/customer_health.yaml written by hand, the way an analyst
 * who knows DuckDB would write it without healthscore: one statement over the raw tables
 * and the daily aggregate (bench/script/handwritten.mjs loads both), rolling windows over
 * a dense account × day spine, ASOF look-ups of the attributes, then the segment,
 * staleness, scoring, weighting, banding and insights inline. Its output is a wide table:
 * one row per scored account and day, one column per score plus the global score, band
 * and fired insights. bench/run.ts writes it to a .sql file the script runs, and checks
 * the script's table against our snapshots.
 *
 * The spine starts 59 days before the first snapshot: logins_30d needs 29 earlier
 * days and login_trend compares with logins_30d 30 days before that.
 */
export function handWrittenSql(options: HandWrittenOptions): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(options.firstSnapshot)) throw new Error(`not a day: ${options.firstSnapshot}`);
  const table = options.table ?? HANDWRITTEN_TABLE;
  const daily = options.daily ?? DAILY_TABLE;
  return `create or replace table ${table} as
with
bounds as (
  select date '${options.firstSnapshot}' as first_snapshot, max(day) as last_day from raw_events),

-- every account and its first day: created_at, else its first event or attribute
account_first_day as (
  select account_id, coalesce(min(created_day), least(min(first_event), min(first_attribute))) as first_day
  from (
    select account_id, created_day, null::date as first_event, null::date as first_attribute from raw_accounts
    union all select account_id, null, min(day), null from raw_events group by account_id
    union all select account_id, null, null, min(day) from raw_attributes group by account_id)
  group by account_id),

-- one row per account and calendar day, from 59 days before the first snapshot
spine as (
  select a.account_id, a.first_day, cast(d.range as date) as day
  from account_first_day a, bounds b,
       range(b.first_snapshot - 59, b.last_day + 1, interval 1 day) d
  where a.first_day <= b.last_day),

-- logins and tickets per account and day, from the load's daily aggregate
daily_events as (
  select account_id, day,
         coalesce(sum(events) filter (where event = 'login'), 0) as logins,
         coalesce(sum(events) filter (where event = 'ticket_opened'), 0) as tickets
  from ${daily} group by account_id, day),

churn_days as (select distinct account_id, churn_day as day from raw_churn),

-- distinct users over the 30 days up to each day: a RANGE frame over the user-days,
-- with the spine's days added (user null) so that days without events get a value too
active_users as (
  select account_id, day, max(users_30d) as users_30d
  from (
    select account_id, day,
           count(distinct user_id) over (partition by account_id order by day
                                         range between interval 29 days preceding and current row) as users_30d
    from (select distinct account_id, day, user_id from raw_events where user_id is not null
          union all
          select account_id, day, null from spine where day >= (select first_snapshot from bounds)))
  group by account_id, day),

rolling as (
  select s.account_id, s.day, s.first_day,
         sum(coalesce(e.logins, 0))         over last_30 as logins_30d,
         sum(coalesce(e.logins, 0))         over (partition by s.account_id order by s.day
                                                  rows between 59 preceding and 30 preceding) as logins_prev_30d,
         count(e.account_id)                over last_30 as active_days_30d,
         sum(coalesce(e.tickets, 0))        over last_30 as tickets_30d,
         max(case when e.account_id is not null then s.day end) over to_date as last_active_day,
         max(case when c.account_id is not null then s.day end) over to_date as last_churn_day
  from spine s
  left join daily_events e on e.account_id = s.account_id and e.day = s.day
  left join churn_days c on c.account_id = s.account_id and c.day = s.day
  window last_30 as (partition by s.account_id order by s.day rows between 29 preceding and current row),
         to_date as (partition by s.account_id order by s.day rows between unbounded preceding and current row)),

-- the latest value of each attribute per day (several on one day: the latest wins)
attribute_days as (
  select account_id, attribute, day, arg_max(value, observed_at) as value
  from raw_attributes
  where attribute in ('plan', 'seats', 'nps', 'csm_sentiment')
  group by account_id, attribute, day),

-- scored days: on or after the first day and not churned (a churn lasts until the next
-- day with an event), with the attributes as of that day
scored as (
  select r.*, coalesce(u.users_30d, 0) as active_users_30d,
         plan.value as plan, seats.value as seats,
         nps.value as nps, nps.day as nps_day, sentiment.value as sentiment, sentiment.day as sentiment_day
  from rolling r
  cross join bounds b
  left join active_users u on u.account_id = r.account_id and u.day = r.day
  asof left join (from attribute_days where attribute = 'plan') plan
    on plan.account_id = r.account_id and r.day >= plan.day
  asof left join (from attribute_days where attribute = 'seats') seats
    on seats.account_id = r.account_id and r.day >= seats.day
  asof left join (from attribute_days where attribute = 'nps') nps
    on nps.account_id = r.account_id and r.day >= nps.day
  asof left join (from attribute_days where attribute = 'csm_sentiment') sentiment
    on sentiment.account_id = r.account_id and r.day >= sentiment.day
  where r.day >= b.first_snapshot
    and r.first_day <= r.day
    and (r.last_churn_day is null or r.last_active_day > r.last_churn_day)),

measures as (
  select account_id, day,
         logins_30d, active_days_30d, tickets_30d,
         active_users_30d / nullif(try_cast(seats as double), 0) as seat_coverage,
         case when day - nps_day > 180 then null else try_cast(nps as double) end as nps,
         case when day - sentiment_day > 120 then null else sentiment end as sentiment,
         case when logins_prev_30d is null or logins_prev_30d = 0 then null
              else (logins_30d - logins_prev_30d) / logins_prev_30d end as login_trend
  from scored
  where plan in ('pro', 'enterprise')),

-- linear scores: (x - worst) × 10 / (best - worst), clamped to 0…10 (greatest and least
-- skip NULLs, so a missing x must stay missing explicitly); every score rounded to 4 places
scores as (
  select *,
         round(greatest(0, least(10, (logins_30d - 0) * 10 / 10)), 4)                as s_login_frequency,
         round(greatest(0, least(10, (active_days_30d - 2) * 10 / 18)), 4)           as s_active_days,
         case when seat_coverage is not null
              then round(greatest(0, least(10, (seat_coverage - 0.1) * 10 / 0.7)), 4) end as s_seat_coverage,
         round(greatest(0, least(10, (tickets_30d - 8) * 10 / -8)), 4)               as s_support_load,
         case when nps < 7 then 0 when nps < 9 then 5 when nps >= 9 then 10 end      as s_nps,
         case sentiment when 'strong' then 10 when 'ok' then 6 when 'weak' then 0 end as s_csm_sentiment,
         case when login_trend is not null
              then round(greatest(0, least(10, (login_trend + 0.5) * 10 / 0.7)), 4) end as s_login_trend
  from measures),

-- weights: login_frequency 3; active_days, seat_coverage, nps 2; the others 1.
-- A missing score is left out and the other weights renormalised.
global as (
  select *,
         round((3 * s_login_frequency + 2 * s_active_days + coalesce(2 * s_seat_coverage, 0)
                + s_support_load + coalesce(2 * s_nps, 0) + coalesce(s_csm_sentiment, 0)
                + coalesce(s_login_trend, 0))
               / (3 + 2 + 1 + if(s_seat_coverage is null, 0, 2) + if(s_nps is null, 0, 2)
                  + if(s_csm_sentiment is null, 0, 1) + if(s_login_trend is null, 0, 1)), 4) as score,
         active_days_30d = 0 as no_activity,
         coalesce(tickets_30d >= 6 and login_trend < -0.3, false) as ticket_storm
  from scores)

select day as snapshot_date, account_id,
       s_login_frequency as login_frequency, s_active_days as active_days, s_seat_coverage as seat_coverage,
       s_support_load as support_load, s_nps as nps, s_csm_sentiment as csm_sentiment, s_login_trend as login_trend,
       score,
       -- the computed band, capped by the insights that fire (red by ticket_storm, yellow by no_activity)
       case when ticket_storm or score < 3 then 'red'
            when no_activity or score < 7 then 'yellow'
            else 'green' end as band,
       list_filter([if(no_activity, 'no_activity', null), if(ticket_storm, 'ticket_storm', null)], id -> id is not null) as insights
from global;
`;
}
