import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { SqlDialect } from '../sql/dialects/dialect.ts';

// A mapped event_id deduplicates events (issue #11). Of the rows sharing an event_id,
// across every loaded file, one is kept:
//   1. the earliest `ts`;
//   2. on a tie, the row of the file whose content hash sorts first (a file is its
//      content, SPEC §2: `file_key` starts with the hash, and every loaded file of the
//      source shares the rest of the key);
//   3. then the row whose values (account_id, event, user_id, properties) sort first.
// Neither paths nor the order the files arrived in play a part, so loading the files
// together or one per run, in any order, keeps the same rows (SPEC §7). A line number
// would be a friendlier last tie-break, but numbering lines costs a single-threaded window
// over every file (issue #9), and rows equal on all of the above are the same event.
// The other rows stay in raw_events with `duplicate` set; no model reads them. A null
// event_id is no id: those rows are all kept.
const KEEP_ORDER = sql`ts, file_key, account_id, event, user_id, cast(properties as varchar)`;

/** Sets `duplicate` right for the rows of the surviving files (all but `removed`) after
 *  the rows of `added` were inserted (as kept). Only the ids a change can affect are
 *  decided again: ids of added rows that now have two kept rows, and ids whose kept row
 *  is in a removed file. The rows of removed files keep their flags: they leave next, and
 *  the load reads their flags to find what changed.
 *
 *  Leaves `hs_flipped`: each row of an untouched file whose flag changed, with its `day`,
 *  a day whose kept events changed though no file of its changed. */
export async function setAsideDuplicates(trx: Kysely<any>, dialect: SqlDialect, added: string[], removed: string[]): Promise<void> {
  const surviving = (alias: string) => sql`not ${inKeys(sql`${sql.ref(alias)}.file_key`, removed)}`;
  const isAdded = (alias: string) => inKeys(sql`${sql.ref(alias)}.file_key`, added);
  // Ids are found by `event_key`, a 64-bit hash of the id the load stores beside it: a scan
  // of it costs a fifth of a scan of the ids (0.04 s against 0.2 s per nightly load at 10M
  // events). A hash shared by two different ids only makes both ids be decided again,
  // which keeps the row each already has.
  const keys: RawBuilder<unknown>[] = [];
  if (added.length) {
    // An id twice in the added rows, or also on a kept row of another surviving file. Two
    // parts, so that a first load groups its rows once and a nightly one looks its few ids
    // up among the loaded ones, instead of grouping the whole table. The look-up is left
    // out when no other file has kept rows (a first load): it would scan every row for
    // nothing. It is a semi-join, whose hash table DuckDB builds on the added keys.
    keys.push(sql`select a.event_key from raw_events a where ${isAdded('a')} and a.event_key is not null
      group by a.event_key having count(*) > 1`);
    if (await exists(trx, sql`select 1 from raw_events k where not ${isAdded('k')} and not k.duplicate and ${surviving('k')}`)) {
      keys.push(sql`select k.event_key from raw_events k
        where k.event_key in (select a.event_key from raw_events a where ${isAdded('a')} and a.event_key is not null)
          and not ${isAdded('k')} and not k.duplicate and ${surviving('k')}`);
    }
  }
  if (removed.length) {
    // Set-aside rows are few: start from them.
    keys.push(sql`select d.event_key from raw_events d join raw_events k on k.event_key = d.event_key
      where d.duplicate and ${surviving('d')} and not k.duplicate and ${inKeys(sql`k.file_key`, removed)}`);
  }
  const found = keys.length ? sql.join(keys, sql` union `) : sql`select cast(null as ${dialect.columnType('ubigint')}) as event_key where false`;
  for (const statement of dialect.replaceTempTable('hs_duplicate_keys', found)) await statement.execute(trx);
  // Usually no id is shared: then no row changes, and the window over raw_events is skipped.
  const shared = await exists(trx, sql`select 1 from hs_duplicate_keys`);
  const flipped = sql`
    with decided as (
      select ${dialect.rowId('r')} as row_id, r.file_key, r.day, r.duplicate as was,
             row_number() over (partition by r.event_id order by ${KEEP_ORDER}) > 1 as now
      from raw_events r where ${shared ? sql`${surviving('r')} and r.event_key in (select event_key from hs_duplicate_keys)` : sql`false`})
    select row_id, file_key, day from decided where was <> now`;
  for (const statement of dialect.replaceTempTable('hs_flipped', flipped)) await statement.execute(trx);
  await sql`update raw_events set duplicate = not duplicate where ${dialect.rowId('raw_events')} in (select row_id from hs_flipped)`.execute(trx);
  await sql`delete from hs_flipped where ${isAdded('hs_flipped')}`.execute(trx);
}

async function exists(trx: Kysely<any>, query: RawBuilder<unknown>): Promise<boolean> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from (${query} limit 1) q`.execute(trx);
  return (rows[0]?.n ?? 0) > 0;
}

function inKeys(column: RawBuilder<unknown>, keys: string[]): RawBuilder<unknown> {
  return keys.length ? sql`${column} in (${sql.join(keys)})` : sql`false`;
}
