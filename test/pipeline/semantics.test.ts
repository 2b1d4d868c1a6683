import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { MeasureStrategy } from '../../pipeline/compile/measure-strategy.ts';
import { engines, type TestEngine } from '../helpers/engines.ts';
import { csv, tempProject, type TempProject } from '../helpers/temp-project.ts';

// Hand-worked examples of SPEC §3, each run through the whole pipeline (load → compile →
// materialise) on a few rows of data, on every engine.

let project: TempProject;
let other: TempProject | undefined;
afterEach(async () => {
  await project?.cleanup();
  await other?.cleanup();
  other = undefined;
});

const BANDS = `bands: [{ label: red, from: 0 }, { label: yellow, from: 3 }, { label: green, from: 7 }]`;
const EVENT_HEADER = ['account_id', 'event', 'timestamp', 'user_id', 'event_id'];
const ATTRIBUTE_HEADER = ['account_id', 'attribute', 'value', 'observed_at'];

interface Setup {
  definition: string;
  /** Event columns after EVENT_HEADER's: the events' properties. */
  properties?: string[];
  events?: (string | number | null)[][];
  attributes?: (string | number | null)[][];
  span?: { from?: string; to?: string };
  timezone?: string;
}

/** Runs the setup with the spine strategy, checks that the range strategy gives the same
 *  rows (in a second project), and returns the first project's snapshots. */
async function score(engine: TestEngine, setup: Setup) {
  project = await tempProject(engine);
  await runSetup(project, setup, 'spine');
  other = await tempProject(engine);
  await runSetup(other, setup, 'range');
  const snapshots = await snapshotsOf(project);
  const { wh: _, ...range } = await snapshotsOf(other);
  expect(range, 'range strategy = spine strategy').toEqual({ scores: snapshots.scores, health: snapshots.health });
  return snapshots;
}

async function runSetup(project: TempProject, setup: Setup, measureStrategy: MeasureStrategy) {
  // Without events of its own, every account gets one on Jan 1 so that the run has a day.
  const accounts = [...new Set((setup.attributes ?? []).map((a) => String(a[0])))];
  const events = setup.events ?? accounts.map((account) => [account, 'noop', '2025-01-01 00:00:00', null, null]);
  await project.write('events/e.csv', csv([[...EVENT_HEADER, ...(setup.properties ?? [])], ...events]));
  await project.write('attributes.csv', csv([ATTRIBUTE_HEADER, ...(setup.attributes ?? [])]));
  await project.write('definitions/d.yaml', setup.definition);
  await project.run({ span: setup.span, measureStrategy, config: setup.timezone ? { timezone: setup.timezone } : {} });
}

async function snapshotsOf(project: TempProject) {
  const wh = await project.warehouse();
  return {
    scores: await wh.query<{ snapshot_date: string; account_id: string; score_id: string; raw_value: number | null; score: number | null; band: string | null; weight: number; status: string }>(
      sql`select * from score_snapshots order by snapshot_date, account_id, score_id`,
    ),
    health: await wh.query<{ snapshot_date: string; account_id: string; score: number | null; band: string | null; computed_band: string | null; insights: string[] }>(
      sql`select * from health_snapshots order by snapshot_date, account_id`,
    ),
    wh,
  };
}

describe.each(engines)('bands ($name)', (engine) => {
  it('puts a value on a border into the upper band (0/3/7)', async () => {
    const values = { a: 2.9999, b: 3, c: 6.9999, d: 7, e: 0, f: 10 };
    const { scores } = await score(engine, {
      definition: `scorecard: s\n${BANDS}\nmeasures: { x: { attribute: x } }\nscores: [{ id: x, measure: x, worst: 0, best: 10 }]`,
      attributes: Object.entries(values).map(([account, v]) => [account, 'x', v, '2025-01-01']),
    });
    expect(Object.fromEntries(scores.map((r) => [r.account_id, r.band]))).toEqual({
      a: 'red', b: 'yellow', c: 'yellow', d: 'green', e: 'red', f: 'green',
    });
  });
});

describe.each(engines)('the global score ($name)', (engine) => {
  const definition = `scorecard: s
${BANDS}
measures: { a: { attribute: a }, b: { attribute: b }, c: { attribute: c, max_age: 1d }, w0: { attribute: w0 } }
scores:
  - { id: a, measure: a, worst: 0, best: 10, impact: low }
  - { id: b, measure: b, worst: 0, best: 10, impact: medium }
  - { id: c, measure: c, worst: 0, best: 10, impact: high }
  - { id: w0, measure: w0, worst: 0, best: 10, impact: none }`;

  it('is (A + 2B + 3C) / 6 for impacts low, medium, high; weight 0 is shown but not averaged', async () => {
    const { health, scores } = await score(engine, {
      definition,
      attributes: [['acc', 'a', 1, '2025-01-01'], ['acc', 'b', 4, '2025-01-01'], ['acc', 'c', 8, '2025-01-01'], ['acc', 'w0', 0, '2025-01-01']],
      span: { from: '2025-01-01', to: '2025-01-01' },
    });
    expect(health[0]?.score).toBe(Number(((1 + 2 * 4 + 3 * 8) / 6).toFixed(4)));
    expect(scores.map((r) => [r.score_id, r.weight, r.score])).toEqual([['a', 1, 1], ['b', 2, 4], ['c', 3, 8], ['w0', 0, 0]]);
  });

  it('renormalises the remaining weights when a score is missing or stale', async () => {
    const { health, scores } = await score(engine, {
      definition,
      // c is observed on Jan 1 with max_age 1d: fresh on Jan 2, stale on Jan 3.
      attributes: [['acc', 'a', 1, '2025-01-01'], ['acc', 'b', 4, '2025-01-01'], ['acc', 'c', 8, '2025-01-01']],
      events: [['acc', 'login', '2025-01-03 12:00:00', null, null]],
    });
    const byDay = Object.fromEntries(health.map((h) => [h.snapshot_date, h.score]));
    expect(byDay['2025-01-02']).toBe(Number(((1 + 2 * 4 + 3 * 8) / 6).toFixed(4)));
    expect(byDay['2025-01-03']).toBe(3); // (1 + 2·4) / 3
    const c = scores.filter((r) => r.score_id === 'c');
    expect(c.map((r) => [r.snapshot_date, r.status, r.score, r.raw_value])).toEqual([
      ['2025-01-01', 'ok', 8, 8],
      ['2025-01-02', 'ok', 8, 8],
      ['2025-01-03', 'stale', null, null],
    ]);
    expect(scores.filter((r) => r.score_id === 'w0').every((r) => r.status === 'missing')).toBe(true);
  });

  it('is missing, with a null band, when no weighted score is present', async () => {
    const { health } = await score(engine, {
      definition,
      attributes: [['acc', 'w0', 5, '2025-01-01']],
      span: { from: '2025-01-01', to: '2025-01-01' },
    });
    expect(health).toMatchObject([{ account_id: 'acc', score: null, band: null }]);
  });
});

describe.each(engines)('windows and point-in-time ($name)', (engine) => {
  it('counts the events of days D−N+1 … D and nothing after D', async () => {
    const { scores } = await score(engine, {
      definition: `scorecard: s\n${BANDS}\nmeasures: { n: { event: login, window: 3d } }\nscores: [{ id: n, measure: n, worst: 0, best: 10 }]`,
      events: [
        ['acc', 'login', '2025-01-01 00:00:00', null, null],
        ['acc', 'login', '2025-01-03 23:59:59', null, null],
        ['acc', 'login', '2025-01-04 00:00:00', null, null],
        ['acc', 'login', '2025-01-04 10:00:00', null, null],
        ['acc', 'other', '2025-01-08 10:00:00', null, null],
      ],
    });
    expect(scores.map((r) => [r.snapshot_date, r.raw_value])).toEqual([
      ['2025-01-01', 1],
      ['2025-01-02', 1],
      ['2025-01-03', 2], // days 1..3
      ['2025-01-04', 3], // days 2..4: the login of day 1 has left the window
      ['2025-01-05', 3], // days 3..5
      ['2025-01-06', 2], // days 4..6
      ['2025-01-07', 0],
      ['2025-01-08', 0],
    ]);
  });

  it('assigns events to calendar days of the project timezone across a DST change', async () => {
    // America/New_York moved from UTC−5 to UTC−4 at 2025-03-09 07:00 UTC.
    const { wh } = await score(engine, {
      timezone: 'America/New_York',
      definition: `scorecard: s\n${BANDS}\nmeasures: { n: { event: login, window: 1d } }\nscores: [{ id: n, measure: n, worst: 0, best: 10 }]`,
      events: [
        ['acc', 'login', '2025-03-09T04:30:00Z', null, 'e1'], // Mar 8, 23:30 EST
        ['acc', 'login', '2025-03-09T05:30:00Z', null, 'e2'], // Mar 9, 00:30 EST
        ['acc', 'login', '2025-03-10T03:30:00Z', null, 'e3'], // Mar 9, 23:30 EDT
        ['acc', 'login', '2025-03-10T04:30:00Z', null, 'e4'], // Mar 10, 00:30 EDT
      ],
    });
    const days = await wh.query(sql`select event_id, cast(day as varchar) as day from raw_events order by event_id`);
    expect(days).toEqual([
      { event_id: 'e1', day: '2025-03-08' },
      { event_id: 'e2', day: '2025-03-09' },
      { event_id: 'e3', day: '2025-03-09' },
      { event_id: 'e4', day: '2025-03-10' },
    ]);
    const logins = await wh.query(sql`select cast(snapshot_date as varchar) as d, raw_value from score_snapshots order by 1`);
    expect(logins).toEqual([{ d: '2025-03-08', raw_value: 1 }, { d: '2025-03-09', raw_value: 2 }, { d: '2025-03-10', raw_value: 1 }]);
  });

  it('reads the attribute value observed on or before D, the latest of a day winning', async () => {
    const { scores } = await score(engine, {
      definition: `scorecard: s\n${BANDS}\nmeasures: { x: { attribute: x } }\nscores: [{ id: x, measure: x, worst: 0, best: 10 }]`,
      attributes: [
        ['acc', 'x', 2, '2025-01-01 08:00:00'],
        ['acc', 'x', 9, '2025-01-03 18:00:00'],
        ['acc', 'x', 5, '2025-01-03 09:00:00'],
      ],
      events: [['acc', 'login', '2025-01-04 00:00:00', null, null]],
    });
    expect(scores.map((r) => r.raw_value)).toEqual([2, 2, 9, 9]);
  });
});

describe.each(engines)('distinct counts ($name)', (engine) => {
  const MEASURES = `measures:
  features: { event: feature_used, aggregate: distinct, property: feature, window: 3d }
  pro_features: { event: feature_used, aggregate: distinct, property: feature, where: { property: tier, eq: pro }, window: 3d }
  both: { event: [feature_used, login], aggregate: distinct, property: feature, window: 3d }
  trend: { trend: features }
  users: { event: "*", aggregate: distinct_users, window: 3d }
  user_ids: { event: "*", aggregate: distinct, property: user_id, window: 3d }`;
  const SCORES = ['features', 'pro_features', 'both', 'trend', 'users', 'user_ids']
    .map((id) => `  - { id: ${id}, measure: ${id}, worst: 0, best: 10 }`).join('\n');
  const definition = `scorecard: s\n${BANDS}\n${MEASURES}\nscores:\n${SCORES}`;

  it('counts the different non-null values of the property over days D−N+1 … D', async () => {
    const { scores } = await score(engine, {
      definition,
      properties: ['feature', 'tier'],
      events: [
        ['a', 'feature_used', '2025-01-01 09:00:00', 'u1', null, 'x', 'pro'],
        ['a', 'feature_used', '2025-01-01 10:00:00', 'u1', null, 'x', 'free'], // x twice on one day
        ['a', 'feature_used', '2025-01-01 11:00:00', 'u2', null, 'y', 'pro'],
        ['a', 'login', '2025-01-01 12:00:00', 'u3', null, 'v', null], // another event
        ['a', 'feature_used', '2025-01-02 09:00:00', 'u1', null, 'x', 'free'], // x again on the next day
        ['a', 'feature_used', '2025-01-02 10:00:00', 'u1', null, null, 'pro'], // no feature
        ['a', 'feature_used', '2025-01-03 09:00:00', null, null, 'w', 'pro'],
        ['a', 'feature_used', '2025-01-04 09:00:00', 'u2', null, 'z', 'free'],
        ['a', 'feature_used', '2025-01-06 09:00:00', 'u2', null, 'z', 'pro'],
        ['b', 'login', '2025-01-02 09:00:00', 'u9', null, null, null], // no feature at all
      ],
      attributes: [['c', 'plan', 'pro', '2025-01-03']], // no events: every count is 0
    });
    const values = (account: string, id: string) => scores.filter((r) => r.account_id === account && r.score_id === id).map((r) => r.raw_value);
    // Days 1..6 of a: {x,y} {x,y} {x,y,w} {x,w,z} {w,z} {z}; y leaves the window on day 4.
    expect(values('a', 'features')).toEqual([2, 2, 3, 3, 2, 1]);
    // Only pro events: {x,y} {x,y} {x,y,w} {w} {w} {z} (x of day 2 is free).
    expect(values('a', 'pro_features')).toEqual([2, 2, 3, 1, 1, 1]);
    // The login adds v on day 1, until it leaves the window on day 4.
    expect(values('a', 'both')).toEqual([3, 3, 4, 3, 2, 1]);
    // As for any event measure, against the previous 3 days: day 4 (3 − 2) / 2, day 6 (1 − 3) / 3.
    expect(values('a', 'trend')).toEqual([null, null, null, 0.5, 0, -2 / 3]);
    expect(values('b', 'features')).toEqual([0, 0, 0, 0, 0]);
    expect(values('b', 'both')).toEqual([0, 0, 0, 0, 0]);
    expect(values('c', 'features')).toEqual([0, 0, 0, 0]);
    expect(values('c', 'pro_features')).toEqual([0, 0, 0, 0]);
    // property: user_id is the user column: the same as distinct_users.
    expect(values('a', 'users')).toEqual([3, 3, 3, 2, 1, 1]);
    for (const account of ['a', 'b', 'c']) expect(values(account, 'user_ids')).toEqual(values(account, 'users'));
  });

  it('compares values as the text the file holds', async () => {
    const { scores } = await score(engine, {
      definition: `scorecard: s\n${BANDS}\nmeasures: { n: { event: e, aggregate: distinct, property: p, window: 1d } }\nscores: [{ id: n, measure: n, worst: 0, best: 10 }]`,
      properties: ['p'],
      events: ['1', '1.0', 'X', 'x', 'x', '"x "'].map((p) => ['a', 'e', '2025-01-01 09:00:00', null, null, p]),
    });
    expect(scores.map((r) => r.raw_value)).toEqual([5]);
  });
});

describe.each(engines)('scores ($name)', (engine) => {
  it('rounds to 4 decimals, clamps, and scores steps and categories', async () => {
    const { scores } = await score(engine, {
      definition: `scorecard: s
${BANDS}
measures: { x: { attribute: x }, t: { attribute: tier } }
scores:
  - { id: lin, measure: x, worst: 0, best: 3 }
  - { id: inv, measure: x, worst: 10, best: 0 }
  - id: steps
    measure: x
    steps: [{ below: 1, score: 0 }, { below: 5, score: 5 }, { score: 10 }]
  - { id: cat, measure: t, map: { strong: 10, ok: 5, weak: 0 } }`,
      attributes: [
        ['a', 'x', 1, '2025-01-01'], ['a', 'tier', 'strong', '2025-01-01'],
        ['b', 'x', 5, '2025-01-01'], ['b', 'tier', 'unknown', '2025-01-01'],
        ['c', 'x', -4, '2025-01-01'], ['c', 'tier', 'weak', '2025-01-01'],
      ],
    });
    const got = Object.fromEntries(scores.map((r) => [`${r.account_id}.${r.score_id}`, [r.score, r.status]]));
    expect(got).toEqual({
      'a.lin': [3.3333, 'ok'], 'a.inv': [9, 'ok'], 'a.steps': [5, 'ok'], 'a.cat': [10, 'ok'],
      'b.lin': [10, 'ok'], 'b.inv': [5, 'ok'], 'b.steps': [10, 'ok'], 'b.cat': [null, 'missing'],
      'c.lin': [0, 'ok'], 'c.inv': [10, 'ok'], 'c.steps': [0, 'ok'], 'c.cat': [0, 'ok'],
    });
  });

  it('applies missing policies but keeps the reason in the status', async () => {
    const { scores, health } = await score(engine, {
      definition: `scorecard: s
${BANDS}
measures: { x: { attribute: x }, y: { attribute: y, max_age: 1d }, z: { attribute: z } }
scores:
  - { id: x, measure: x, worst: 0, best: 10, missing: worst }
  - { id: y, measure: y, worst: 0, best: 10, missing: 4 }
  - { id: z, measure: z, worst: 0, best: 10 }`,
      attributes: [['a', 'y', 9, '2024-12-01'], ['a', 'z', 8, '2025-01-01']],
      span: { from: '2025-01-01', to: '2025-01-01' },
    });
    expect(scores.map((r) => [r.score_id, r.score, r.status])).toEqual([['x', 0, 'missing'], ['y', 4, 'stale'], ['z', 8, 'ok']]);
    expect(health[0]?.score).toBe(Number(((0 * 2 + 4 * 2 + 8 * 2) / 6).toFixed(4)));
  });

  it('gives no row to accounts outside a score segment, and scores only the scorecard segment', async () => {
    const { scores, health } = await score(engine, {
      definition: `scorecard: s
segment: paying
${BANDS}
segments:
  paying: { attribute: plan, in: [pro, enterprise] }
  big: { attribute: seats, gte: 10 }
measures: { seats: { attribute: seats } }
scores:
  - { id: seats, measure: seats, worst: 0, best: 20 }
  - { id: big_only, measure: seats, worst: 0, best: 100, segment: big }`,
      attributes: [
        ['free', 'plan', 'free', '2025-01-01'], ['free', 'seats', 50, '2025-01-01'],
        ['small', 'plan', 'pro', '2025-01-01'], ['small', 'seats', 4, '2025-01-01'],
        ['large', 'plan', 'enterprise', '2025-01-01'], ['large', 'seats', 40, '2025-01-01'],
      ],
      span: { from: '2025-01-01', to: '2025-01-01' },
    });
    expect(health.map((h) => h.account_id)).toEqual(['large', 'small']);
    expect(scores.map((r) => `${r.account_id}.${r.score_id}`)).toEqual(['large.big_only', 'large.seats', 'small.seats']);
  });
});

describe.each(engines)('insights ($name)', (engine) => {
  it('caps the band at the worst fired insight and records the fired ids sorted', async () => {
    const { health } = await score(engine, {
      definition: `scorecard: s
${BANDS}
measures: { x: { attribute: x }, logins: { event: login, window: 7d } }
scores: [{ id: x, measure: x, worst: 0, best: 10 }]
insights:
  - { id: z_no_logins, when: { measure: logins, eq: 0 }, band: yellow }
  - { id: a_low_x, when: { all: [{ measure: x, lt: 5 }, { not: { attribute: plan, eq: vip } }] }, band: red }
  - { id: m_info, when: { attribute: plan, missing: true } }`,
      attributes: [['a', 'x', 9, '2025-01-01'], ['b', 'x', 4, '2025-01-01'], ['c', 'x', 4, '2025-01-01'], ['c', 'plan', 'vip', '2025-01-01']],
      events: [['c', 'login', '2025-01-01 10:00:00', null, null]],
      span: { from: '2025-01-01', to: '2025-01-01' },
    });
    expect(health.map((h) => [h.account_id, h.computed_band, h.band, h.insights])).toEqual([
      ['a', 'green', 'yellow', ['m_info', 'z_no_logins']],
      ['b', 'yellow', 'red', ['a_low_x', 'm_info', 'z_no_logins']],
      ['c', 'yellow', 'yellow', []],
    ]);
  });

  it('gives every account the best band in a scorecard without scores unless an insight fires', async () => {
    const { health } = await score(engine, {
      definition: `scorecard: s\n${BANDS}\nmeasures: { logins: { event: login, window: 7d } }\ninsights: [{ id: idle, when: { measure: logins, eq: 0 }, band: red }]`,
      events: [['a', 'login', '2025-01-01 10:00:00', null, null], ['b', 'other', '2025-01-01 10:00:00', null, null]],
      span: { from: '2025-01-01', to: '2025-01-01' },
    });
    expect(health.map((h) => [h.account_id, h.band, h.insights])).toEqual([['a', 'green', []], ['b', 'red', ['idle']]]);
  });
});

describe.each(engines)('names are data ($name)', (engine) => {
  it('handles event, attribute and property names with quotes and semicolons', async () => {
    const evil = `it's"; drop table raw_events; --`;
    const { scores, wh } = await score(engine, {
      definition: `scorecard: s
${BANDS}
measures:
  "m'; drop table x; --": { event: ${JSON.stringify(evil)}, window: 2d }
  "a\\"b": { attribute: ${JSON.stringify(evil)} }
scores:
  - { id: e, measure: "m'; drop table x; --", worst: 0, best: 2 }
  - { id: a, measure: "a\\"b", map: { ${JSON.stringify(evil)}: 10 } }`,
      events: [['acc', `"${evil.replaceAll('"', '""')}"`, '2025-01-01 10:00:00', null, null]],
      attributes: [['acc', `"${evil.replaceAll('"', '""')}"`, `"${evil.replaceAll('"', '""')}"`, '2025-01-01']],
      span: { from: '2025-01-01', to: '2025-01-01' },
    });
    expect(scores.map((r) => [r.score_id, r.score])).toEqual([['a', 10], ['e', 5]]);
    expect(await wh.query(sql`select count(*) as n from raw_events`)).toEqual([{ n: 1 }]);
  });
});

describe.each(engines)('churn ($name)', (engine) => {
  it('stops scoring a churned account until it has an event on a later day', async () => {
    project = await tempProject(engine);
    await project.write('events/e.csv', csv([
      EVENT_HEADER,
      ['a', 'login', '2025-01-01 10:00:00', null, null],
      ['a', 'cancelled', '2025-01-03 10:00:00', null, null],
      ['a', 'login', '2025-01-06 10:00:00', null, null],
      ['b', 'login', '2025-01-08 10:00:00', null, null],
    ]));
    await project.write('attributes.csv', csv([ATTRIBUTE_HEADER]));
    await project.write('definitions/d.yaml', `scorecard: s\n${BANDS}\nmeasures: { n: { event: login, window: 30d } }\nscores: [{ id: n, measure: n, worst: 0, best: 2 }]`);
    await project.run({ config: { sources: { ...project.config().sources, churn: { kind: 'event', event: 'cancelled' } } } });
    const wh = await project.warehouse();
    const days = await wh.query<{ d: string }>(sql`select cast(snapshot_date as varchar) as d from health_snapshots where account_id = 'a' order by 1`);
    expect(days.map((r) => r.d)).toEqual(['2025-01-01', '2025-01-02', '2025-01-06', '2025-01-07', '2025-01-08']);
  });

  // The spine leaves out accounts churned through a whole batch [from, to]; an account back
  // on `to` itself is scored that day, so it must not be left out (back_on > to, not ≥).
  for (const measureStrategy of ['spine', 'range'] as const) {
    it(`scores an account reactivated on the last day of an incremental batch (${measureStrategy})`, async () => {
      project = await tempProject(engine);
      const events = [
        EVENT_HEADER,
        ['a', 'login', '2025-01-01 10:00:00', null, null],
        ['a', 'cancelled', '2025-01-02 10:00:00', null, null],
        ['a', 'login', '2025-01-08 10:00:00', null, null], // back on the batch's last day
        ['c', 'login', '2025-01-01 10:00:00', null, null],
        ['c', 'cancelled', '2025-01-02 10:00:00', null, null],
        ['c', 'login', '2025-01-09 10:00:00', null, null], // back the day after the batch
      ];
      for (let d = 1; d <= 9; d++) events.push(['b', 'login', `2025-01-0${d} 09:00:00`, null, null]);
      await project.write('events/e.csv', csv(events));
      await project.write('attributes.csv', csv([ATTRIBUTE_HEADER]));
      await project.write('definitions/d.yaml', `scorecard: s\n${BANDS}\nmeasures: { n: { event: login, window: 3d } }\nscores: [{ id: n, measure: n, worst: 0, best: 2 }]`);
      const config = { sources: { ...project.config().sources, churn: { kind: 'event' as const, event: 'cancelled' } } };
      await project.run({ config, measureStrategy, span: { to: '2025-01-05' } });
      const second = await project.run({ config, measureStrategy, span: { to: '2025-01-08' }, lookback: 1 });
      expect(second.materialised['s']).toEqual([{ from: '2025-01-06', to: '2025-01-08' }]);
      const wh = await project.warehouse();
      const rows = () => wh.query(sql`select account_id, cast(snapshot_date as varchar) as d, score from health_snapshots
        where account_id <> 'b' order by 1, 2`);
      // a: 1 login in the 3 days to Jan 8 → 5 of 10; c is still churned on Jan 8.
      const expected = [
        { account_id: 'a', d: '2025-01-01', score: 5 },
        { account_id: 'a', d: '2025-01-08', score: 5 },
        { account_id: 'c', d: '2025-01-01', score: 5 },
      ];
      expect(await rows()).toEqual(expected);
      await project.run({ config, measureStrategy, span: { to: '2025-01-08' }, fullRefresh: true });
      expect(await rows()).toEqual(expected);
    });
  }
});
