import { addDays, daysBetween } from '../days.ts';

export interface DaySpan {
  from: string;
  to: string;
}

/** Longest batch of consecutive days materialised in one go: bounds memory on long
 *  backfills while keeping the per-batch overhead small. */
export const MAX_BATCH_DAYS = 400;

/** The days a run must (re)materialise for one scorecard, as consecutive spans:
 *  every wanted day not done under the current definition version, plus the last
 *  `lookback` days of the wanted span (late-arriving data), or all with fullRefresh. */
export function daysToMaterialise(
  wanted: DaySpan,
  doneUnderCurrentVersion: ReadonlySet<string>,
  lookback: number,
  fullRefresh: boolean,
): DaySpan[] {
  const lookbackFrom = addDays(wanted.to, -(lookback - 1));
  const days: string[] = [];
  for (let day = wanted.from; day <= wanted.to; day = addDays(day, 1)) {
    if (fullRefresh || !doneUnderCurrentVersion.has(day) || (lookback > 0 && day >= lookbackFrom)) days.push(day);
  }
  return toSpans(days);
}

/** Sorted days → runs of consecutive days, each at most MAX_BATCH_DAYS long. */
export function toSpans(days: string[]): DaySpan[] {
  const spans: DaySpan[] = [];
  for (const day of days) {
    const last = spans[spans.length - 1];
    if (last && addDays(last.to, 1) === day && daysBetween(last.from, day) < MAX_BATCH_DAYS) last.to = day;
    else spans.push({ from: day, to: day });
  }
  return spans;
}
