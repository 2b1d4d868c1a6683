import { sql, type Kysely } from 'kysely';
import type { SqlDialect } from '../sql/dialects/dialect.ts';
import { toSpans, type DaySpan } from '../days.ts';
import { getSetting, setSetting } from './settings.ts';

/** Marks the days of a span as owing an export (their snapshot rows changed). */
export async function markForExport(trx: Kysely<any>, dialect: SqlDialect, span: DaySpan): Promise<void> {
  await dialect.insertMissing('export_pending', sql`select d.day from ${dialect.dayRows(dialect.date(span.from), dialect.date(span.to))} d`).execute(trx);
}

/** What the export owes: every day when its settings changed since the last export
 *  (another path, formats or partitioning), else the pending days. */
export async function exportOwed(db: Kysely<any>, fingerprint: string): Promise<{ all: true } | { all: false; days: DaySpan[] }> {
  if ((await getSetting(db, 'export_fingerprint')) !== fingerprint) return { all: true };
  const { rows } = await sql<{ day: string }>`select day::varchar as day from export_pending order by 1`.execute(db);
  return { all: false, days: toSpans(rows.map((r) => r.day)) };
}

/** After the files are in place: the days written are no longer owed. */
export async function exportDone(db: Kysely<any>, dialect: SqlDialect, fingerprint: string, owed: { all: true } | { all: false; days: DaySpan[] }): Promise<void> {
  await db.transaction().execute(async (trx) => {
    if (owed.all) await sql`delete from export_pending`.execute(trx);
    else {
      for (const span of owed.days) {
        await sql`delete from export_pending where day between cast(${span.from} as date) and cast(${span.to} as date)`.execute(trx);
      }
    }
    await setSetting(trx, dialect, 'export_fingerprint', fingerprint);
  });
}

/** What decides the export files besides the rows: where they go, in which formats and
 *  how they are partitioned. */
export function exportFingerprint(settings: { path: string; formats: string[]; partition: string }): string {
  return JSON.stringify({ path: settings.path, formats: [...settings.formats].sort(), partition: settings.partition });
}
