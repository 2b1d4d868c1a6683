// The scorecard the reference scores, read from the generated document itself rather than
// from the production parser's IR, so a parser mistake (worst/best swapped, a default
// changed, a condition tree mangled) shows up as a difference with the pipeline. Only
// the subset of the language that random-case.ts generates is understood; anything else
// throws, so the two stay in step. The IR types are reused as plain data shapes.

import type { Alert, Band, Condition, Literal, Measure, Scorecard, Score, Scoring, Signal, Since } from '../../pipeline/ir/types.ts';

type Doc = Record<string, any>;

const IMPACTS: Record<string, number> = { none: 0, low: 1, medium: 2, high: 3 };

/** `7d` → 7. */
function days(text: unknown): number {
  const m = /^(\d+)d$/.exec(String(text));
  if (!m) throw new Error(`doc-scorecard: not a number of days: ${String(text)}`);
  return Number(m[1]);
}

function condition(doc: Doc): Condition {
  if ('all' in doc) return { kind: 'all', conditions: (doc['all'] as Doc[]).map(condition) };
  if ('any' in doc) return { kind: 'any', conditions: (doc['any'] as Doc[]).map(condition) };
  if ('not' in doc) return { kind: 'not', condition: condition(doc['not']) };
  const key = (['attribute', 'measure', 'property'] as const).find((k) => k in doc);
  if (!key) throw new Error(`doc-scorecard: a condition without a subject: ${JSON.stringify(doc)}`);
  const subject = { kind: key, name: String(doc[key]) };
  const ops = Object.keys(doc).filter((k) => k !== key);
  if (ops.length !== 1) throw new Error(`doc-scorecard: expected one operator in ${JSON.stringify(doc)}`);
  const op = ops[0]!;
  if (op === 'missing') return { kind: 'missing', subject, missing: doc[op] as boolean };
  if (op === 'in' || op === 'not_in') return { kind: 'list', subject, op, values: doc[op] as Literal[] };
  if (['eq', 'ne', 'lt', 'lte', 'gt', 'gte'].includes(op)) return { kind: 'compare', subject, op: op as 'eq', value: doc[op] as Literal };
  throw new Error(`doc-scorecard: unknown operator ${op}`);
}

function signal(doc: Doc): Signal {
  const event = doc['event'] as string | string[];
  const names = Array.isArray(event) ? event : [event];
  return {
    events: names.includes('*') ? { kind: 'any' } : { kind: 'names', names },
    ...(doc['property'] !== undefined && { property: String(doc['property']) }),
    ...(doc['where'] !== undefined && { where: condition(doc['where']) }),
  };
}

const since = (s: string): Since => (s === 'first_seen' ? { kind: 'first_seen' } : { kind: 'attribute', attribute: s });

function measure(doc: Doc, all: Record<string, Doc>): Measure {
  if ('event' in doc) return { kind: 'event', signal: signal(doc), aggregate: doc['aggregate'] ?? 'count', window: days(doc['window']) };
  if ('attribute' in doc) {
    return { kind: 'attribute', attribute: doc['attribute'], ...(doc['max_age'] !== undefined && { maxAge: days(doc['max_age']) }) };
  }
  if ('trend' in doc) {
    // Without its own window, a trend compares over its event measure's window.
    const of = String(doc['trend']);
    const window = doc['window'] ?? all[of]?.['window'];
    return { kind: 'trend', of, window: days(window) };
  }
  if ('ratio' in doc) return { kind: 'ratio', numerator: doc['ratio'][0], denominator: doc['ratio'][1] };
  if ('goal' in doc) {
    const g = doc['goal'] as Doc;
    return { kind: 'goal', signal: signal(g), aggregate: g['aggregate'] ?? 'count', target: g['target'], within: days(g['within']), since: since(g['since']) };
  }
  if ('age' in doc) return { kind: 'age', since: since(doc['age']) };
  throw new Error(`doc-scorecard: unknown measure ${JSON.stringify(doc)}`);
}

function scoring(doc: Doc): Scoring {
  if ('map' in doc) return { kind: 'map', map: { ...doc['map'] } };
  if ('steps' in doc) return { kind: 'steps', steps: (doc['steps'] as Doc[]).map((s) => ({ ...(s['below'] !== undefined && { below: s['below'] }), score: s['score'] })) };
  if ('worst' in doc && 'best' in doc) return { kind: 'linear', worst: doc['worst'], best: doc['best'] };
  throw new Error(`doc-scorecard: a score without scoring: ${JSON.stringify(doc)}`);
}

const bands = (doc: Doc[]): Band[] => doc.map((b) => ({ label: b['label'], from: b['from'] }));

/** The scorecard of a generated document. `version` is the definition hash, which only
 *  production computes (test/definitions/version.test.ts checks it). */
export function scorecardFromDoc(doc: Doc, version: string): Scorecard {
  const measureDocs = { ...(doc['measures'] as Record<string, Doc>) };
  const scores: Score[] = (doc['scores'] as Doc[]).map((s) => {
    let name = s['measure'];
    if (typeof name !== 'string') {
      // An inline measure: any name no document uses.
      name = `\u0000inline ${s['id']}`;
      measureDocs[name] = s['measure'];
    }
    const missing = s['missing'] === undefined || s['missing'] === 'exclude'
      ? { kind: 'exclude' as const }
      : { kind: 'value' as const, value: s['missing'] === 'worst' ? 0 : s['missing'] };
    return {
      id: s['id'],
      name: s['id'],
      tags: [],
      measure: name,
      scoring: scoring(s),
      ...(s['bands'] && { bands: bands(s['bands']) }),
      weight: s['weight'] ?? IMPACTS[s['impact'] ?? 'medium']!,
      ...(s['segment'] !== undefined && { segment: s['segment'] }),
      ...(s['group'] !== undefined && { group: s['group'] }),
      missing,
    };
  });
  const measures = Object.fromEntries(Object.entries(measureDocs).map(([n, m]) => [n, measure(m, measureDocs)]));
  const groups = doc['groups'] as Record<string, Doc> | undefined;
  const alerts: Alert[] = ((doc['alerts'] ?? []) as Doc[]).map((a) => {
    const when = a['when'] as Doc;
    return {
      id: a['id'],
      name: a['id'],
      when: 'band_became' in when
        ? { kind: 'band_became', band: when['band_became'] }
        : { kind: 'score_dropped_by', points: when['score_dropped_by'], within: days(when['within']) },
    };
  });
  return {
    id: doc['scorecard'],
    name: doc['scorecard'],
    ...(doc['segment'] !== undefined && { segment: doc['segment'] }),
    scale: doc['scale'] ?? 10,
    bands: bands(doc['bands']),
    ...(groups && { groups: Object.fromEntries(Object.entries(groups).map(([n, g]) => [n, { weight: g['weight'], combine: g['combine'] ?? 'average' }])) }),
    segments: Object.fromEntries(Object.entries((doc['segments'] ?? {}) as Record<string, Doc>).map(([n, c]) => [n, condition(c)])),
    measures,
    scores,
    insights: ((doc['insights'] ?? []) as Doc[]).map((i) => ({
      id: i['id'],
      name: i['id'],
      when: condition(i['when']),
      ...(i['band'] !== undefined && { band: i['band'] }),
      ...(i['segment'] !== undefined && { segment: i['segment'] }),
    })),
    alerts,
    version,
    file: `definitions/${doc['scorecard']}.yaml`,
  };
}
