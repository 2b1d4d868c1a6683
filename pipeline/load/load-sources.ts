import { sql, type Kysely } from 'kysely';
import type { SqlDialect } from '../sql/dialects/dialect.ts';
import type { Scorecard } from '../ir/types.ts';
import { isTableSource, type ProjectConfig, type TableSource } from '../ir/types.ts';
import { refreshDailyAggregates } from '../../models/daily-aggregates.ts';
import { rawTable } from '../../models/warehouse-tables.ts';
import { checkOverrides } from '../run/check-overrides.ts';
import { addLedgerEntry, rememberHashes, removeLedgerEntries, setLedgerPaths } from '../state/ledger.ts';
import { invalidateDays } from '../state/run-log.ts';
import { hasDataChecks, readDataChecks, refreshDataChecks } from './data-checks.ts';
import { setAsideDuplicates } from './duplicate-events.ts';
import { readsFilesItself, rowCopierFor } from '../engine/row-copier.ts';
import { FileStaging, insertFileInto, type FileDestination } from './staged-copy.ts';
import { goneFiles, isReplacement, planLoad, wantedSources, type SourcePlan } from './plan-load.ts';
import { EVENTS, type RawTarget } from './raw-targets.ts';
import { insertTableDays, tableDayOf, type TableDayName } from './table-source.ts';

export interface LoadedFile {
  source: string;
  file: string;
  rows: number;
  /** Rows set aside in rejected_rows (`on_bad_rows: skip`). */
  rejected: number;
  /** `replaced` when the file was loaded before with other content. */
  action: 'loaded' | 'replaced';
  /** A day of a table source (`file` names the day), to show a table's days as one. */
  table?: TableDayName;
}

export interface LoadSummary {
  loaded: LoadedFile[];
  /** Loaded contents whose files are gone (or changed): their rows left the warehouse. */
  removed: { source: string; file: string; rows: number; table?: TableDayName }[];
  unchanged: number;
  /** Event rows set aside because another row has their event_id, over every loaded file. */
  duplicates: number;
}

export interface LoadOptions {
  /** With the scorecards, overrides are checked against them before the load commits. */
  scorecards?: Scorecard[];
  onFile?: (done: number, total: number, file: string) => void;
  /** The run's clock (YYYY-MM-DD, UTC): the default valid range ends the day after. */
  today?: string;
}

/** Brings the raw tables in line with the source files, by content: new and changed
 *  files are loaded, removed ones leave, renamed and copied ones add nothing. All of it
 *  in one transaction: a bad file or override leaves every table as it was. The days
 *  each change can affect are marked stale in the run log in the same transaction. */
export async function loadSources(
  db: Kysely<any>,
  config: ProjectConfig,
  dialect: SqlDialect,
  options: LoadOptions = {},
): Promise<LoadSummary> {
  // DuckDB reads the files; another engine gets them through a DuckDB staging.
  const staging = readsFilesItself(dialect) || !readsFiles(config) ? undefined : await FileStaging.open(config);
  try {
    const summary: LoadSummary = { loaded: [], removed: [], unchanged: 0, duplicates: 0 };
    // The plan reads the source tables: it and the load see one snapshot of them, or a row
    // changed in between would be loaded but not in the ledger (or the other way round).
    await db.transaction().setIsolationLevel('repeatable read').execute(async (trx) => {
      const plan = await planLoad(trx, config, dialect, options.today ?? new Date().toISOString().slice(0, 10), staging?.files);
      const total = plan.sources.reduce((n, s) => n + s.add.length, 0);
      const moved = plan.sources.flatMap((s) => s.keep.filter((k) => !samePaths(k.entry.paths, k.paths)).map((k) => ({ s, k })));
      for (const s of plan.sources) summary.unchanged += s.keep.length;
      const changed = plan.sources.filter((s) => s.add.length > 0 || s.remove.length > 0);
      // A warehouse made before the data checks gets them from its first load, changed or not.
      const checked = await hasDataChecks(trx);
      if (changed.length === 0 && moved.length === 0 && plan.hashed.length === 0 && checked) return;
      const destination: FileDestination = staging ? { kind: 'staged', staging, copier: await rowCopierFor(trx) } : { kind: 'duckdb', trx, dialect };
      const horizon = alertHorizon(options.scorecards);
      for (const s of changed) {
        await applySource(trx, config, dialect, destination, s, summary, horizon, (file) => options.onFile?.(summary.loaded.length, total, file));
      }
      for (const { s, k } of moved) await setLedgerPaths(trx, dialect, s.target.source, k.entry.file_key, k.paths);
      if (options.scorecards && changed.some((s) => s.target.source === 'overrides')) await checkOverrides(trx, options.scorecards);
      if (changed.length > 0 || !checked) await refreshDataChecks(trx);
      await rememberHashes(trx, dialect, plan.hashed);
    });
    // Counted by the data checks with the load that changed them: no second scan of raw_events.
    summary.duplicates = (await readDataChecks(db))?.reusedEventIds.rows ?? 0;
    return summary;
  } finally {
    await staging?.close();
  }
}

/** Whether any source of the project reads files (the others read tables). */
const readsFiles = (config: ProjectConfig) => wantedSources(config).some((s) => !isTableSource(s.source));

async function applySource(
  trx: Kysely<any>,
  config: ProjectConfig,
  dialect: SqlDialect,
  destination: FileDestination,
  plan: SourcePlan,
  summary: LoadSummary,
  alertHorizon: number,
  onFile: (file: string) => void,
): Promise<void> {
  const { target } = plan;
  const table = sql.table(target.table);
  const removed = plan.remove.map((e) => e.file_key);
  // A content loaded again under the same key (rows once too late are now in range) is
  // staged under another key until the old rows are gone.
  const staging = (key: string) => (removed.includes(key) ? `${key}:reloaded` : key);
  const added: string[] = [];
  const inserted = plan.table && plan.add.length > 0 ? await insertDays(trx, config, dialect, plan, staging) : undefined;
  for (const file of plan.add) {
    onFile(file.paths[0]!);
    const result = inserted?.get(staging(file.key)) ?? (await insertFileInto(destination, config, plan, file, staging(file.key)));
    added.push(staging(file.key));
    await addLedgerEntry(trx, dialect, {
      source: target.source, file_key: file.key, content_hash: file.hash, fingerprint: plan.fingerprint, paths: file.paths,
      row_count: result.rows, rejected_rows: result.rejected, valid_to: plan.validRange.to, future_rows: result.future,
    });
    summary.loaded.push({
      source: target.source, file: file.paths[0]!, rows: result.rows, rejected: result.rejected,
      action: isReplacement(plan, file) ? 'replaced' : 'loaded',
      ...tableDay(plan, file.paths[0]!),
    });
  }
  for (const entry of goneFiles(plan)) summary.removed.push({ source: target.source, file: entry.paths[0]!, rows: entry.row_count, ...tableDay(plan, entry.paths[0]!) });

  // Before the removed rows leave: what changed compares their flags with the new ones.
  if (target === EVENTS) await setAsideDuplicates(trx, dialect, added, removed);
  await changedRows(trx, dialect, target, removed, added);
  if (removed.length) {
    await sql`delete from ${table} where file_key in (${sql.join(removed)})`.execute(trx);
    await sql`delete from rejected_rows where source = ${target.source} and file_key in (${sql.join(removed)})`.execute(trx);
    await removeLedgerEntries(trx, target.source, plan.remove.filter((e) => !plan.add.some((f) => f.key === e.file_key)).map((e) => e.file_key));
  }
  for (const key of added.filter((k) => k.endsWith(':reloaded'))) {
    await sql`update ${table} set file_key = ${key.slice(0, -':reloaded'.length)} where file_key = ${key}`.execute(trx);
    await sql`update rejected_rows set file_key = ${key.slice(0, -':reloaded'.length)} where source = ${target.source} and file_key = ${key}`.execute(trx);
  }
  if (target === EVENTS) {
    await sql`drop table hs_flipped`.execute(trx);
    for (const statement of dialect.replaceTempTable('hs_touched_days', sql`select distinct day from hs_changed`)) await statement.execute(trx);
    await refreshDailyAggregates(trx, 'hs_touched_days');
    await sql`drop table hs_touched_days`.execute(trx);
  }
  await invalidateDays(trx, target.affectedDays(alertHorizon), changeReason(plan, summary));
  await sql`drop table hs_changed`.execute(trx);
}

function tableDay(plan: SourcePlan, name: string): { table?: TableDayName } {
  const table = tableDayOf(plan.source, name);
  return table ? { table } : {};
}

/** A table source's added days, in one pass over the table, each under its staging key. */
function insertDays(trx: Kysely<any>, config: ProjectConfig, dialect: SqlDialect, plan: SourcePlan, staging: (key: string) => string) {
  const source = plan.source as TableSource;
  const keys = new Map(plan.add.map((day) => [day.file, staging(day.key)]));
  return insertTableDays(trx, config, dialect, plan.target, source, plan.table!, plan.validRange, keys);
}

/** `hs_changed`: the rows that differ between the removed files and the added ones, as
 *  multisets (a file appended to differs by the appended rows only). For events, only
 *  the kept rows count, and the days of rows whose flag alone changed (`hs_flipped`) are
 *  added. */
async function changedRows(trx: Kysely<any>, dialect: SqlDialect, target: RawTarget, removed: string[], added: string[]): Promise<void> {
  // Every column but the file's key and the duplicate flag (`select * exclude …` is DuckDB's).
  const values = sql.join(rawTable(target.table).columns.filter((c) => c.name !== 'file_key' && c.name !== 'duplicate').map((c) => sql.ref(c.name)));
  const rowsOf = (keys: string[]) =>
    target === EVENTS
      ? sql`select ${values} from raw_events where file_key in (${sql.join(keys)}) and not duplicate`
      : sql`select ${values} from ${sql.table(target.table)} where file_key in (${sql.join(keys)})`;
  const changed =
    removed.length === 0 ? rowsOf(added)
    : added.length === 0 ? rowsOf(removed)
    : sql`(${rowsOf(removed)} except all ${rowsOf(added)}) union all (${rowsOf(added)} except all ${rowsOf(removed)})`;
  const affects = sql.join(target.affects.map((c) => sql.ref(c)));
  const rows = sql`select ${affects} from (${changed}) c${target === EVENTS ? sql` union all select ${affects} from hs_flipped` : sql``}`;
  for (const statement of dialect.replaceTempTable('hs_changed', rows)) await statement.execute(trx);
}

function changeReason(plan: SourcePlan, summary: LoadSummary): string {
  const files = [
    ...summary.loaded.filter((f) => f.source === plan.target.source).map((f) => f.file),
    ...summary.removed.filter((f) => f.source === plan.target.source).map((f) => `${f.file} (removed)`),
  ];
  const shown = files.slice(0, 3).join(', ') + (files.length > 3 ? ` and ${files.length - 3} more` : '');
  return `${plan.target.source} changed: ${shown}`;
}

/** How many days after a changed day an alert can still change: `score_dropped_by …
 *  within N` compares with N days before, `band_became` with the day before. Without the
 *  scorecards, every later day. */
function alertHorizon(scorecards: Scorecard[] | undefined): number {
  if (!scorecards) return 365_000;
  const horizons = scorecards.flatMap((s) => s.alerts.map((a) => (a.when.kind === 'score_dropped_by' ? a.when.within : 1)));
  return Math.max(0, ...horizons);
}

function samePaths(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((p, i) => p === b[i]);
}
