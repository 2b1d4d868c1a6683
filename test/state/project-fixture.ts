// A tiny project for the state tests, kept as a model (rows, definitions, healthscore.yaml
// settings) that edits change and that is written to a project folder. Six accounts, 36
// days (2025-01-01 … 2025-02-05), events as CSV in several files, long attributes, an
// accounts file, a churn file with a reactivation, a reactivations file (read when
// `reactivated_by` names it), an overrides file and one scorecard (an edit adds a second one).
// Small on purpose: most of a run's cost is per run, and the tests run the project often.
import { copyFile, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ChurnSource, ProjectConfig } from '../../pipeline/ir/types.ts';
import { addDays } from '../../pipeline/days.ts';
import { afterAll, beforeAll } from 'vitest';
import { csv, identity } from '../helpers/temp-project.ts';
import { duckdbEngine, type TestEngine } from '../helpers/engines.ts';
import { StateProject, diffExports, diffStates, freshState, type ProducedState } from './compare-with-fresh.ts';

export const FIRST_DAY = '2025-01-01';
export const DAYS = 36;
export const LOOKBACK = 3;
export const ACCOUNTS = ['a', 'b', 'c', 'd', 'e', 'f'];
/** The folders a fresh copy of the project takes (not the warehouse, not the export). */
export const INPUTS = ['data', 'definitions'];

export interface EventRow {
  account: string;
  event: string;
  ts: string;
  user: string;
  device: string;
  id: string;
}
export interface OverrideRow {
  account: string;
  scorecard: string;
  score_id: string;
  score: string;
  band: string;
  reason: string;
  starts_on: string;
  ends_on: string;
}

export interface Model {
  /** Events files by path relative to the project root. */
  events: Record<string, EventRow[]>;
  attributes: { account: string; attribute: string; value: string; observed_at: string }[];
  accounts: { account: string; created_at: string }[];
  churn: { account: string; day: string }[];
  /** The rows of data/reactivations.csv. */
  reactivations: { account: string; day: string }[];
  overrides: OverrideRow[];
  /** Definition files by path relative to the project root. */
  definitions: Record<string, string>;
  /** The names the files give to columns that an edit may rename. */
  header: { event: string; timestamp: string; churned_at: string };
  /** Which file column `user_id` is mapped to. */
  userColumn: 'user_id' | 'device';
  /** How the events files write their times, and the events' timestamp_format (EVENT_TIMES). */
  eventTimes: keyof typeof EVENT_TIMES;
  /** Whether healthscore.yaml lists the churn source (its file stays either way). */
  churnSource: boolean;
  /** The churn source's reactivated_by: left out (any event), logins only, or the file. */
  reactivatedBy: 'any' | 'login' | 'file';
  timezone: string;
  startDate?: string;
  exportPath: string;
  formats: ('parquet' | 'arrow')[];
  partition: 'day' | 'month';
  /** For unique file names and event ids. */
  counter: number;
}

export const HEALTH = `scorecard: health
bands: [{ label: red, from: 0 }, { label: yellow, from: 3 }, { label: green, from: 7 }]
measures:
  logins: { event: login, window: 7d }
  active: { event: "*", aggregate: active_days, window: 14d }
  users: { event: "*", aggregate: distinct_users, window: 5d }
  trend: { trend: logins }
  nps: { attribute: nps, max_age: 10d }
  tickets: { event: ticket, window: 7d }
  devices: { event: "*", aggregate: distinct, property: device, window: 5d }
scores:
  - { id: logins, measure: logins, worst: 0, best: 6, impact: high }
  - { id: active, measure: active, worst: 1, best: 10 }
  - { id: users, measure: users, worst: 0, best: 3 }
  - { id: trend, measure: trend, worst: -1, best: 1, impact: low }
  - { id: nps, measure: nps, worst: 0, best: 10 }
  - { id: tickets, measure: tickets, worst: 3, best: 0, impact: low }
  - { id: devices, measure: devices, worst: 0, best: 2, impact: low }
insights:
  - { id: quiet, when: { measure: active, lte: 1 }, band: yellow }
alerts:
  - { id: to_red, when: { band_became: red } }
  - { id: drop, when: { score_dropped_by: 2, within: 3d } }
`;

export const USAGE = `scorecard: usage
scale: 100
segment: pro
segments:
  pro: { attribute: plan, in: [pro] }
bands: [{ label: low, from: 0 }, { label: high, from: 50 }]
measures:
  views: { event: view, window: 10d }
  seen_users: { event: "*", aggregate: distinct_users, window: 10d }
scores:
  - { id: views, measure: views, worst: 0, best: 8 }
  - { id: seen_users, measure: seen_users, worst: 0, best: 4 }
alerts:
  - { id: fell_low, when: { band_became: low } }
`;

/** The ways the events files may write a time (the model keeps ISO text), each with the
 *  timestamp_format that reads it. The last two read the same text, as an instant and as a
 *  UTC time that ends in "+0900": only healthscore.yaml tells them apart. */
export const EVENT_TIMES = {
  iso: { format: undefined, text: (ts: string) => ts },
  us: { format: '%m/%d/%Y %H:%M:%S', text: (ts: string) => usTime(ts) },
  'us-zone': { format: '%m/%d/%Y %H:%M:%S %z', text: (ts: string) => `${usTime(ts)} +0900` },
  'us-literal-zone': { format: '%m/%d/%Y %H:%M:%S +0900', text: (ts: string) => `${usTime(ts)} +0900` },
} as const;

/** `2025-01-08 10:00:00` → `01/08/2025 10:00:00`. */
const usTime = (ts: string) => `${ts.slice(5, 7)}/${ts.slice(8, 10)}/${ts.slice(0, 4)}${ts.slice(10)}`;

/** A deterministic pseudo-random generator (mulberry32). */
export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
    chance: (p: number) => next() < p,
  };
}
export type Rng = ReturnType<typeof rng>;

export const day = (offset: number) => addDays(FIRST_DAY, offset);

/** Random events of `account` on `d`, with ids from the model's counter. */
export function eventsOn(m: Model, r: Rng, account: string, d: string, n: number, kinds = ['login', 'login', 'login', 'view', 'view', 'ticket']): EventRow[] {
  const rows: EventRow[] = [];
  for (let i = 0; i < n; i++) {
    const hour = String(r.int(0, 23)).padStart(2, '0');
    const minute = String(r.int(0, 59)).padStart(2, '0');
    rows.push({
      account,
      event: r.pick(kinds),
      ts: `${d} ${hour}:${minute}:00`,
      user: `${account}-u${r.int(0, 3)}`,
      device: `dev${r.int(0, 1)}`,
      id: `e${++m.counter}`,
    });
  }
  return rows;
}

/** The base project (its own seed, the same for every test); `days` ≥ 36. */
export function baseModel(days = DAYS): Model {
  const m: Model = {
    events: {}, attributes: [], accounts: [], churn: [], reactivations: [], overrides: [], definitions: {},
    header: { event: 'event', timestamp: 'timestamp', churned_at: 'churned_at' },
    userColumn: 'user_id', eventTimes: 'iso', churnSource: true, reactivatedBy: 'any', timezone: 'UTC', exportPath: 'out', formats: ['parquet'], partition: 'day', counter: 0,
  };
  const r = rng(1);
  const parts: [string, number, number][] = [['data/events/part-1.csv', 0, 13], ['data/events/part-2.csv', 14, 27], ['data/events/part-3.csv', 28, days - 1]];
  for (const [path, from, to] of parts) {
    const rows: EventRow[] = [];
    for (let o = from; o <= to; o++) {
      for (const account of ACCOUNTS) {
        let n = r.int(0, 3);
        if (account === 'a') n += 1;
        if (account === 'c' && o > 22) n = r.chance(0.15) ? 1 : 0; // fades: red, alerts
        if (account === 'd' && o >= 12 && o < 20) n = 0; // churned on day 14, back on day 20
        if (account === 'e') n = r.chance(0.3) ? 1 : 0;
        if (account === 'f' && o < 10) n = 0; // created on day 7, first event on day 10
        // d is back on day 20 with tickets only: reactivated_by [login] brings it back later.
        const backWithTickets = account === 'd' && o === 20;
        if (backWithTickets) n = Math.max(n, 1);
        rows.push(...eventsOn(m, r, account, day(o), n, backWithTickets ? ['ticket'] : undefined));
      }
    }
    m.events[path] = rows;
  }
  for (const account of ACCOUNTS) {
    m.accounts.push({ account, created_at: account === 'f' ? day(7) : FIRST_DAY });
    m.attributes.push({ account, attribute: 'plan', value: ['a', 'b', 'c', 'f'].includes(account) ? 'pro' : 'free', observed_at: account === 'f' ? day(7) : FIRST_DAY });
  }
  for (const [account, o, v] of [['a', 1, 9], ['b', 4, 3], ['c', 12, 7], ['a', 18, 2], ['d', 24, 8], ['b', 30, 10]] as const) {
    m.attributes.push({ account, attribute: 'nps', value: String(v), observed_at: day(o) });
  }
  m.churn.push({ account: 'd', day: day(14) });
  m.reactivations.push({ account: 'd', day: day(22) }, { account: 'e', day: day(5) });
  m.overrides.push(
    { account: 'a', scorecard: 'health', score_id: 'logins', score: '1', band: '', reason: 'logins counted twice', starts_on: day(8), ends_on: day(12) },
    { account: 'b', scorecard: 'health', score_id: '', score: '', band: 'red', reason: 'champion left', starts_on: day(27), ends_on: '' },
  );
  m.definitions['definitions/health.yaml'] = HEALTH;
  return m;
}

export function cloneModel(m: Model): Model {
  return structuredClone(m);
}

/** The healthscore.yaml the model stands for, as config overrides for `root`. */
export function modelConfig(m: Model, root: string): Partial<ProjectConfig> {
  return {
    timezone: m.timezone,
    startDate: m.startDate,
    lookback: LOOKBACK,
    export: { path: join(root, m.exportPath), formats: [...m.formats], partition: m.partition },
    sources: {
      events: {
        path: 'data/events/*.csv', format: 'csv',
        columns: { account_id: 'account_id', event: m.header.event, timestamp: m.header.timestamp, user_id: m.userColumn, event_id: 'event_id' },
        ...(EVENT_TIMES[m.eventTimes].format && { timestampFormat: EVENT_TIMES[m.eventTimes].format }),
      },
      attributes: { path: 'data/attributes.csv', format: 'csv', layout: 'long', columns: identity(['account_id', 'attribute', 'value', 'observed_at']) },
      accounts: { path: 'data/accounts.csv', format: 'csv', columns: identity(['account_id', 'created_at']) },
      ...(m.churnSource ? { churn: { kind: 'file' as const, path: 'data/churn.csv', format: 'csv' as const, columns: { account_id: 'account_id', churned_at: m.header.churned_at }, ...reactivatedBy(m) } } : {}),
      overrides: {
        path: 'data/overrides.csv', format: 'csv',
        columns: identity(['account_id', 'scorecard', 'score_id', 'score', 'band', 'reason', 'author', 'starts_on', 'ends_on']),
      },
    },
  };
}

function reactivatedBy(m: Model): Pick<ChurnSource, 'reactivatedBy'> {
  if (m.reactivatedBy === 'any') return {};
  return {
    reactivatedBy: m.reactivatedBy === 'login'
      ? { kind: 'events', events: ['login'] }
      : { kind: 'file', path: 'data/reactivations.csv', format: 'csv', columns: { account_id: 'account_id', reactivated_at: 'reactivated_at' } },
  };
}

export function eventsText(m: Model, rows: EventRow[]): string {
  return csv([
    ['account_id', m.header.event, m.header.timestamp, 'user_id', 'event_id', 'device'],
    ...rows.map((e) => [e.account, e.event, EVENT_TIMES[m.eventTimes].text(e.ts), e.user, e.id, e.device]),
  ]);
}

/** Every input file of the model, by path relative to the root. */
export function modelFiles(m: Model): Record<string, string> {
  const files: Record<string, string> = {};
  for (const [path, rows] of Object.entries(m.events)) files[path] = eventsText(m, rows);
  files['data/attributes.csv'] = csv([['account_id', 'attribute', 'value', 'observed_at'], ...m.attributes.map((a) => [a.account, a.attribute, a.value, a.observed_at])]);
  files['data/accounts.csv'] = csv([['account_id', 'created_at'], ...m.accounts.map((a) => [a.account, a.created_at])]);
  files['data/churn.csv'] = csv([['account_id', m.header.churned_at], ...m.churn.map((c) => [c.account, c.day])]);
  files['data/reactivations.csv'] = csv([['account_id', 'reactivated_at'], ...m.reactivations.map((r) => [r.account, r.day])]);
  files['data/overrides.csv'] = csv([
    ['account_id', 'scorecard', 'score_id', 'score', 'band', 'reason', 'author', 'starts_on', 'ends_on'],
    ...m.overrides.map((o) => [o.account, o.scorecard, o.score_id, o.score, o.band, o.reason, 'test', o.starts_on, o.ends_on]),
  ]);
  Object.assign(files, m.definitions);
  return files;
}

export async function writeFiles(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
}

/** Writes the whole model to `root`, removing event and definition files it does not hold. */
export async function writeModel(root: string, m: Model): Promise<void> {
  const files = modelFiles(m);
  for (const folder of ['data/events', 'definitions']) {
    for (const name of await readdir(join(root, folder)).catch(() => [] as string[])) {
      if (!(`${folder}/${name}` in files)) await rm(join(root, folder, name), { force: true });
    }
  }
  await writeFiles(root, files);
}

/** The last event day of the model (in UTC; a few hours off in other zones, which is
 *  close enough for choosing "old" days). */
export function lastEventDay(m: Model): string {
  let last = FIRST_DAY;
  for (const rows of Object.values(m.events)) for (const e of rows) if (e.ts.slice(0, 10) > last) last = e.ts.slice(0, 10);
  return last;
}

// ---------------------------------------------------------------------------------------
// Edits. Each changes the model and the files on disk the way a user would (a rename is a
// rename, keeping the file's modification time), and says what it did in one line.

/** `mv from to`: the file keeps its modification time. */
export async function renameEvents(root: string, m: Model, from: string, to: string): Promise<void> {
  m.events[to] = m.events[from]!;
  delete m.events[from];
  await rename(join(root, from), join(root, to));
}

/** `cp from to`: the same content under a new name. */
export async function copyEvents(root: string, m: Model, from: string, to: string): Promise<void> {
  m.events[to] = structuredClone(m.events[from]!);
  await copyFile(join(root, from), join(root, to));
}

export async function removeEvents(root: string, m: Model, path: string): Promise<void> {
  delete m.events[path];
  await rm(join(root, path));
}

/** A new events file. */
export async function addEvents(root: string, m: Model, path: string, rows: EventRow[]): Promise<void> {
  m.events[path] = rows;
  await writeFiles(root, { [path]: eventsText(m, rows) });
}

export interface EditContext {
  root: string;
  m: Model;
  r: Rng;
}
export type Edit = (c: EditContext) => Promise<string | undefined>;

const eventPaths = (m: Model) => Object.keys(m.events).sort();
const newName = (m: Model, stem: string) => `data/events/${stem}-${++m.counter}.csv`;
const writeEvents = (c: EditContext, path: string) => writeFiles(c.root, { [path]: eventsText(c.m, c.m.events[path]!) });
const writeInput = (c: EditContext, path: string) => writeFiles(c.root, { [path]: modelFiles(c.m)[path]! });
/** Changes three random rows of a random events file with `change` (each says what it did),
 *  and writes the file; undefined when that file has no rows. */
async function changeThreeRows(c: EditContext, change: (e: EventRow) => string): Promise<{ path: string; changed: string[] } | undefined> {
  const path = c.r.pick(eventPaths(c.m));
  const rows = c.m.events[path]!;
  if (rows.length === 0) return undefined;
  const changed: string[] = [];
  for (let i = 0; i < 3; i++) changed.push(change(rows[c.r.int(0, rows.length - 1)]!));
  await writeEvents(c, path);
  return { path, changed };
}
/** A day 8 … 30 days before the last event day: older than the lookback. */
const oldDay = (c: EditContext) => addDays(lastEventDay(c.m), -c.r.int(LOOKBACK + 5, 30));

export const EDITS: Record<string, Edit> = {
  async 'add-file'(c) {
    const path = newName(c.m, 'new');
    const last = lastEventDay(c.m);
    // The nightly case: the next 1 … 3 days (late rows are the kind 'late-events').
    const rows: EventRow[] = [];
    for (let o = 1; o <= c.r.int(1, 3); o++) for (const a of ACCOUNTS) if (c.r.chance(0.6)) rows.push(...eventsOn(c.m, c.r, a, addDays(last, o), c.r.int(1, 3)));
    if (rows.length === 0) rows.push(...eventsOn(c.m, c.r, 'a', addDays(last, 1), 2));
    c.m.events[path] = rows;
    await writeEvents(c, path);
    return `add ${path} (${rows.length} rows, up to ${rows.map((e) => e.ts.slice(0, 10)).sort().pop()})`;
  },
  async 'append-rows'(c) {
    const path = c.r.pick(eventPaths(c.m));
    const d = addDays(lastEventDay(c.m), -c.r.int(0, 25));
    const rows = eventsOn(c.m, c.r, c.r.pick(ACCOUNTS), d, c.r.int(1, 4));
    c.m.events[path]!.push(...rows);
    await writeEvents(c, path);
    return `append ${rows.length} rows on ${d} to ${path}`;
  },
  async 'change-rows'(c) {
    const done = await changeThreeRows(c, (e) => {
      if (c.r.chance(0.5)) e.event = e.event === 'login' ? 'view' : 'login';
      else e.account = c.r.pick(ACCOUNTS);
      return e.id;
    });
    return done && `change rows ${done.changed.join(',')} of ${done.path}`;
  },
  async 'change-property'(c) {
    // Only a property changes: the rows keep their account, event and day.
    const done = await changeThreeRows(c, (e) => {
      e.device = e.device === 'dev0' ? c.r.pick(['dev1', 'dev2']) : 'dev0';
      return `${e.id} (${e.ts.slice(0, 10)})`;
    });
    return done && `change the device of rows ${done.changed.join(', ')} of ${done.path}`;
  },
  async 'resend-event'(c) {
    // An event sent twice (same id, same time) into any event file: the data checks count it.
    const e = c.r.pick(eventPaths(c.m).flatMap((p) => c.m.events[p]!));
    if (!e) return undefined;
    const path = c.r.pick(eventPaths(c.m));
    c.m.events[path]!.push({ ...e });
    await writeEvents(c, path);
    return `resend event ${e.id} in ${path}`;
  },
  async 'rename-file'(c) {
    const from = c.r.pick(eventPaths(c.m));
    const to = newName(c.m, 'renamed');
    await renameEvents(c.root, c.m, from, to);
    return `rename ${from} → ${to}`;
  },
  async 'copy-file'(c) {
    const from = c.r.pick(eventPaths(c.m));
    const to = newName(c.m, 'copy');
    await copyEvents(c.root, c.m, from, to);
    return `copy ${from} → ${to}`;
  },
  async 'remove-file'(c) {
    const paths = eventPaths(c.m);
    if (paths.length < 2) return undefined;
    const path = c.r.pick(paths);
    await removeEvents(c.root, c.m, path);
    return `remove ${path}`;
  },
  async 'late-events'(c) {
    const d = oldDay(c);
    const path = newName(c.m, 'late');
    const rows = ACCOUNTS.filter(() => c.r.chance(0.6)).flatMap((a) => eventsOn(c.m, c.r, a, d, c.r.int(1, 5)));
    if (rows.length === 0) rows.push(...eventsOn(c.m, c.r, 'b', d, 3));
    c.m.events[path] = rows;
    await writeEvents(c, path);
    return `late events: ${path} with ${rows.length} rows on ${d}`;
  },
  async 'duplicate-ids'(c) {
    // Issue #11: a file of rows reusing loaded event ids, which may move an event to
    // another day (or, on a tied timestamp, to another event); or such a file removed; or
    // one row of a reused id deleted from its file, whose other rows stay.
    const dups = eventPaths(c.m).filter((p) => p.startsWith('data/events/dup-'));
    if (dups.length && c.r.chance(0.3)) {
      const path = c.r.pick(dups);
      await removeEvents(c.root, c.m, path);
      return `remove ${path} (duplicate ids)`;
    }
    const loaded = Object.values(c.m.events).flat();
    if (dups.length && c.r.chance(0.3)) {
      const uses = new Map<string, number>();
      for (const e of loaded) uses.set(e.id, (uses.get(e.id) ?? 0) + 1);
      // A file keeps one row at least: an empty events file is another question.
      const candidates = eventPaths(c.m).flatMap((path) => {
        const rows = c.m.events[path]!;
        return rows.length > 1 ? rows.filter((e) => uses.get(e.id)! > 1).map((e) => ({ path, e })) : [];
      });
      if (candidates.length === 0) return undefined;
      const { path, e } = c.r.pick(candidates);
      c.m.events[path]!.splice(c.m.events[path]!.indexOf(e), 1);
      await writeEvents(c, path);
      return `delete the row ${e.id} ${e.event} ${e.ts} from ${path}`;
    }
    const rows: EventRow[] = [];
    for (let i = c.r.int(1, 4); i > 0; i--) {
      const e = c.r.pick(loaded);
      const copies = c.r.chance(0.2) ? 2 : 1; // an id reused inside the new file too
      for (let k = 0; k < copies; k++) {
        const [other] = eventsOn(c.m, c.r, e.account, addDays(e.ts.slice(0, 10), c.r.pick([0, -1, 1, -c.r.int(2, 12), c.r.int(2, 5)])), 1);
        rows.push({ ...other!, id: e.id, ...(c.r.chance(0.25) && { ts: e.ts }) });
      }
    }
    const path = newName(c.m, 'dup');
    c.m.events[path] = rows;
    await writeEvents(c, path);
    return `add ${path}: ${rows.map((e) => `${e.id} ${e.event} ${e.ts}`).join(', ')}`;
  },
  async 'late-churn'(c) {
    const row = { account: c.r.pick(ACCOUNTS), day: oldDay(c) };
    c.m.churn.push(row);
    await writeInput(c, 'data/churn.csv');
    return `late churn row ${row.account} churned ${row.day}`;
  },
  async 'late-reactivation'(c) {
    // Read only while reactivated_by names the file; written either way.
    const row = { account: c.r.pick(ACCOUNTS), day: oldDay(c) };
    c.m.reactivations.push(row);
    await writeInput(c, 'data/reactivations.csv');
    return `late reactivation row ${row.account} back ${row.day}`;
  },
  async 'reactivated-by'(c) {
    const before = c.m.reactivatedBy;
    c.m.reactivatedBy = c.r.pick((['any', 'login', 'file'] as const).filter((k) => k !== before));
    return `churn.reactivated_by ${before} → ${c.m.reactivatedBy}`;
  },
  async 'late-attribute'(c) {
    const row = { account: c.r.pick(ACCOUNTS), attribute: 'nps', value: String(c.r.int(0, 10)), observed_at: oldDay(c) };
    c.m.attributes.push(row);
    await writeInput(c, 'data/attributes.csv');
    return `late attribute nps=${row.value} for ${row.account} observed ${row.observed_at}`;
  },
  async 'created-at'(c) {
    const row = c.r.pick(c.m.accounts);
    const before = row.created_at;
    row.created_at = day(c.r.int(0, 20));
    if (row.created_at === before) return undefined;
    await writeInput(c, 'data/accounts.csv');
    return `accounts: ${row.account} created_at ${before} → ${row.created_at}`;
  },
  async 'add-override'(c) {
    const starts = oldDay(c);
    const ends = c.r.chance(0.3) ? '' : addDays(starts, c.r.int(0, 10));
    const global = c.r.chance(0.5);
    const row: OverrideRow = {
      account: c.r.pick(ACCOUNTS), scorecard: 'health', score_id: global ? '' : c.r.pick(['logins', 'nps', 'tickets']),
      score: global ? '' : String(c.r.int(0, 10)), band: global ? c.r.pick(['red', 'yellow', 'green']) : '',
      reason: `review ${c.m.counter++}`, starts_on: starts, ends_on: ends,
    };
    c.m.overrides.push(row);
    await writeInput(c, 'data/overrides.csv');
    return `add override ${JSON.stringify(row)}`;
  },
  async 'remove-override'(c) {
    // One row stays: a header-only overrides file is another question than this test's.
    if (c.m.overrides.length < 2) return undefined;
    const [row] = c.m.overrides.splice(c.r.int(0, c.m.overrides.length - 1), 1);
    await writeInput(c, 'data/overrides.csv');
    return `remove override ${JSON.stringify(row)}`;
  },
  async 'rename-column'(c) {
    // The column is renamed in every file of the source, and columns: follows.
    const which = c.r.pick(['event', 'timestamp', 'churned_at'] as const);
    const names = { event: ['event', 'kind'], timestamp: ['timestamp', 'at'], churned_at: ['churned_at', 'churn_date'] }[which];
    const before = c.m.header[which];
    c.m.header[which] = before === names[0] ? names[1]! : names[0]!;
    if (which === 'churned_at') await writeInput(c, 'data/churn.csv');
    else for (const path of eventPaths(c.m)) await writeEvents(c, path);
    return `rename column ${before} → ${c.m.header[which]} in every ${which === 'churned_at' ? 'churn' : 'events'} file, and in columns:`;
  },
  async 'remap-user'(c) {
    const before = c.m.userColumn;
    c.m.userColumn = before === 'user_id' ? 'device' : 'user_id';
    return `columns: user_id: ${before} → ${c.m.userColumn}`;
  },
  async 'churn-source'(c) {
    c.m.churnSource = !c.m.churnSource;
    return c.m.churnSource ? 'healthscore.yaml lists the churn source again' : 'healthscore.yaml no longer lists the churn source';
  },
  async 'bracket-file'(c) {
    // SPEC §2: a name with glob characters is read as itself. As a glob, part-[12].csv
    // would match part-1.csv and part-2.csv.
    const path = 'data/events/part-[12].csv';
    if (path in c.m.events) return undefined;
    const last = lastEventDay(c.m);
    const rows = ACCOUNTS.filter(() => c.r.chance(0.6)).flatMap((a) => eventsOn(c.m, c.r, a, addDays(last, 1), c.r.int(1, 3)));
    if (rows.length === 0) rows.push(...eventsOn(c.m, c.r, 'a', addDays(last, 1), 2));
    await addEvents(c.root, c.m, path, rows);
    return `add ${path} (${rows.length} rows on ${addDays(last, 1)})`;
  },
  async timezone(c) {
    const before = c.m.timezone;
    c.m.timezone = before === 'UTC' ? c.r.pick(['America/New_York', 'Asia/Tokyo']) : 'UTC';
    return `timezone ${before} → ${c.m.timezone}`;
  },
  async 'timestamp-format'(c) {
    // The files are written again in the new way, except between the two "+0900" ways,
    // where only timestamp_format changes what the same files mean.
    const before = c.m.eventTimes;
    c.m.eventTimes = c.r.pick((Object.keys(EVENT_TIMES) as Model['eventTimes'][]).filter((t) => t !== before));
    for (const path of eventPaths(c.m)) await writeEvents(c, path);
    return `events timestamp_format ${EVENT_TIMES[before].format ?? '(none)'} → ${EVENT_TIMES[c.m.eventTimes].format ?? '(none)'}`;
  },
  async 'start-date'(c) {
    const before = c.m.startDate;
    const choices = [undefined, day(7), day(15)].filter((d) => d !== before);
    c.m.startDate = c.r.pick(choices);
    return `start_date ${before ?? '(none)'} → ${c.m.startDate ?? '(none)'}`;
  },
  async 'export-path'(c) {
    const before = c.m.exportPath;
    c.m.exportPath = before === 'out' ? 'exports/bi' : 'out';
    return `export.path ${before}/ → ${c.m.exportPath}/`;
  },
  async 'toggle-arrow'(c) {
    const had = c.m.formats.includes('arrow');
    c.m.formats = had ? ['parquet'] : ['parquet', 'arrow'];
    return `export.formats → [${c.m.formats.join(', ')}]`;
  },
  async 'toggle-partition'(c) {
    const before = c.m.partition;
    c.m.partition = before === 'day' ? 'month' : 'day';
    return `export.partition ${before} → ${c.m.partition}`;
  },
  async 'edit-definition'(c) {
    const path = 'definitions/health.yaml';
    const text = c.m.definitions[path]!;
    const variants: [string, string, string][] = [
      ['weight', 'best: 6, impact: high', 'best: 6, impact: low'],
      ['window', 'logins: { event: login, window: 7d }', 'logins: { event: login, window: 10d }'],
      ['band', '{ label: yellow, from: 3 }', '{ label: yellow, from: 4 }'],
      // A distinct count of user_id is distinct_users.
      ['distinct', 'property: device', 'property: user_id'],
    ];
    const [what, a, b] = c.r.pick(variants);
    c.m.definitions[path] = text.includes(a) ? text.replace(a, b) : text.replace(b, a);
    await writeInput(c, path);
    return `definition health: ${what} ${text.includes(a) ? `${a} → ${b}` : `${b} → ${a}`}`;
  },
  async scorecard(c) {
    const path = 'definitions/usage.yaml';
    if (path in c.m.definitions) {
      delete c.m.definitions[path];
      await rm(join(c.root, path));
      return 'remove scorecard usage';
    }
    c.m.definitions[path] = USAGE;
    await writeInput(c, path);
    return 'add scorecard usage';
  },
};

// ---------------------------------------------------------------------------------------
// Running an edited project and comparing it with a fresh one.

/** SPEC §2: a file is identified by its content, not its path. So the fresh project may
 *  keep one file of each content and give them plain names, and must give the same result.
 *  This makes the oracle independent of the path handling under test: a fresh project that
 *  double counted a copy or read `part-[12].csv` as a glob would otherwise be wrong in the
 *  same way as the edited one. */
export async function plainEventFiles(root: string): Promise<void> {
  const folder = join(root, 'data/events');
  const seen = new Set<string>();
  let n = 0;
  for (const name of (await readdir(folder)).sort()) {
    const text = await readFile(join(folder, name), 'utf8');
    if (seen.has(text)) {
      await rm(join(folder, name));
      continue;
    }
    seen.add(text);
    await rename(join(folder, name), join(folder, `plain-${String(++n).padStart(3, '0')}.csv`));
  }
}

/** A project made from the base model on `engine` and run once for the whole file (vitest
 *  hooks); `copy()` gives each test a copy of it (warehouse and export included): a user's
 *  project as it was before the edits. */
export function useBaseProject(engine: TestEngine = duckdbEngine) {
  let base: StateProject;
  let state: ProducedState;
  const copies: StateProject[] = [];
  beforeAll(async () => {
    base = await modelProject(baseModel(), engine);
    state = await base.state();
    await base.close();
  }, 120_000);
  afterAll(async () => {
    await Promise.all([base, ...copies].map((p) => p?.cleanup()));
  });
  return {
    /** Cleans `p` up with the base project. */
    track(p: StateProject): StateProject {
      copies.push(p);
      return p;
    },
    get project() { return base; },
    get state() { return state; },
    async copy(): Promise<{ p: StateProject; m: Model }> {
      const p = await base.copy();
      copies.push(p);
      const m = baseModel();
      p.config = (root) => modelConfig(m, root);
      return { p, m };
    },
  };
}

/** The model written to a new project folder and run once. */
export async function modelProject(m: Model, engine: TestEngine = duckdbEngine): Promise<StateProject> {
  const p = await StateProject.create((root) => modelConfig(m, root), engine);
  await writeModel(p.root, m);
  await p.run();
  return p;
}

export interface Outcome {
  /** What differs from a fresh project (or why the run failed), in words. */
  problem?: string;
  /** What the run produced, when it equals the fresh project's. */
  state?: ProducedState;
}

/** Runs the edited project `p` (whose files are `m`) and compares it with a fresh project
 *  of the same files on the same engine; on PostgreSQL, its export also with a fresh
 *  DuckDB project's (the same rows on every engine). Every edit must converge: none may be
 *  refused. */
export async function runAndCompare(p: StateProject, m: Model): Promise<Outcome> {
  p.config = (root) => modelConfig(m, root);
  try {
    await p.run();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { problem: `the run failed (${(error as Error)?.constructor?.name ?? 'throw'}): ${message}` };
  }
  const edited = await p.state();
  const config = (root: string) => modelConfig(m, root);
  const problem = diffStates(edited, await freshState(p.root, INPUTS, config, plainEventFiles, p.engine));
  if (problem) return { problem };
  if (p.engine.name !== duckdbEngine.name) {
    const acrossEngines = diffExports(edited, await freshState(p.root, INPUTS, config, plainEventFiles, duckdbEngine));
    if (acrossEngines) return { problem: `the export differs from a fresh DuckDB project's: ${acrossEngines}` };
  }
  return { state: edited };
}
