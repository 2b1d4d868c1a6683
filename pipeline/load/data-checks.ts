import { sql, type Kysely } from 'kysely';
import { tableExists } from '../engine/catalog.ts';

// Data-quality counts over the raw tables, kept in `data_checks` so that `status` (read-only)
// shows what the last load found. Recomputed at the end of every load transaction that
// changed a raw table, by aggregate queries only: counts reach JavaScript, rows never do.
// The same SQL on every engine: sums of counts are cast back to bigint (PostgreSQL's are
// numeric), and every untyped null is given its type.

/** `rows` of `of` (the rows of that kind loaded); `accounts`: how many accounts they touch. */
export interface DataCheck {
  rows: number;
  of: number;
  share: number | null;
  accounts?: number;
}

export interface DataChecks {
  /** Events on a day before their account's created_at (null: no accounts loaded). */
  eventsBeforeCreated: DataCheck | null;
  /** Events of accounts the accounts file does not list (null: no accounts loaded). */
  eventsOfUnknownAccounts: DataCheck | null;
  /** Churn rows beyond the first per account and churn day. */
  duplicateChurnRows: DataCheck;
  /** Attribute observations with a different value at the same account, attribute and time. */
  conflictingAttributeObservations: DataCheck;
  /** Event rows set aside because another row has their event_id (of all event rows). */
  reusedEventIds: DataCheck;
}

type CheckName = keyof DataChecks;

/** (name, found, of_rows, accounts) per check. Event counts come from daily_activity, which
 *  the load keeps in step with raw_events and is far smaller. */
const ACCOUNT_CHECKS = sql`
  with created as (select account_id, min(created_day) as created_day from raw_accounts group by account_id),
       per_account as materialized (
         select d.account_id, sum(d.events) as events, sum(d.events) filter (where d.day < c.created_day) as early,
                bool_and(c.account_id is null) as unknown
         from daily_activity d left join created c using (account_id) group by d.account_id)
  select 'eventsBeforeCreated' as name, cast(coalesce(sum(early), 0) as bigint) as found,
         cast(coalesce(sum(events), 0) as bigint) as of_rows, count(*) filter (where early > 0) as accounts
  from per_account
  union all
  select 'eventsOfUnknownAccounts', cast(coalesce(sum(events) filter (where unknown), 0) as bigint),
         cast(coalesce(sum(events), 0) as bigint), count(*) filter (where unknown)
  from per_account`;

const CHURN_CHECK = sql`
  select 'duplicateChurnRows' as name, count(*) - count(distinct (account_id, churn_day)) as found,
         count(*) as of_rows, cast(null as bigint) as accounts
  from raw_churn`;

// An empty value is no observation (pipeline/compile/daily-inputs.ts), so it conflicts with nothing.
const ATTRIBUTE_CHECK = sql`
  select 'conflictingAttributeObservations' as name, cast(coalesce(sum(n) filter (where distinct_values > 1), 0) as bigint) as found,
         cast(coalesce(sum(n), 0) as bigint) as of_rows, cast(null as bigint) as accounts
  from (select count(*) as n, count(distinct value) as distinct_values from raw_attributes where value is not null
        group by account_id, attribute, observed_at) o`;

// The load flags every row of a reused event_id but the one it keeps (duplicate-events.ts).
const EVENT_ID_CHECK = sql`
  select 'reusedEventIds' as name, count(*) filter (where duplicate) as found, count(*) as of_rows, cast(null as bigint) as accounts
  from raw_events`;

/** Recomputes the checks, inside the load transaction. */
export async function refreshDataChecks(trx: Kysely<any>): Promise<void> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from (select 1 from raw_accounts limit 1) a`.execute(trx);
  await sql`delete from data_checks`.execute(trx);
  for (const query of [CHURN_CHECK, ATTRIBUTE_CHECK, EVENT_ID_CHECK, ...(rows[0]?.n ? [ACCOUNT_CHECKS] : [])]) {
    await sql`insert into data_checks select * from (${query}) q`.execute(trx);
  }
}

/** Whether the checks were ever computed in this warehouse (not in one made before them). */
export async function hasDataChecks(db: Kysely<any>): Promise<boolean> {
  if (!(await tableExists(db, 'data_checks'))) return false;
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from data_checks`.execute(db);
  return (rows[0]?.n ?? 0) > 0;
}

/** The stored checks; null when they were never computed. Reads only, so a warehouse opened
 *  read-only from before the checks existed (no table) reads as null. */
export async function readDataChecks(db: Kysely<any>): Promise<DataChecks | null> {
  if (!(await tableExists(db, 'data_checks'))) return null;
  const { rows } = await sql<{ name: CheckName; found: number; of_rows: number; accounts: number | null }>`
    select name, cast(found as double precision) as found, cast(of_rows as double precision) as of_rows,
           cast(accounts as double precision) as accounts
    from data_checks`.execute(db);
  if (rows.length === 0) return null;
  const byName = new Map(rows.map((r) => [r.name, r]));
  const check = (name: CheckName): DataCheck | null => {
    const row = byName.get(name);
    if (!row) return null;
    return {
      rows: row.found, of: row.of_rows, share: row.of_rows ? row.found / row.of_rows : null,
      ...(row.accounts !== null && { accounts: row.accounts }),
    };
  };
  const zero = { rows: 0, of: 0, share: null };
  return {
    eventsBeforeCreated: check('eventsBeforeCreated'),
    eventsOfUnknownAccounts: check('eventsOfUnknownAccounts'),
    duplicateChurnRows: check('duplicateChurnRows') ?? zero,
    conflictingAttributeObservations: check('conflictingAttributeObservations') ?? zero,
    reusedEventIds: check('reusedEventIds') ?? zero,
  };
}
