import { sql } from 'kysely';
import { addDays } from '../days.ts';
import type { ProjectConfig, Scorecard } from '../ir/types.ts';
import { accountLifecycleSteps, type ModelStep } from '../../models/account-lifecycle.ts';
import { OUTPUT_TABLES } from '../../models/output-tables.ts';
import { alertsModel } from './alerts-model.ts';
import type { SqlDialect } from '../sql/dialects/dialect.ts';
import { healthModel } from './health-model.ts';
import { measuresModel, type DayRange } from './measures-model.ts';
import { chooseStrategy, type MeasureStrategy } from './measure-strategy.ts';
import { overridesModel } from './overrides-model.ts';
import { planScorecard, type ScorecardPlan } from './plan.ts';
import { scoresModel } from './scores-model.ts';

/** The SQL that materialises one scorecard for the days [from, to]:
 *  `prepare` builds temp tables (safe to run outside a transaction: it writes nothing
 *  users read); `replace` swaps the days in the snapshot tables and must run inside one
 *  transaction, with the run state's record of those days. Pure: the same IR and days give the same SQL. */
export interface CompiledBatch {
  plan: ScorecardPlan;
  /** How hs_measures computes the windowed measures. */
  strategy: MeasureStrategy;
  prepare: ModelStep[];
  replace: ModelStep[];
}

export function compileScorecard(
  scorecard: Scorecard,
  config: Pick<ProjectConfig, 'sources'>,
  dialect: SqlDialect,
  snapshotDays: { from: string; to: string; firstDataDay: string },
  /** Forces a measure strategy (tests compare the two); by default it is chosen per batch. */
  options: { strategy?: MeasureStrategy } = {},
): CompiledBatch {
  const plan = planScorecard(scorecard);
  const days: DayRange = { ...snapshotDays, spineFrom: spineStart(plan, snapshotDays.from, snapshotDays.firstDataDay) };
  const strategy = options.strategy ?? chooseStrategy(plan, days);
  return {
    plan,
    strategy,
    prepare: [
      ...accountLifecycleSteps(config.sources.churn, dialect),
      ...measuresModel(plan, dialect, days, strategy),
      ...overridesModel(plan, dialect, days.from, days.to),
    ],
    replace: [
      ...OUTPUT_TABLES.map((t) => ({
        name: `clear ${t.name}`,
        statement: sql`delete from ${sql.table(t.name)} where scorecard = ${scorecard.id}
          and ${sql.ref(t.dateColumn)} between ${dialect.date(days.from)} and ${dialect.date(days.to)}`,
      })),
      scoresModel(plan, dialect),
      healthModel(plan, dialect),
      ...alertsModel(plan, dialect, days.from, days.to),
    ],
  };
}

/** Tables shaped like score_snapshots and health_snapshots that a scratch run fills. */
export interface ScratchTables {
  scores: string;
  health: string;
}

/** The snapshot rows of [from, to] written to scratch tables rather than the real ones,
 *  with no run log and no alerts: for `preview` and `backtest --compare`, which must score
 *  a definition without changing what is materialised. With `keep`, only those days are
 *  written (windows still need every day of the spine). */
export function compileScratch(
  scorecard: Scorecard,
  config: Pick<ProjectConfig, 'sources'>,
  dialect: SqlDialect,
  snapshotDays: { from: string; to: string; firstDataDay: string; keep?: string[] },
  into: ScratchTables,
): ModelStep[] {
  const batch = compileScorecard(scorecard, config, dialect, snapshotDays);
  const keep = snapshotDays.keep;
  return [
    ...batch.prepare,
    ...(keep
      ? [{ name: 'keep days', statement: keep.length
          ? sql`delete from hs_measures where day not in (${sql.join(keep.map((d) => dialect.date(d)))})`
          : sql`delete from hs_measures` }]
      : []),
    scoresModel(batch.plan, dialect, into.scores),
    healthModel(batch.plan, dialect, into.health),
  ];
}

/** The spine must start early enough for every window and trend of the scorecard. */
function spineStart(plan: ScorecardPlan, from: string, firstDataDay: string): string {
  if (!Number.isFinite(plan.history)) return firstDataDay < from ? firstDataDay : from;
  return addDays(from, -plan.history);
}
