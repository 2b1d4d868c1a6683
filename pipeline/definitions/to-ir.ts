// Validated, resolved YAML → Scorecard IR. Fills in every default so the IR is explicit
// (and so two spellings of the same definition give the same IR and the same version).
// Assumes resolve.ts found nothing: references exist and trend windows can be found.

import type {
  Band,
  Condition,
  EventAggregate,
  Literal,
  Measure,
  MissingPolicy,
  Scorecard,
  Score,
  Scoring,
  Signal,
  Since,
} from '../ir/types.ts';
import { COMPARE_OPS, LIST_OPS, SUBJECT_KEYS, type ConditionDoc } from './condition-schema.ts';
import { days } from './duration.ts';
import { INLINE_PREFIX } from './measure-graph.ts';
import type { MeasureDoc } from './measure-schema.ts';
import { DEFAULT_SCALE } from './resolve.ts';
import { IMPACTS, type BandDoc, type ScorecardDoc, type ScoreDoc } from './scorecard-schema.ts';

export function toCondition(c: ConditionDoc): Condition {
  if ('all' in c) return { kind: 'all', conditions: c.all.map(toCondition) };
  if ('any' in c) return { kind: 'any', conditions: c.any.map(toCondition) };
  if ('not' in c) return { kind: 'not', condition: toCondition(c.not) };
  const key = SUBJECT_KEYS.find((k) => c[k] !== undefined)!;
  const subject = { kind: key, name: c[key]! };
  if (c.missing !== undefined) return { kind: 'missing', subject, missing: c.missing };
  const listOp = LIST_OPS.find((op) => c[op] !== undefined);
  if (listOp) return { kind: 'list', subject, op: listOp, values: c[listOp] as Literal[] };
  const op = COMPARE_OPS.find((o) => c[o] !== undefined)!;
  return { kind: 'compare', subject, op, value: c[op]! };
}

interface SignalDoc {
  event: string | string[];
  property?: string;
  where?: ConditionDoc;
}

function toSignal(s: SignalDoc): Signal {
  // Sorted and deduplicated: the same events in another order are the same signal.
  const events: Signal['events'] =
    s.event === '*' ? { kind: 'any' } : { kind: 'names', names: [...new Set([s.event].flat())].sort() };
  return {
    events,
    ...(s.property !== undefined && { property: s.property }),
    ...(s.where !== undefined && { where: toCondition(s.where) }),
  };
}

/** Our name of the events' user column. A distinct count of `property: user_id` counts
 *  that column (the users), i.e. it is distinct_users: the mapped column is not among the
 *  properties, so read as a property it would be 0 for every account. */
export const USER_COLUMN = 'user_id';

function toMeasure(m: MeasureDoc, named: Record<string, MeasureDoc>): Measure {
  if ('event' in m) {
    if (m.aggregate === 'distinct' && m.property === USER_COLUMN) {
      const { property: _, ...users } = m;
      return { kind: 'event', signal: toSignal(users), aggregate: 'distinct_users', window: days(m.window) };
    }
    return { kind: 'event', signal: toSignal(m), aggregate: (m.aggregate ?? 'count') as EventAggregate, window: days(m.window) };
  }
  if ('attribute' in m) {
    return { kind: 'attribute', attribute: m.attribute, ...(m.max_age !== undefined && { maxAge: days(m.max_age) }) };
  }
  if ('trend' in m) {
    // Default: the referenced event measure's own window, i.e. the previous equal period.
    const of = named[m.trend] as { window: string };
    return { kind: 'trend', of: m.trend, window: days(m.window ?? of.window) };
  }
  if ('ratio' in m) return { kind: 'ratio', numerator: m.ratio[0], denominator: m.ratio[1] };
  if ('age' in m) return { kind: 'age', since: toSince(m.age) };
  const g = m.goal;
  return {
    kind: 'goal',
    signal: toSignal(g),
    aggregate: (g.aggregate ?? 'count') as EventAggregate,
    target: g.target,
    within: days(g.within),
    since: toSince(g.since),
  };
}

function toSince(since: string): Since {
  return since === 'first_seen' ? { kind: 'first_seen' } : { kind: 'attribute', attribute: since };
}

function toBands(bands: readonly BandDoc[]): Band[] {
  return bands.map((b) => ({ label: b.label, from: b.from }));
}

function toScoring(s: ScoreDoc): Scoring {
  if (s.steps) return { kind: 'steps', steps: s.steps.map((st) => ({ ...(st.below !== undefined && { below: st.below }), score: st.score })) };
  if (s.map) return { kind: 'map', map: { ...s.map } };
  return { kind: 'linear', worst: s.worst!, best: s.best! };
}

function toMissing(m: ScoreDoc['missing']): MissingPolicy {
  if (m === undefined || m === 'exclude') return { kind: 'exclude' };
  return { kind: 'value', value: m === 'worst' ? 0 : m };
}

function toScore(s: ScoreDoc, measure: string): Score {
  return {
    id: s.id,
    name: s.name ?? s.id,
    ...(s.description !== undefined && { description: s.description }),
    tags: s.tags ?? [],
    measure,
    scoring: toScoring(s),
    ...(s.bands && { bands: toBands(s.bands) }),
    weight: s.weight ?? IMPACTS[s.impact ?? 'medium'],
    ...(s.segment !== undefined && { segment: s.segment }),
    ...(s.group !== undefined && { group: s.group }),
    missing: toMissing(s.missing),
  };
}

/** The IR of a scorecard; `version` is left empty for version.ts to fill in. */
export function toScorecard(doc: ScorecardDoc, file: string): Scorecard {
  const named = doc.measures ?? {};
  const measures: Record<string, Measure> = {};
  for (const [name, m] of Object.entries(named)) measures[name] = toMeasure(m, named);

  const scores = (doc.scores ?? []).map((s) => {
    if (typeof s.measure === 'string') return toScore(s, s.measure);
    // Inline: a generated name that no user measure can have (resolve.ts reserves the prefix).
    const generated = `${INLINE_PREFIX}${s.id}`;
    measures[generated] = toMeasure(s.measure, named);
    return toScore(s, generated);
  });

  const groups = doc.groups && Object.fromEntries(
    Object.entries(doc.groups).map(([name, g]) => [name, { weight: g.weight, combine: g.combine ?? 'average' }]),
  );

  return {
    id: doc.scorecard,
    name: doc.name ?? doc.scorecard,
    ...(doc.description !== undefined && { description: doc.description }),
    ...(doc.segment !== undefined && { segment: doc.segment }),
    scale: doc.scale ?? DEFAULT_SCALE,
    bands: toBands(doc.bands),
    ...(groups && { groups }),
    segments: Object.fromEntries(Object.entries(doc.segments ?? {}).map(([name, c]) => [name, toCondition(c)])),
    measures,
    scores,
    insights: (doc.insights ?? []).map((i) => ({
      id: i.id,
      name: i.name ?? i.id,
      when: toCondition(i.when),
      ...(i.band !== undefined && { band: i.band }),
      ...(i.segment !== undefined && { segment: i.segment }),
    })),
    alerts: (doc.alerts ?? []).map((a) => ({
      id: a.id,
      name: a.name ?? a.id,
      when: 'band_became' in a.when
        ? { kind: 'band_became', band: a.when.band_became }
        : { kind: 'score_dropped_by', points: a.when.score_dropped_by, within: days(a.when.within) },
    })),
    version: '',
    file,
  };
}
