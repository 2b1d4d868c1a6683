import { sql, type Kysely } from 'kysely';

/** Recomputes daily_activity (account × day × event → events) and daily_users (account ×
 *  day × user) for the given days from raw_events, without the rows set aside as
 *  duplicates. Called inside the transaction that loaded new rows, so the aggregates are
 *  never out of step with the raw table. Only the touched days are rescanned. */
export async function refreshDailyAggregates(db: Kysely<any>, touchedDaysTable: string): Promise<void> {
  const touched = sql.table(touchedDaysTable);
  await sql`delete from daily_activity where day in (select day from ${touched})`.execute(db);
  await sql`insert into daily_activity
    select account_id, day, event, count(*) as events
    from raw_events
    where day in (select day from ${touched}) and not duplicate
    group by account_id, day, event`.execute(db);
  await sql`delete from daily_users where day in (select day from ${touched})`.execute(db);
  await sql`insert into daily_users
    select distinct account_id, day, user_id
    from raw_events
    where day in (select day from ${touched}) and user_id is not null and not duplicate`.execute(db);
}
