import { sql, type Kysely, type RawBuilder } from 'kysely';

/** Recomputes daily_activity (account × day × event → events), daily_users (account ×
 *  day × user) and daily_reused_event_ids for the given days from raw_events. Called inside the transaction that
 *  loaded new rows, so the aggregates are never out of step with the raw table. Only the
 *  touched days are rescanned. */
export async function refreshDailyAggregates(db: Kysely<any>, touchedDaysTable: string): Promise<void> {
  const touched = sql.table(touchedDaysTable);
  await sql`delete from daily_activity where day in (select day from ${touched})`.execute(db);
  await sql`insert into daily_activity
    select account_id, day, event, count(*) as events
    from raw_events
    where day in (select day from ${touched})
    group by account_id, day, event`.execute(db);
  await sql`delete from daily_users where day in (select day from ${touched})`.execute(db);
  await sql`insert into daily_users
    select distinct account_id, day, user_id
    from raw_events
    where day in (select day from ${touched}) and user_id is not null`.execute(db);
  await sql`delete from daily_reused_event_ids where day in (select day from ${touched})`.execute(db);
  await insertReusedEventIds(db, sql`day in (select day from ${touched})`);
}

/** daily_reused_event_ids for the days `where` selects: per day, the rows beyond the first
 *  per event_id. Per day, so that a load recounts only the days it touched instead of a
 *  distinct over every event (seconds at 10M events). */
export async function insertReusedEventIds(db: Kysely<any>, where: RawBuilder<unknown>): Promise<void> {
  await sql`insert into daily_reused_event_ids
    select day, count(event_id) - count(distinct event_id) as reused
    from raw_events
    where ${where}
    group by day
    having count(event_id) > count(distinct event_id)`.execute(db);
}
