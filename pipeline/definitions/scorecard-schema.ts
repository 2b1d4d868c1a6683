// The shape of `definitions/<scorecard>.yaml` (SPEC §3). Strict everywhere: an unknown key
// is an error, so a typo like `wieght` cannot silently fall back to a default. Checks
// that need the whole document (names, bands against the scale) live in resolve.ts.

import { z } from 'zod';
import { conditionSchema, name } from './condition-schema.ts';
import { byKey, dispatch, isMapping } from './dispatch.ts';
import { duration } from './duration.ts';
import { measureSchema, type MeasureDoc } from './measure-schema.ts';
import { unlessMissing } from './zod-problems.ts';

const LOWER_SNAKE = /^[a-z][a-z0-9_]*$/;

/** Scorecard and score ids end up as column values and file names: keep them plain. */
const id = z
  .string()
  .regex(LOWER_SNAKE, { error: 'expected a lower snake case id like "login_frequency"' });

const band = z.object({ label: name, from: z.number() }).strict();
const bands = z.array(band).min(1);

const step = z.object({ below: z.number().optional(), score: z.number() }).strict();

export const IMPACTS = { none: 0, low: 1, medium: 2, high: 3 } as const;

/** A measure name, or a measure written inline. */
const scoreMeasure = dispatch<string | MeasureDoc>((input) => {
  if (typeof input === 'string') return name;
  if (isMapping(input)) return measureSchema;
  return { reject: 'expected a measure name or a measure (a mapping with event, attribute, trend, ratio or goal)' };
});

const missing = z.union([z.enum(['exclude', 'worst']), z.number()], {
  error: unlessMissing('expected exclude, worst or a number'),
});

export const scoreSchema = z
  .object({
    id,
    name: name.optional(),
    description: z.string().optional(),
    tags: z.array(name).optional(),
    measure: scoreMeasure,
    worst: z.number().optional(),
    best: z.number().optional(),
    steps: z.array(step).min(1).optional(),
    map: z.record(z.string(), z.number()).optional(),
    bands: bands.optional(),
    impact: z.enum(Object.keys(IMPACTS) as [keyof typeof IMPACTS]).optional(),
    weight: z.number().min(0).optional(),
    segment: name.optional(),
    group: name.optional(),
    missing: missing.optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    const linear = s.worst !== undefined || s.best !== undefined;
    const kinds = [linear && 'worst/best', s.steps && 'steps', s.map && 'map'].filter(Boolean);
    if (kinds.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'a score needs worst and best, steps, or map' });
    } else if (kinds.length > 1) {
      ctx.addIssue({ code: 'custom', message: `a score is scored one way: ${kinds.join(' or ')}, not several` });
    } else if (linear) {
      const absent = s.worst === undefined ? 'worst' : s.best === undefined ? 'best' : undefined;
      if (absent) ctx.addIssue({ code: 'custom', path: [absent], message: `missing required key "${absent}" (a linear score needs worst and best)` });
    }
    if (s.impact !== undefined && s.weight !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['weight'], message: 'set impact or weight, not both' });
    }
  });

const group = z
  .object({ weight: z.number().min(0), combine: z.enum(['average', 'lowest', 'highest']).optional() })
  .strict();

/** Segments and insights test account attributes and measures. */
const accountCondition = conditionSchema(['attribute', 'measure']);

const insight = z
  .object({ id: name, name: name.optional(), when: accountCondition, band: name.optional(), segment: name.optional() })
  .strict();

const alertWhen = byKey('an alert condition', {
  band_became: z.object({ band_became: name }).strict(),
  score_dropped_by: z.object({ score_dropped_by: z.number().positive(), within: duration }).strict(),
});

const alert = z.object({ id: name, name: name.optional(), when: alertWhen }).strict();

export const scorecardSchema = z
  .object({
    scorecard: id,
    name: name.optional(),
    description: z.string().optional(),
    segment: name.optional(),
    scale: z.number().positive().optional(),
    bands,
    groups: z.record(z.string(), group).optional(),
    segments: z.record(z.string(), accountCondition).optional(),
    measures: z.record(z.string(), measureSchema).optional(),
    scores: z.array(scoreSchema).optional(),
    insights: z.array(insight).optional(),
    alerts: z.array(alert).optional(),
  })
  .strict();

export type ScorecardDoc = z.output<typeof scorecardSchema>;
export type ScoreDoc = z.output<typeof scoreSchema>;
export type BandDoc = z.output<typeof band>;
