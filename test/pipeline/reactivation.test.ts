import { copyFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { runBacktest } from '../../pipeline/backtest/run-backtest.ts';
import { dialectFor } from '../../pipeline/engine/dialect-for.ts';
import { loadScorecards } from '../../pipeline/definitions/load-scorecards.ts';
import type { ChurnSource, Reactivation } from '../../pipeline/ir/types.ts';
import { engines, type TestEngine } from '../helpers/engines.ts';
import { csv, identity, tempProject, type TempProject } from '../helpers/temp-project.ts';

// SPEC §3.1: a churned account is back on the first later day that reactivates it. By
// default any event does; `reactivated_by` narrows it to some events, or hands it to a
// file of reactivations.

const projects: TempProject[] = [];
afterEach(async () => {
  await Promise.all(projects.splice(0).map((p) => p.cleanup()));
});

const EVENT_HEADER = ['account_id', 'event', 'timestamp', 'user_id', 'event_id'];
const day = (d: number) => `2025-01-${String(d).padStart(2, '0')}`;
const DEFINITION = `scorecard: s
bands: [{ label: red, from: 0 }, { label: green, from: 5 }]
measures: { n: { event: login, window: 30d } }
scores: [{ id: n, measure: n, worst: 0, best: 2 }]
alerts: [{ id: to_red, when: { band_became: red } }]
`;

/** a: login on day 1, a ticket on day 4, login on 6, a ticket on 10, login on 12; churned
 *  on days 3 and 8. b: a login every day, so that every day is a snapshot day. */
const EVENTS: [string, string, number][] = [
  ['a', 'login', 1], ['a', 'ticket', 4], ['a', 'login', 6], ['a', 'ticket', 10], ['a', 'login', 12],
  ...Array.from({ length: 12 }, (_, i) => ['b', 'login', i + 1] as [string, string, number]),
];
const CHURNS: [string, number][] = [['a', 3], ['a', 8]];

type ChurnForm = 'file' | 'event';

async function project(engine: TestEngine, form: ChurnForm): Promise<TempProject> {
  const p = await tempProject(engine);
  projects.push(p);
  const events = EVENTS.map(([a, e, d]) => [a, e, `${day(d)} 10:00:00`, null, null]);
  // The churn event form: a `cancelled` event on each churn day.
  if (form === 'event') events.push(...CHURNS.map(([a, d]) => [a, 'cancelled', `${day(d)} 09:00:00`, null, null]));
  await p.write('events/e.csv', csv([EVENT_HEADER, ...events]));
  await p.write('attributes.csv', csv([['account_id', 'attribute', 'value', 'observed_at']]));
  await p.write('churn.csv', csv([['account_id', 'churned_at'], ...CHURNS.map(([a, d]) => [a, day(d)])]));
  await p.write('definitions/s.yaml', DEFINITION);
  return p;
}

function churnSource(form: ChurnForm, reactivatedBy?: Reactivation): ChurnSource {
  const churn: ChurnSource = form === 'event'
    ? { kind: 'event', event: 'cancelled' }
    : { kind: 'file', path: 'churn.csv', format: 'csv', columns: identity(['account_id', 'churned_at']) };
  return reactivatedBy ? { ...churn, reactivatedBy } : churn;
}

async function run(p: TempProject, churn: ChurnSource, options: { only?: string } = {}) {
  return p.run({ ...options, config: { sources: { ...p.config().sources, churn } } });
}

/** The days of the month on which `account` has a snapshot. */
async function scoredDays(p: TempProject, account: string): Promise<number[]> {
  const rows = await (await p.warehouse()).query<{ d: number }>(
    sql`select cast(extract(day from snapshot_date) as int) as d from health_snapshots where account_id = ${account} order by 1`,
  );
  return rows.map((r) => r.d);
}

/** Every snapshot row, as text. */
async function snapshots(p: TempProject): Promise<Record<string, string[]>> {
  const wh = await p.warehouse();
  const out: Record<string, string[]> = {};
  for (const table of ['score_snapshots', 'health_snapshots', 'alerts']) {
    out[table] = (await wh.query<{ r: string }>(sql`select t::varchar as r from ${sql.table(table)} t order by 1`)).map((row) => row.r);
  }
  return out;
}

const LOGIN_ONLY: Reactivation = { kind: 'events', events: ['login', "o'brien"] };

describe.each(engines.flatMap((engine) => (['file', 'event'] as const).map((form) => ({ engine, form }))))('churn by $form ($engine.name)', ({ engine, form }) => {
  it('by default any event brings the account back, a ticket too', async () => {
    const p = await project(engine, form);
    await run(p, churnSource(form));
    // Churned on 3, back on 4 (a ticket); churned on 8, back on 10 (a ticket).
    expect(await scoredDays(p, 'a')).toEqual([1, 2, 4, 5, 6, 7, 10, 11, 12]);
  });

  it('with reactivated_by events, only those events bring it back: a ticket after a churn does not', async () => {
    const p = await project(engine, form);
    await run(p, churnSource(form, LOGIN_ONLY));
    // Churned on 3, back on 6 (a login); churned on 8, back on 12 (a login).
    expect(await scoredDays(p, 'a')).toEqual([1, 2, 6, 7, 12]);
    expect(await scoredDays(p, 'b')).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  });
});

/** A reactivation file with its own column names. */
const REACTIVATION_FILE: Reactivation = {
  kind: 'file', path: 'reactivations.csv', format: 'csv', columns: { account_id: 'id', reactivated_at: 'at' },
};

async function writeReactivations(p: TempProject, rows: [string, string][]) {
  await p.write('reactivations.csv', csv([['id', 'at'], ...rows]));
}

describe.each(engines.flatMap((engine) => (['file', 'event'] as const).map((form) => ({ engine, form }))))('a reactivation file, churn by $form ($engine.name)', ({ engine, form }) => {
  it('ends a churn on its first reactivation day after the churn day; events do not', async () => {
    const p = await project(engine, form);
    await writeReactivations(p, [
      ['a', `${day(2)} 12:00:00`], // before the first churn: nothing
      ['a', day(3)], // the churn day itself: nothing
      ['a', `${day(5)}T08:00:00Z`],
      ['a', day(11)],
      ['b', day(4)], // never churned: nothing
    ]);
    await run(p, churnSource(form, REACTIVATION_FILE));
    // Churned on 3, back on 5; churned on 8, back on 11. The logins on 6 and 12 change nothing.
    expect(await scoredDays(p, 'a')).toEqual([1, 2, 5, 6, 7, 11, 12]);
    expect(await scoredDays(p, 'b')).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  });
});

describe.each(engines)('a reactivation file as a source ($name)', (engine) => {
  it('stops on a bad row with file:line column: reason, and keeps what was materialised', async () => {
    const p = await project(engine, 'file');
    await writeReactivations(p, [['a', day(5)]]);
    await run(p, churnSource('file', REACTIVATION_FILE));
    const before = await snapshots(p);
    await writeReactivations(p, [['a', day(5)], ['a', 'yesterday']]);
    await expect(run(p, churnSource('file', REACTIVATION_FILE))).rejects.toThrow('reactivations.csv:3 at: cannot be read as a date or timestamp ("yesterday")');
    await writeReactivations(p, [['a', day(5)], ['', day(6)]]);
    await expect(run(p, churnSource('file', REACTIVATION_FILE))).rejects.toThrow('reactivations.csv:3 id: is empty');
    await p.write('reactivations.csv', csv([['id', 'when'], ['a', day(5)]]));
    await expect(run(p, churnSource('file', REACTIVATION_FILE))).rejects.toThrow('reactivations.csv reactivated_at: has no column "at" (the file\'s columns are: id, when); in healthscore.yaml, "at" comes from sources.churn.reactivated_by.columns.reactivated_at');
    expect(await snapshots(p)).toEqual(before);
  });

  it('sets bad rows aside with on_bad_rows: skip, a date outside valid_range among them', async () => {
    const p = await project(engine, 'file');
    await writeReactivations(p, [['a', '1999-12-31'], ['a', 'soon'], ['a', day(6)]]);
    await run(p, churnSource('file', { ...REACTIVATION_FILE, onBadRows: 'skip', validRange: { from: '2000-01-01' } }));
    const wh = await p.warehouse();
    expect(await wh.query(sql`select source, line, "column", reason from rejected_rows order by line`)).toEqual([
      { source: 'reactivations', line: 2, column: 'at', reason: 'is before 2000-01-01, the start of valid_range' },
      { source: 'reactivations', line: 3, column: 'at', reason: 'cannot be read as a date or timestamp' },
    ]);
    expect(await scoredDays(p, 'a')).toEqual([1, 2, 6, 7]);
  });

  it('added, edited, copied and removed between runs, gives what a fresh project gives', async () => {
    const p = await project(engine, 'file');
    const config = churnSource('file', REACTIVATION_FILE);
    const expectFresh = async (rows: [string, string][] | undefined, churn = config) => {
      const fresh = await project(engine, 'file');
      if (rows) await writeReactivations(fresh, rows);
      await run(fresh, churn);
      const result = await run(p, churn);
      expect(await snapshots(p)).toEqual(await snapshots(fresh));
      return result;
    };
    await run(p, churnSource('file'));
    await writeReactivations(p, [['a', day(5)]]);
    const added = await expectFresh([['a', day(5)]]);
    expect(added.materialised['s']).toEqual([{ from: day(1), to: day(12) }]); // the rule changed: every day
    await writeReactivations(p, [['a', day(5)], ['a', day(9)]]);
    const late = await expectFresh([['a', day(5)], ['a', day(9)]]);
    expect(late.materialised['s']).toEqual([{ from: day(9), to: day(12) }]); // nothing before the new row's day
    // A copy is the same content: it adds nothing (SPEC §2).
    const glob = churnSource('file', { ...REACTIVATION_FILE, path: 'reactivations*.csv' });
    await copyFile(join(p.root, 'reactivations.csv'), join(p.root, 'reactivations-copy.csv'));
    const copied = await expectFresh([['a', day(5)], ['a', day(9)]], glob);
    expect(copied.materialised['s']).toEqual([{ from: day(10), to: day(12) }]); // the lookback
    await rm(join(p.root, 'reactivations-copy.csv'));
    await writeReactivations(p, [['a', day(10)]]);
    await expectFresh([['a', day(10)]], glob);
    await expectFresh(undefined, churnSource('file')); // the file is no longer listed: its rows leave
    expect(await (await p.warehouse()).query(sql`select count(*)::int as n from raw_reactivations`)).toEqual([{ n: 0 }]);
  });
});

describe.each(engines)('changing reactivated_by between runs ($name)', (engine) => {
  it('gives what a fresh project with the new setting gives, each way', async () => {
    const p = await project(engine, 'file');
    await run(p, churnSource('file'));
    const fresh = await project(engine, 'file');
    await run(fresh, churnSource('file', LOGIN_ONLY));

    const toLogin = await run(p, churnSource('file', LOGIN_ONLY));
    expect(toLogin.daysMaterialised).toBe(12);
    expect(await snapshots(p)).toEqual(await snapshots(fresh));

    // The same events in another order are the same rule: nothing to recompute.
    const reordered = await run(p, churnSource('file', { kind: 'events', events: ["o'brien", 'login', 'login'] }));
    expect(reordered.daysMaterialised).toBe(3); // the lookback

    const back = await project(engine, 'file');
    await run(back, churnSource('file'));
    await run(p, churnSource('file'));
    expect(await snapshots(p)).toEqual(await snapshots(back));
  });

  it('is noticed by a run of one scorecard (as a backtest makes)', async () => {
    const p = await project(engine, 'event');
    await run(p, churnSource('event'));
    await run(p, churnSource('event', LOGIN_ONLY), { only: 's' });
    expect(await scoredDays(p, 'a')).toEqual([1, 2, 6, 7, 12]);
  });
});

describe.each(engines)('backtest ($name)', (engine) => {
  it('labels by the churn days whatever the rule; the rule only changes who is scored', async () => {
    const p = await project(engine, 'file');
    const backtest = async (churn: ChurnSource) => {
      const config = p.config({ sources: { ...p.config().sources, churn } });
      const scorecards = await loadScorecards(config.definitions, p.root);
      const { result } = await runBacktest((await p.warehouse()).db, { config, scorecards, dialect: dialectFor(config.warehouse) }, scorecards[0]!, { horizon: 3, step: 1 });
      return { samples: result.samples, churners: result.churners };
    };
    // Evaluation days 1 … 9 (the horizon of later days runs past the data); b: 9 samples.
    // a, any event: scored on 1, 2, 4, 5, 6, 7; churned within 3 days after all but 4.
    expect(await backtest(churnSource('file'))).toEqual({ samples: 15, churners: 5 });
    // a, logins only: scored on 1, 2, 6, 7, each a churner (on 3 or 8) as before.
    expect(await backtest(churnSource('file', LOGIN_ONLY))).toEqual({ samples: 13, churners: 4 });
  });
});

