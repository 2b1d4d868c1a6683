// Measures that refer to other measures (trend, ratio): every name must exist, references
// must not go round in a cycle, and a trend needs a window it can take from somewhere.

import type { Finding, PathSegment } from '../errors.ts';
import { didYouMean } from './did-you-mean.ts';
import type { MeasureDoc } from './measure-schema.ts';
import type { ScorecardDoc } from './scorecard-schema.ts';

/** Prefix of the generated names of measures written inline in a score. */
export const INLINE_PREFIX = 'score:';

interface Reference {
  name: string;
  path: PathSegment[];
}

function references(m: MeasureDoc, at: PathSegment[]): Reference[] {
  if ('trend' in m) return [{ name: m.trend, path: [...at, 'trend'] }];
  if ('ratio' in m) return m.ratio.map((name, i) => ({ name, path: [...at, 'ratio', i] }));
  return [];
}

export function unknownMeasure(name: string, measures: Record<string, unknown>): string {
  return `unknown measure ${JSON.stringify(name)}${didYouMean(name, Object.keys(measures))}`;
}

export function checkMeasureGraph(doc: ScorecardDoc): Finding[] {
  const named = doc.measures ?? {};
  const findings: Finding[] = [];

  // Every measure with where it is written: the named ones, then those inline in a score.
  const all: { name?: string; measure: MeasureDoc; path: PathSegment[] }[] = [
    ...Object.entries(named).map(([name, measure]) => ({ name, measure, path: ['measures', name] })),
    ...(doc.scores ?? []).flatMap((s, i) =>
      typeof s.measure === 'string' ? [] : [{ measure: s.measure, path: ['scores', i, 'measure'] }],
    ),
  ];

  for (const name of Object.keys(named)) {
    if (name.startsWith(INLINE_PREFIX)) {
      findings.push({ path: ['measures', name], message: `measure names starting with "${INLINE_PREFIX}" are reserved for measures written inline in a score` });
    }
  }

  for (const { measure, path } of all) {
    for (const ref of references(measure, path)) {
      if (!Object.hasOwn(named, ref.name)) findings.push({ path: ref.path, message: unknownMeasure(ref.name, named) });
    }
    // A trend compares with the previous equally long period of an event measure; for
    // anything else there is no natural period, so it must be given.
    if ('trend' in measure && measure.window === undefined) {
      const of = Object.hasOwn(named, measure.trend) ? named[measure.trend] : undefined;
      if (of !== undefined && !('event' in of)) {
        findings.push({ path: [...path, 'window'], message: `missing required key "window" (a trend of ${JSON.stringify(measure.trend)}, which is not an event measure, needs one)` });
      }
    }
  }

  findings.push(...findCycles(named));
  return findings;
}

/** Each cycle once, as `a → b → a`, reported at the reference that starts it. */
function findCycles(named: Record<string, MeasureDoc>): Finding[] {
  const findings: Finding[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];

  const visit = (name: string) => {
    state.set(name, 'visiting');
    stack.push(name);
    for (const ref of references(named[name]!, ['measures', name])) {
      if (!Object.hasOwn(named, ref.name)) continue;
      const s = state.get(ref.name);
      if (s === undefined) visit(ref.name);
      else if (s === 'visiting') {
        const cycle = [...stack.slice(stack.indexOf(ref.name)), ref.name];
        const start = cycle[0]!;
        const path = references(named[start]!, ['measures', start]).find((r) => r.name === cycle[1])!.path;
        findings.push({ path, message: `measure cycle: ${cycle.join(' → ')}` });
      }
    }
    stack.pop();
    state.set(name, 'done');
  };

  for (const name of Object.keys(named)) if (!state.has(name)) visit(name);
  return findings;
}
