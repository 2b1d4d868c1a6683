// Seeded random test cases: small event/attribute data sets, random scorecards drawn
// from the definition language and random overrides files. Everything follows from one
// integer seed.

import { stringify } from 'yaml';
import type { ChurnSource } from '../../pipeline/ir/types.ts';
import { csv, identity } from '../helpers/temp-project.ts';
import { dayNumber, dayString, type RefAttribute, type RefData, type RefEvent, type RefOverride } from './reference-scorer.ts';

// ---------------------------------------------------------------- PRNG

/** mulberry32: a tiny, well-mixed 32-bit generator. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  float(): number {
    return this.next();
  }
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** `n` distinct items, in their original order. */
  sample<T>(items: readonly T[], n: number): T[] {
    const chosen = new Set<number>();
    while (chosen.size < Math.min(n, items.length)) chosen.add(Math.floor(this.next() * items.length));
    return [...chosen].sort((a, b) => a - b).map((i) => items[i]!);
  }
}

// ---------------------------------------------------------------- data

export const EVENT_NAMES = ['login', 'api_call', 'ticket_opened', 'export'] as const;
const DURATIONS = ['0.5', '1', '1.5', '2', '3', '4.5', '10', '-1.5', '0', '', '', 'n/a'];
const TIERS = ['free', 'pro', 'ent', ''];
const TEXT_ATTRIBUTES: Record<string, string[]> = {
  plan: ['free', 'pro', 'enterprise'],
  sentiment: ['strong', 'ok', 'weak', 'meh'],
};

export interface CaseData {
  data: RefData;
  /** Every account id, including one that may have attributes only. */
  accounts: string[];
  /** Every day from the first day with data through the last event day. */
  days: string[];
  /** CSV files to write: path → text. */
  files: Record<string, string>;
  /** The events as written, for splitting them into instalments. */
  rows: EventRow[];
  /** The churn source of the project, when the case has churns. */
  churn?: ChurnSource;
}

const BASE_DAY = dayNumber('2025-03-01');

function clock(rng: Rng): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(rng.int(0, 23))}:${pad(rng.int(0, 59))}:${pad(rng.int(0, 59))}`;
}

/** 4–8 accounts over `dayCount` days, a few hundred events with properties (spread over
 *  two files with different extra columns) and attribute observations, some text, some
 *  several on one day, some observed before an account's first event. In most cases some
 *  accounts churn around the edges of the run's batches (`batches`: [first, last] day
 *  indexes; one batch of every day unless given). */
export function randomData(rng: Rng, dayCount = rng.int(20, 40), batches?: [number, number][]): CaseData {
  const accountCount = rng.int(4, 8);
  const accounts = Array.from({ length: accountCount }, (_, i) => `acc${i + 1}`);
  const lastDay = dayCount - 1;
  const start = new Map(accounts.map((a, i) => [a, i === 0 ? 0 : rng.chance(0.5) ? 0 : rng.int(0, Math.floor(dayCount / 2))]));
  // One account may have attributes only.
  const silent = accountCount > 4 && rng.chance(0.5) ? accounts[accountCount - 1] : undefined;
  const activity = new Map(accounts.map((a) => [a, rng.float() * 3 + 0.2]));
  const totalActivity = accounts.filter((a) => a !== silent).reduce((s, a) => s + activity.get(a)!, 0);

  const events: EventRow[] = [];
  // Ids stay unique though events are removed later (a mapped event_id deduplicates).
  let lastId = 0;
  const addEvent = (account: string, day: number) => {
    const props: Record<string, string | null> = {
      duration: rng.pick(DURATIONS) || null,
      tier: rng.pick(TIERS) || null,
      size: rng.chance(0.85) ? String(rng.int(1, 20)) : null,
    };
    const file = rng.chance(0.3) ? 'b' : 'a';
    if (file === 'b') delete props['size']; // file b has no size column at all
    const dayText = dayString(BASE_DAY + day);
    events.push({
      account,
      event: rng.pick([...EVENT_NAMES, 'login', 'login', 'api_call']),
      day: dayText,
      user: rng.chance(0.1) ? null : `u${rng.int(1, 5)}`,
      properties: props,
      timestamp: `${dayText} ${clock(rng)}`,
      id: `e${++lastId}`,
      file,
    });
  };
  const eventCount = rng.int(150, 400);
  for (let i = 0; i < eventCount; i++) {
    let r = rng.float() * totalActivity;
    let account = accounts[0]!;
    for (const a of accounts) {
      if (a === silent) continue;
      r -= activity.get(a)!;
      account = a;
      if (r <= 0) break;
    }
    // Activity comes in bursts: some days are much busier than others.
    const day = rng.chance(0.3) ? rng.int(start.get(account)!, lastDay) : Math.min(lastDay, start.get(account)! + Math.floor(Math.abs(rng.float() - rng.float()) * dayCount));
    addEvent(account, day);
  }
  addEvent(accounts[0]!, 0);
  addEvent(accounts[0]!, lastDay);
  // Batches given by the caller: always one account churned through the last batch's
  // first day and back on its last day.
  const churns = churnAroundBatches(rng, events, accounts.filter((a) => a !== silent), start, batches ?? [[0, lastDay]], addEvent, batches !== undefined);

  const attributes: (RefAttribute & { written: string })[] = [];
  for (const account of accounts) {
    for (const attribute of ['nps', 'plan', 'sentiment', 'seats']) {
      const used = new Set<string>();
      const n = rng.int(0, 4);
      for (let i = 0; i < n; i++) {
        // Mostly after the account starts; sometimes before (the first day then comes from
        // the attribute); sometimes after the last event day (never read).
        const day = rng.chance(0.15) ? rng.int(0, dayCount + 3) : rng.int(Math.max(0, start.get(account)! - 3), lastDay);
        const sameDay = attributes.find((o) => o.account === account && o.attribute === attribute);
        const dayText = rng.chance(0.15) && sameDay ? sameDay.day : dayString(BASE_DAY + day);
        const dateOnly = rng.chance(0.2);
        const at = `${dayText} ${dateOnly ? '00:00:00' : clock(rng)}`;
        if (used.has(at)) continue;
        used.add(at);
        const value =
          attribute === 'nps' ? (rng.chance(0.07) ? 'unknown' : String(rng.int(0, 10)))
            : attribute === 'seats' ? String(rng.int(1, 40))
              : rng.pick(TEXT_ATTRIBUTES[attribute]!);
        attributes.push({ account, attribute, value, day: dayText, at, written: dateOnly ? dayText : at });
      }
    }
  }
  if (silent && !attributes.some((a) => a.account === silent)) {
    const dayText = dayString(BASE_DAY + rng.int(0, lastDay));
    attributes.push({ account: silent, attribute: 'plan', value: 'pro', day: dayText, at: `${dayText} 08:00:00`, written: `${dayText} 08:00:00` });
  }
  // A date attribute, the start of goals and ages: a contract start that may lie before the
  // account's data, inside it or after it, may change, and is sometimes not a date at all.
  for (const account of accounts) {
    if (!rng.chance(0.7)) continue;
    const n = rng.int(1, 2);
    const used = new Set<string>();
    for (let i = 0; i < n; i++) {
      const dayText = dayString(BASE_DAY + rng.int(Math.max(0, start.get(account)! - 3), lastDay));
      const at = `${dayText} ${clock(rng)}`;
      if (used.has(at)) continue;
      used.add(at);
      const value = rng.chance(0.1) ? 'n/a' : dayString(BASE_DAY + rng.int(-15, dayCount + 5));
      attributes.push({ account, attribute: 'contract_start', value, day: dayText, at, written: at });
    }
  }

  const firstDay = Math.min(
    ...events.map((e) => dayNumber(e.day)),
    ...attributes.map((a) => dayNumber(a.day)),
  );
  const days: string[] = [];
  for (let d = firstDay; d <= BASE_DAY + lastDay; d++) days.push(dayString(d));

  // The churns come from a churn file or from a churn event (which is then an event like any other).
  let churn: ChurnSource | undefined;
  const files = eventFiles(events, attributes);
  if (churns.length && rng.chance(0.5)) {
    churn = { kind: 'file', path: 'churn.csv', format: 'csv', columns: identity(['account_id', 'churned_at']) };
    files['churn.csv'] = csv([['account_id', 'churned_at'], ...churns.map((c) => [c.account, dayString(BASE_DAY + c.day)])]);
  } else if (churns.length) {
    churn = { kind: 'event', event: 'cancelled' };
    for (const c of churns) {
      addEvent(c.account, c.day);
      events[events.length - 1]!.event = 'cancelled';
    }
    Object.assign(files, eventFiles(events, attributes));
  }

  return {
    data: {
      events: events.map(({ account, event, day, user, properties }) => ({ account, event, day, user, properties })),
      attributes: attributes.map(({ account, attribute, value, day, at }) => ({ account, attribute, value, day, at })),
      churns: churns.map((c) => ({ account: c.account, day: dayString(BASE_DAY + c.day) })),
    },
    accounts,
    days,
    files,
    rows: events,
    ...(churn && { churn }),
  };
}

/** Churns (day indexes) of 1–3 accounts, in 80% of the cases (always when `edgeFirst`),
 *  placed where the batch logic could go wrong: churned on or before a batch's first day
 *  and back on its last day, on the day after it, on its first day, or never; or back
 *  whenever the data has its next event. The account's events between the churn and its
 *  return are removed (acc1, whose events span the days, is left alone). With `edgeFirst`
 *  the earliest account is churned through the last batch's first day, back on its last. */
function churnAroundBatches(
  rng: Rng,
  events: EventRow[],
  accounts: string[],
  start: Map<string, number>,
  batches: [number, number][],
  addEvent: (account: string, day: number) => void,
  edgeFirst: boolean,
): { account: string; day: number }[] {
  const churns: { account: string; day: number }[] = [];
  const candidates = accounts.slice(1);
  if (!candidates.length || !(edgeFirst || rng.chance(0.8))) return churns;
  const lastDay = batches[batches.length - 1]![1];
  const chosen = rng.sample(candidates, rng.int(1, Math.min(3, candidates.length)));
  if (edgeFirst) {
    const earliest = [...candidates].sort((a, b) => start.get(a)! - start.get(b)!)[0]!;
    chosen.splice(0, chosen.length, earliest, ...chosen.filter((a) => a !== earliest));
  }
  for (const [k, account] of chosen.entries()) {
    const [from, to] = edgeFirst && k === 0 ? batches[batches.length - 1]! : rng.pick(batches);
    const first = start.get(account)!;
    if (first >= to) continue;
    const day = first > from ? rng.int(first, to - 1) : rng.int(Math.max(first, from - 3), from);
    const back = edgeFirst && k === 0 ? to : rng.pick([to, to, to + 1, from, undefined, 'natural'] as const);
    churns.push({ account, day });
    if (back === 'natural') continue;
    const until = back === undefined || back > lastDay ? Infinity : back;
    for (let i = events.length - 1; i >= 0; i--) {
      const e = events[i]!;
      const d = dayNumber(e.day) - BASE_DAY;
      if (e.account === account && d > day && d < until) events.splice(i, 1);
    }
    if (until !== Infinity && until > day) addEvent(account, until);
  }
  return churns;
}

export type EventRow = RefEvent & { timestamp: string; id: string; file: 'a' | 'b' };

function eventFiles(events: EventRow[], attributes: (RefAttribute & { written: string })[]): Record<string, string> {
  const files: Record<string, string> = {};
  const a = events.filter((e) => e.file === 'a');
  const b = events.filter((e) => e.file === 'b');
  files['events/a.csv'] = csv([
    ['account_id', 'event', 'timestamp', 'user_id', 'event_id', 'duration', 'tier', 'size'],
    ...a.map((e) => [e.account, e.event, e.timestamp, e.user, e.id, e.properties['duration'] ?? null, e.properties['tier'] ?? null, e.properties['size'] ?? null]),
  ]);
  if (b.length) {
    files['events/b.csv'] = csv([
      ['account_id', 'event', 'timestamp', 'user_id', 'event_id', 'duration', 'tier'],
      ...b.map((e) => [e.account, e.event, e.timestamp, e.user, e.id, e.properties['duration'] ?? null, e.properties['tier'] ?? null]),
    ]);
  }
  files['attributes.csv'] = csv([
    ['account_id', 'attribute', 'value', 'observed_at'],
    ...attributes.map((o) => [o.account, o.attribute, o.value, o.written]),
  ]);
  return files;
}

/** One events CSV file (every property column) of the events whose day is in [from, to],
 *  for runs that receive their data in instalments. */
export function eventsCsv(events: EventRow[], from: string, to: string): string {
  const rows = events
    .filter((e) => e.day >= from && e.day <= to)
    .map((e) => [e.account, e.event, e.timestamp, e.user, e.id, e.properties['duration'] ?? null, e.properties['tier'] ?? null, e.properties['size'] ?? null]);
  return csv([['account_id', 'event', 'timestamp', 'user_id', 'event_id', 'duration', 'tier', 'size'], ...rows]);
}

// ---------------------------------------------------------------- scorecards

export type Doc = Record<string, unknown>;

/** What a generated measure holds, to pick sensible literals, worst/best and maps. */
interface MeasureInfo {
  name: string;
  /** Typical range of the numeric value; undefined for text-only measures. */
  range?: [number, number];
  /** The text values it can take (attribute measures). */
  texts?: string[];
  isEvent: boolean;
  isAttribute: boolean;
  /** Goals and ages: read from the start day on, no window of their own. */
  sinceStart?: boolean;
}

const AGGREGATES = ['count', 'active_days', 'distinct_users', 'distinct', 'sum', 'avg', 'min', 'max'] as const;

function propertyCondition(rng: Rng, depth: number): Doc {
  if (depth < 2 && rng.chance(0.3)) {
    const kind = rng.pick(['all', 'any', 'not'] as const);
    if (kind === 'not') return { not: propertyCondition(rng, depth + 1) };
    return { [kind]: Array.from({ length: rng.int(1, 3) }, () => propertyCondition(rng, depth + 1)) };
  }
  switch (rng.int(0, 6)) {
    case 0:
      return { property: 'tier', [rng.pick(['eq', 'ne'])]: rng.pick(['free', 'pro', 'ent']) };
    case 1:
      return { property: 'tier', [rng.pick(['in', 'not_in'])]: rng.sample(['free', 'pro', 'ent'], rng.int(1, 2)) };
    case 2:
      return { property: 'duration', [rng.pick(['gt', 'gte', 'lt', 'lte', 'eq', 'ne'])]: rng.pick([0, 1, 1.5, 2, 3, 5]) };
    case 3:
      return { property: rng.pick(['size', 'duration']), [rng.pick(['in', 'not_in'])]: rng.sample([1, 2, 3, 5, 8, 10, 1.5], rng.int(1, 4)) };
    case 4:
      return { property: rng.pick(['tier', 'size', 'duration']), missing: rng.chance(0.5) };
    case 5:
      return { property: 'tier', [rng.pick(['lt', 'gte'])]: rng.pick(['g', 'p']) };
    default:
      return { property: 'size', [rng.pick(['gt', 'lte'])]: rng.int(3, 15) };
  }
}

function eventMeasure(rng: Rng): { doc: Doc; range: [number, number] } {
  const event = rng.pick<string | string[]>(['login', 'api_call', 'ticket_opened', 'export', '*', '*', ['login', 'export'], ['api_call', 'ticket_opened', 'login']]);
  const aggregate = rng.pick(AGGREGATES);
  const window = rng.pick([1, 2, 3, 5, 7, 7, 10, 14]);
  const doc: Doc = { event, window: `${window}d` };
  if (aggregate !== 'count' || rng.chance(0.5)) doc['aggregate'] = aggregate;
  let range: [number, number];
  if (['sum', 'avg', 'min', 'max'].includes(aggregate)) {
    const property = rng.pick(['duration', 'size']);
    doc['property'] = property;
    range = property === 'duration' ? [-1, 8] : [1, 20];
    if (aggregate === 'sum') range = [0, range[1] * Math.min(window, 4)];
  } else if (aggregate === 'distinct') {
    // size is absent from events/b.csv; user_id is the user column.
    doc['property'] = rng.pick(['tier', 'tier', 'size', 'duration', 'user_id']);
    range = [0, 6];
  } else {
    range = aggregate === 'count' ? [0, 2 * window] : aggregate === 'active_days' ? [0, window] : [0, 5];
  }
  if (rng.chance(0.35)) doc['where'] = propertyCondition(rng, 0);
  return { doc, range };
}

/** A goal: progress of count, active_days or sum since first_seen or the contract start,
 *  against a target reached within some days. Its value is around 0…2. */
function goalMeasure(rng: Rng): Doc {
  const goal: Doc = { event: rng.pick<string | string[]>(['login', 'api_call', 'export', '*', ['login', 'export']]) };
  const aggregate = rng.pick(['count', 'count', 'active_days', 'sum'] as const);
  if (aggregate !== 'count' || rng.chance(0.3)) goal['aggregate'] = aggregate;
  if (aggregate === 'sum') goal['property'] = rng.pick(['duration', 'size']);
  if (rng.chance(0.25)) goal['where'] = propertyCondition(rng, 0);
  goal['target'] = rng.pick([1, 2.5, 5, 10, 20, 40]);
  goal['within'] = `${rng.pick([1, 3, 7, 10, 20, 30, 60])}d`;
  goal['since'] = rng.pick(['first_seen', 'first_seen', 'contract_start']);
  return { goal };
}

function accountCondition(rng: Rng, measures: MeasureInfo[], depth: number): Doc {
  if (depth < 2 && rng.chance(0.35)) {
    const kind = rng.pick(['all', 'any', 'not'] as const);
    if (kind === 'not') return { not: accountCondition(rng, measures, depth + 1) };
    return { [kind]: Array.from({ length: rng.int(1, 3) }, () => accountCondition(rng, measures, depth + 1)) };
  }
  const numeric = measures.filter((m) => m.range);
  const texty = measures.filter((m) => m.texts);
  switch (rng.int(0, 7)) {
    case 0:
      return { attribute: 'plan', [rng.pick(['in', 'not_in'])]: rng.sample(['free', 'pro', 'enterprise'], rng.int(1, 2)) };
    case 1:
      return { attribute: rng.pick(['plan', 'sentiment']), [rng.pick(['eq', 'ne'])]: rng.pick(['pro', 'free', 'strong', 'weak']) };
    case 2:
      return { attribute: rng.pick(['nps', 'seats', 'plan']), [rng.pick(['gt', 'gte', 'lt', 'lte', 'eq'])]: rng.int(0, 10) };
    case 3:
      return { attribute: rng.pick(['sentiment', 'nps', 'seats', 'contract_start']), missing: rng.chance(0.5) };
    case 4:
    case 5:
      if (numeric.length) {
        const m = rng.pick(numeric);
        const [lo, hi] = m.range!;
        const literal = Math.round(lo + rng.float() * (hi - lo));
        if (rng.chance(0.2)) return { measure: m.name, [rng.pick(['in', 'not_in'])]: [literal, literal + 1, 0] };
        return { measure: m.name, [rng.pick(['gt', 'gte', 'lt', 'lte', 'eq', 'ne'])]: literal };
      }
      return { attribute: 'nps', gte: 5 };
    case 6:
      if (measures.length) return { measure: rng.pick(measures).name, missing: rng.chance(0.5) };
      return { attribute: 'plan', missing: true };
    default:
      if (texty.length) {
        const m = rng.pick(texty);
        const op = rng.pick(['eq', 'ne', 'in', 'not_in']);
        return { measure: m.name, [op]: op.endsWith('in') ? rng.sample(m.texts!, rng.int(1, 2)) : rng.pick(m.texts!) };
      }
      return { attribute: 'sentiment', eq: 'strong' };
  }
}

function bands(rng: Rng, scale: number): Doc[] {
  const labels = ['red', 'amber', 'yellow', 'green'];
  const count = rng.int(1, 4);
  const froms = new Set<number>([0]);
  while (froms.size < count) froms.add(Math.round(rng.float() * scale * 10) / 10 || 0.5);
  return [...froms].sort((a, b) => a - b).map((from, i) => ({ label: labels[i]!, from }));
}

function scoringFor(rng: Rng, m: MeasureInfo, scale: number): Doc {
  if (m.texts && (!m.range || rng.chance(0.3))) {
    const keys = rng.sample(m.texts, rng.int(1, m.texts.length));
    return { map: Object.fromEntries(keys.map((k) => [k, rng.pick([0, scale / 2, scale, Math.round(scale * 0.3 * 100) / 100])])) };
  }
  const [lo, hi] = m.range ?? [0, 10];
  const at = (f: number) => Math.round((lo + f * (hi - lo)) * 4) / 4;
  if (rng.chance(0.3)) {
    const belows = [...new Set([at(rng.float() * 0.4), at(0.3 + rng.float() * 0.4), at(0.6 + rng.float() * 0.4)])].sort((a, b) => a - b);
    const steps: Doc[] = belows.slice(0, rng.int(1, belows.length)).map((below) => ({ below, score: rng.pick([0, 1, scale / 4, scale / 2, scale]) }));
    steps.push({ score: rng.pick([scale, scale * 0.75, 0]) });
    return { steps };
  }
  let worst = at(rng.float() * 0.4);
  let best = at(0.5 + rng.float() * 0.5);
  if (best === worst) best = worst + 1;
  if (rng.chance(0.3)) [worst, best] = [best, worst];
  return { worst, best };
}

export interface RandomScorecard {
  id: string;
  yaml: string;
  /** The document the YAML was written from. */
  doc: Doc;
}

/** A random scorecard over the data of `randomData`. */
export function randomScorecard(rng: Rng, id: string): RandomScorecard {
  const scale = rng.pick([10, 10, 100, 5, 7]);
  const measures: Record<string, Doc> = {};
  const info: MeasureInfo[] = [];

  const eventCount = rng.int(1, 4);
  for (let i = 1; i <= eventCount; i++) {
    const { doc, range } = eventMeasure(rng);
    measures[`ev${i}`] = doc;
    info.push({ name: `ev${i}`, range, isEvent: true, isAttribute: false });
  }
  for (const attribute of rng.sample(['nps', 'plan', 'sentiment', 'seats'], rng.int(1, 4))) {
    const doc: Doc = { attribute };
    if (rng.chance(0.5)) doc['max_age'] = `${rng.int(1, 10)}d`;
    const name = `attr_${attribute}`;
    measures[name] = doc;
    const texts = TEXT_ATTRIBUTES[attribute] ?? (attribute === 'nps' ? ['unknown', '7', '10'] : undefined);
    const range: [number, number] | undefined = attribute === 'nps' ? [0, 10] : attribute === 'seats' ? [1, 40] : undefined;
    info.push({ name, ...(range && { range }), ...(texts && { texts }), isEvent: false, isAttribute: true });
  }
  // Goals and account ages, in a fraction of the scorecards.
  if (rng.chance(0.4)) {
    const goalCount = rng.int(1, 2);
    for (let i = 1; i <= goalCount; i++) {
      measures[`goal${i}`] = goalMeasure(rng);
      info.push({ name: `goal${i}`, range: [0, 2], isEvent: false, isAttribute: false, sinceStart: true });
    }
  }
  const ages: string[] = [];
  if (rng.chance(0.4)) {
    const since = rng.sample(['first_seen', 'contract_start'], rng.int(1, 2));
    since.forEach((s, i) => {
      measures[`age${i + 1}`] = { age: s };
      ages.push(`age${i + 1}`);
      info.push({ name: `age${i + 1}`, range: [0, 40], isEvent: false, isAttribute: false, sinceStart: true });
    });
  }
  const numeric = () => info.filter((m) => m.range);
  const trendCount = rng.int(0, 2);
  for (let i = 1; i <= trendCount; i++) {
    const events = info.filter((m) => m.isEvent);
    const fromStart = info.filter((m) => m.sinceStart);
    const ofAttribute = rng.chance(0.3) ? numeric().find((m) => m.isAttribute) : undefined;
    const ofStart = fromStart.length && rng.chance(0.3) ? rng.pick(fromStart) : undefined;
    const of = ofStart ?? ofAttribute ?? rng.pick(events);
    const doc: Doc = { trend: of.name };
    if (!of.isEvent || rng.chance(0.3)) doc['window'] = `${rng.int(1, 7)}d`;
    measures[`tr${i}`] = doc;
    info.push({ name: `tr${i}`, range: [-1, 1], isEvent: false, isAttribute: false });
  }
  const ratioCount = rng.int(0, 2);
  for (let i = 1; i <= ratioCount; i++) {
    const [a, b] = [rng.pick(numeric()), rng.pick(numeric())];
    measures[`ra${i}`] = { ratio: [a.name, b.name] };
    info.push({ name: `ra${i}`, range: [0, 2], isEvent: false, isAttribute: false });
  }
  // Derived from derived: a trend (with its own window) of a trend or a ratio.
  const derived = info.filter((m) => !m.isEvent && !m.isAttribute);
  if (derived.length && rng.chance(0.3)) {
    measures['tr_derived'] = { trend: rng.pick(derived).name, window: `${rng.int(1, 5)}d` };
    info.push({ name: 'tr_derived', range: [-1, 1], isEvent: false, isAttribute: false });
  }

  const segments: Record<string, Doc> = {};
  const segmentCount = rng.int(1, 2);
  for (let i = 1; i <= segmentCount; i++) segments[`seg${i}`] = accountCondition(rng, info, 1);
  // "Accounts younger than N days" (or older).
  if (ages.length && rng.chance(0.7)) segments['young'] = { measure: rng.pick(ages), [rng.pick(['lt', 'lt', 'gte'])]: rng.int(2, 20) };
  const segmentNames = Object.keys(segments);

  const groups: Record<string, Doc> | undefined = rng.chance(0.4)
    ? Object.fromEntries(
        Array.from({ length: rng.int(1, 3) }, (_, i) => {
          const g: Doc = { weight: rng.pick([0, 1, 2, 3, 5, 0.5]) };
          if (rng.chance(0.8)) g['combine'] = rng.pick(['average', 'lowest', 'highest']);
          return [`g${i + 1}`, g];
        }),
      )
    : undefined;

  const scoreCount = rng.chance(0.05) ? 0 : rng.int(1, 6);
  const scores: Doc[] = [];
  for (let i = 1; i <= scoreCount; i++) {
    const score: Doc = { id: `s${i}` };
    let m: MeasureInfo;
    if (rng.chance(0.15)) {
      const inline = eventMeasure(rng);
      score['measure'] = inline.doc;
      m = { name: '', range: inline.range, isEvent: true, isAttribute: false };
    } else if (rng.chance(0.05)) {
      score['measure'] = goalMeasure(rng);
      m = { name: '', range: [0, 2], isEvent: false, isAttribute: false, sinceStart: true };
    } else {
      m = rng.pick(info);
      score['measure'] = m.name;
    }
    Object.assign(score, scoringFor(rng, m, scale));
    const weighting = rng.int(0, 3);
    if (weighting === 1) score['impact'] = rng.pick(['none', 'low', 'medium', 'high']);
    if (weighting === 2) score['weight'] = rng.pick([0, 0.5, 1, 2.5, 4]);
    const missing = rng.int(0, 4);
    if (missing === 1) score['missing'] = 'exclude';
    if (missing === 2) score['missing'] = 'worst';
    if (missing === 3) score['missing'] = rng.pick([0, scale / 2, scale, Math.round(scale * 0.35 * 100) / 100]);
    if (rng.chance(0.2)) score['segment'] = rng.pick(segmentNames);
    if (rng.chance(0.15)) score['bands'] = bands(rng, scale);
    if (groups) score['group'] = rng.pick(Object.keys(groups));
    scores.push(score);
  }

  const cardBands = bands(rng, scale);
  const insights: Doc[] = [];
  const insightCount = rng.int(0, 3);
  for (let i = 1; i <= insightCount; i++) {
    const insight: Doc = { id: `i${i}`, when: accountCondition(rng, info, 0) };
    if (rng.chance(0.6)) insight['band'] = rng.pick(cardBands).label;
    if (rng.chance(0.2)) insight['segment'] = rng.pick(segmentNames);
    insights.push(insight);
  }

  const alerts: Doc[] = [];
  const alertCount = rng.int(0, 2);
  for (let i = 1; i <= alertCount; i++) {
    const when: Doc = rng.chance(0.5)
      ? { band_became: rng.pick(cardBands).label }
      // Points exact in binary, some of them steps between the scores of steps and maps
      // (0, scale/4, scale/2, scale), so that drops of exactly P occur.
      : { score_dropped_by: rng.pick([0.5, 1, 2.5, scale / 4, scale / 2, scale / 2]), within: `${rng.int(1, 7)}d` };
    alerts.push({ id: `al${i}`, when });
  }

  const doc: Doc = {
    scorecard: id,
    // The default scale is 10.
    ...(scale === 10 && rng.chance(0.4) ? {} : { scale }),
    bands: cardBands,
    ...(rng.chance(segments['young'] ? 0.3 : 0.15) && { segment: rng.pick(segmentNames) }),
    ...(groups && { groups }),
    segments,
    measures,
    scores,
    ...(insights.length && { insights }),
    ...(alerts.length && { alerts }),
  };
  return { id, yaml: stringify(doc), doc };
}

// ---------------------------------------------------------------- overrides

export const OVERRIDE_COLUMNS = ['account_id', 'scorecard', 'score_id', 'score', 'band', 'reason', 'author', 'starts_on', 'ends_on'];

const REASONS = [
  'Champion left',
  'NPS answer was about another product line',
  'Renewal at risk, per QBR',
  'Said "no" to the upsell',
  'escalation 4711',
  'Migration in progress',
];

/** One CSV cell, quoted when it holds a comma or a quote. */
function cell(v: string | number | null): string {
  if (v === null) return '';
  const t = String(v);
  return /[",\n]/.test(t) ? `"${t.replaceAll('"', '""')}"` : t;
}

/** A valid overrides file for `cards` over the accounts and days of `data`: score and
 *  global overrides with a score, a band or both, open-ended or lapsing, some before or
 *  after the scored days, some for an unknown account or a day the account is not scored,
 *  and overlapping ones for the same key (a later start wins, then a later row). */
export function randomOverrides(rng: Rng, data: CaseData, cards: RandomScorecard[]): { rows: RefOverride[]; csv: string } {
  const first = dayNumber(data.days[0]!);
  const last = dayNumber(data.days[data.days.length - 1]!);
  const rows: RefOverride[] = [];
  const count = rng.int(1, 10);
  for (let i = 0; i < count; i++) {
    // Overlaps: the same key again (which one wins?), or the same account and scorecard
    // with another score (several reasons).
    const reuse = rows.length ? rng.pick(['new', 'new', 'key', 'account'] as const) : 'new';
    const previous = reuse === 'new' ? undefined : rng.pick(rows);
    const card = previous ? cards.find((c) => c.id === previous.scorecard)! : rng.pick(cards);
    const doc = card.doc as { scale?: number; bands: { label: string }[]; scores: { id: string; bands?: { label: string }[] }[] };
    const scale = doc.scale ?? 10;
    let account: string;
    let scoreId: string | null;
    const anyScore = () => (doc.scores.length && rng.chance(0.6) ? rng.pick(doc.scores).id : null);
    if (previous) {
      account = previous.account;
      scoreId = reuse === 'key' ? previous.scoreId : anyScore();
    } else {
      account = rng.chance(0.05) ? 'acc99' : rng.pick(data.accounts);
      scoreId = anyScore();
    }
    const bands = (scoreId === null ? undefined : doc.scores.find((x) => x.id === scoreId)!.bands) ?? doc.bands;
    const what = rng.int(0, 2); // score, band or both
    const score = what === 1 ? null : rng.pick([0, scale, Math.round(rng.float() * scale * 100) / 100, Math.round(rng.float() * scale)]);
    const band = what === 0 ? null : rng.pick(bands).label;
    const startsOn = previous && rng.chance(reuse === 'key' ? 0.4 : 0.2) ? dayNumber(previous.startsOn) : rng.int(first - 3, last);
    const endsOn = rng.chance(0.35) ? null : startsOn + rng.int(0, 12);
    rows.push({
      account,
      scorecard: card.id,
      scoreId,
      score,
      band,
      reason: rng.pick(REASONS),
      startsOn: dayString(startsOn),
      endsOn: endsOn === null ? null : dayString(endsOn),
      line: i,
    });
  }
  const text = [OVERRIDE_COLUMNS, ...rows.map((o) => [o.account, o.scorecard, o.scoreId, o.score, o.band, o.reason, rng.pick(['sam.o', 'lee.w', null]), o.startsOn, o.endsOn])]
    .map((r) => r.map(cell).join(','))
    .join('\n') + '\n';
  return { rows, csv: text };
}
