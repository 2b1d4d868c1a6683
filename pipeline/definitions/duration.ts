// Durations are whole days (`30d`): a snapshot is a calendar day, so nothing finer applies.

import { z } from 'zod';
import type { Days } from '../ir/types.ts';
import { unlessMissing } from './zod-problems.ts';

const DAYS = /^(0|[1-9][0-9]*)d$/;

/** The longest duration anywhere (windows, within, max_age, lookback): about 100 years.
 *  Day arithmetic fails far beyond it (a 1000000d window reaches before year 1 and the run
 *  stopped with DuckDB's "invalid date field format"), and no scoring question needs
 *  more. Trends add up their windows, so resolve checks their sum against it too. */
export const MAX_DAYS = 36500;

function durationSchema(allowZero: boolean) {
  const message = `expected a duration like "30d" (a ${allowZero ? 'whole' : 'positive whole'} number of days)`;
  return z
    .string({ error: unlessMissing(message) })
    .regex(DAYS, { error: message })
    .refine((s) => allowZero || s !== '0d', { error: message })
    .refine((s) => !DAYS.test(s) || days(s) <= MAX_DAYS, { error: (iss) => `${String(iss.input)} is too long: durations are at most ${MAX_DAYS}d (about 100 years)` });
}

/** `<n>d` with n ≥ 1. */
export const duration = durationSchema(false);
/** `<n>d` with n ≥ 0 (e.g. a lookback of none). */
export const durationOrZero = durationSchema(true);

/** `30d` → 30. Only for strings the schemas above accepted. */
export function days(text: string): Days {
  return Number.parseInt(text, 10);
}
