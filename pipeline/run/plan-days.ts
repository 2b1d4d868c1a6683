import { addDays, toSpans, type DaySpan } from '../days.ts';

/** Longest batch of consecutive days materialised in one go: bounds memory on long
 *  backfills while keeping the per-batch overhead small. */
export const MAX_BATCH_DAYS = 400;

/** The days a run must (re)materialise for one scorecard, as consecutive spans:
 *  every wanted day not done under the current definition version (or made stale by a
 *  changed input), plus the last `lookback` days of the wanted span (late-arriving data),
 *  or all with fullRefresh. */
export function daysToMaterialise(
  wanted: DaySpan,
  done: ReadonlySet<string>,
  lookback: number,
  fullRefresh: boolean,
): DaySpan[] {
  const lookbackFrom = addDays(wanted.to, -(lookback - 1));
  const days: string[] = [];
  for (let day = wanted.from; day <= wanted.to; day = addDays(day, 1)) {
    if (fullRefresh || !done.has(day) || (lookback > 0 && day >= lookbackFrom)) days.push(day);
  }
  return toSpans(days, MAX_BATCH_DAYS);
}
