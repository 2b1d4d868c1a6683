import { sql, type Kysely } from 'kysely';
import { churnDays } from '../../models/account-lifecycle.ts';
import type { ChurnSource, Scorecard } from '../ir/types.ts';

/** Why an account has no snapshot on a day it might be expected on, for `explain`: its
 *  last scored day on or before that day, and the churn that ended its scoring, if any. */
export interface UnscoredDay {
  /** The last day on or before the asked day with a snapshot of the account. */
  lastScored: string | null;
  /** The churn day after lastScored, on or before the asked day (SPEC §3.1). */
  churnedOn: string | null;
  /** The first day with a snapshot of the account, at any date. */
  firstScored: string | null;
  /** Whether any loaded event, attribute or accounts row has the id. */
  known: boolean;
}

export async function unscoredDay(
  db: Kysely<any>, scorecard: Scorecard, accountId: string, day: string, churn: ChurnSource | undefined,
): Promise<UnscoredDay> {
  const { rows } = await sql<{ last: string | null }>`
    select max(snapshot_date)::varchar as last from health_snapshots
    where scorecard = ${scorecard.id} and account_id = ${accountId} and snapshot_date <= ${day}::date`.execute(db);
  const lastScored = rows[0]?.last ?? null;
  if (lastScored === null) {
    const { rows: first } = await sql<{ first: string | null }>`
      select min(snapshot_date)::varchar as first from health_snapshots where scorecard = ${scorecard.id} and account_id = ${accountId}`.execute(db);
    const firstScored = first[0]?.first ?? null;
    const { rows: seen } = await sql<{ n: number }>`select count(*)::int as n from (
      select 1 from daily_activity where account_id = ${accountId}
      union all select 1 from raw_attributes where account_id = ${accountId}
      union all select 1 from raw_accounts where account_id = ${accountId} limit 1) seen`.execute(db);
    return { lastScored, churnedOn: null, firstScored, known: firstScored !== null || (seen[0]?.n ?? 0) > 0 };
  }
  const { rows: churned } = await sql<{ day: string | null }>`
    select min(churn_day)::varchar as day from (${churnDays(churn)}) c
    where c.account_id = ${accountId} and c.churn_day > ${lastScored}::date and c.churn_day <= ${day}::date`.execute(db);
  return { lastScored, churnedOn: churned[0]?.day ?? null, firstScored: null, known: true };
}

/** Why `explain` finds no snapshot of the account on `day`, in one sentence. */
export function whyUnscored(accountId: string, scorecardId: string, day: string, u: UnscoredDay): string {
  const explain = (d: string) => `healthscore explain ${shellWord(accountId)} --date ${d}`;
  if (u.churnedOn && u.lastScored) return `${notScoredOn(accountId, day, u)}; its last scored day is ${u.lastScored}: ${explain(u.lastScored)}`;
  if (!u.known) return `account ${accountId} is unknown: no loaded event, attribute or accounts row has this id`;
  if (u.firstScored) return `${accountId} is not scored by ${scorecardId} until ${u.firstScored} (its first day, or its segment, starts later): ${explain(u.firstScored)}`;
  if (u.lastScored === null) return `${accountId} has no ${scorecardId} snapshot on any day: it is outside the scorecard's segment, or churned throughout`;
  return `${accountId} has no ${scorecardId} snapshot on ${day}: it is outside the scorecard's segment that day; its last scored day is ${u.lastScored}: ${explain(u.lastScored)}`;
}

/** "acct_7 is not scored on D (churned on C)": the start of a note or an error. */
export function notScoredOn(accountId: string, day: string, u: UnscoredDay): string {
  return `${accountId} is not scored on ${day}${u.churnedOn ? ` (churned on ${u.churnedOn})` : ''}`;
}

/** An account id as a shell word, for a command line a user can paste. */
export function shellWord(word: string): string {
  return /^[\w.@:+-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
