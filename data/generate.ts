/**
 * Seeded generator of a realistic SaaS customer data set (events, attributes,
 * accounts, churn) for healthscore demos, tests and benchmarks.
 *
 * How it works:
 *  1. JavaScript simulates every account day by day (small: accounts × days):
 *     plan and seats over time, engagement with weekly seasonality and drift,
 *     churn with 3–8 week warning signs (or none), dips that recover, and
 *     reactivations. It then draws, per account-day, how many events of each
 *     kind happen (Poisson/binomial draws from a seeded PRNG).
 *  2. Those per-account-day counts are appended to an in-memory DuckDB table and
 *     expanded into individual events by SQL (range() + hash()-based
 *     pseudo-randomness, which is deterministic), written with
 *     `COPY ... TO ... (FORMAT parquet, COMPRESSION zstd)`, one file per month.
 *
 * Same seed and options → byte-identical CSVs and identical Parquet contents.
 *
 * CLI: tsx data/generate.ts [--accounts 1000] [--events N] [--days 365]
 *        [--start 2025-01-01] [--seed 42] [--out data] [--event-files monthly|N]
 */
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { BIGINT, DuckDBDataChunk, DuckDBInstance, INTEGER, SMALLINT, VARCHAR } from '@duckdb/node-api';
import type { DuckDBConnection, DuckDBType } from '@duckdb/node-api';

// ───────────────────────────── public API ─────────────────────────────

export interface GenerateOptions {
  /** Output folder: receives events/, accounts.csv, attributes.csv, churn.csv. */
  outDir: string;
  /** Number of accounts (accounts.csv rows). */
  accounts: number;
  /** Target total number of events (the result lands within a few % of it). */
  events: number;
  /** Number of days of event data, starting at startDate. */
  days: number;
  /** First day of event data, YYYY-MM-DD (UTC). */
  startDate: string;
  /** PRNG seed: same seed and options → same data. */
  seed: number;
  /** 'monthly' (default): events/events-YYYY-MM.parquet; a number N: N files
   *  events/events-part-NNN.parquet over consecutive day ranges of similar size. */
  eventFiles?: 'monthly' | number;
}

export interface GeneratedFile {
  path: string;
  bytes: number;
  rows: number;
}

export interface GenerateSummary {
  outDir: string;
  seed: number;
  startDate: string;
  endDate: string; // last day with data (inclusive)
  days: number;
  accounts: number;
  /** Accounts created before startDate / during the period. */
  accountsCreatedBefore: number;
  accountsCreatedDuring: number;
  planMix: Record<Plan, number>; // plan at creation
  events: number;
  eventsTarget: number;
  eventsByType: Record<EventName, number>;
  /** Accounts that cancelled at least once in the period. */
  churners: number;
  /** Rows of churn.csv (= cancelled events). */
  churnEvents: number;
  /** Churners whose cancellation had no warning signs. */
  silentChurns: number;
  /** Churned accounts that came back (new events after a cancellation). */
  reactivations: number;
  /** Accounts that churned again after a reactivation. */
  repeatChurners: number;
  /** Non-churn activity dips that recovered. */
  dips: number;
  attributeRows: number;
  attributeRowsByName: Record<string, number>;
  /** Factor applied to the simulated activity so the total lands on the target. */
  activityScale: number;
  files: GeneratedFile[];
  elapsedMs: number;
}

export const EVENT_NAMES = [
  'login',
  'report_view',
  'api_call',
  'invite_sent',
  'ticket_opened',
  'export',
  'cancelled',
] as const;
export type EventName = (typeof EVENT_NAMES)[number];

export type Plan = 'free' | 'pro' | 'enterprise';
const PLANS: readonly Plan[] = ['free', 'pro', 'enterprise'];

// ───────────────────────────── PRNG ─────────────────────────────

/** 32-bit mixing of several integers into one seed (murmur3 finaliser style). */
function mixSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** sfc32: small, fast, good-quality seeded PRNG. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spareNormal: number | null = null;

  constructor(...seedParts: number[]) {
    this.a = mixSeed(...seedParts, 1);
    this.b = mixSeed(...seedParts, 2);
    this.c = mixSeed(...seedParts, 3);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.nextU32();
  }

  nextU32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Integer uniform in [lo, hi] inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** Standard normal (Box–Muller, caching the spare value). */
  normal(): number {
    if (this.spareNormal !== null) {
      const s = this.spareNormal;
      this.spareNormal = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  lognormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  poisson(lambda: number): number {
    if (!(lambda > 0)) return 0;
    if (lambda < 30) {
      const limit = Math.exp(-lambda);
      let k = 0;
      let p = this.next();
      while (p > limit) {
        k++;
        p *= this.next();
      }
      return k;
    }
    return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * this.normal()));
  }

  binomial(n: number, p: number): number {
    if (n <= 0 || p <= 0) return 0;
    if (p >= 1) return n;
    if (n <= 40) {
      let k = 0;
      for (let i = 0; i < n; i++) if (this.next() < p) k++;
      return k;
    }
    const mean = n * p;
    const sd = Math.sqrt(mean * (1 - p));
    return Math.min(n, Math.max(0, Math.round(mean + sd * this.normal())));
  }
}

// ───────────────────────────── calendar helpers ─────────────────────────────

const DAY_MS = 86_400_000;

function parseDate(s: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) throw new Error(`invalid date "${s}": expected YYYY-MM-DD`);
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (new Date(ms).toISOString().slice(0, 10) !== s) throw new Error(`invalid date "${s}"`);
  return ms;
}

function fmtDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function fmtTimestamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

// ───────────────────────────── account model ─────────────────────────────

const INDUSTRIES = [
  'software',
  'fintech',
  'healthcare',
  'retail',
  'manufacturing',
  'education',
  'media',
  'logistics',
  'real_estate',
  'professional_services',
] as const;

const NAME_A = [
  'Acme', 'Blue', 'Bright', 'Cedar', 'Clear', 'Copper', 'Crest', 'Delta', 'Echo', 'Ember',
  'Fern', 'Flint', 'Golden', 'Granite', 'Harbor', 'Helix', 'Iron', 'Juniper', 'Kite', 'Lumen',
  'Maple', 'Meadow', 'Nimbus', 'North', 'Oak', 'Onyx', 'Orbit', 'Pine', 'Polar', 'Quartz',
  'Rapid', 'Red', 'River', 'Sage', 'Silver', 'Slate', 'Solar', 'Spruce', 'Stone', 'Summit',
  'Swift', 'Terra', 'Tidal', 'True', 'Vast', 'Vector', 'Willow', 'Zen', 'Alder', 'Apex',
];
const NAME_B = [
  'Analytics', 'Labs', 'Systems', 'Works', 'Logistics', 'Health', 'Capital', 'Retail', 'Media', 'Foods',
  'Robotics', 'Energy', 'Bio', 'Cloud', 'Data', 'Dynamics', 'Freight', 'Goods', 'Learning', 'Networks',
  'Partners', 'Pharma', 'Realty', 'Security', 'Software', 'Studio', 'Supply', 'Telecom', 'Travel', 'Ventures',
];
const NAME_C = ['Inc', 'LLC', 'Ltd', 'GmbH', 'Co', 'Group', 'SA', 'BV', 'AB', 'Corp'];

/** Time zone offsets (hours) the accounts work in: drives the time of day in UTC. */
const TZ_HOURS = [-8, -7, -6, -5, -5, -4, -3, 0, 0, 1, 1, 1, 2, 3, 5.5, 8, 9, 10];

interface Attr {
  attribute: string;
  value: string;
  /** ms since epoch */
  at: number;
}

interface Window {
  start: number; // day index
  end: number; // day index (exclusive)
  depth: number;
  ticketBump: number;
}

interface AccountSim {
  idx: number;
  id: string;
  name: string;
  createdDay: number; // may be negative (before start)
  tzSeconds: number;
  first: number; // first simulated day (≥ 0)
  // per-day arrays over [0, D)
  alive: Uint8Array;
  users: Uint16Array;
  act: Float32Array; // unscaled expected share of users active that day
  perUser: Float32Array; // unscaled non-login events per active user (report_view + export share)
  reportShare: Float32Array; // share of perUser that is report_view (rest: export)
  api: Float32Array; // unscaled expected api calls
  ticket: Float32Array; // expected tickets (not scaled)
  invite: Float32Array; // expected invites (not scaled)
  churnDays: number[];
  reactivationDays: number[];
  silentChurns: number;
  reactivations: number;
  dips: number;
  attrs: Attr[];
  planAtCreation: Plan;
}

interface Calendar {
  startMs: number;
  days: number;
  dow: Uint8Array; // 0 = Sunday
  season: Float32Array;
}

function makeCalendar(startMs: number, days: number): Calendar {
  const dow = new Uint8Array(days);
  const season = new Float32Array(days);
  for (let t = 0; t < days; t++) {
    const d = new Date(startMs + t * DAY_MS);
    dow[t] = d.getUTCDay();
    const m = d.getUTCMonth();
    const dom = d.getUTCDate();
    let s = 1;
    if ((m === 11 && dom >= 22) || (m === 0 && dom <= 2)) s = 0.6; // holidays
    else if (m === 7) s = 0.88; // August
    else if (m === 11 && dom >= 15) s = 0.9;
    season[t] = s;
  }
  return { startMs, days, dow, season };
}

const WEEKDAY = [0, 1.0, 1.08, 1.08, 1.04, 0.9, 0]; // Sun/Sat filled per account

function planIndex(p: Plan): number {
  return p === 'free' ? 0 : p === 'pro' ? 1 : 2;
}

function initialSeats(rng: Rng, plan: Plan): number {
  if (plan === 'free') return rng.int(1, 3);
  if (plan === 'pro') return Math.max(2, Math.min(60, Math.round(rng.lognormal(6, 0.6))));
  return Math.max(8, Math.min(300, Math.round(rng.lognormal(20, 0.6))));
}

/** Business-hours time of an observation on day t, in ms since epoch. */
function obsTime(rng: Rng, cal: Calendar, day: number, tzSeconds: number): number {
  const local = 9 * 3600 + Math.floor(rng.next() * 9 * 3600);
  const utc = (((local - tzSeconds) % 86400) + 86400) % 86400;
  return cal.startMs + day * DAY_MS + utc * 1000;
}

function simulateAccount(
  idx: number,
  id: string,
  name: string,
  createdDay: number,
  seed: number,
  cal: Calendar,
): AccountSim {
  const D = cal.days;
  const rng = new Rng(seed, idx, 0x5eed);
  const first = Math.max(0, createdDay);

  // ── static traits
  const r = rng.next();
  const plan0: Plan = r < 0.45 ? 'free' : r < 0.85 ? 'pro' : 'enterprise';
  const pi0 = planIndex(plan0);
  const industry = rng.pick(INDUSTRIES);
  const tzSeconds = Math.round(rng.pick(TZ_HOURS) * 3600);
  const engagementPct = rng.next(); // percentile of engagement within its plan
  const a0 = [0.14, 0.22, 0.28][pi0]! + [0.3, 0.38, 0.38][pi0]! * engagementPct;
  const util = rng.uniform(0.55, 1.0); // share of seats that are real users
  const weekend = rng.uniform(0.1, 0.4);
  const apiUse = rng.chance([0.15, 0.55, 0.85][pi0]!);
  const apiIntensity = apiUse ? rng.lognormal(0.6, 0.9) : 0;
  const exportProp = rng.lognormal(1, 0.6);
  const npsRespondent = rng.chance(0.55);
  const npsBase = rng.uniform(6.5, 9.8);
  const csmBias = rng.normal() * 0.08;

  // ── churn schedule: alive periods [start, end) with a cancellation on `end`
  const churnDays: number[] = [];
  const reactivationDays: number[] = [];
  const pYear = [0.36, 0.23, 0.12][pi0]! * (1.55 - 1.0 * engagementPct);
  const exposure = D - first - 21;
  if (exposure > 0 && rng.chance(1 - Math.pow(1 - pYear, exposure / 365))) {
    let c = rng.int(first + 21, D - 1);
    churnDays.push(c);
    // a few come back later, and may cancel again
    while (rng.chance(0.15)) {
      const back = c + rng.int(10, 90);
      if (back >= D - 1) break;
      reactivationDays.push(back);
      if (back + 30 < D - 1 && rng.chance(0.4)) {
        c = rng.int(back + 30, D - 1);
        churnDays.push(c);
      } else break;
    }
  }
  const periods: Array<{ start: number; end: number; restart: boolean }> = [];
  {
    let s = first;
    let restart = false;
    for (let i = 0; i < churnDays.length; i++) {
      periods.push({ start: s, end: churnDays[i]!, restart });
      const back = reactivationDays[i];
      if (back === undefined) {
        s = -1;
        break;
      }
      s = back;
      restart = true;
    }
    if (s >= 0) periods.push({ start: s, end: D, restart });
  }
  const alive = new Uint8Array(D);
  for (const p of periods) for (let t = p.start; t < p.end; t++) alive[t] = 1;

  // ── warning windows before each churn (80%); silent churn otherwise
  const warnings: Window[] = [];
  let silentChurns = 0;
  for (const c of churnDays) {
    if (rng.chance(0.8)) {
      const w = rng.int(21, 56);
      warnings.push({ start: c - w, end: c, depth: rng.uniform(0.55, 0.92), ticketBump: rng.uniform(1.2, 3.5) });
    } else {
      silentChurns++;
    }
  }

  // ── dips that recover: in alive time, away from warnings
  const dips: Window[] = [];
  {
    const nDips = rng.poisson(0.3 * Math.max(0, D - first) / 365);
    for (let k = 0; k < nDips; k++) {
      const len = rng.int(14, 42);
      const start = rng.int(first, Math.max(first, D - 1));
      const end = start + len;
      let ok = true;
      for (let t = start; t < Math.min(end + 21, D) && ok; t++) if (!alive[t]) ok = false;
      for (const w of warnings) if (start < w.end + 14 && end + 21 > w.start) ok = false;
      for (const d of dips) if (start < d.end + 14 && end + 14 > d.start) ok = false;
      if (ok) dips.push({ start, end, depth: rng.uniform(0.35, 0.7), ticketBump: rng.uniform(0.5, 2) });
    }
  }

  // ── health multiplier h(t) from warnings and dips (1 = normal)
  const health = new Float32Array(D).fill(1);
  const ticketMult = new Float32Array(D).fill(1);
  for (const w of warnings) {
    const len = w.end - w.start;
    for (let t = Math.max(0, w.start); t < w.end && t < D; t++) {
      const p = (t - w.start + 1) / len;
      health[t]! *= 1 - w.depth * Math.pow(p, 1.2);
      ticketMult[t]! *= 1 + w.ticketBump * Math.min(1, p * 1.6);
    }
  }
  for (const d of dips) {
    const len = d.end - d.start;
    for (let t = d.start; t < d.end && t < D; t++) {
      const p = (t - d.start + 0.5) / len;
      const shape = p < 0.3 ? p / 0.3 : p > 0.6 ? (1 - p) / 0.4 : 1;
      health[t]! *= 1 - d.depth * shape;
      ticketMult[t]! *= 1 + d.ticketBump * shape;
    }
  }

  // ── plan & seats timeline
  const attrs: Attr[] = [];
  const createdMs = obsTime(rng, cal, createdDay, tzSeconds);
  attrs.push({ attribute: 'industry', value: industry, at: createdMs });
  const planByDay = new Uint8Array(D);
  const seatsByDay = new Uint16Array(D);
  let plan = plan0;
  let seats = initialSeats(rng, plan0);
  attrs.push({ attribute: 'plan', value: plan, at: createdMs });
  attrs.push({ attribute: 'seats', value: String(seats), at: createdMs + 1000 });
  // scheduled changes: day → [plan, seats]
  const changes = new Map<number, { plan?: Plan; seatsFactor?: number; seats?: number }>();
  const aliveDays: number[] = [];
  for (let t = first; t < D; t++) if (alive[t]) aliveDays.push(t);
  const inWarning = (t: number) => warnings.some((w) => t >= w.start && t < w.end);
  if (aliveDays.length > 0) {
    const yearFrac = aliveDays.length / 365;
    // upgrades (more likely for engaged accounts), downgrades, seat growth
    const nUp = rng.poisson(yearFrac * (plan0 === 'free' ? 0.1 + 0.15 * engagementPct : plan0 === 'pro' ? 0.06 : 0));
    for (let k = 0; k < nUp; k++) {
      const t = rng.pick(aliveDays);
      if (!inWarning(t)) changes.set(t, { plan: 'pro' === plan0 ? 'enterprise' : 'pro' });
    }
    const nDown = rng.poisson(yearFrac * (plan0 === 'free' ? 0 : 0.04));
    for (let k = 0; k < nDown; k++) changes.set(rng.pick(aliveDays), { plan: plan0 === 'pro' ? 'free' : 'pro' });
    const nGrow = rng.poisson(yearFrac * (0.3 + 0.6 * engagementPct));
    for (let k = 0; k < nGrow; k++) {
      const t = rng.pick(aliveDays);
      if (!inWarning(t) && !changes.has(t)) changes.set(t, { seatsFactor: rng.uniform(1.1, 1.5) });
    }
    for (const w of warnings) {
      const span = w.end - Math.max(w.start, first);
      if (span < 4) continue;
      const t = Math.max(w.start, first) + rng.int(Math.floor(span * 0.3), span - 2);
      if (!alive[t]) continue;
      if (rng.chance(0.3)) changes.set(t, { plan: 'free' });
      else if (rng.chance(0.45)) changes.set(t, { seatsFactor: rng.uniform(0.45, 0.8) });
    }
    for (const back of reactivationDays) changes.set(back, { plan: rng.chance(0.6) ? plan0 : 'free', seats: initialSeats(rng, plan0) });
  }
  for (let t = first; t < D; t++) {
    const ch = changes.get(t);
    if (ch && alive[t]) {
      const at = obsTime(rng, cal, t, tzSeconds);
      if (ch.plan && ch.plan !== plan) {
        const up = planIndex(ch.plan) > planIndex(plan);
        plan = ch.plan;
        attrs.push({ attribute: 'plan', value: plan, at });
        const newSeats = ch.seats ?? (up ? Math.max(seats + 1, Math.round(seats * rng.uniform(1.2, 2))) : plan === 'free' ? Math.min(seats, 3) : seats);
        if (newSeats !== seats) {
          seats = newSeats;
          attrs.push({ attribute: 'seats', value: String(seats), at: at + 1000 });
        }
      } else if (ch.seats !== undefined || ch.seatsFactor !== undefined) {
        const newSeats = ch.seats ?? Math.max(1, Math.round(seats * ch.seatsFactor!));
        const capped = plan === 'free' ? Math.min(newSeats, 3) : newSeats;
        if (capped !== seats) {
          seats = capped;
          attrs.push({ attribute: 'seats', value: String(seats), at });
        }
      }
    }
    planByDay[t] = planIndex(plan);
    seatsByDay[t] = seats;
  }

  // ── NPS surveys every 60–120 days for respondents (some stop answering),
  //    plus a likely answer during a warning window
  const healthAt = (t: number): number => (t >= 0 && t < D ? health[t]! : 1);
  const npsValue = (t: number): string =>
    String(Math.max(0, Math.min(10, Math.round(npsBase - 8.5 * (1 - healthAt(t)) + rng.normal() * 1.1))));
  const canObserve = (t: number): boolean => t >= createdDay && t < D && (t < 0 || alive[t] === 1);
  if (npsRespondent) {
    const stopDay = rng.chance(0.35) ? rng.int(first, D + 200) : Infinity;
    let t = Math.max(createdDay + rng.int(14, 60), -rng.int(0, 120));
    while (t < D && t < stopDay) {
      if (canObserve(t)) attrs.push({ attribute: 'nps', value: npsValue(t), at: obsTime(rng, cal, t, tzSeconds) });
      t += rng.int(60, 120);
    }
  }
  for (const w of warnings) {
    if (rng.chance(npsRespondent ? 0.75 : 0.45)) {
      const span = w.end - w.start;
      const t = w.start + Math.floor(span * rng.uniform(0.45, 0.95));
      if (canObserve(t)) attrs.push({ attribute: 'nps', value: npsValue(t), at: obsTime(rng, cal, t, tzSeconds) });
    }
  }

  // ── CSM sentiment for accounts that have a CSM, now and then, and when trouble shows
  const hasCsm = plan0 === 'enterprise' || (plan0 === 'pro' && rng.chance(0.5));
  const sentiment = (t: number): string => {
    const s = healthAt(t) + csmBias + rng.normal() * 0.12;
    return s > 0.92 ? 'strong' : s > 0.72 ? 'ok' : 'weak';
  };
  if (hasCsm) {
    let t = Math.max(createdDay + rng.int(7, 45), -rng.int(0, 90));
    while (t < D) {
      if (canObserve(t)) attrs.push({ attribute: 'csm_sentiment', value: sentiment(t), at: obsTime(rng, cal, t, tzSeconds) });
      t += rng.int(30, 100);
    }
    for (const w of warnings) {
      if (rng.chance(0.8)) {
        const t2 = w.start + Math.floor((w.end - w.start) * rng.uniform(0.4, 0.9));
        if (canObserve(t2)) attrs.push({ attribute: 'csm_sentiment', value: sentiment(t2), at: obsTime(rng, cal, t2, tzSeconds) });
      }
    }
    for (const d of dips) {
      if (rng.chance(0.5)) {
        const t2 = d.start + Math.floor((d.end - d.start) * rng.uniform(0.3, 0.6));
        if (canObserve(t2)) attrs.push({ attribute: 'csm_sentiment', value: sentiment(t2), at: obsTime(rng, cal, t2, tzSeconds) });
      }
    }
  }

  // ── daily activity
  const users = new Uint16Array(D);
  const act = new Float32Array(D);
  const perUser = new Float32Array(D);
  const reportShare = new Float32Array(D);
  const api = new Float32Array(D);
  const ticket = new Float32Array(D);
  const invite = new Float32Array(D);
  let drift = rng.normal() * 0.15;
  const growthAfter = new Set<number>();
  for (const [t, ch] of changes) if ((ch.seatsFactor ?? 1) > 1 || ch.plan) growthAfter.add(t);
  let lastStart = first;
  let inviteBoostUntil = -1;
  for (let t = first; t < D; t++) {
    if (cal.dow[t] === 1) drift = 0.85 * drift + rng.normal() * 0.1; // weekly drift (Mondays)
    const noise = Math.exp(rng.normal() * 0.22);
    if (!alive[t]) continue;
    const period = periods.find((p) => t >= p.start && t < p.end);
    if (period) lastStart = period.start;
    const sinceStart = t - lastStart;
    const isNew = lastStart === createdDay || period?.restart === true;
    const ramp = isNew ? Math.min(1, 0.35 + 0.65 * (sinceStart / 21)) : 1;
    if (growthAfter.has(t)) inviteBoostUntil = t + 10;
    const dw = cal.dow[t]!;
    const wk = dw === 0 ? weekend * 0.85 : dw === 6 ? weekend : WEEKDAY[dw]!;
    const h = health[t]!;
    const m = ramp * wk * cal.season[t]! * Math.exp(drift) * noise * h;
    const s = seatsByDay[t]!;
    const pIdx = planByDay[t]!;
    const u = Math.max(1, Math.round(s * util));
    users[t] = u;
    act[t] = Math.min(3, a0 * m);
    const rep = 1.5 * [0.7, 1.0, 1.3][pIdx]!;
    const exp = 0.07 * exportProp;
    perUser[t] = rep + exp;
    reportShare[t] = rep / (rep + exp);
    const apiWk = dw === 0 || dw === 6 ? 0.6 : 1;
    api[t] =
      apiIntensity * Math.pow(s, 0.8) * [0.3, 1, 1.2][pIdx]! * apiWk * Math.exp(drift) * noise * (1 - 0.6 * (1 - h)) * ramp;
    const tw = dw === 0 || dw === 6 ? 0.25 : 1.1;
    ticket[t] = 0.004 * Math.pow(s, 0.7) * tw * ticketMult[t]! * (isNew && sinceStart < 30 ? 2 : 1);
    invite[t] =
      0.006 * Math.sqrt(u) * (dw === 0 || dw === 6 ? 0.2 : 1.15) * (isNew && sinceStart < 21 ? 6 : 1) * (t <= inviteBoostUntil ? 5 : 1) * h;
  }

  return {
    idx,
    id,
    name,
    createdDay,
    tzSeconds,
    first,
    alive,
    users,
    act,
    perUser,
    reportShare,
    api,
    ticket,
    invite,
    churnDays,
    reactivationDays,
    silentChurns,
    reactivations: reactivationDays.length,
    dips: dips.length,
    attrs,
    planAtCreation: plan0,
  };
}

// ───────────────────────────── generation ─────────────────────────────

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function makeNames(n: number, rng: Rng): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    let name = '';
    for (let attempt = 0; ; attempt++) {
      name = `${rng.pick(NAME_A)} ${rng.pick(NAME_B)} ${rng.pick(NAME_C)}`;
      if (attempt > 20) name = `${name} ${i + 1}`;
      if (!seen.has(name)) break;
    }
    seen.add(name);
    out.push(name);
  }
  return out;
}

const AD_TYPES: DuckDBType[] = [
  INTEGER, // acct
  SMALLINT, // day
  SMALLINT, // users
  SMALLINT, // dau
  INTEGER, INTEGER, INTEGER, INTEGER, INTEGER, INTEGER, INTEGER, // n0..n6
  BIGINT, // base
];

function assertPositiveInt(name: string, v: number, min = 1): void {
  if (!Number.isInteger(v) || v < min) throw new Error(`${name} must be an integer ≥ ${min} (got ${v})`);
}

export async function generate(options: GenerateOptions): Promise<GenerateSummary> {
  const t0 = Date.now();
  const { accounts: nAccounts, days: D, seed } = options;
  assertPositiveInt('accounts', nAccounts);
  assertPositiveInt('days', D);
  assertPositiveInt('events', options.events, 0);
  if (!Number.isInteger(seed)) throw new Error(`seed must be an integer (got ${seed})`);
  if (D > 20000) throw new Error('days must be at most 20000');
  const eventFiles = options.eventFiles ?? 'monthly';
  if (eventFiles !== 'monthly') assertPositiveInt('eventFiles', eventFiles);
  const startMs = parseDate(options.startDate);
  const cal = makeCalendar(startMs, D);
  const outDir = resolve(options.outDir);
  const eventsDir = join(outDir, 'events');
  await mkdir(eventsDir, { recursive: true });

  // ── accounts: ~62% created before the start (up to 3 years), the rest during the period
  const rngTop = new Rng(seed, 0xacc);
  const created: number[] = [];
  const nBefore = Math.round(nAccounts * 0.62);
  for (let i = 0; i < nAccounts; i++) {
    if (i < nBefore) created.push(-1 - Math.floor(Math.pow(rngTop.next(), 1.4) * 1095));
    else created.push(Math.floor(rngTop.next() * Math.max(1, D - 7)));
  }
  created.sort((a, b) => a - b); // acc_0001 is the oldest account
  const names = makeNames(nAccounts, rngTop);
  const width = Math.max(4, String(nAccounts).length);
  const sims: AccountSim[] = [];
  for (let i = 0; i < nAccounts; i++) {
    const id = `acc_${String(i + 1).padStart(width, '0')}`;
    sims.push(simulateAccount(i, id, names[i]!, created[i]!, seed, cal));
  }

  // ── scale factor so the total lands on the target
  let scalable = 0;
  let fixed = 0;
  for (const s of sims) {
    for (let t = s.first; t < D; t++) {
      if (!s.alive[t]) continue;
      scalable += s.users[t]! * s.act[t]! * (1.2 + s.perUser[t]!) + s.api[t]!;
      fixed += s.ticket[t]! + s.invite[t]!;
    }
    fixed += s.churnDays.length;
  }
  const f = Math.max(1e-4, (options.events - fixed) / Math.max(1, scalable));
  const fAct = Math.sqrt(f);

  // ── draw per-account-day counts, append to DuckDB
  const instance = await DuckDBInstance.create(':memory:', {
    threads: '2',
    // The per-account-day table grows with the data: 1.5 GB held 10M events, not 100M.
    memory_limit: `${Math.max(1500, Math.ceil(options.events / 1e6) * 120)}MB`,
    preserve_insertion_order: 'true',
  });
  const con = await instance.connect();
  try {
    await con.run(`SET TimeZone = 'UTC'`);
    await con.run(`CREATE TABLE acc (acct INTEGER, account_id VARCHAR, tz INTEGER)`);
    await con.run(
      `CREATE TABLE ad (acct INTEGER, day SMALLINT, users SMALLINT, dau SMALLINT,
        n0 INTEGER, n1 INTEGER, n2 INTEGER, n3 INTEGER, n4 INTEGER, n5 INTEGER, n6 INTEGER, base BIGINT)`,
    );
    {
      const app = await con.createAppender('acc');
      for (let i = 0; i < sims.length; i += 2048) {
        const part = sims.slice(i, i + 2048);
        const chunk = DuckDBDataChunk.create([INTEGER, VARCHAR, INTEGER], part.length);
        chunk.setColumns([part.map((s) => s.idx), part.map((s) => s.id), part.map((s) => s.tzSeconds)]);
        app.appendDataChunk(chunk);
      }
      app.closeSync();
    }

    const eventsByType = Object.fromEntries(EVENT_NAMES.map((e) => [e, 0])) as Record<EventName, number>;
    const eventsPerDay = new Float64Array(D);
    let total = 0;
    const app = await con.createAppender('ad');
    const CH = 2048;
    let cols: (number | bigint)[][] = AD_TYPES.map(() => []);
    let rows = 0;
    const flush = () => {
      if (rows === 0) return;
      const chunk = DuckDBDataChunk.create(AD_TYPES, rows);
      chunk.setColumns(cols);
      app.appendDataChunk(chunk);
      cols = AD_TYPES.map(() => []);
      rows = 0;
    };
    const n = [0, 0, 0, 0, 0, 0, 0];
    for (const s of sims) {
      const rng = new Rng(seed, s.idx, 0xc0);
      const churnSet = new Set(s.churnDays);
      const backSet = new Set(s.reactivationDays);
      for (let t = s.first; t < D; t++) {
        n.fill(0);
        let users = 0;
        let dau = 0;
        if (s.alive[t]) {
          users = s.users[t]!;
          const actRaw = s.act[t]!;
          const actS = Math.min(0.92, actRaw * fAct);
          const k = actS > 0 ? (actRaw * f) / actS : 0; // per-user rate multiplier
          dau = rng.binomial(users, actS);
          n[0] = rng.poisson(dau * 1.2 * k);
          const other = dau * s.perUser[t]! * k;
          n[1] = rng.poisson(other * s.reportShare[t]!);
          n[5] = rng.poisson(other * (1 - s.reportShare[t]!));
          n[2] = rng.poisson(s.api[t]! * f);
          n[3] = rng.poisson(s.invite[t]!);
          n[4] = rng.poisson(s.ticket[t]!);
          if (backSet.has(t) && n[0]! + n[1]! + n[2]! + n[3]! + n[4]! + n[5]! === 0) {
            // a reactivation shows up as activity on its day: someone logs in
            dau = Math.max(dau, 1);
            n[0] = 1;
          }
        } else if (churnSet.has(t)) {
          users = s.users[t - 1] || 1;
          n[6] = 1;
        }
        const sum = n[0]! + n[1]! + n[2]! + n[3]! + n[4]! + n[5]! + n[6]!;
        if (sum === 0) continue;
        cols[0]!.push(s.idx);
        cols[1]!.push(t);
        cols[2]!.push(Math.max(1, users));
        cols[3]!.push(dau);
        for (let e = 0; e < 7; e++) {
          cols[4 + e]!.push(n[e]!);
          eventsByType[EVENT_NAMES[e]!] += n[e]!;
        }
        cols[11]!.push(BigInt(total));
        total += sum;
        eventsPerDay[t]! += sum;
        if (++rows === CH) flush();
      }
    }
    flush();
    app.closeSync();
    if (total >= 2 ** 34) throw new Error('too many events (limit 2^34)');

    // ── event files: day ranges
    const ranges: Array<{ file: string; lo: number; hi: number }> = [];
    if (eventFiles === 'monthly') {
      let lo = 0;
      for (let t = 1; t <= D; t++) {
        const key = (d: number) => fmtDate(startMs + d * DAY_MS).slice(0, 7);
        if (t === D || key(t) !== key(lo)) {
          ranges.push({ file: `events-${key(lo)}.parquet`, lo, hi: t - 1 });
          lo = t;
        }
      }
    } else {
      const parts = Math.min(eventFiles, D);
      const digits = Math.max(3, String(parts).length);
      let lo = 0;
      let acc = 0;
      for (let p = 0; p < parts; p++) {
        // extend the range while it stays under its share of the events and leaves a day for each later part
        const goal = (total * (p + 1)) / parts;
        let hi = lo;
        acc += eventsPerDay[lo]!;
        const maxHi = p === parts - 1 ? D - 1 : D - 1 - (parts - 1 - p);
        while (hi < maxHi && (p === parts - 1 || acc + eventsPerDay[hi + 1]! / 2 <= goal)) {
          hi++;
          acc += eventsPerDay[hi]!;
        }
        ranges.push({ file: `events-part-${String(p + 1).padStart(digits, '0')}.parquet`, lo, hi });
        lo = hi + 1;
      }
    }

    // remove event files left by an earlier run (only our own naming pattern)
    for (const f0 of await readdir(eventsDir)) {
      if (/^events-(\d{4}-\d{2}|part-\d+)\.parquet$/.test(f0)) await rm(join(eventsDir, f0));
    }

    const seedMix = mixSeed(seed, 0xe7e7) % 1_000_000_007;
    const permXor = mixSeed(seed, 0x1d) % 2 ** 31;
    const startSec = Math.floor(startMs / 1000);
    const files: GeneratedFile[] = [];
    for (const r of ranges) {
      const path = join(eventsDir, r.file);
      const rowCount = await writeEventFile(con, path, r.lo, r.hi, { seedMix, permXor, startSec });
      files.push({ path, bytes: (await stat(path)).size, rows: rowCount });
    }

    // ── CSVs
    const accLines = ['account_id,created_at,name'];
    for (const s of sims) accLines.push(`${s.id},${fmtDate(startMs + s.createdDay * DAY_MS)},${csvField(s.name)}`);
    const attrLines = ['account_id,attribute,value,observed_at'];
    const attributeRowsByName: Record<string, number> = {};
    for (const s of sims) {
      const sorted = [...s.attrs].sort((a, b) => a.at - b.at || (a.attribute < b.attribute ? -1 : a.attribute > b.attribute ? 1 : 0));
      for (const a of sorted) {
        attrLines.push(`${s.id},${a.attribute},${csvField(a.value)},${fmtTimestamp(a.at)}`);
        attributeRowsByName[a.attribute] = (attributeRowsByName[a.attribute] ?? 0) + 1;
      }
    }
    const churnLines = ['account_id,churned_at'];
    for (const s of sims) for (const c of s.churnDays) churnLines.push(`${s.id},${fmtDate(startMs + c * DAY_MS)}`);
    const csvs: Array<[string, string[]]> = [
      ['accounts.csv', accLines],
      ['attributes.csv', attrLines],
      ['churn.csv', churnLines],
    ];
    for (const [file, lines] of csvs) {
      const path = join(outDir, file);
      await writeFile(path, lines.join('\n') + '\n');
      files.push({ path, bytes: (await stat(path)).size, rows: lines.length - 1 });
    }

    const planMix: Record<Plan, number> = { free: 0, pro: 0, enterprise: 0 };
    for (const s of sims) planMix[s.planAtCreation]++;
    return {
      outDir,
      seed,
      startDate: options.startDate,
      endDate: fmtDate(startMs + (D - 1) * DAY_MS),
      days: D,
      accounts: nAccounts,
      accountsCreatedBefore: sims.filter((s) => s.createdDay < 0).length,
      accountsCreatedDuring: sims.filter((s) => s.createdDay >= 0).length,
      planMix,
      events: total,
      eventsTarget: options.events,
      eventsByType,
      churners: sims.filter((s) => s.churnDays.length > 0).length,
      churnEvents: sims.reduce((a, s) => a + s.churnDays.length, 0),
      silentChurns: sims.reduce((a, s) => a + s.silentChurns, 0),
      reactivations: sims.reduce((a, s) => a + s.reactivations, 0),
      repeatChurners: sims.filter((s) => s.churnDays.length > 1).length,
      dips: sims.reduce((a, s) => a + s.dips, 0),
      attributeRows: attrLines.length - 1,
      attributeRowsByName,
      activityScale: Number(f.toFixed(6)),
      files,
      elapsedMs: Date.now() - t0,
    };
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}

/** Expands the per-account-day counts of days [lo, hi] into events and writes one Parquet file. */
async function writeEventFile(
  con: DuckDBConnection,
  path: string,
  lo: number,
  hi: number,
  k: { seedMix: number; permXor: number; startSec: number },
): Promise<number> {
  const names = `['${EVENT_NAMES.join("','")}']`;
  const M = 2 ** 34;
  // uniforms from 20-bit slices of hash values
  const u = (h: string, slice: number) => `(((${h} >> ${slice * 20}) & 1048575)::DOUBLE / 1048576.0)`;
  const sql = `
    COPY (
      WITH d AS (SELECT * FROM ad WHERE day BETWEEN ${lo} AND ${hi}),
      x AS (
        SELECT acct, day, users, dau, 0 AS et, n0 AS n, base AS b FROM d WHERE n0 > 0
        UNION ALL SELECT acct, day, users, dau, 1, n1, base + n0 FROM d WHERE n1 > 0
        UNION ALL SELECT acct, day, users, dau, 2, n2, base + n0 + n1 FROM d WHERE n2 > 0
        UNION ALL SELECT acct, day, users, dau, 3, n3, base + n0 + n1 + n2 FROM d WHERE n3 > 0
        UNION ALL SELECT acct, day, users, dau, 4, n4, base + n0 + n1 + n2 + n3 FROM d WHERE n4 > 0
        UNION ALL SELECT acct, day, users, dau, 5, n5, base + n0 + n1 + n2 + n3 + n4 FROM d WHERE n5 > 0
        UNION ALL SELECT acct, day, users, dau, 6, n6, base + n0 + n1 + n2 + n3 + n4 + n5 FROM d WHERE n6 > 0
      ),
      e AS (SELECT acct, day, users, dau, et, i, b + i AS k FROM (SELECT x.*, unnest(range(x.n)) AS i FROM x)),
      r AS (
        SELECT e.*,
          hash(k, ${k.seedMix}) AS h1,
          hash(k, ${k.seedMix + 1}) AS h2,
          hash(k, ${k.seedMix + 2}) AS h3,
          (hash(acct, day, ${k.seedMix}) % (dau // 2 + 1))::BIGINT AS rot
        FROM e
      ),
      s AS (
        SELECT r.*,
          CASE
            WHEN et = 2 THEN ${u('h1', 1)} * 86400
            WHEN ${u('h1', 0)} < 0.85 THEN 8 * 3600 + (${u('h1', 1)} + ${u('h1', 2)}) * 0.5 * 11 * 3600
            ELSE ${u('h1', 1)} * 86400
          END AS local_s,
          CASE
            WHEN et = 6 THEN 1
            WHEN et = 0 AND i < dau THEN (i + rot) % users + 1
            ELSE ((h2 % greatest(dau, 1))::BIGINT + rot) % users + 1
          END AS uidx,
          ((${u('h3', 0)} + ${u('h3', 1)} + ${u('h3', 2)}) - 1.5) * 2 AS z,
          xor(((k * 387420489) % ${M}) , (((k * 387420489) % ${M}) >> 17)) AS p1
        FROM r
      )
      SELECT
        a.account_id,
        ${names}[et + 1] AS event,
        make_timestamp(
          (${k.startSec}::BIGINT + day::BIGINT * 86400 + (((floor(local_s)::BIGINT - a.tz) % 86400 + 86400) % 86400)) * 1000000
          + ((h2 >> 40) % 1000)::BIGINT * 1000
        )::TIMESTAMPTZ AS ts,
        a.account_id || '_u' || uidx::VARCHAR AS user_id,
        'ev_' || format('{:09x}', xor((p1 * 282475249) % ${M}, ${k.permXor}::BIGINT)) AS event_id,
        CASE WHEN et = 1 THEN round(exp(3.6 + 0.9 * z), 1) END::DOUBLE AS duration_s,
        CASE WHEN et = 5 THEN round(exp(5.5 + 1.6 * z))::BIGINT END AS rows
      FROM s JOIN acc a USING (acct)
      ORDER BY ts, event_id
    ) TO '${path.replace(/'/g, "''")}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)`;
  const res = await con.run(sql);
  return Number(res.rowsChanged);
}

// ───────────────────────────── CLI ─────────────────────────────

export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      accounts: { type: 'string', default: '1000' },
      events: { type: 'string' },
      days: { type: 'string', default: '365' },
      start: { type: 'string', default: '2025-01-01' },
      seed: { type: 'string', default: '42' },
      out: { type: 'string', default: 'data' },
      'event-files': { type: 'string', default: 'monthly' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(
      'usage: tsx data/generate.ts [--accounts 1000] [--events N] [--days 365] [--start 2025-01-01]\n' +
        '                            [--seed 42] [--out data] [--event-files monthly|N] [--json]\n' +
        '  --events defaults to 500 per account (days scaled to a year).\n',
    );
    return;
  }
  const num = (name: string, v: string | undefined): number => {
    const x = Number(v);
    if (v === undefined || !Number.isFinite(x) || !Number.isInteger(x)) throw new Error(`--${name} must be an integer (got ${v})`);
    return x;
  };
  const accounts = num('accounts', values.accounts);
  const days = num('days', values.days);
  const events = values.events !== undefined ? num('events', values.events) : Math.round((accounts * 500 * days) / 365);
  const ef = values['event-files'];
  const eventFiles: 'monthly' | number = ef === 'monthly' || ef === undefined ? 'monthly' : num('event-files', ef);
  const summary = await generate({
    outDir: values.out!,
    accounts,
    events,
    days,
    startDate: values.start!,
    seed: num('seed', values.seed),
    eventFiles,
  });
  if (values.json) {
    process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
    return;
  }
  const mb = (b: number) => (b / 1e6).toFixed(2) + ' MB';
  const lines = [
    `generated ${summary.outDir} in ${(summary.elapsedMs / 1000).toFixed(1)} s`,
    `  period      ${summary.startDate} … ${summary.endDate} (${summary.days} days)`,
    `  accounts    ${summary.accounts} (${summary.accountsCreatedBefore} created before the start, ${summary.accountsCreatedDuring} during; ` +
      `plans ${PLANS.map((p) => `${p} ${summary.planMix[p]}`).join(', ')})`,
    `  events      ${summary.events} (target ${summary.eventsTarget}): ` +
      EVENT_NAMES.map((e) => `${e} ${summary.eventsByType[e]}`).join(', '),
    `  churn       ${summary.churners} churners, ${summary.churnEvents} cancellations (${summary.silentChurns} without warning), ` +
      `${summary.reactivations} reactivations, ${summary.repeatChurners} churned again; ${summary.dips} recovered dips`,
    `  attributes  ${summary.attributeRows} rows: ` +
      Object.entries(summary.attributeRowsByName)
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
    `  files       ${summary.files.length}, ${mb(summary.files.reduce((a, f0) => a + f0.bytes, 0))} in total`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (invokedDirectly) {
  main().catch((err: unknown) => {
    process.stderr.write(`generate: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
