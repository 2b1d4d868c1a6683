// Calendar days as ISO strings ('2025-01-31'), the way the pipeline passes them around:
// arithmetic in UTC, so that no local timezone or DST shifts a day.

export function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (0 for the same day). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000);
}

export interface DaySpan {
  from: string;
  to: string;
}

/** Sorted days → runs of consecutive days, each at most `maxLength` days long. */
export function toSpans(days: string[], maxLength = Infinity): DaySpan[] {
  const spans: DaySpan[] = [];
  for (const day of days) {
    const last = spans[spans.length - 1];
    if (last && addDays(last.to, 1) === day && daysBetween(last.from, day) < maxLength) last.to = day;
    else spans.push({ from: day, to: day });
  }
  return spans;
}
