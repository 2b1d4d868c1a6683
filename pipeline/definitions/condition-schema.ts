// Conditions, as written: `{ attribute|measure|property: name, <op>: value }`,
// `{ attribute: name, missing: true }`, and `all` / `any` / `not` around them.

import { z } from 'zod';
import { byKey } from './dispatch.ts';
import { unlessMissing } from './zod-problems.ts';

export type SubjectKey = 'attribute' | 'measure' | 'property';
export type LiteralDoc = string | number | boolean;

export interface LeafDoc {
  attribute?: string;
  measure?: string;
  property?: string;
  eq?: LiteralDoc;
  ne?: LiteralDoc;
  lt?: LiteralDoc;
  lte?: LiteralDoc;
  gt?: LiteralDoc;
  gte?: LiteralDoc;
  in?: LiteralDoc[];
  not_in?: LiteralDoc[];
  missing?: boolean;
}

export type ConditionDoc = LeafDoc | { all: ConditionDoc[] } | { any: ConditionDoc[] } | { not: ConditionDoc };

export const SUBJECT_KEYS: readonly SubjectKey[] = ['attribute', 'measure', 'property'];
export const COMPARE_OPS = ['eq', 'ne', 'lt', 'lte', 'gt', 'gte'] as const;
export const LIST_OPS = ['in', 'not_in'] as const;
const OPS = [...COMPARE_OPS, ...LIST_OPS, 'missing'] as const;

/** A non-empty name: of a measure, attribute, property, event, band… Any text is fine —
 *  names reach SQL only as bound values or quoted identifiers. */
export const name = z.string().min(1);

export const literal = z.union([z.string(), z.number(), z.boolean()], {
  error: unlessMissing('expected a string, number, true or false'),
});

function leafSchema(allowed: readonly SubjectKey[]) {
  const where = allowed.includes('property');
  return z
    .object({
      attribute: name.optional(),
      measure: name.optional(),
      property: name.optional(),
      ...Object.fromEntries(COMPARE_OPS.map((op) => [op, literal.optional()])),
      in: z.array(literal).min(1).optional(),
      not_in: z.array(literal).min(1).optional(),
      missing: z.boolean().optional(),
    })
    .strict()
    .superRefine((leaf, ctx) => {
      const l = leaf as LeafDoc;
      const subjects = SUBJECT_KEYS.filter((k) => l[k] !== undefined);
      for (const s of subjects) {
        if (!allowed.includes(s)) {
          ctx.addIssue({
            code: 'custom',
            path: [s],
            message: where
              ? 'a where condition tests event properties: write { property: name, ... }'
              : 'property conditions are only allowed in the where of an event measure',
          });
        }
      }
      const names = allowed.join(' or ');
      if (subjects.length === 0) ctx.addIssue({ code: 'custom', message: `a condition needs ${names}` });
      if (subjects.length > 1) ctx.addIssue({ code: 'custom', message: `a condition tests one thing: ${subjects.join(' or ')}, not both` });
      const ops = OPS.filter((op) => l[op] !== undefined);
      if (ops.length === 0) ctx.addIssue({ code: 'custom', message: `a condition needs one operator: ${OPS.join(', ')}` });
      if (ops.length > 1) ctx.addIssue({ code: 'custom', message: `a condition takes one operator, found ${ops.join(' and ')}` });
    }) as z.ZodType<LeafDoc>;
}

/** Conditions whose leaves may test `allowed` subjects: attributes and measures for
 *  segments and insights, event properties inside an event measure's `where`. */
export function conditionSchema(allowed: readonly SubjectKey[]): z.ZodType<ConditionDoc> {
  const self: z.ZodType<ConditionDoc> = z.lazy(() => condition);
  const list = z.array(self).min(1);
  const condition: z.ZodType<ConditionDoc> = byKey(
    'a condition',
    {
      all: z.object({ all: list }).strict(),
      any: z.object({ any: list }).strict(),
      not: z.object({ not: self }).strict(),
      ...Object.fromEntries(allowed.map((k) => [k, leafSchema(allowed)])),
    } as Record<string, z.ZodType<ConditionDoc>>,
    leafSchema(allowed),
  );
  return condition;
}
