import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { ensureWarehouseTables } from '../../models/warehouse-tables.ts';
import { compileScorecard } from '../compile/compile-scorecard.ts';
import type { SqlDialect } from '../compile/dialect.ts';
import type { MeasureStrategy } from '../compile/measure-strategy.ts';
import { exportTables } from '../export/export-tables.ts';
import { UsageError } from '../errors.ts';
import type { ProjectConfig, Scorecard } from '../ir/types.ts';
import { loadSources, type LoadSummary } from '../load/load-sources.ts';
import { checkOverrides } from './check-overrides.ts';
import { materialiseBatch } from './materialise.ts';
import { daysBetween } from '../days.ts';
import { daysToMaterialise, toSpans, type DaySpan } from './plan-days.ts';

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
  exportedFiles: number;
  span?: DaySpan;
}

/** The nightly job: load new files, materialise every day that is missing, changed or
 *  inside lookback, then export those days. Re-running it changes nothing. */
export async function runPipeline(
  db: Kysely<any>,
  config: ProjectConfig,
  scorecards: Scorecard[],
  dialect: SqlDialect,
  options: RunOptions = {},
): Promise<RunSummary> {
  await ensureWarehouseTables(db);
  const load = options.skipLoad
    ? { loaded: [], unchanged: 0 }
    : await loadSources(db, config, dialect, (done, total, file) => options.progress?.({ kind: 'load', done, total, file }));
  await checkOverrides(db, scorecards);
  const runId = randomUUID();
  await sql`insert into runs values (${runId}, now(), null, 'running', null, null)`.execute(db);
  const summary: RunSummary = { runId, load, materialised: {}, daysMaterialised: 0, exportedFiles: 0 };
  try {
    const bounds = await dataBounds(db);
    if (!bounds) {
      await finishRun(db, runId, 'ok', 0, 'no events loaded');
      return summary;
    }
    const span: DaySpan = {
      from: options.span?.from ?? config.startDate ?? bounds.first,
      to: options.span?.to ?? bounds.last,
    };
    summary.span = span;
    const earliest = config.startDate ?? bounds.first;
    if (options.span && (span.from < earliest || span.to > bounds.last)) {
      throw new UsageError(`the data covers ${earliest} … ${bounds.last}; ${span.from === span.to ? span.from : `${span.from} … ${span.to}`} is outside it`);
    }
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
        const batch = compileScorecard(scorecard, config, dialect, { ...days, firstDataDay: bounds.first }, runId,
          options.measureStrategy ? { strategy: options.measureStrategy } : {});
        await materialiseBatch(db, batch);
        summary.daysMaterialised += daysBetween(days.from, days.to) + 1;
        done += 1;
      }
    }
    if (!options.skipExport) {
      options.progress?.({ kind: 'export' });
      summary.exportedFiles = await exportPending(db, config, dialect);
    }
    await finishRun(db, runId, 'ok', summary.daysMaterialised, null);
    return summary;
  } catch (error) {
    await finishRun(db, runId, 'failed', summary.daysMaterialised, error instanceof Error ? error.message : String(error));
    throw error;
  }
}

/** Exports every materialised day not exported yet (this run's, and any a failed run
 *  left behind), then marks them exported. */
async function exportPending(db: Kysely<any>, config: ProjectConfig, dialect: SqlDialect): Promise<number> {
  const { rows } = await sql<{ day: string }>`
    select distinct snapshot_date as day from run_log where not exported order by 1`.execute(db);
  if (rows.length === 0) return 0;
  const days = toSpans(rows.map((r) => r.day));
  const files = await exportTables(db, dialect, { ...config.export, days, prune: true });
  await sql`update run_log set exported = true where not exported
    and snapshot_date <= cast(${rows[rows.length - 1]!.day} as date)`.execute(db);
  return files;
}

async function finishRun(db: Kysely<any>, runId: string, status: string, days: number, message: string | null) {
  await sql`update runs set finished_at = now(), status = ${status}, days_materialised = ${days}, message = ${message}
    where run_id = ${runId}`.execute(db);
}

/** For commands that score on demand (backtest, preview): loads new files, then gives the
 *  days that can be scored — from start_date or the first day with data, whichever is
 *  later, to the last event day — and the first day with data (where windows may start). */
export async function loadForScoring(db: Kysely<any>, config: ProjectConfig, dialect: SqlDialect) {
  await ensureWarehouseTables(db);
  await loadSources(db, config, dialect);
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

async function doneDays(db: Kysely<any>, scorecard: Scorecard): Promise<Set<string>> {
  const { rows } = await sql<{ day: string }>`
    select snapshot_date as day from run_log
    where scorecard = ${scorecard.id} and definition_version = ${scorecard.version}`.execute(db);
  return new Set(rows.map((r) => r.day));
}
