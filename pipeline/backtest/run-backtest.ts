import { sql, type Kysely } from 'kysely';
import { comparisonFor } from './compare-definition.ts';
import type { SqlDialect } from '../sql/dialects/dialect.ts';
import type { ProjectConfig, Scorecard } from '../ir/types.ts';
import { runStep } from '../run/materialise.ts';
import { loadForScoring, runPipeline, type RunOptions } from '../run/run-pipeline.ts';
import { scoreIntoScratch, withScratchTables } from '../run/scratch.ts';
import { evaluationDays, type EvaluationRange } from './evaluation-days.ts';
import { computeCurves, computeFigures, type BandFigures, type Curves, type Figures } from './figures.ts';
import { UsageError } from '../errors.ts';
import { SAMPLES, VALUES, createValuesStep, samplesStep, scoredDays, valuesStep, type Side } from './samples.ts';

/** One side of a backtest: the SPEC §6 figures of a scorecard over the samples. */
export interface SideResult {
  scorecard: string;
  definition_version: string;
  samples: number;
  churners: number;
  missing_scores: number;
  global: Omit<Figures, 'samples' | 'churners' | 'missing_scores'>;
  scores: Record<string, Figures>;
}

export interface BacktestResult extends SideResult {
  horizon_days: number;
  step_days: number;
  from: string;
  to: string;
  evaluation_days: number;
  /** Evaluation days of the range left out: their horizon is not fully observed. */
  censored_days: number;
  /** Evaluation days left out because the scorecard scored no account on them. */
  unscored_days: number;
  compare: (SideResult & { definitions: string }) | null;
  /** Warnings a reader must see: too few churners, thin bands, censored days. */
  notes: string[];
}

export interface BacktestRun {
  result: BacktestResult;
  /** Chart data for the HTML report, per side. */
  curves: { primary: Curves; compare: Curves | null };
  /** Scorecard-days materialised first because their snapshots were missing. */
  materialised: number;
}

const COMPARE_TABLES = { scores: 'hs_bt_compare_scores', health: 'hs_bt_compare_health' };
/** Below this many churners (or samples in a band) the figures are too noisy to trust. */
export const FEW = 30;

/** Backtests `scorecard` (SPEC §6): materialises any evaluation day whose snapshot is
 *  missing or outdated, labels the samples, then computes every figure in SQL. A
 *  `compare` scorecard is scored on the same samples in scratch tables, so what is
 *  materialised does not change. */
export async function runBacktest(
  db: Kysely<any>,
  { config, scorecards, dialect }: { config: ProjectConfig; scorecards: Scorecard[]; dialect: SqlDialect },
  scorecard: Scorecard,
  range: EvaluationRange,
  options: {
    /** A second definition, scored on the same samples. */
    compare?: { scorecard: Scorecard; definitions: string };
    /** Progress of materialising the missing evaluation days. */
    progress?: RunOptions['progress'];
  } = {},
): Promise<BacktestRun> {
  const { compare } = options;
  if (compare) comparisonFor(scorecard, [compare.scorecard], compare.definitions);
  const bounds = await loadForScoring(db, config, dialect, scorecards);
  const { days: observable, censored, lastObservable } = evaluationDays(range, bounds);
  const span = { from: observable[0]!, to: observable[observable.length - 1]! };

  // Point-in-time snapshots of the current definition for every evaluation day.
  const run = await runPipeline(db, config, scorecards, dialect, {
    span,
    only: scorecard.id,
    lookback: 0,
    skipLoad: true,
    skipExport: true,
    ...(options.progress && { progress: options.progress }),
  });

  const scored = await scoredDays(db, scorecard.id, observable, dialect);
  const days = observable.filter((d) => scored.has(d));
  if (days.length === 0) {
    throw new UsageError(`${scorecard.id} scores no account on any of the ${observable.length} evaluation day(s) ${span.from} … ${span.to}: nothing to evaluate`);
  }

  // Samples and values in temp tables, dropped whatever happens; the compare side's
  // snapshots in scratch tables.
  const measure = async (): Promise<BacktestRun> => {
    for (const step of samplesStep(scorecard.id, days, range.horizon, config.sources.churn, dialect)) await runStep(db, 'backtest samples', step);
    for (const step of createValuesStep(dialect)) await runStep(db, 'backtest values', step);
    await runStep(db, 'backtest values', valuesStep('primary', { scorecard: scorecard.id, health: 'health_snapshots', scores: 'score_snapshots' }, days, dialect));
    if (compare) {
      await scoreIntoScratch(db, config, dialect, compare.scorecard, { keep: days, firstDataDay: bounds.firstData }, COMPARE_TABLES);
      await runStep(db, 'backtest compare values', valuesStep('compare', { scorecard: compare.scorecard.id, ...COMPARE_TABLES }, days, dialect));
    }
    const figuresOf = await computeFigures(db, (side, subject) => {
      const card = side === 'primary' ? scorecard : compare!.scorecard;
      return subject === '' ? card.bands : (card.scores.find((s) => s.id === subject)?.bands ?? card.bands);
    });
    const side = (name: Side, card: Scorecard): SideResult => {
      const global = figuresOf(name, '')!;
      const { samples, churners, missing_scores, ...rest } = global;
      return {
        scorecard: card.id,
        definition_version: card.version,
        samples,
        churners,
        missing_scores,
        global: rest,
        scores: Object.fromEntries(card.scores.flatMap((s) => {
          const f = figuresOf(name, s.id);
          return f ? [[s.id, f]] : [];
        })),
      };
    };
    const primary = side('primary', scorecard);
    // SPEC §6's fields first, in its order; then ours.
    const result: BacktestResult = {
      scorecard: primary.scorecard,
      horizon_days: range.horizon,
      evaluation_days: days.length,
      samples: primary.samples,
      churners: primary.churners,
      missing_scores: primary.missing_scores,
      global: primary.global,
      scores: primary.scores,
      compare: compare ? { ...side('compare', compare.scorecard), definitions: compare.definitions } : null,
      definition_version: primary.definition_version,
      step_days: range.step,
      from: span.from,
      to: span.to,
      censored_days: censored.length,
      unscored_days: observable.length - days.length,
      notes: [],
    };
    result.notes = notesFor(result, censored, lastObservable, bounds.last);
    return {
      result,
      curves: {
        primary: await computeCurves(db, 'primary', scorecard.scale),
        compare: compare ? await computeCurves(db, 'compare', compare.scorecard.scale) : null,
      },
      materialised: run.daysMaterialised,
    };
  };
  try {
    return await withScratchTables(db, dialect, COMPARE_TABLES, measure);
  } finally {
    for (const table of [SAMPLES, VALUES]) await sql`drop table if exists ${sql.table(table)}`.execute(db);
  }
}

function notesFor(result: BacktestResult, censored: string[], lastObservable: string, lastDataDay: string): string[] {
  const notes: string[] = [];
  if (censored.length) {
    notes.push(`${censored.length} evaluation day(s) after ${lastObservable} were left out: their ${result.horizon_days}-day horizon runs past the last data day ${lastDataDay}`);
  }
  if (result.unscored_days) {
    notes.push(`${result.unscored_days} evaluation day${result.unscored_days === 1 ? '' : 's'} had no scored account and ${result.unscored_days === 1 ? 'was' : 'were'} left out`);
  }
  for (const side of [result, ...(result.compare ? [result.compare] : [])]) {
    const name = side === result ? '' : `compare (${side.scorecard}): `;
    const others = side.samples - side.churners;
    if (side.churners === 0) notes.push(`${name}no sample churned within the horizon: the AUC is undefined`);
    else if (side.churners < FEW || others < FEW) {
      const ci = side.global.auc_ci95;
      notes.push(`${name}only ${side.churners} churner(s) among ${side.samples} samples: too few to trust${ci ? ` (AUC 95% interval ${ci[0].toFixed(2)}–${ci[1].toFixed(2)})` : ''}`);
    }
    const subjects: [string, BandFigures[]][] = [['global score', side.global.bands], ...Object.entries(side.scores).map(([id, f]): [string, BandFigures[]] => [`score ${id}`, f.bands])];
    for (const [subject, bands] of subjects) {
      const thin = bands.filter((b) => b.samples < FEW);
      if (thin.length === 0) continue;
      const listed = thin.map((b) => `band ${b.band} has ${b.samples ? `only ${b.samples} samples` : 'no samples'}`).join(', ');
      notes.push(`${name}${subject}: ${listed} (under ${FEW} samples a band's churn rate is rough; with none it has none)`);
    }
    if (side.missing_scores > 0) notes.push(`${name}${side.missing_scores} sample(s) had no global score and are counted apart`);
  }
  return notes;
}
