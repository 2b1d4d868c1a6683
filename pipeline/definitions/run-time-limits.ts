// Limits of what a run can compute, checked by validate so that a definition beyond them is
// a problem with a line number rather than an internal error in the middle of a run.
// Each number was found by running generated scorecards on a tiny project (see
// test/definitions/run-time-limits.test.ts).

import type { Finding, PathSegment } from '../errors.ts';
import { MAX_DAYS, days } from './duration.ts';
import type { MeasureDoc } from './measure-schema.ts';
import type { ScorecardDoc } from './scorecard-schema.ts';

/** Deepest nesting of mappings and lists in a definition. Only conditions nest without
 *  bound (`not: { not: … }`, `all: [ { any: … } ]`); the schema checker overflows the
 *  JavaScript stack somewhere between 500 and 700 levels of `not`. 100 leaves room for
 *  any real condition, which can always be written flatter with all/any. */
export const MAX_NESTING = 100;

/** The path of the first value nested deeper than MAX_NESTING, if any. */
export function tooDeep(data: unknown, path: PathSegment[] = []): PathSegment[] | undefined {
  if (path.length > MAX_NESTING) return path;
  if (Array.isArray(data)) {
    for (let i = 0; i < data.length; i++) {
      const found = tooDeep(data[i], [...path, i]);
      if (found) return found;
    }
  } else if (typeof data === 'object' && data !== null) {
    for (const [key, value] of Object.entries(data)) {
      const found = tooDeep(value, [...path, key]);
      if (found) return found;
    }
  }
  return undefined;
}

export const TOO_DEEP = `nested more than ${MAX_NESTING} levels deep: write long conditions flat, with all or any`;

/** Most days before D that a measure may read, through trends of trends (each adds its
 *  window): about 1000 years. A run fails once the spine starts before year 1, about
 *  739000 days before today (a 1000000d window did); each window is at most MAX_DAYS, so
 *  only a chain of ten or more very long trends gets here. */
export const MAX_LOOK_BACK = 10 * MAX_DAYS;

/** A trend reads its input `window` days before D, and a trend of a trend adds up both;
 *  the total must stay within MAX_LOOK_BACK. Runs on a document whose references
 *  resolve; a cycle (reported elsewhere) counts as no look-back. */
export function checkLookBack(doc: ScorecardDoc): Finding[] {
  const named = doc.measures ?? {};
  const memo = new Map<string, number>();
  const visiting = new Set<string>();

  const lookBack = (m: MeasureDoc): number => {
    if ('event' in m) return days(m.window) - 1;
    if ('trend' in m) return trendBack(m);
    if ('ratio' in m) return Math.max(...m.ratio.map(byName));
    return 0;
  };
  const byName = (name: string): number => {
    const known = memo.get(name);
    if (known !== undefined) return known;
    const m = Object.hasOwn(named, name) ? named[name] : undefined;
    if (m === undefined || visiting.has(name)) return 0;
    visiting.add(name);
    const back = lookBack(m);
    visiting.delete(name);
    memo.set(name, back);
    return back;
  };
  const trendBack = (m: { trend: string; window?: string }): number => {
    const of = Object.hasOwn(named, m.trend) ? named[m.trend] : undefined;
    // The default window is the input event measure's own (resolve checks it is one).
    const window = m.window ?? (of && 'event' in of ? of.window : '0d');
    return byName(m.trend) + days(window);
  };

  const all: { measure: MeasureDoc; path: PathSegment[] }[] = [
    ...Object.entries(named).map(([name, measure]) => ({ measure, path: ['measures', name] })),
    ...(doc.scores ?? []).flatMap((s, i) => (typeof s.measure === 'string' ? [] : [{ measure: s.measure, path: ['scores', i, 'measure'] }])),
  ];
  return all.flatMap(({ measure, path }) => {
    if (!('trend' in measure)) return [];
    const back = trendBack(measure);
    if (back <= MAX_LOOK_BACK) return [];
    return [{
      path: [...path, measure.window === undefined ? 'trend' : 'window'],
      message: `this trend reads ${back} days back (its window plus the windows of what it compares), more than the ${MAX_LOOK_BACK} days a run can go back`,
    }];
  });
}
