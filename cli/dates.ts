import { UsageError } from '../pipeline/errors.ts';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A `--date`-style option: YYYY-MM-DD and a real calendar day. */
export function parseDay(option: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const date = new Date(`${value}T00:00:00Z`);
  if (!DAY.test(value) || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) {
    throw new UsageError(`${option} must be a day written YYYY-MM-DD, not "${value}"`);
  }
  return value;
}

/** `--date D` or `--from D1 --to D2` (either end may be left open). */
export function parseSpan(options: { date?: string; from?: string; to?: string }): { from?: string; to?: string } | undefined {
  if (options.date !== undefined && (options.from !== undefined || options.to !== undefined)) {
    throw new UsageError('use either --date or --from/--to, not both');
  }
  if (options.date !== undefined) {
    const day = parseDay('--date', options.date);
    return { from: day, to: day };
  }
  const span = { from: parseDay('--from', options.from), to: parseDay('--to', options.to) };
  if (span.from && span.to && span.from > span.to) throw new UsageError(`--from ${span.from} is after --to ${span.to}`);
  return span.from || span.to ? span : undefined;
}

/** A `--horizon 30d`-style option: a whole number of days, with or without the `d`. */
export function parseDays(option: string, value: string): number {
  const match = /^(\d+)d?$/.exec(value.trim());
  const days = match ? Number(match[1]) : NaN;
  if (!(days >= 1)) throw new UsageError(`${option} must be a number of days such as 30d, not "${value}"`);
  return days;
}
