import { sql, type Kysely } from 'kysely';
import { lifecycleSettings } from '../../models/account-lifecycle.ts';
import { ensureWarehouseTables } from '../../models/warehouse-tables.ts';
import { compileScorecard } from '../compile/compile-scorecard.ts';
import type { SqlDialect } from '../sql/dialects/dialect.ts';
import type { MeasureStrategy } from '../compile/measure-strategy.ts';
import { exportTables, removeStaging } from '../export/export-tables.ts';
import { UsageError } from '../errors.ts';
import type { ProjectConfig, Scorecard } from '../ir/types.ts';
import { loadSources, type LoadSummary } from '../load/load-sources.ts';
import { checkOverrides } from './check-overrides.ts';
import { materialiseBatch } from './materialise.ts';
import { daysBetween, type DaySpan } from '../days.ts';
import { exportDone, exportFingerprint, exportOwed as owedExport } from '../state/export-pending.ts';
import { doneDays, reconcileCoverage, reconcileSettings, recordDays } from '../state/run-log.ts';
import { finishRun, startRun } from '../state/runs.ts';
import { daysToMaterialise } from './plan-days.ts';

export interface RunOptions {
  /** Explicit days; default: start_date (or the first day with data) → the latest event day. */
  span?: Partial<DaySpan>;
  fullRefresh?: boolean;
  /** Materialise only this scorecard; the others still take part in checking the overrides. */
  only?: string;
  /** Days recomputed at the end of the span; default: the project's `lookback`. */
  lookback?: number;
  /** Skip loading (the caller has just loaded). */
  skipLoad?: boolean;
  /** Skip the export step (the `export` command does it on its own). */
  skipExport?: boolean;
  /** Forces how every batch computes its measures (tests compare the two strategies);
   *  by default each batch picks the cheaper one. */
  measureStrategy?: MeasureStrategy;
  progress?: (event: ProgressEvent) => void;
  /** The run's clock (YYYY-MM-DD); the default valid range of timestamps ends a day later. */
  today?: string;
}

export type ProgressEvent =
  | { kind: 'load'; done: number; total: number; file: string }
  | { kind: 'materialise'; done: number; total: number; scorecard: string; span: DaySpan }
  | { kind: 'export' };

export interface RunSummary {
  runId: string;
  load: LoadSummary;
  /** Per scorecard, the spans materialised. */
  materialised: Record<string, DaySpan[]>;
  daysMaterialised: number;
  /** Scorecard-days deleted: outside the days the data now covers, or of a scorecard
   *  that no longer exists. */
  daysRemoved: number;
  exportedFiles: number;
  span?: DaySpan;
  /** Wall seconds of each step, as the run's summary and the benchmark report them. */
  seconds: { load: number; materialise: number; export: number };
}

/** The nightly job: load new files, materialise every day that is missing, changed or
 *  inside lookback, then export those days. Re-running it changes nothing, and after any
 *  edit of the inputs it leaves what a fresh project's run would (SPEC §7). */
export async function runPipeline(
  db: Kysely<any>,
  config: ProjectConfig,
  scorecards: Scorecard[],
  dialect: SqlDialect,
  options: RunOptions = {},
): Promise<RunSummary> {
  await ensureWarehouseTables(db, dialect);
  const clock = stepClock();
  const load = options.skipLoad
    ? { loaded: [], removed: [], unchanged: 0, duplicates: 0 }
    : await loadSources(db, config, dialect, {
        scorecards,
        ...(options.today && { today: options.today }),
        onFile: (done, total, file) => options.progress?.({ kind: 'load', done, total, file }),
      });
  // The load checks overrides it changes before committing; unchanged overrides must still
  // fit definitions that may have changed (a removed score, a new scale).
  await checkOverrides(db, scorecards);
  const seconds = { load: clock(), materialise: 0, export: 0 };
  const runId = await startRun(db);
  const summary: RunSummary = { runId, load, materialised: {}, daysMaterialised: 0, daysRemoved: 0, exportedFiles: 0, seconds };
  try {
    const bounds = await dataBounds(db);
    if (!bounds) {
      await finishRun(db, runId, 'ok', 0, 'no events loaded');
      return summary;
    }
    // The days a fresh project's run would cover.
    const covered: DaySpan = { from: config.startDate ?? bounds.first, to: bounds.last };
    const span: DaySpan = { from: options.span?.from ?? covered.from, to: options.span?.to ?? covered.to };
    summary.span = span;
    if (options.span && (span.from < covered.from || span.to > covered.to)) {
      throw new UsageError(`the data covers ${covered.from} … ${covered.to}; ${span.from === span.to ? span.from : `${span.from} … ${span.to}`} is outside it`);
    }
    await reconcileSettings(db, dialect, lifecycleSettings(config.sources.churn));
    // A run of every scorecard also removes what a fresh project would not have.
    if (options.only === undefined) summary.daysRemoved = await reconcileCoverage(db, dialect, scorecards, covered);
    const work = await Promise.all(
      scorecards.filter((s) => options.only === undefined || s.id === options.only).map(async (scorecard) => ({
        scorecard,
        spans: span.from <= span.to
          ? daysToMaterialise(span, await doneDays(db, scorecard), options.lookback ?? config.lookback, options.fullRefresh ?? false)
          : [],
      })),
    );
    const total = work.reduce((n, w) => n + w.spans.length, 0);
    let done = 0;
    for (const { scorecard, spans } of work) {
      summary.materialised[scorecard.id] = spans;
      for (const days of spans) {
        options.progress?.({ kind: 'materialise', done, total, scorecard: scorecard.id, span: days });
        const batch = compileScorecard(scorecard, config, dialect, { ...days, firstDataDay: bounds.first },
          options.measureStrategy ? { strategy: options.measureStrategy } : {});
        await materialiseBatch(db, batch, (trx) => recordDays(trx, dialect, scorecard, days, runId));
        summary.daysMaterialised += daysBetween(days.from, days.to) + 1;
        done += 1;
      }
    }
    seconds.materialise = clock();
    if (!options.skipExport) {
      options.progress?.({ kind: 'export' });
      summary.exportedFiles = await exportOwed(db, config, dialect);
    }
    seconds.export = clock();
    await finishRun(db, runId, 'ok', summary.daysMaterialised, null);
    return summary;
  } catch (error) {
    await finishRun(db, runId, 'failed', summary.daysMaterialised, error instanceof Error ? error.message : String(error));
    throw error;
  }
}

/** Seconds since the previous call (or since it was made). */
function stepClock(): () => number {
  let last = performance.now();
  return () => {
    const now = performance.now();
    const took = (now - last) / 1000;
    last = now;
    return Math.round(took * 1000) / 1000;
  };
}

/** Writes the partitions the export owes (the days whose rows changed, or all of them
 *  when the export settings changed), then records them as written. */
async function exportOwed(db: Kysely<any>, config: ProjectConfig, dialect: SqlDialect): Promise<number> {
  const fingerprint = exportFingerprint(config.export);
  const owed = await owedExport(db, fingerprint);
  if (!owed.all && owed.days.length === 0) {
    // Nothing to write, but a killed export's leftovers still go (exportTables does it too).
    await removeStaging(config.export.path);
    return 0;
  }
  const files = await exportTables({ engine: config.warehouse.engine, db }, dialect, {
    ...config.export, ...(!owed.all && { days: owed.days }), prune: true, duckdb: config,
  });
  await exportDone(db, dialect, fingerprint, owed);
  return files;
}

/** For commands that score on demand (backtest, preview): loads new files, then gives the
 *  days that can be scored — from start_date or the first day with data, whichever is
 *  later, to the last event day — and the first day with data (where windows may start).
 *  With every scorecard of the project, overrides are checked before the load commits. */
export async function loadForScoring(db: Kysely<any>, config: ProjectConfig, dialect: SqlDialect, scorecards?: Scorecard[]) {
  await ensureWarehouseTables(db, dialect);
  await loadSources(db, config, dialect, scorecards ? { scorecards } : {});
  const bounds = await dataBounds(db);
  if (!bounds) throw new UsageError('no events are loaded yet: add event files to the events source first');
  const first = config.startDate && config.startDate > bounds.first ? config.startDate : bounds.first;
  return { first, last: bounds.last, firstData: bounds.first };
}

/** First and last day with data: the first event or attribute day, the last event day. */
export async function dataBounds(db: Kysely<any>): Promise<{ first: string; last: string } | undefined> {
  const { rows } = await sql<{ first: string | null; last: string | null }>`
    select least((select min(day) from daily_activity), (select min(day) from raw_attributes)) as first,
           (select max(day) from daily_activity) as last`.execute(db);
  const row = rows[0];
  if (!row?.first || !row.last) return undefined;
  return { first: row.first, last: row.last };
}
