// YAML forms like "a measure is one of {event…} {attribute…} {trend…}" have no tag field, so
// a zod union could only say "does not match any form". Instead we pick the one form the
// user evidently meant (by a key it has) and report that form's precise errors.

import { z } from 'zod';
import type { PathSegment } from '../errors.ts';
import { closest, unknownKey } from './did-you-mean.ts';
import { errorMap } from './zod-problems.ts';

/** Why no form applies; `path` is relative to the value being checked. */
export interface Rejection {
  reject: string;
  path?: PathSegment[];
}

/** Validates with whichever schema `choose` returns for the input. */
export function dispatch<T>(choose: (input: unknown) => z.ZodType<T> | Rejection): z.ZodType<T> {
  return z.unknown().transform((input, ctx): T => {
    const chosen = choose(input);
    if (!(chosen instanceof z.ZodType)) {
      ctx.issues.push({ code: 'custom', message: chosen.reject, input, path: chosen.path ?? [] });
      return z.NEVER;
    }
    const result = chosen.safeParse(input, { error: errorMap });
    if (result.success) return result.data;
    // Already worded; the enclosing parse prefixes their paths as it unwinds.
    for (const issue of result.error.issues) ctx.issues.push(issue as z.core.$ZodRawIssue);
    return z.NEVER;
  }) as z.ZodType<T>;
}

export function isMapping(input: unknown): input is Record<string, unknown> {
  return typeof input === 'object' && input !== null && !Array.isArray(input);
}

/** Picks the form by the first of `forms`' keys present in the mapping. `what` names the
 *  thing for messages ("a measure"); `fallback` is used when no key matches. */
export function byKey<F extends Record<string, z.ZodType>>(
  what: string,
  forms: F,
  fallback?: z.ZodType<z.output<F[keyof F]>>,
): z.ZodType<z.output<F[keyof F]>> {
  const keys = Object.keys(forms);
  const list = keys.length > 1 ? `${keys.slice(0, -1).join(', ')} or ${keys[keys.length - 1]}` : keys.join('');
  return dispatch((input) => {
    if (!isMapping(input)) return { reject: `expected ${what} (a mapping with ${list})` };
    const key = keys.find((k) => Object.hasOwn(input, k));
    if (key !== undefined) return forms[key]! as z.ZodType<z.output<F[keyof F]>>;
    if (fallback) return fallback;
    const typo = Object.keys(input).find((k) => closest(k, keys) !== undefined);
    if (typo !== undefined) return { reject: unknownKey(typo, keys), path: [typo] };
    return { reject: `${what} needs one of ${list}` };
  });
}
