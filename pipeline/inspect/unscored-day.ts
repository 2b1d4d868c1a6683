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
}

export async function unscoredDay(
  db: Kysely<any>, scorecard: Scorecard, accountId: string, day: string, churn: ChurnSource | undefined,
): Promise<UnscoredDay> {
  const { rows } = await sql<{ last: string | null }>`
    select max(snapshot_date)::varchar as last from health_snapshots
    where scorecard = ${scorecard.id} and account_id = ${accountId} and snapshot_date <= ${day}::date`.execute(db);
  const lastScored = rows[0]?.last ?? null;
  if (lastScored === null) return { lastScored, churnedOn: null };
  const { rows: churned } = await sql<{ day: string | null }>`
    select min(churn_day)::varchar as day from (${churnDays(churn)}) c
    where c.account_id = ${accountId} and c.churn_day > ${lastScored}::date and c.churn_day <= ${day}::date`.execute(db);
  return { lastScored, churnedOn: churned[0]?.day ?? null };
}

/** "acct_7 is not scored on D (churned on C)": the start of a note or an error. */
export function notScoredOn(accountId: string, day: string, u: UnscoredDay): string {
  return `${accountId} is not scored on ${day}${u.churnedOn ? ` (churned on ${u.churnedOn})` : ''}`;
}

/** An account id as a shell word, for a command line a user can paste. */
export function shellWord(word: string): string {
  return /^[\w.@:+-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
