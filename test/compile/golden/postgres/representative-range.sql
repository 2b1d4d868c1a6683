-- hs_accounts
drop table if exists "pg_temp"."hs_accounts";

-- hs_accounts
create temp table "hs_accounts" as with first_event as (select account_id, min(day) as day from daily_activity group by account_id),
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
        left join first_attribute using (account_id);

-- hs_accounts
analyze "hs_accounts";

-- hs_churn_intervals
drop table if exists "pg_temp"."hs_churn_intervals";

-- hs_churn_intervals
create temp table "hs_churn_intervals" as with churn_days as (select null::varchar as account_id, null::date as churn_day where false)
        select c.account_id, c.churn_day, min(a.day) as back_on
        from churn_days c left join daily_activity a on a.account_id = c.account_id and a.day > c.churn_day
        group by c.account_id, c.churn_day;

-- hs_churn_intervals
analyze "hs_churn_intervals";

-- hs_measures
drop table if exists "pg_temp"."hs_measures";

-- hs_measures
create temp table "hs_measures" as with spine as (
      select a.account_id, d.day, a.first_day
      from hs_accounts a
      cross join (select (date '2025-01-14' + 0) + g.i as day from generate_series(0, date '2025-01-15' - (date '2025-01-14' + 0)) g(i)) d
      where a.first_day <= date '2025-01-15'
        -- An account churned through every snapshot day has no row to compute.
        and not exists (select 1 from hs_churn_intervals c where c.account_id = a.account_id
          and c.churn_day <= date '2025-01-14' and (c.back_on is null or c.back_on > date '2025-01-15'))),
daily as (select account_id, day, "s1_n", cast(null as numeric) as "s0_n", cast(null as numeric) as "distinct4_delta" from (select account_id, day, sum(events) filter (where "event" in ('login')) as "s1_n" from daily_activity where day between date '2025-01-01' and date '2025-01-15' group by account_id, day) "plain"
union all
select account_id, day, cast(null as numeric) as "s1_n", "s0_n", cast(null as numeric) as "distinct4_delta" from (select account_id, day, count(*) filter (where "event" in ('export') and coalesce(hs_try_double(cast(("properties" ->> 'rows') as text)) > 1000, false)) as "s0_n" from raw_events where not duplicate and day between date '2025-01-01' and date '2025-01-15' group by account_id, day) "rich"
union all
select account_id, day, cast(null as numeric) as "s1_n", cast(null as numeric) as "s0_n", delta as "distinct4_delta" from (with value_days as (select account_id, user_id as value, day from daily_users where day between ((date '2025-01-14' + 0) + -6) and date '2025-01-15'),
      covers as (
        select account_id, greatest("day", (date '2025-01-14' + 0)) as starts,
               least(("day" + 7),
                     coalesce(lead("day") over (partition by account_id, value order by "day"), ("day" + 7))) as ends
        from value_days where value is not null)
    select account_id, day, sum(delta) as delta from (
      select account_id, starts as day, 1 as delta from covers where ends > starts
      union all select account_id, ends as day, -1 as delta from covers where ends > starts) deltas
    group by account_id, day) "distinct4"),
windows as (select spine.account_id, spine.day, spine.first_day, coalesce(sum("s0_n") filter (where daily."day" between spine."day" - 6 and spine."day" - 0), 0) as "m0:big_exports", coalesce(sum("s1_n") filter (where daily."day" between spine."day" - 6 and spine."day" - 0), 0) as "m1:logins_7d", coalesce(sum("s1_n") filter (where daily."day" between spine."day" - 13 and spine."day" - 7), 0) as "before2:login_trend", coalesce(sum("distinct4_delta"), 0) as "m4:users_7d"
            from spine left join daily on daily.account_id = spine.account_id and daily.day <= spine.day
            group by spine.account_id, spine.day, spine.first_day),
with_attributes as (select windows.*, states."a0_value", states."a0_day", states."a1_value"
    from windows left join (select account_id, day, (array_agg("a0_obs") filter (where "a0_obs" is not null) over (partition by account_id order by day rows between unbounded preceding and current row))[count("a0_obs") over (partition by account_id order by day rows between unbounded preceding and current row)] as "a0_value", (array_agg("a0_obs_day") filter (where "a0_obs_day" is not null) over (partition by account_id order by day rows between unbounded preceding and current row))[count("a0_obs_day") over (partition by account_id order by day rows between unbounded preceding and current row)] as "a0_day", (array_agg("a1_obs") filter (where "a1_obs" is not null) over (partition by account_id order by day rows between unbounded preceding and current row))[count("a1_obs") over (partition by account_id order by day rows between unbounded preceding and current row)] as "a1_value", lead(day) over (partition by account_id order by day) as next_day from (
      select account_id, day, max(value) filter (where attribute = 'nps') as "a0_obs", max(day) filter (where attribute = 'nps') as "a0_obs_day", max(value) filter (where attribute = 'plan') as "a1_obs"
      from (
        select account_id, attribute, day, (array_agg(value order by observed_at desc nulls last, (value collate "C") desc nulls last))[1] as value
        from raw_attributes
        where attribute in ('nps', 'plan')
          and value is not null and day <= date '2025-01-15'
        group by account_id, attribute, day) latest
      group by account_id, day) observed) states
      on states.account_id = windows.account_id and windows.day >= states.day
        and (states.next_day is null or windows.day < states.next_day)
    where windows.day >= (date '2025-01-14' + 0)),
"layer0" as (select with_attributes.*, case when coalesce("day" - "a0_day" > 90, false) then null else hs_try_double(cast("a0_value" as text)) end as "m3:nps", case when coalesce("day" - "a0_day" > 90, false) then null else "a0_value" end as "t3:nps", coalesce("day" - "a0_day" > 90, false) as "stale3:nps" from with_attributes),
"layer1" as (select *, case when "before2:login_trend" is null or "before2:login_trend" = 0 then null else cast(("m1:logins_7d" - "before2:login_trend") as double precision) / "before2:login_trend" end as "m2:login_trend", (cast("m1:logins_7d" as double precision) / nullif("m4:users_7d", 0)) as "m5:per_user" from "layer0")
      select m.account_id, m.day, m."m0:big_exports", m."m1:logins_7d", m."m2:login_trend", m."m3:nps", m."t3:nps", m."stale3:nps", m."m4:users_7d", m."m5:per_user", m."a0_value", m."a1_value"
      from "layer1" m
      where m.day between date '2025-01-14' and date '2025-01-15' and m.first_day <= m.day and not exists (
    select 1 from hs_churn_intervals c
    where c.account_id = m.account_id and c.churn_day <= m.day
      and (c.back_on is null or m.day < c.back_on)) and true;

-- hs_measures
analyze "hs_measures";

-- hs_overrides
drop table if exists "pg_temp"."hs_overrides";

-- hs_overrides
create temp table "hs_overrides" as select account_id, score_id, day, score, band, reason from (select o.account_id, o.score_id, d.day, o.score, o.band, o.reason, row_number() over (partition by o.account_id, o.score_id, d.day
                                 order by o.starts_on desc, o.file_key desc, o.source_line desc) as rank
      from raw_overrides o
      join (select date '2025-01-14' + g.i as day from generate_series(0, date '2025-01-15' - date '2025-01-14') g(i)) d
        on d.day >= o.starts_on and (o.ends_on is null or d.day <= o.ends_on)
      where o.scorecard = 'golden') ranked
      where rank = 1;

-- hs_overrides
analyze "hs_overrides";

-- clear score_snapshots
delete from "score_snapshots" where scorecard = 'golden'
          and "snapshot_date" between date '2025-01-14' and date '2025-01-15';

-- clear health_snapshots
delete from "health_snapshots" where scorecard = 'golden'
          and "snapshot_date" between date '2025-01-14' and date '2025-01-15';

-- clear alerts
delete from "alerts" where scorecard = 'golden'
          and "alert_date" between date '2025-01-14' and date '2025-01-15';

-- score_snapshots
insert into "score_snapshots" select scored.snapshot_date, scorecard, scored.account_id, scored.score_id, raw_value, coalesce(o.score, scored.score) as score,
      coalesce(o.band, case when coalesce(o.score, scored.score) is null then null when coalesce(o.score, scored.score) >= 7 then 'green' when coalesce(o.score, scored.score) >= 3 then 'yellow' else 'red' end) as band, weight,
      case when o.account_id is null then status else 'overridden' end as status
    from (
      select day as snapshot_date, cast('golden' as varchar) as scorecard, account_id,
        cast('logins' as varchar) as score_id,
        raw_value,
        coalesce(computed, null::double precision) as score,
        cast(3 as double precision) as weight,
        case when computed is not null then 'ok' when stale then 'stale' else 'missing' end as status
      from (select day, account_id, cast("m1:logins_7d" as double precision) as raw_value, (sign(cast((case when "m1:logins_7d" is null then null else greatest(0, least(10, cast(("m1:logins_7d" - 0) * 10 as double precision) / 10)) end) as double precision)) * (floor((abs(cast((case when "m1:logins_7d" is null then null else greatest(0, least(10, cast(("m1:logins_7d" - 0) * 10 as double precision) / 10)) end) as double precision)) * 10000)) + case when (abs(cast((case when "m1:logins_7d" is null then null else greatest(0, least(10, cast(("m1:logins_7d" - 0) * 10 as double precision) / 10)) end) as double precision)) * 10000) - floor((abs(cast((case when "m1:logins_7d" is null then null else greatest(0, least(10, cast(("m1:logins_7d" - 0) * 10 as double precision) / 10)) end) as double precision)) * 10000)) >= 0.5 then 1 else 0 end) / 10000) as computed,
              false as stale
            from hs_measures where true offset 0) scored_rows offset 0
    ) scored
    left join hs_overrides o
      on o.account_id = scored.account_id and o.day = scored.snapshot_date and o.score_id = scored.score_id
union all
select scored.snapshot_date, scorecard, scored.account_id, scored.score_id, raw_value, coalesce(o.score, scored.score) as score,
      coalesce(o.band, case when coalesce(o.score, scored.score) is null then null when coalesce(o.score, scored.score) >= 7 then 'green' when coalesce(o.score, scored.score) >= 3 then 'yellow' else 'red' end) as band, weight,
      case when o.account_id is null then status else 'overridden' end as status
    from (
      select day as snapshot_date, cast('golden' as varchar) as scorecard, account_id,
        cast('per_user' as varchar) as score_id,
        raw_value,
        coalesce(computed, null::double precision) as score,
        cast(2 as double precision) as weight,
        case when computed is not null then 'ok' when stale then 'stale' else 'missing' end as status
      from (select day, account_id, cast("m5:per_user" as double precision) as raw_value, (sign(cast((case when "m5:per_user" is null then null when "m5:per_user" < 1 then 0 when "m5:per_user" < 3 then 5 else 10 end) as double precision)) * (floor((abs(cast((case when "m5:per_user" is null then null when "m5:per_user" < 1 then 0 when "m5:per_user" < 3 then 5 else 10 end) as double precision)) * 10000)) + case when (abs(cast((case when "m5:per_user" is null then null when "m5:per_user" < 1 then 0 when "m5:per_user" < 3 then 5 else 10 end) as double precision)) * 10000) - floor((abs(cast((case when "m5:per_user" is null then null when "m5:per_user" < 1 then 0 when "m5:per_user" < 3 then 5 else 10 end) as double precision)) * 10000)) >= 0.5 then 1 else 0 end) / 10000) as computed,
              false as stale
            from hs_measures where true offset 0) scored_rows offset 0
    ) scored
    left join hs_overrides o
      on o.account_id = scored.account_id and o.day = scored.snapshot_date and o.score_id = scored.score_id
union all
select scored.snapshot_date, scorecard, scored.account_id, scored.score_id, raw_value, coalesce(o.score, scored.score) as score,
      coalesce(o.band, case when coalesce(o.score, scored.score) is null then null when coalesce(o.score, scored.score) >= 7 then 'green' when coalesce(o.score, scored.score) >= 3 then 'yellow' else 'red' end) as band, weight,
      case when o.account_id is null then status else 'overridden' end as status
    from (
      select day as snapshot_date, cast('golden' as varchar) as scorecard, account_id,
        cast('trend' as varchar) as score_id,
        raw_value,
        coalesce(computed, 5) as score,
        cast(1 as double precision) as weight,
        case when computed is not null then 'ok' when stale then 'stale' else 'missing' end as status
      from (select day, account_id, cast("m2:login_trend" as double precision) as raw_value, (sign(cast((case when "m2:login_trend" is null then null else greatest(0, least(10, cast(("m2:login_trend" - -0.5) * 10 as double precision) / 1)) end) as double precision)) * (floor((abs(cast((case when "m2:login_trend" is null then null else greatest(0, least(10, cast(("m2:login_trend" - -0.5) * 10 as double precision) / 1)) end) as double precision)) * 10000)) + case when (abs(cast((case when "m2:login_trend" is null then null else greatest(0, least(10, cast(("m2:login_trend" - -0.5) * 10 as double precision) / 1)) end) as double precision)) * 10000) - floor((abs(cast((case when "m2:login_trend" is null then null else greatest(0, least(10, cast(("m2:login_trend" - -0.5) * 10 as double precision) / 1)) end) as double precision)) * 10000)) >= 0.5 then 1 else 0 end) / 10000) as computed,
              false as stale
            from hs_measures where true offset 0) scored_rows offset 0
    ) scored
    left join hs_overrides o
      on o.account_id = scored.account_id and o.day = scored.snapshot_date and o.score_id = scored.score_id
union all
select scored.snapshot_date, scorecard, scored.account_id, scored.score_id, raw_value, coalesce(o.score, scored.score) as score,
      coalesce(o.band, case when coalesce(o.score, scored.score) is null then null when coalesce(o.score, scored.score) >= 7 then 'green' when coalesce(o.score, scored.score) >= 3 then 'yellow' else 'red' end) as band, weight,
      case when o.account_id is null then status else 'overridden' end as status
    from (
      select day as snapshot_date, cast('golden' as varchar) as scorecard, account_id,
        cast('nps' as varchar) as score_id,
        raw_value,
        coalesce(computed, null::double precision) as score,
        cast(2 as double precision) as weight,
        case when computed is not null then 'ok' when stale then 'stale' else 'missing' end as status
      from (select day, account_id, cast("m3:nps" as double precision) as raw_value, (sign(cast((case when "m3:nps" is null then null else greatest(0, least(10, cast(("m3:nps" - 0) * 10 as double precision) / 10)) end) as double precision)) * (floor((abs(cast((case when "m3:nps" is null then null else greatest(0, least(10, cast(("m3:nps" - 0) * 10 as double precision) / 10)) end) as double precision)) * 10000)) + case when (abs(cast((case when "m3:nps" is null then null else greatest(0, least(10, cast(("m3:nps" - 0) * 10 as double precision) / 10)) end) as double precision)) * 10000) - floor((abs(cast((case when "m3:nps" is null then null else greatest(0, least(10, cast(("m3:nps" - 0) * 10 as double precision) / 10)) end) as double precision)) * 10000)) >= 0.5 then 1 else 0 end) / 10000) as computed,
              "stale3:nps" as stale
            from hs_measures where (coalesce("a1_value" = 'pro', false) or coalesce("a1_value" = 'enterprise', false)) offset 0) scored_rows offset 0
    ) scored
    left join hs_overrides o
      on o.account_id = scored.account_id and o.day = scored.snapshot_date and o.score_id = scored.score_id;

-- health_snapshots
insert into "health_snapshots" ("snapshot_date", "scorecard", "account_id", "score", "band", "computed_score", "computed_band", "insights", "overridden", "override_reason", "definition_version")
      with score_overrides as (
        select account_id, day, max(score) filter (where score_id = 'logins') as "o0_score", coalesce(bool_or(score_id = 'logins'), false) as "o0_active", max(reason) filter (where score_id = 'logins') as "o0_reason", max(score) filter (where score_id = 'per_user') as "o1_score", coalesce(bool_or(score_id = 'per_user'), false) as "o1_active", max(reason) filter (where score_id = 'per_user') as "o1_reason", max(score) filter (where score_id = 'trend') as "o2_score", coalesce(bool_or(score_id = 'trend'), false) as "o2_active", max(reason) filter (where score_id = 'trend') as "o2_reason", max(score) filter (where score_id = 'nps') as "o3_score", coalesce(bool_or(score_id = 'nps'), false) as "o3_active", max(reason) filter (where score_id = 'nps') as "o3_reason" from hs_overrides where score_id is not null group by account_id, day),
      -- list_distinct does not keep the order, so the reasons are sorted after it.
      scored as (
        select m.*, case when true then coalesce(so."o0_score", (sign(cast((case when "m1:logins_7d" is null then null else greatest(0, least(10, cast(("m1:logins_7d" - 0) * 10 as double precision) / 10)) end) as double precision)) * (floor((abs(cast((case when "m1:logins_7d" is null then null else greatest(0, least(10, cast(("m1:logins_7d" - 0) * 10 as double precision) / 10)) end) as double precision)) * 10000)) + case when (abs(cast((case when "m1:logins_7d" is null then null else greatest(0, least(10, cast(("m1:logins_7d" - 0) * 10 as double precision) / 10)) end) as double precision)) * 10000) - floor((abs(cast((case when "m1:logins_7d" is null then null else greatest(0, least(10, cast(("m1:logins_7d" - 0) * 10 as double precision) / 10)) end) as double precision)) * 10000)) >= 0.5 then 1 else 0 end) / 10000), null::double precision) end as "final0", case when true then coalesce(so."o1_score", (sign(cast((case when "m5:per_user" is null then null when "m5:per_user" < 1 then 0 when "m5:per_user" < 3 then 5 else 10 end) as double precision)) * (floor((abs(cast((case when "m5:per_user" is null then null when "m5:per_user" < 1 then 0 when "m5:per_user" < 3 then 5 else 10 end) as double precision)) * 10000)) + case when (abs(cast((case when "m5:per_user" is null then null when "m5:per_user" < 1 then 0 when "m5:per_user" < 3 then 5 else 10 end) as double precision)) * 10000) - floor((abs(cast((case when "m5:per_user" is null then null when "m5:per_user" < 1 then 0 when "m5:per_user" < 3 then 5 else 10 end) as double precision)) * 10000)) >= 0.5 then 1 else 0 end) / 10000), null::double precision) end as "final1", case when true then coalesce(so."o2_score", (sign(cast((case when "m2:login_trend" is null then null else greatest(0, least(10, cast(("m2:login_trend" - -0.5) * 10 as double precision) / 1)) end) as double precision)) * (floor((abs(cast((case when "m2:login_trend" is null then null else greatest(0, least(10, cast(("m2:login_trend" - -0.5) * 10 as double precision) / 1)) end) as double precision)) * 10000)) + case when (abs(cast((case when "m2:login_trend" is null then null else greatest(0, least(10, cast(("m2:login_trend" - -0.5) * 10 as double precision) / 1)) end) as double precision)) * 10000) - floor((abs(cast((case when "m2:login_trend" is null then null else greatest(0, least(10, cast(("m2:login_trend" - -0.5) * 10 as double precision) / 1)) end) as double precision)) * 10000)) >= 0.5 then 1 else 0 end) / 10000), 5) end as "final2", case when (coalesce("a1_value" = 'pro', false) or coalesce("a1_value" = 'enterprise', false)) then coalesce(so."o3_score", (sign(cast((case when "m3:nps" is null then null else greatest(0, least(10, cast(("m3:nps" - 0) * 10 as double precision) / 10)) end) as double precision)) * (floor((abs(cast((case when "m3:nps" is null then null else greatest(0, least(10, cast(("m3:nps" - 0) * 10 as double precision) / 10)) end) as double precision)) * 10000)) + case when (abs(cast((case when "m3:nps" is null then null else greatest(0, least(10, cast(("m3:nps" - 0) * 10 as double precision) / 10)) end) as double precision)) * 10000) - floor((abs(cast((case when "m3:nps" is null then null else greatest(0, least(10, cast(("m3:nps" - 0) * 10 as double precision) / 10)) end) as double precision)) * 10000)) >= 0.5 then 1 else 0 end) / 10000), null::double precision) end as "final3", coalesce("m1:logins_7d" = 0, false) as "fires0",
          array_to_string(array(select x from (select distinct x from unnest(array(select x from unnest(cast(array[case when true and so."o0_active" then so."o0_reason" end, case when true and so."o1_active" then so."o1_reason" end, case when true and so."o2_active" then so."o2_reason" end, case when (coalesce("a1_value" = 'pro', false) or coalesce("a1_value" = 'enterprise', false)) and so."o3_active" then so."o3_reason" end] as text[])) x where x is not null order by x collate "C")) x) u order by x collate "C"), '; ') as score_reasons
        from hs_measures m left join score_overrides so on so.account_id = m.account_id and so.day = m.day offset 0),
      computed as (
        select *, (sign(cast(((coalesce(((coalesce("final0" * 3, 0) + coalesce("final1" * 2, 0) + coalesce("final2" * 1, 0)) / nullif((case when "final0" is null then 0 else 3 end) + (case when "final1" is null then 0 else 2 end) + (case when "final2" is null then 0 else 1 end), 0)) * 60, 0) + coalesce(least("final3") * 40, 0)) / nullif((case when ((coalesce("final0" * 3, 0) + coalesce("final1" * 2, 0) + coalesce("final2" * 1, 0)) / nullif((case when "final0" is null then 0 else 3 end) + (case when "final1" is null then 0 else 2 end) + (case when "final2" is null then 0 else 1 end), 0)) is null then 0 else 60 end) + (case when least("final3") is null then 0 else 40 end), 0)) as double precision)) * (floor((abs(cast(((coalesce(((coalesce("final0" * 3, 0) + coalesce("final1" * 2, 0) + coalesce("final2" * 1, 0)) / nullif((case when "final0" is null then 0 else 3 end) + (case when "final1" is null then 0 else 2 end) + (case when "final2" is null then 0 else 1 end), 0)) * 60, 0) + coalesce(least("final3") * 40, 0)) / nullif((case when ((coalesce("final0" * 3, 0) + coalesce("final1" * 2, 0) + coalesce("final2" * 1, 0)) / nullif((case when "final0" is null then 0 else 3 end) + (case when "final1" is null then 0 else 2 end) + (case when "final2" is null then 0 else 1 end), 0)) is null then 0 else 60 end) + (case when least("final3") is null then 0 else 40 end), 0)) as double precision)) * 10000)) + case when (abs(cast(((coalesce(((coalesce("final0" * 3, 0) + coalesce("final1" * 2, 0) + coalesce("final2" * 1, 0)) / nullif((case when "final0" is null then 0 else 3 end) + (case when "final1" is null then 0 else 2 end) + (case when "final2" is null then 0 else 1 end), 0)) * 60, 0) + coalesce(least("final3") * 40, 0)) / nullif((case when ((coalesce("final0" * 3, 0) + coalesce("final1" * 2, 0) + coalesce("final2" * 1, 0)) / nullif((case when "final0" is null then 0 else 3 end) + (case when "final1" is null then 0 else 2 end) + (case when "final2" is null then 0 else 1 end), 0)) is null then 0 else 60 end) + (case when least("final3") is null then 0 else 40 end), 0)) as double precision)) * 10000) - floor((abs(cast(((coalesce(((coalesce("final0" * 3, 0) + coalesce("final1" * 2, 0) + coalesce("final2" * 1, 0)) / nullif((case when "final0" is null then 0 else 3 end) + (case when "final1" is null then 0 else 2 end) + (case when "final2" is null then 0 else 1 end), 0)) * 60, 0) + coalesce(least("final3") * 40, 0)) / nullif((case when ((coalesce("final0" * 3, 0) + coalesce("final1" * 2, 0) + coalesce("final2" * 1, 0)) / nullif((case when "final0" is null then 0 else 3 end) + (case when "final1" is null then 0 else 2 end) + (case when "final2" is null then 0 else 1 end), 0)) is null then 0 else 60 end) + (case when least("final3") is null then 0 else 40 end), 0)) as double precision)) * 10000)) >= 0.5 then 1 else 0 end) / 10000) as computed_score, array(select x from unnest(cast(array[case when "fires0" then cast('idle' as varchar) end] as text[])) x where x is not null order by x collate "C") as insights from scored offset 0),
      banded as (select *, case when "computed_score" is null then null when "computed_score" >= 7 then 'green' when "computed_score" >= 3 then 'yellow' else 'red' end as computed_band from computed offset 0)
      select b.day as snapshot_date, cast('golden' as varchar) as scorecard, b.account_id,
        coalesce(o.score, b.computed_score) as score,
        coalesce(o.band, case when o.score is not null then case when o.score is null then null when o.score >= 7 then 'green' when o.score >= 3 then 'yellow' else 'red' end else (case least((case "computed_band" when 'red' then 0 when 'yellow' then 1 when 'green' then 2 end), case when "fires0" then 1 end) when 0 then 'red' when 1 then 'yellow' when 2 then 'green' end) end) as band,
        b.computed_score, b.computed_band, b.insights,
        (o.account_id is not null or b.score_reasons <> '') as overridden,
        nullif(concat_ws('; ', o.reason, nullif(b.score_reasons, '')), '') as override_reason,
        cast('79ffc600e0e3ab7a' as varchar) as definition_version
      from banded b
      left join hs_overrides o on o.account_id = b.account_id and o.day = b.day and o.score_id is null;

-- hs_recent
drop table if exists "pg_temp"."hs_recent";

-- hs_recent
create temp table "hs_recent" as select snapshot_date, scorecard, account_id, band, score from health_snapshots
        where scorecard = 'golden'
          and snapshot_date between (date '2025-01-14' + -1) and date '2025-01-15';

-- hs_recent
analyze "hs_recent";

-- alerts
insert into alerts select today.snapshot_date, today.scorecard, today.account_id, cast('became_red' as varchar),
      before.band, today.band, before.score, today.score
    from hs_recent today
    join hs_recent before
      on before.account_id = today.account_id
     and before.snapshot_date = (today.snapshot_date + -1)
    where today.snapshot_date between date '2025-01-14' and date '2025-01-15'
      and today.band = 'red'
          and (case before.band when 'red' then 0 when 'yellow' then 1 when 'green' then 2 end) > (case today.band when 'red' then 0 when 'yellow' then 1 when 'green' then 2 end);
