import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';

export interface RunRecord {
  run_id: string;
  started_at: string;
  finished_at: string | null;
  /** running | ok | failed | interrupted */
  status: string;
  days_materialised: number | null;
  message: string | null;
}

/** Starts a run. A run still marked running was killed: whoever holds the warehouse now
 *  holds its lock, so no other run can be under way. */
export async function startRun(db: Kysely<any>): Promise<string> {
  await sql`update runs set status = 'interrupted' where status = 'running'`.execute(db);
  const runId = randomUUID();
  await sql`insert into runs values (${runId}, now(), null, 'running', null, null)`.execute(db);
  return runId;
}

export async function finishRun(db: Kysely<any>, runId: string, status: 'ok' | 'failed', days: number, message: string | null) {
  await sql`update runs set finished_at = now(), status = ${status}, days_materialised = ${days}, message = ${message}
    where run_id = ${runId}`.execute(db);
}

/** The latest run. Read under the warehouse's lock, a run still marked running is one
 *  that was killed. */
export async function lastRun(db: Kysely<any>): Promise<RunRecord | undefined> {
  const { rows } = await sql<RunRecord>`
    select run_id, started_at, finished_at,
           case status when 'running' then 'interrupted' else status end as status, days_materialised, message
    from runs order by started_at desc limit 1`.execute(db);
  return rows[0];
}
