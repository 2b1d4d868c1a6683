import type { Condition, Measure, Scorecard, Signal } from '../ir/types.ts';

/** What the compiler needs to know about a scorecard before writing SQL: the distinct
 *  daily signals, the attributes read, the measures in dependency order, and how many
 *  days of history before the first snapshot day the windows need. Pure data. */
export interface ScorecardPlan {
  scorecard: Scorecard;
  signals: PlannedSignal[];
  /** Attribute names read anywhere (measures, conditions, goal start dates). */
  attributes: string[];
  /** The ones whose observation day matters (max_age staleness). */
  datedAttributes: string[];
  /** Measures ordered so that every measure comes after the ones it reads. */
  measures: PlannedMeasure[];
  /** Days before the first snapshot day that must be on the spine; Infinity = all. */
  history: number;
}

export interface PlannedSignal {
  key: string;
  signal: Signal;
  /** Plain signals (no property, no where) are rolled up from daily_activity; the others
   *  are aggregated from raw_events for the days of the run. */
  fromDailyActivity: boolean;
  index: number;
}

export interface PlannedMeasure {
  name: string;
  measure: Measure;
  index: number;
  /** 0 for measures read from data, 1 + the deepest input for derived ones. */
  depth: number;
  history: number;
  /** Days before the first snapshot day on which this measure's value is read (by a trend
   *  over it): 0 when only the snapshot days need it. */
  readsBefore: number;
}

export function planScorecard(scorecard: Scorecard): ScorecardPlan {
  const signals = new Map<string, PlannedSignal>();
  const addSignal = (signal: Signal) => {
    const key = JSON.stringify(canonical(signal));
    if (!signals.has(key)) {
      const fromDailyActivity = signal.property === undefined && signal.where === undefined;
      signals.set(key, { key, signal, fromDailyActivity, index: signals.size });
    }
  };

  const attributes = new Set<string>();
  const measures = new Map<string, PlannedMeasure>();
  const visit = (name: string): PlannedMeasure => {
    const done = measures.get(name);
    if (done) return done;
    const measure = Object.hasOwn(scorecard.measures, name) ? scorecard.measures[name] : undefined;
    if (!measure) throw new Error(`unknown measure "${name}" (the parser should have rejected it)`);
    let depth = 0;
    let history = 0;
    switch (measure.kind) {
      case 'event':
        if (!countsDistinct(measure)) addSignal(measure.signal);
        history = measure.window - 1;
        break;
      case 'attribute':
        attributes.add(measure.attribute);
        break;
      case 'goal':
        addSignal(measure.signal);
        if (measure.since.kind === 'attribute') attributes.add(measure.since.attribute);
        history = Infinity;
        break;
      case 'age':
        if (measure.since.kind === 'attribute') attributes.add(measure.since.attribute);
        break;
      case 'trend': {
        const of = visit(measure.of);
        depth = of.depth + 1;
        history = of.history + measure.window;
        break;
      }
      case 'ratio': {
        const parts = [visit(measure.numerator), visit(measure.denominator)];
        depth = 1 + Math.max(...parts.map((p) => p.depth));
        history = Math.max(...parts.map((p) => p.history));
        break;
      }
    }
    const planned: PlannedMeasure = { name, measure, index: measures.size, depth, history, readsBefore: 0 };
    measures.set(name, planned);
    return planned;
  };
  for (const name of Object.keys(scorecard.measures).sort()) visit(name);

  const conditions: Condition[] = [
    ...Object.values(scorecard.segments),
    ...scorecard.insights.map((i) => i.when),
  ];
  for (const condition of conditions) {
    for (const subject of subjects(condition)) if (subject.kind === 'attribute') attributes.add(subject.name);
  }

  const planned = [...measures.values()];
  // Consumers come after their inputs, so one backward sweep settles readsBefore.
  for (const m of [...planned].reverse()) {
    if (m.measure.kind === 'trend') {
      const of = measures.get(m.measure.of)!;
      of.readsBefore = Math.max(of.readsBefore, m.readsBefore + m.measure.window);
    } else if (m.measure.kind === 'ratio') {
      for (const part of [m.measure.numerator, m.measure.denominator]) {
        const input = measures.get(part)!;
        input.readsBefore = Math.max(input.readsBefore, m.readsBefore);
      }
    }
  }
  return {
    scorecard,
    signals: [...signals.values()],
    attributes: [...attributes].sort(),
    datedAttributes: [...new Set(planned.flatMap((m) => (m.measure.kind === 'attribute' && m.measure.maxAge !== undefined ? [m.measure.attribute] : [])))].sort(),
    measures: planned,
    history: Math.max(0, ...planned.map((m) => m.history)),
  };
}

/** distinct_users and distinct count different values (users, property values) over the
 *  window, which no sum of daily figures gives: they read value-days of their own
 *  (daily-inputs.ts), not the shared daily columns. */
export function countsDistinct(measure: Measure): boolean {
  return measure.kind === 'event' && (measure.aggregate === 'distinct_users' || measure.aggregate === 'distinct');
}

export function subjects(condition: Condition): Extract<Condition, { subject: unknown }>['subject'][] {
  switch (condition.kind) {
    case 'all':
    case 'any':
      return condition.conditions.flatMap(subjects);
    case 'not':
      return subjects(condition.condition);
    default:
      return [condition.subject];
  }
}

export function signalFor(plan: ScorecardPlan, signal: Signal): PlannedSignal {
  const found = plan.signals.find((s) => s.key === JSON.stringify(canonical(signal)));
  if (!found) throw new Error('signal not planned');
  return found;
}

/** Key-sorted copy, so that equal signals written in a different order are one signal. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => [k, canonical(v)]),
    );
  }
  return value;
}
