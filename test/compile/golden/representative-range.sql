-- hs_accounts
create or replace temp table "hs_accounts" as with first_event as (select account_id, min(day) as day from daily_activity group by account_id),
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

-- hs_churn_intervals
create or replace temp table "hs_churn_intervals" as with churn_days as (select null::varchar as account_id, null::date as churn_day where false)
        select c.account_id, c.churn_day, min(a.day) as back_on
        from churn_days c left join daily_activity a on a.account_id = c.account_id and a.day > c.churn_day
        group by c.account_id, c.churn_day;

-- hs_measures
create or replace temp table "hs_measures" as with spine as (
      select a.account_id, d.day, a.first_day
      from hs_accounts a
      cross join (select cast(d.range as date) as day from range((date '2025-01-14' + 0), (date '2025-01-15' + 1), interval 1 day) d) d
      where a.first_day <= date '2025-01-15'
        -- An account churned through every snapshot day has no row to compute.
        and not exists (select 1 from hs_churn_intervals c where c.account_id = a.account_id
          and c.churn_day <= date '2025-01-14' and (c.back_on is null or c.back_on > date '2025-01-15'))),
daily as (select account_id, day, "s1_n", null as "s0_n", null as "distinct4_delta" from (select account_id, day, sum(events) filter (where "event" in ('login')) as "s1_n" from daily_activity where day between date '2025-01-01' and date '2025-01-15' group by account_id, day) "plain"
union all
select account_id, day, null as "s1_n", "s0_n", null as "distinct4_delta" from (select account_id, day, count(*) filter (where "event" in ('export') and coalesce((case when isfinite(try_cast(json_extract_string("properties", '/rows') as double)) then try_cast(json_extract_string("properties", '/rows') as double) end) > 1000, false)) as "s0_n" from raw_events where not duplicate and day between date '2025-01-01' and date '2025-01-15' group by account_id, day) "rich"
union all
select account_id, day, null as "s1_n", null as "s0_n", delta as "distinct4_delta" from (with value_days as (select account_id, user_id as value, day from daily_users where day between ((date '2025-01-14' + 0) + -6) and date '2025-01-15'),
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
    from windows asof left join (select account_id, day, last_value("a0_obs" ignore nulls) over (partition by account_id order by day rows between unbounded preceding and current row) as "a0_value", last_value("a0_obs_day" ignore nulls) over (partition by account_id order by day rows between unbounded preceding and current row) as "a0_day", last_value("a1_obs" ignore nulls) over (partition by account_id order by day rows between unbounded preceding and current row) as "a1_value" from (
      select account_id, day, max(value) filter (where attribute = 'nps') as "a0_obs", max(day) filter (where attribute = 'nps') as "a0_obs_day", max(value) filter (where attribute = 'plan') as "a1_obs"
      from (
        select account_id, attribute, day, arg_max(value, (observed_at, value)) as value
        from raw_attributes
        where attribute in ('nps', 'plan')
          and value is not null and day <= date '2025-01-15'
        group by account_id, attribute, day) latest
      group by account_id, day) observed) states
      on states.account_id = windows.account_id and windows.day >= states.day
    where windows.day >= (date '2025-01-14' + 0)),
"layer0" as (select with_attributes.*, case when coalesce("day" - "a0_day" > 90, false) then null else (case when isfinite(try_cast("a0_value" as double)) then try_cast("a0_value" as double) end) end as "m3:nps", case when coalesce("day" - "a0_day" > 90, false) then null else "a0_value" end as "t3:nps", coalesce("day" - "a0_day" > 90, false) as "stale3:nps" from with_attributes),
"layer1" as (select *, case when "before2:login_trend" is null or "before2:login_trend" = 0 then null else ("m1:logins_7d" - "before2:login_trend") / "before2:login_trend" end as "m2:login_trend", ("m1:logins_7d" / nullif("m4:users_7d", 0)) as "m5:per_user" from "layer0")
      select m.account_id, m.day, m."m0:big_exports", m."m1:logins_7d", m."m2:login_trend", m."m3:nps", m."t3:nps", m."stale3:nps", m."m4:users_7d", m."m5:per_user", m."a0_value", m."a1_value"
      from "layer1" m
      where m.day between date '2025-01-14' and date '2025-01-15' and m.first_day <= m.day and not exists (
    select 1 from hs_churn_intervals c
    where c.account_id = m.account_id and c.churn_day <= m.day
      and (c.back_on is null or m.day < c.back_on)) and true;

-- hs_overrides
create or replace temp table "hs_overrides" as select o.account_id, o.score_id, d.day, o.score, o.band, o.reason
      from raw_overrides o
      join (select cast(d.range as date) as day from range(date '2025-01-14', (date '2025-01-15' + 1), interval 1 day) d) d
        on d.day >= o.starts_on and (o.ends_on is null or d.day <= o.ends_on)
      where o.scorecard = 'golden'
      qualify row_number() over (partition by o.account_id, o.score_id, d.day
                                 order by o.starts_on desc, o.file_key desc, o.source_line desc) = 1;

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
        coalesce(computed, null::double) as score,
        cast(3 as double) as weight,
        case when computed is not null then 'ok' when stale then 'stale' else 'missing' end as status
      from (select day, account_id, cast("m1:logins_7d" as double) as raw_value, round((case when "m1:logins_7d" is null then null else greatest(0, least(10, ("m1:logins_7d" - 0) * 10 / 10)) end), 4) as computed,
              false as stale
            from hs_measures where true) scored_rows
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
        coalesce(computed, null::double) as score,
        cast(2 as double) as weight,
        case when computed is not null then 'ok' when stale then 'stale' else 'missing' end as status
      from (select day, account_id, cast("m5:per_user" as double) as raw_value, round((case when "m5:per_user" is null then null when "m5:per_user" < 1 then 0 when "m5:per_user" < 3 then 5 else 10 end), 4) as computed,
              false as stale
            from hs_measures where true) scored_rows
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
        cast(1 as double) as weight,
        case when computed is not null then 'ok' when stale then 'stale' else 'missing' end as status
      from (select day, account_id, cast("m2:login_trend" as double) as raw_value, round((case when "m2:login_trend" is null then null else greatest(0, least(10, ("m2:login_trend" - -0.5) * 10 / 1)) end), 4) as computed,
              false as stale
            from hs_measures where true) scored_rows
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
        coalesce(computed, null::double) as score,
        cast(2 as double) as weight,
        case when computed is not null then 'ok' when stale then 'stale' else 'missing' end as status
      from (select day, account_id, cast("m3:nps" as double) as raw_value, round((case when "m3:nps" is null then null else greatest(0, least(10, ("m3:nps" - 0) * 10 / 10)) end), 4) as computed,
              "stale3:nps" as stale
            from hs_measures where (coalesce("a1_value" = 'pro', false) or coalesce("a1_value" = 'enterprise', false))) scored_rows
    ) scored
    left join hs_overrides o
      on o.account_id = scored.account_id and o.day = scored.snapshot_date and o.score_id = scored.score_id;

-- health_snapshots
insert into "health_snapshots" by name
      with score_overrides as (
        select account_id, day, max(score) filter (where score_id = 'logins') as "o0_score", coalesce(bool_or(score_id = 'logins'), false) as "o0_active", max(reason) filter (where score_id = 'logins') as "o0_reason", max(score) filter (where score_id = 'per_user') as "o1_score", coalesce(bool_or(score_id = 'per_user'), false) as "o1_active", max(reason) filter (where score_id = 'per_user') as "o1_reason", max(score) filter (where score_id = 'trend') as "o2_score", coalesce(bool_or(score_id = 'trend'), false) as "o2_active", max(reason) filter (where score_id = 'trend') as "o2_reason", max(score) filter (where score_id = 'nps') as "o3_score", coalesce(bool_or(score_id = 'nps'), false) as "o3_active", max(reason) filter (where score_id = 'nps') as "o3_reason" from hs_overrides where score_id is not null group by account_id, day),
      -- list_distinct does not keep the order, so the reasons are sorted after it.
      scored as (
        select m.*, case when true then coalesce(so."o0_score", round((case when "m1:logins_7d" is null then null else greatest(0, least(10, ("m1:logins_7d" - 0) * 10 / 10)) end), 4), null::double) end as "final0", case when true then coalesce(so."o1_score", round((case when "m5:per_user" is null then null when "m5:per_user" < 1 then 0 when "m5:per_user" < 3 then 5 else 10 end), 4), null::double) end as "final1", case when true then coalesce(so."o2_score", round((case when "m2:login_trend" is null then null else greatest(0, least(10, ("m2:login_trend" - -0.5) * 10 / 1)) end), 4), 5) end as "final2", case when (coalesce("a1_value" = 'pro', false) or coalesce("a1_value" = 'enterprise', false)) then coalesce(so."o3_score", round((case when "m3:nps" is null then null else greatest(0, least(10, ("m3:nps" - 0) * 10 / 10)) end), 4), null::double) end as "final3", coalesce("m1:logins_7d" = 0, false) as "fires0",
          array_to_string(list_sort(list_distinct(list_sort(list_filter(cast([case when true and so."o0_active" then so."o0_reason" end, case when true and so."o1_active" then so."o1_reason" end, case when true and so."o2_active" then so."o2_reason" end, case when (coalesce("a1_value" = 'pro', false) or coalesce("a1_value" = 'enterprise', false)) and so."o3_active" then so."o3_reason" end] as varchar[]), x -> x is not null)))), '; ') as score_reasons
        from hs_measures m left join score_overrides so on so.account_id = m.account_id and so.day = m.day),
      computed as (
        select *, round(((coalesce(((coalesce("final0" * 3, 0) + coalesce("final1" * 2, 0) + coalesce("final2" * 1, 0)) / nullif((case when "final0" is null then 0 else 3 end) + (case when "final1" is null then 0 else 2 end) + (case when "final2" is null then 0 else 1 end), 0)) * 60, 0) + coalesce(least("final3") * 40, 0)) / nullif((case when ((coalesce("final0" * 3, 0) + coalesce("final1" * 2, 0) + coalesce("final2" * 1, 0)) / nullif((case when "final0" is null then 0 else 3 end) + (case when "final1" is null then 0 else 2 end) + (case when "final2" is null then 0 else 1 end), 0)) is null then 0 else 60 end) + (case when least("final3") is null then 0 else 40 end), 0)), 4) as computed_score, list_sort(list_filter(cast([case when "fires0" then cast('idle' as varchar) end] as varchar[]), x -> x is not null)) as insights from scored),
      banded as (select *, case when "computed_score" is null then null when "computed_score" >= 7 then 'green' when "computed_score" >= 3 then 'yellow' else 'red' end as computed_band from computed)
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
create or replace temp table "hs_recent" as select snapshot_date, scorecard, account_id, band, score from health_snapshots
        where scorecard = 'golden'
          and snapshot_date between (date '2025-01-14' + -1) and date '2025-01-15';

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
