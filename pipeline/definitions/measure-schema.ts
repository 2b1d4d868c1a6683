// Measures as written in YAML. Which kind a measure is follows from its key: event,
// attribute, trend, ratio or goal.

import { z } from 'zod';
import { conditionSchema, name } from './condition-schema.ts';
import { byKey } from './dispatch.ts';
import { duration } from './duration.ts';
import { unlessMissing } from './zod-problems.ts';

export const AGGREGATES = ['count', 'active_days', 'distinct_users', 'distinct', 'sum', 'avg', 'min', 'max'] as const;
const NUMERIC: readonly string[] = ['sum', 'avg', 'min', 'max'];

const events = z.union([name, z.array(name).min(1)], {
  error: unlessMissing('expected an event name, a list of event names, or "*" for every event'),
});

/** The keys an event measure and a goal share: which events, how aggregated. */
const signalShape = {
  event: events,
  aggregate: z.enum(AGGREGATES).optional(),
  property: name.optional(),
  where: conditionSchema(['property']).optional(),
};

interface SignalDoc {
  event: string | string[];
  aggregate?: string;
  property?: string;
}

function checkSignal(s: SignalDoc, ctx: z.RefinementCtx): void {
  const aggregate = s.aggregate ?? 'count';
  const readsProperty = NUMERIC.includes(aggregate) || aggregate === 'distinct';
  if (s.property === undefined && readsProperty) {
    const reads = aggregate === 'distinct' ? 'counts the different values of an event property' : 'reads a numeric event property';
    ctx.addIssue({ code: 'custom', path: ['property'], message: `missing required key "property" (aggregate ${aggregate} ${reads})` });
  }
  if (s.property !== undefined && !readsProperty) {
    ctx.addIssue({
      code: 'custom',
      path: ['property'],
      message: aggregate === 'distinct_users'
        ? 'distinct_users counts users and reads no property: write aggregate: distinct to count the different values of a property'
        : `property is only read by sum, avg, min, max and distinct, not by ${aggregate}`,
    });
  }
  if (Array.isArray(s.event) && s.event.includes('*')) {
    ctx.addIssue({ code: 'custom', path: ['event'], message: '"*" means every event; write event: "*" on its own' });
  }
}

export const eventMeasure = z
  .object({ ...signalShape, window: duration })
  .strict()
  .superRefine(checkSignal);

export const attributeMeasure = z.object({ attribute: name, max_age: duration.optional() }).strict();

export const trendMeasure = z.object({ trend: name, window: duration.optional() }).strict();

export const ratioMeasure = z
  .object({
    ratio: z.tuple([name, name], { error: unlessMissing('expected [numerator, denominator]: two measure names') }),
  })
  .strict();

export const goalMeasure = z
  .object({
    goal: z
      .object({
        ...signalShape,
        target: z.number().positive(),
        within: duration,
        /** `first_seen`, or the name of a date attribute. */
        since: name,
      })
      .strict()
      .superRefine(checkSignal)
      .superRefine(checkGoalAggregate),
  })
  .strict();

/** Progress since a start day is a running total, so only additive aggregates make sense. */
const GOAL_AGGREGATES: readonly string[] = ['count', 'active_days', 'sum'];
function checkGoalAggregate(g: SignalDoc, ctx: z.RefinementCtx): void {
  const aggregate = g.aggregate ?? 'count';
  if (!GOAL_AGGREGATES.includes(aggregate)) {
    ctx.addIssue({ code: 'custom', path: ['aggregate'], message: `a goal adds up progress, so its aggregate is count, active_days or sum, not ${aggregate}` });
  }
}

/** `age: first_seen` or `age: <date attribute>`: days since that day. */
export const ageMeasure = z.object({ age: name }).strict();

export const measureSchema = byKey('a measure', {
  event: eventMeasure,
  attribute: attributeMeasure,
  trend: trendMeasure,
  ratio: ratioMeasure,
  goal: goalMeasure,
  age: ageMeasure,
});

export type EventMeasureDoc = z.output<typeof eventMeasure>;
export type MeasureDoc = z.output<typeof measureSchema>;
