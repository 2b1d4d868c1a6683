import { sql, type Kysely } from 'kysely';
import { WarehouseBusyError } from '../adapter.ts';

// DuckDB locks its file for one writer; on PostgreSQL a writer holds a session advisory lock
// keyed on healthscore and the schema's name until it disconnects. Advisory locks are per
// database, so two databases on one server never block each other.
const key = (schema: string) => sql`hashtext('healthscore'), hashtext(${schema})`;

/** Takes the schema's lock, or throws a WarehouseBusyError naming the server process (and its
 *  application) that holds it. */
export async function lockSchema(db: Kysely<any>, schema: string, where: string): Promise<void> {
  const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_lock(${key(schema)}) as locked`.execute(db);
  if (rows[0]!.locked) return;
  // The two-key form shows in pg_locks as classid, objid and objsubid 2.
  const holders = await sql<{ pid: number; application: string | null }>`
    select l.pid, nullif(a.application_name, '') as application
    from pg_locks l left join pg_stat_activity a on a.pid = l.pid
    where l.locktype = 'advisory' and l.granted and l.objsubid = 2
      and l.database = (select oid from pg_database where datname = current_database())
      and l.classid = hashtext('healthscore')::oid and l.objid = hashtext(${schema})::oid`.execute(db);
  const holder = holders.rows[0];
  const who = holder ? ` (server PID ${holder.pid}${holder.application ? `, ${holder.application}` : ''})` : '';
  throw new WarehouseBusyError(`the warehouse ${where} is in use by another process${who}: wait for it to finish, or stop it`);
}
