// A deliberately plain reference implementation of the scoring semantics (SPEC §3.1–3.8:
// churn and reactivation, goals, account age, manual overrides and alerts): every value is
// recomputed with loops from the raw events, attributes, churns and overrides, one account
// and one day at a time. It is slow and obviously correct, so the SQL pipeline can be
// checked against it row by row. It scores the scorecard read from the generated document
// (doc-scorecard.ts), not the production parser's IR, so the parser is checked too.

import type { Band, Condition, EventAggregate, Literal, Measure, Scorecard, Score, Signal, Since } from '../../pipeline/ir/types.ts';

// ---------------------------------------------------------------- inputs and outputs

export interface RefEvent {
  account: string;
  event: string;
  /** Calendar day, `YYYY-MM-DD`. */
  day: string;
  user: string | null;
  /** Extra event columns as text; null = empty cell. */
  properties: Record<string, string | null>;
}

export interface RefAttribute {
  account: string;
  attribute: string;
  value: string | null;
  /** Calendar day of `at`. */
  day: string;
  /** Observation time, sortable text (`YYYY-MM-DD HH:MM:SS`). */
  at: string;
}

/** One row of the overrides file. */
export interface RefOverride {
  account: string;
  scorecard: string;
  /** null = the global score. */
  scoreId: string | null;
  score: number | null;
  band: string | null;
  reason: string;
  /** `YYYY-MM-DD`. */
  startsOn: string;
  /** `YYYY-MM-DD`; null = open-ended. */
  endsOn: string | null;
  /** Position in the file: among overrides that started on the same day, the later row wins. */
  line: number;
}

export interface RefData {
  events: RefEvent[];
  attributes: RefAttribute[];
  overrides?: RefOverride[];
  /** Rows of the churn source: the account is churned from `day`. */
  churns?: { account: string; day: string }[];
}

export interface RefScoreRow {
  snapshot_date: string;
  scorecard: string;
  account_id: string;
  score_id: string;
  raw_value: number | null;
  score: number | null;
  band: string | null;
  weight: number;
  status: 'ok' | 'missing' | 'stale' | 'overridden';
  /** The score before rounding (null when the score comes from a missing policy or is
   *  missing; an override's score when one sets it). */
  unrounded: number | null;
  /** True when the unrounded score lies within float noise of a rounding tie, so either
   *  neighbour is an acceptable rounded value. */
  tie: boolean;
  /** The band was set by an override: it must match exactly, even near a tie. */
  bandFixed: boolean;
}

export interface RefHealthRow {
  snapshot_date: string;
  scorecard: string;
  account_id: string;
  score: number | null;
  band: string | null;
  computed_score: number | null;
  computed_band: string | null;
  insights: string[];
  overridden: boolean;
  override_reason: string | null;
  definition_version: string;
  unrounded: number | null;
  /** The global score, or a score it averages, was near a rounding tie. */
  tie: boolean;
  /** What override_reason is made of: the global override's reason and the sorted,
   *  distinct reasons of the overridden score rows. */
  reasons: { global: string | null; scores: string[] };
  /** A global override set the final score / the final band: they must match exactly. */
  scoreFixed: boolean;
  bandFixed: boolean;
}

export interface RefAlertRow {
  alert_date: string;
  scorecard: string;
  account_id: string;
  alert_id: string;
  from_band: string | null;
  to_band: string | null;
  from_score: number | null;
  to_score: number | null;
  /** One of the two health rows compared was near a rounding tie. */
  tie: boolean;
}

export interface RefSnapshots {
  scores: RefScoreRow[];
  health: RefHealthRow[];
  alerts: RefAlertRow[];
}

// ---------------------------------------------------------------- days and numbers

const DAY_MS = 86_400_000;

export function dayNumber(day: string): number {
  return Math.round(Date.parse(`${day}T00:00:00Z`) / DAY_MS);
}

export function dayString(n: number): string {
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

/** A number written plainly (`-1.5`, `3`, `0.25`); anything else is not a number. */
export function parseNumber(text: string | null | undefined): number | null {
  if (text === null || text === undefined) return null;
  const t = text.trim();
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(t)) return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}

/** Rounded to 4 decimals, half away from zero. */
export function round4(x: number): number {
  return (Math.sign(x) * Math.round(Math.abs(x) * 1e4)) / 1e4;
}

/** Whether x is so close to a rounding tie (…xxxx5 at the fifth decimal) that float
 *  noise in the order of operations may round it either way. */
export function nearTie(x: number): boolean {
  const scaled = Math.abs(x) * 1e4;
  const frac = scaled - Math.floor(scaled);
  return Math.abs(frac - 0.5) < 1e-6;
}

/** The day number of a `YYYY-MM-DD` text (a real calendar date); null for anything else. */
export function parseDate(text: string | null | undefined): number | null {
  if (text === null || text === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(text)) return null;
  const n = dayNumber(text);
  return Number.isFinite(n) && dayString(n) === text ? n : null;
}

export function bandOf(score: number | null, bands: Band[]): string | null {
  if (score === null) return null;
  let label = bands[0]!.label;
  for (const b of bands) if (score >= b.from) label = b.label;
  return label;
}

// ---------------------------------------------------------------- the scorer

/** A measure's value at one day: its numeric view, its text view, and whether it is
 *  missing because its observation is too old. */
interface Value {
  num: number | null;
  text: string | null;
  stale: boolean;
}

const MISSING: Value = { num: null, text: null, stale: false };

function numberValue(n: number | null): Value {
  return { num: n, text: n === null ? null : String(n), stale: false };
}

export function referenceSnapshots(scorecard: Scorecard, data: RefData, days: string[]): RefSnapshots {
  const evaluate = (c: Condition, valueOf: (subject: { kind: string; name: string }) => Value) => evaluateCondition(c, valueOf);
  // Per account, its events and attribute observations.
  const accounts = new Set<string>();
  const eventsOf = new Map<string, RefEvent[]>();
  const attributesOf = new Map<string, RefAttribute[]>();
  const firstDay = new Map<string, number>();
  const seen = (account: string, day: string) => {
    accounts.add(account);
    const d = dayNumber(day);
    const first = firstDay.get(account);
    if (first === undefined || d < first) firstDay.set(account, d);
  };
  for (const e of data.events) {
    seen(e.account, e.day);
    if (!eventsOf.has(e.account)) eventsOf.set(e.account, []);
    eventsOf.get(e.account)!.push(e);
  }
  for (const a of data.attributes) {
    seen(a.account, a.day);
    if (!attributesOf.has(a.account)) attributesOf.set(a.account, []);
    attributesOf.get(a.account)!.push(a);
  }

  /** The latest observation of an attribute on or before day d (latest timestamp within
   *  a day; of two at the same instant, the greater value as text). */
  const latestObservation = (account: string, attribute: string, d: number): RefAttribute | undefined => {
    let best: RefAttribute | undefined;
    for (const a of attributesOf.get(account) ?? []) {
      if (a.attribute !== attribute || dayNumber(a.day) > d) continue;
      if (!best || a.day > best.day || (a.day === best.day && (a.at > best.at || (a.at === best.at && (a.value ?? '') > (best.value ?? ''))))) best = a;
    }
    return best;
  };

  const cache = new Map<string, Value>();
  const measureAt = (account: string, name: string, d: number): Value => {
    const key = `${account}\u0000${name}\u0000${d}`;
    let v = cache.get(key);
    if (v === undefined) {
      v = computeMeasure(account, scorecard.measures[name]!, d);
      cache.set(key, v);
    }
    return v;
  };

  const computeMeasure = (account: string, m: Measure, d: number): Value => {
    switch (m.kind) {
      case 'event': {
        const inWindow = (eventsOf.get(account) ?? []).filter((e) => {
          const day = dayNumber(e.day);
          return day >= d - m.window + 1 && day <= d && matchesSignal(e, m.signal);
        });
        const values: number[] = [];
        if (m.signal.property !== undefined) {
          for (const e of inWindow) {
            const n = parseNumber(e.properties[m.signal.property]);
            if (n !== null) values.push(n);
          }
        }
        switch (m.aggregate) {
          case 'count':
            return numberValue(inWindow.length);
          case 'active_days':
            return numberValue(new Set(inWindow.map((e) => e.day)).size);
          case 'distinct_users':
            return numberValue(new Set(inWindow.filter((e) => e.user !== null).map((e) => e.user)).size);
          case 'distinct': {
            // Text as written; user_id names the user column, not a property.
            const property = m.signal.property!;
            const valueOf = (e: RefEvent) => (property === 'user_id' ? e.user : e.properties[property] ?? null);
            return numberValue(new Set(inWindow.map(valueOf).filter((v) => v !== null)).size);
          }
          case 'sum': {
            let total = 0;
            for (const x of values) total += x;
            return numberValue(total);
          }
          case 'avg': {
            if (values.length === 0) return MISSING;
            let total = 0;
            for (const x of values) total += x;
            return numberValue(total / values.length);
          }
          case 'min':
            return numberValue(values.length ? Math.min(...values) : null);
          case 'max':
            return numberValue(values.length ? Math.max(...values) : null);
        }
        throw new Error('unreachable');
      }
      case 'attribute': {
        const obs = latestObservation(account, m.attribute, d);
        if (!obs) return MISSING;
        if (m.maxAge !== undefined && d - dayNumber(obs.day) > m.maxAge) return { num: null, text: null, stale: true };
        return { num: parseNumber(obs.value), text: obs.value, stale: false };
      }
      case 'trend': {
        const now = measureAt(account, m.of, d).num;
        const before = measureAt(account, m.of, d - m.window).num;
        if (now === null || before === null || before === 0) return MISSING;
        return numberValue((now - before) / before);
      }
      case 'ratio': {
        const a = measureAt(account, m.numerator, d).num;
        const b = measureAt(account, m.denominator, d).num;
        if (a === null || b === null || b === 0) return MISSING;
        return numberValue(a / b);
      }
      case 'goal': {
        // actual / expected; actual aggregates the matching events of start … d.
        const start = startDay(account, m.since, d);
        if (start === null || d < start) return MISSING;
        const matching = (eventsOf.get(account) ?? []).filter((e) => {
          const day = dayNumber(e.day);
          return day >= start && day <= d && matchesSignal(e, m.signal);
        });
        const actual = progress(matching, m.aggregate, m.signal.property);
        const expected = m.target * Math.min(1, (d - start + 1) / m.within);
        return numberValue(actual / expected);
      }
      case 'age': {
        const start = startDay(account, m.since, d);
        if (start === null || d < start) return MISSING;
        return numberValue(d - start);
      }
    }
  };

  /** The start day of a goal or an age as of d: the account's first day, or the date an
   *  attribute holds on d (its latest observation ≤ d); null when there is none. */
  const startDay = (account: string, since: Since, d: number): number | null => {
    if (since.kind === 'first_seen') return firstDay.get(account) ?? null;
    return parseDate(latestObservation(account, since.attribute, d)?.value);
  };

  /** Conditions of segments and insights: attributes as of d (no max_age), measures at d. */
  const accountSubject = (account: string, d: number) => (subject: { kind: string; name: string }): Value => {
    if (subject.kind === 'attribute') {
      const obs = latestObservation(account, subject.name, d);
      return obs ? { num: parseNumber(obs.value), text: obs.value, stale: false } : MISSING;
    }
    if (subject.kind === 'measure') return measureAt(account, subject.name, d);
    throw new Error(`a ${subject.kind} cannot be tested outside a where`);
  };

  const segmentHolds = (name: string | undefined, account: string, d: number): boolean => {
    if (name === undefined) return true;
    return evaluate(scorecard.segments[name]!, accountSubject(account, d));
  };

  // Manual overrides: per (account, score id or null) the one in force on d is the one that
  // started last, and among those the one further down the file.
  const overrides = (data.overrides ?? []).filter((o) => o.scorecard === scorecard.id);
  const overrideOn = (account: string, scoreId: string | null, d: number): RefOverride | undefined => {
    let best: RefOverride | undefined;
    for (const o of overrides) {
      if (o.account !== account || o.scoreId !== scoreId) continue;
      if (dayNumber(o.startsOn) > d || (o.endsOn !== null && d > dayNumber(o.endsOn))) continue;
      if (!best || o.startsOn > best.startsOn || (o.startsOn === best.startsOn && o.line > best.line)) best = o;
    }
    return best;
  };

  // Churned on d: some churn day c ≤ d with no event of the account in (c, d]. An event on
  // a later day is a reactivation: scored again from that day on.
  const churned = (account: string, d: number): boolean =>
    (data.churns ?? []).some((c) => {
      const churnDay = dayNumber(c.day);
      if (c.account !== account || churnDay > d) return false;
      return !(eventsOf.get(account) ?? []).some((e) => dayNumber(e.day) > churnDay && dayNumber(e.day) <= d);
    });

  const scoreRows: RefScoreRow[] = [];
  const healthRows: RefHealthRow[] = [];
  for (const day of days) {
    const d = dayNumber(day);
    for (const account of [...accounts].sort()) {
      if (firstDay.get(account)! > d) continue;
      if (churned(account, d)) continue;
      if (!segmentHolds(scorecard.segment, account, d)) continue;

      const rows: (RefScoreRow & { group?: string })[] = [];
      const scoreReasons = new Set<string>();
      for (const score of scorecard.scores) {
        if (!segmentHolds(score.segment, account, d)) continue;
        const row = scoreRow(scorecard, score, measureAt(account, score.measure, d), day, account);
        // A score override replaces the score and/or band of an existing row, before averaging.
        const o = overrideOn(account, score.id, d);
        if (o) {
          if (o.score !== null) Object.assign(row, { score: o.score, unrounded: o.score, tie: false });
          row.band = o.band ?? bandOf(row.score, score.bands ?? scorecard.bands);
          row.bandFixed = o.band !== null;
          row.status = 'overridden';
          scoreReasons.add(o.reason);
        }
        rows.push({ ...row, group: score.group });
      }
      for (const { group: _, ...row } of rows) scoreRows.push(row);

      // The global score.
      const present = rows.filter((r) => r.score !== null && r.weight > 0);
      let unrounded: number | null = null;
      if (!scorecard.groups) {
        unrounded = weightedAverage(present.map((r) => [r.score!, r.weight]));
      } else {
        const groupScores: [number, number][] = [];
        for (const [name, group] of Object.entries(scorecard.groups)) {
          const members = present.filter((r) => r.group === name);
          if (members.length === 0 || group.weight <= 0) continue;
          const scores = members.map((r) => r.score!);
          const value =
            group.combine === 'lowest' ? Math.min(...scores)
              : group.combine === 'highest' ? Math.max(...scores)
                : weightedAverage(members.map((r) => [r.score!, r.weight]))!;
          groupScores.push([value, group.weight]);
        }
        unrounded = weightedAverage(groupScores);
      }
      const computed = unrounded === null ? null : round4(unrounded);
      const computedBand = scorecard.scores.length === 0
        ? scorecard.bands[scorecard.bands.length - 1]!.label
        : bandOf(computed, scorecard.bands);

      // Insights.
      const subject = accountSubject(account, d);
      const fired = scorecard.insights
        .filter((i) => segmentHolds(i.segment, account, d) && evaluate(i.when, subject))
        .map((i) => i.id)
        .sort();
      const rank = (label: string) => scorecard.bands.findIndex((b) => b.label === label);
      let band = computedBand;
      for (const insight of scorecard.insights) {
        if (!fired.includes(insight.id) || insight.band === undefined) continue;
        if (band === null || rank(insight.band) < rank(band)) band = insight.band;
      }

      // A global override has the last word, over insights too.
      const global = overrideOn(account, null, d);
      let score = computed;
      if (global) {
        if (global.score !== null) score = global.score;
        band = global.band ?? (global.score !== null ? bandOf(global.score, scorecard.bands) : band);
      }
      const sortedReasons = [...scoreReasons].sort();
      const reasons = [...(global ? [global.reason] : []), ...sortedReasons];

      healthRows.push({
        snapshot_date: day,
        scorecard: scorecard.id,
        account_id: account,
        score,
        band,
        computed_score: computed,
        computed_band: computedBand,
        insights: fired,
        overridden: global !== undefined || rows.some((r) => r.status === 'overridden'),
        override_reason: reasons.length ? reasons.join('; ') : null,
        reasons: { global: global?.reason ?? null, scores: sortedReasons },
        definition_version: scorecard.version,
        unrounded,
        tie: (unrounded !== null && nearTie(unrounded)) || present.some((r) => r.tie),
        scoreFixed: global?.score != null,
        bandFixed: global !== undefined,
      });
    }
  }
  return { scores: scoreRows, health: healthRows, alerts: alertRows(scorecard, healthRows) };
}

/** Alerts (README "alerts"): on day D, band_became X fires when the band on D is X and the
 *  band on D − 1 was a better one; score_dropped_by P within N fires when
 *  score(D) ≤ score(D − N) − P. Both days need a snapshot; a missing value never fires. */
function alertRows(scorecard: Scorecard, health: RefHealthRow[]): RefAlertRow[] {
  const byKey = new Map(health.map((h) => [`${h.account_id} ${dayNumber(h.snapshot_date)}`, h]));
  const rank = (label: string | null) => (label === null ? null : scorecard.bands.findIndex((b) => b.label === label));
  const rows: RefAlertRow[] = [];
  for (const today of health) {
    for (const alert of scorecard.alerts) {
      const back = alert.when.kind === 'band_became' ? 1 : alert.when.within;
      const before = byKey.get(`${today.account_id} ${dayNumber(today.snapshot_date) - back}`);
      if (!before) continue;
      let fires: boolean;
      if (alert.when.kind === 'band_became') {
        const [was, is] = [rank(before.band), rank(today.band)];
        fires = today.band === alert.when.band && was !== null && is !== null && was > is;
      } else {
        fires = today.score !== null && before.score !== null && today.score <= before.score - alert.when.points;
      }
      if (!fires) continue;
      rows.push({
        alert_date: today.snapshot_date,
        scorecard: scorecard.id,
        account_id: today.account_id,
        alert_id: alert.id,
        from_band: before.band,
        to_band: today.band,
        from_score: before.score,
        to_score: today.score,
        tie: today.tie || before.tie,
      });
    }
  }
  return rows;
}

function weightedAverage(pairs: [number, number][]): number | null {
  let total = 0;
  let weights = 0;
  for (const [value, weight] of pairs) {
    total += value * weight;
    weights += weight;
  }
  return pairs.length === 0 || weights === 0 ? null : total / weights;
}

function scoreRow(scorecard: Scorecard, score: Score, value: Value, day: string, account: string): RefScoreRow {
  const unrounded = scoreOf(score, value, scorecard.scale);
  let result: number | null = unrounded === null ? null : round4(unrounded);
  const status = result !== null ? 'ok' : value.stale ? 'stale' : 'missing';
  if (result === null && score.missing.kind === 'value') result = score.missing.value;
  return {
    snapshot_date: day,
    scorecard: scorecard.id,
    account_id: account,
    score_id: score.id,
    raw_value: value.num,
    score: result,
    band: bandOf(result, score.bands ?? scorecard.bands),
    weight: score.weight,
    status,
    unrounded,
    tie: unrounded !== null && nearTie(unrounded),
    bandFixed: false,
  };
}

/** A goal's progress over its matching events: count, days with an event, or the sum of a
 *  numeric property (text that is not a number adds nothing). */
function progress(events: RefEvent[], aggregate: EventAggregate, property: string | undefined): number {
  switch (aggregate) {
    case 'count':
      return events.length;
    case 'active_days':
      return new Set(events.map((e) => e.day)).size;
    case 'sum': {
      let total = 0;
      for (const e of events) total += parseNumber(e.properties[property!]) ?? 0;
      return total;
    }
    default:
      throw new Error(`a goal does not aggregate by ${aggregate}`);
  }
}

/** The score on 0…scale before rounding; null when missing or (map) not listed. */
function scoreOf(score: Score, value: Value, scale: number): number | null {
  const s = score.scoring;
  switch (s.kind) {
    case 'linear': {
      const x = value.num;
      if (x === null) return null;
      return Math.max(0, Math.min(scale, ((x - s.worst) * scale) / (s.best - s.worst)));
    }
    case 'steps': {
      const x = value.num;
      if (x === null) return null;
      for (const step of s.steps) if (step.below === undefined || x < step.below) return step.score;
      return null;
    }
    case 'map':
      return value.text !== null && Object.hasOwn(s.map, value.text) ? s.map[value.text]! : null;
  }
}

function matchesSignal(e: RefEvent, signal: Signal): boolean {
  if (signal.events.kind === 'names' && !signal.events.names.includes(e.event)) return false;
  if (signal.where === undefined) return true;
  return evaluateCondition(signal.where, (subject) => {
    if (subject.kind !== 'property') throw new Error('a where tests event properties only');
    const text = e.properties[subject.name] ?? null;
    return { num: parseNumber(text), text, stale: false };
  });
}

// ---------------------------------------------------------------- conditions

/** Plain boolean logic; any comparison on a missing value is false. A number literal
 *  compares with the numeric view, a string literal with the text view. */
export function evaluateCondition(
  c: Condition,
  valueOf: (subject: { kind: string; name: string }) => Value,
): boolean {
  const evaluate = (x: Condition) => evaluateCondition(x, valueOf);
  switch (c.kind) {
    case 'all':
      return c.conditions.every(evaluate);
    case 'any':
      return c.conditions.some(evaluate);
    case 'not':
      return !evaluate(c.condition);
    case 'missing':
      return (valueOf(c.subject).text === null) === c.missing;
    case 'compare':
      return compare(valueOf(c.subject), c.op, c.value);
    case 'list': {
      const v = valueOf(c.subject);
      if (v.text === null) return false;
      const found = c.values.some((literal) => compare(v, 'eq', literal));
      return c.op === 'in' ? found : !found;
    }
  }
}

function compare(v: Value, op: 'eq' | 'ne' | 'lt' | 'lte' | 'gt' | 'gte', literal: Literal): boolean {
  if (typeof literal === 'boolean') throw new Error('the reference scorer does not compare booleans');
  const x: number | string | null = typeof literal === 'number' ? v.num : v.text;
  if (x === null) return false;
  switch (op) {
    case 'eq':
      return x === literal;
    case 'ne':
      return x !== literal;
    case 'lt':
      return x < literal;
    case 'lte':
      return x <= literal;
    case 'gt':
      return x > literal;
    case 'gte':
      return x >= literal;
  }
}
