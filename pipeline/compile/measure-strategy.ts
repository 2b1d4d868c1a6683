import { daysBetween } from '../days.ts';
import type { PlannedMeasure, ScorecardPlan } from './plan.ts';
import { framedTrendOf } from './measure-expressions.ts';

/** Two ways to compute the windowed measures of a batch of days, with the same rows:
 *  - `spine`: window functions over a dense account × day spine that starts `history`
 *    days before the batch. One sort, but its cost is accounts × (history + days) however
 *    few days are scored.
 *  - `range`: each scored account-day is joined to its account's days with data since the
 *    start of the history, and every frame is an aggregate with a FILTER on the day. Its
 *    cost grows with days × history, so it wins for the handful of days of a nightly run.
 *  Only the spine has goals: a goal reads its running total on the day before its start,
 *  which can be any day (`range` has rows for the batch days only). */
export type MeasureStrategy = 'spine' | 'range';

/** Most windowed days per account (the batch plus the days LAG-based trends look back to)
 *  for which `range` is used. hs_measures of the benchmark's demo scorecard (10k accounts,
 *  60 days of history), range vs spine: 1 day 0.24 vs 0.60 s, 3 days 0.33 vs 0.69 s,
 *  7 days 0.51 vs 0.66 s, 14 days 1.0–2.3 vs 1.6 s, 30 days 5.2 vs 2.3 s. */
export const RANGE_MAX_DAYS = 7;

export function rangeSupported(plan: ScorecardPlan): boolean {
  return Number.isFinite(plan.history) && !plan.measures.some((m) => m.measure.kind === 'goal');
}

/** `range` for a short batch when the scorecard allows it; otherwise `spine`. */
export function chooseStrategy(plan: ScorecardPlan, days: { from: string; to: string }): MeasureStrategy {
  if (!rangeSupported(plan)) return 'spine';
  const windowed = daysBetween(days.from, days.to) + 1 + lagDays(plan);
  return windowed <= RANGE_MAX_DAYS ? 'range' : 'spine';
}

/** Days before the batch on which later layers read windowed rows: those a LAG-based trend
 *  (a trend of anything but a plain event window) compares with. */
export function lagDays(plan: ScorecardPlan): number {
  const lagged = plan.measures.filter((m: PlannedMeasure) => m.measure.kind === 'trend' && !framedTrendOf(plan, m));
  return Math.max(0, ...lagged.map((m) => m.readsBefore + (m.measure as { window: number }).window));
}
