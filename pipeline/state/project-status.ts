import { sql, type Kysely } from 'kysely';
import type { ProjectConfig, Scorecard } from '../ir/types.ts';
import type { SqlDialect } from '../sql/dialects/dialect.ts';
import { readDataChecks } from '../load/data-checks.ts';
import { goneFiles, isReplacement, planLoad } from '../load/plan-load.ts';
import { tableDayOf } from '../load/table-source.ts';
import { withFileLister } from '../load/source-files.ts';
import { exportFingerprint, exportOwed } from './export-pending.ts';
import { firstPathOf } from './ledger.ts';
import { materialisedVersions, staleDays } from './run-log.ts';
import { lastRun } from './runs.ts';

/** What `status` shows: what is materialised, what the next run will do and why, rows
 *  set aside, the data checks of the last load, and the last run. Reads only. */
export async function projectStatus(db: Kysely<any>, dialect: SqlDialect, config: ProjectConfig, scorecards: Scorecard[]) {
  const versions = await materialisedVersions(db);
  const plan = await withFileLister(db, dialect, (files) => planLoad(db, config, dialect, new Date().toISOString().slice(0, 10), files));
  // A table source's contents are its days: `file` names the day, `table` the table.
  const files = plan.sources.flatMap((s) => {
    const entry = (file: string, change: string) => {
      const table = tableDayOf(s.source, file);
      return { source: s.target.source, file, change, ...(table && { table }) };
    };
    return [
      ...s.add.map((f) => entry(f.paths[0]!, isReplacement(s, f) ? 'changed' : 'new')),
      ...goneFiles(s).map((r) => entry(r.paths[0]!, 'removed')),
    ];
  });
  const owed = await exportOwed(db, exportFingerprint(config.export));
  const { rows: rejected } = await sql<{ source: string; file: string; rows: number; first_line: number; column: string; reason: string }>`
    select r.source, ${firstPathOf(sql.ref('r.source'), sql.ref('r.file_key'))} as file, count(*)::int as rows,
           min(r.line)::int as first_line, ${dialect.firstBy(sql.ref('r.column'), sql.ref('r.line'))} as "column",
           ${dialect.firstBy(sql.ref('r.reason'), sql.ref('r.line'))} as reason
    from rejected_rows r group by r.source, r.file_key order by 1, 2`.execute(db);
  return {
    scorecards: scorecards.map((s) => ({
      id: s.id,
      file: s.file,
      version: s.version,
      versions: versions.filter((v) => v.scorecard === s.id).map((v) => ({ ...v, current: v.definition_version === s.version })),
    })),
    files,
    stale: await staleDays(db, scorecards),
    exportOwed: owed.all
      ? 'every day (the export settings changed, or nothing was exported yet)'
      : owed.days.length ? `${owed.days.map((d) => (d.from === d.to ? d.from : `${d.from} … ${d.to}`)).join(', ')}` : null,
    rejected,
    dataChecks: await readDataChecks(db),
    lastRun: (await lastRun(db)) ?? null,
  };
}
