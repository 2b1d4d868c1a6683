// Durations are whole days (`30d`): a snapshot is a calendar day, so nothing finer applies.

import { z } from 'zod';
import type { Days } from '../ir/types.ts';
import { unlessMissing } from './zod-problems.ts';

const DAYS = /^(0|[1-9][0-9]*)d$/;

function durationSchema(allowZero: boolean) {
  const message = `expected a duration like "30d" (a ${allowZero ? 'whole' : 'positive whole'} number of days)`;
  return z
    .string({ error: unlessMissing(message) })
    .regex(DAYS, { error: message })
    .refine((s) => allowZero || s !== '0d', { error: message });
}

/** `<n>d` with n ≥ 1. */
export const duration = durationSchema(false);
/** `<n>d` with n ≥ 0 (e.g. a lookback of none). */
export const durationOrZero = durationSchema(true);

/** `30d` → 30. Only for strings the schemas above accepted. */
export function days(text: string): Days {
  return Number.parseInt(text, 10);
}
