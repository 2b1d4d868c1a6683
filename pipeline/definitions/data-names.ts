// The event, property and attribute names a scorecard reads, with where each is written,
// kept in the IR (`source.dataNames`) for the check against the loaded data
// (check-against-data.ts): a misspelt name validates and runs, and scores every account 0.

import { formatPath, type PathSegment } from '../errors.ts';
import type { DataName } from '../ir/types.ts';
import type { ConditionDoc } from './condition-schema.ts';
import type { MeasureDoc } from './measure-schema.ts';
import type { ScorecardDoc } from './scorecard-schema.ts';
import { USER_COLUMN } from './to-ir.ts';
import type { YamlSource } from './yaml-source.ts';

interface SignalDoc {
  event: string | string[];
  aggregate?: string;
  property?: string;
  where?: ConditionDoc;
}

export function dataNames(doc: ScorecardDoc, source: YamlSource): DataName[] {
  const names: DataName[] = [];
  const add = (kind: DataName['kind'], name: string, path: PathSegment[]) =>
    names.push({ kind, name, line: source.lineOf(path), path: formatPath(path) });

  const where = (c: ConditionDoc, at: PathSegment[]) => {
    if ('all' in c) c.all.forEach((sub, i) => where(sub, [...at, 'all', i]));
    else if ('any' in c) c.any.forEach((sub, i) => where(sub, [...at, 'any', i]));
    else if ('not' in c) where(c.not, [...at, 'not']);
    else if (c.property !== undefined) add('property', c.property, [...at, 'property']);
  };
  const signal = (s: SignalDoc, at: PathSegment[]) => {
    if (Array.isArray(s.event)) s.event.forEach((event, j) => add('event', event, [...at, 'event', j]));
    else if (s.event !== '*') add('event', s.event, [...at, 'event']);
    // A distinct count of user_id reads the user column, not a property (to-ir.ts).
    const readsUsers = s.aggregate === 'distinct' && s.property === USER_COLUMN;
    if (s.property !== undefined && !readsUsers) add('property', s.property, [...at, 'property']);
    if (s.where !== undefined) where(s.where, [...at, 'where']);
  };
  const measure = (m: MeasureDoc, at: PathSegment[]) => {
    if ('event' in m) signal(m, at);
    else if ('goal' in m) signal(m.goal, [...at, 'goal']);
    else if ('attribute' in m) add('attribute', m.attribute, [...at, 'attribute']);
  };
  // Segments and insights test account attributes (and measures, checked by the definitions).
  const accountCondition = (c: ConditionDoc, at: PathSegment[]) => {
    if ('all' in c) c.all.forEach((sub, i) => accountCondition(sub, [...at, 'all', i]));
    else if ('any' in c) c.any.forEach((sub, i) => accountCondition(sub, [...at, 'any', i]));
    else if ('not' in c) accountCondition(c.not, [...at, 'not']);
    else if (c.attribute !== undefined) add('attribute', c.attribute, [...at, 'attribute']);
  };

  for (const [name, m] of Object.entries(doc.measures ?? {})) measure(m, ['measures', name]);
  (doc.scores ?? []).forEach((s, i) => {
    if (typeof s.measure !== 'string') measure(s.measure, ['scores', i, 'measure']);
  });
  for (const [name, c] of Object.entries(doc.segments ?? {})) accountCondition(c, ['segments', name]);
  (doc.insights ?? []).forEach((insight, i) => accountCondition(insight.when, ['insights', i, 'when']));
  return names;
}
