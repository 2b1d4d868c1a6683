import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { dialectFor } from '../../pipeline/engine/dialect-for.ts';
import { readDataChecks } from '../../pipeline/load/data-checks.ts';
import { engines, type TestEngine } from '../helpers/engines.ts';
import { csv, tempProject, type TempProject } from '../helpers/temp-project.ts';

// Issue #11: a mapped event_id deduplicates events. Of the rows sharing an id (across
// every file) the earliest is kept; a tie goes by the file's content, never its path or
// arrival. Rows without an id, or without event_id mapped, are all kept. Every reader of
// events (daily_activity, daily_users, property and `where:` signals, distinct users of
// one event) sees only the kept rows.

const projects: TempProject[] = [];
afterEach(async () => {
  await Promise.all(projects.splice(0).map((p) => p.cleanup()));
});

const HEADER = ['account_id', 'event', 'timestamp', 'user_id', 'event_id', 'rows'];
type Row = (string | null)[];

// logins and big read one day each: a moved event shows on the day it moves to and from.
// users counts the distinct users of one event, so it reads raw_events like `big`.
const DEFINITION = `scorecard: s
bands: [{ label: red, from: 0 }, { label: green, from: 5 }]
measures:
  logins: { event: login, window: 1d }
  users: { event: login, aggregate: distinct_users, window: 1d }
  big: { event: export, where: { property: rows, gt: 10 }, window: 1d }
scores:
  - { id: logins, measure: logins, worst: 0, best: 3 }
  - { id: users, measure: users, worst: 0, best: 3 }
  - { id: big, measure: big, worst: 0, best: 3 }
`;

const at = (d: number, time = '10:00:00') => `2025-01-0${d} ${time}`;

/** A view a day on days 1 … 8, so that every project spans the same days (lookback 3:
 *  days 1 … 5 are recomputed only when a load marks them). */
const BASE: Row[] = [1, 2, 3, 4, 5, 6, 7, 8].map((d) => ['a', 'view', at(d), 'v', `v${d}`, null]);

async function project(engine: TestEngine, files: Record<string, Row[]>, header = HEADER): Promise<TempProject> {
  const p = await tempProject(engine);
  projects.push(p);
  await p.write('attributes.csv', csv([['account_id', 'attribute', 'value', 'observed_at'], ['a', 'plan', 'pro', '2025-01-01']]));
  await p.write('definitions/s.yaml', DEFINITION);
  await p.write('events/base.csv', csv([header, ...BASE]));
  for (const [name, rows] of Object.entries(files)) await p.write(`events/${name}`, csv([header, ...rows]));
  return p;
}

/** What the models give for account a, by day: the daily aggregates and the raw value of
 *  each score. Days without anything are left out. */
async function figures(p: TempProject) {
  const wh = await p.warehouse();
  const activity = await wh.query<{ day: string; event: string; events: number }>(
    sql`select cast(day as varchar) as day, event, events::int as events from daily_activity where event <> 'view' order by 1, 2`);
  const users = await wh.query(sql`select cast(day as varchar) as day, user_id from daily_users where user_id <> 'v' order by 1, 2`);
  const scores = await wh.query<{ day: string; score_id: string; raw_value: number }>(
    sql`select cast(snapshot_date as varchar) as day, score_id, raw_value from score_snapshots where raw_value > 0 order by 1, 2`);
  return { activity, users, scores: scores.map((s) => `${s.day} ${s.score_id}=${s.raw_value}`) };
}

async function fresh(engine: TestEngine, files: Record<string, Row[]>) {
  const p = await project(engine, files);
  await p.run();
  return figures(p);
}

describe.each(engines)('a mapped event_id keeps one row per id ($name)', (engine) => {
  it('keeps the earliest row of an id in one file, on its day, and counts the rest as set aside', async () => {
    const p = await project(engine, {
      'e.csv': [
        ['a', 'login', at(3), 'u1', 'x', null],
        ['a', 'login', at(2, '09:00:00'), 'u2', 'x', null], // earlier: kept, though on a later line
        ['a', 'login', at(2, '09:00:00'), 'u2', 'x', null], // the same row again
        ['a', 'export', at(4), 'u1', 'y', '50'],
        ['a', 'export', at(4, '08:00:00'), 'u1', 'y', '5'], // earlier: kept, and not big
      ],
    });
    const summary = await p.run();
    expect(summary.load.duplicates).toBe(3);
    expect((await readDataChecks((await p.warehouse()).db))?.reusedEventIds).toEqual({ rows: 3, of: 13, share: 3 / 13 });
    expect(await figures(p)).toEqual({
      activity: [{ day: '2025-01-02', event: 'login', events: 1 }, { day: '2025-01-04', event: 'export', events: 1 }],
      users: [{ day: '2025-01-02', user_id: 'u2' }, { day: '2025-01-04', user_id: 'u1' }],
      scores: ['2025-01-02 logins=1', '2025-01-02 users=1'],
    });
    const wh = await p.warehouse();
    expect(await wh.query(sql`select count(*)::int as n from raw_events`), 'every row stays in raw_events').toEqual([{ n: 13 }]);
  });

  it('moves the event to an earlier duplicate in a later file, and back when that file is removed', async () => {
    const first: Row[] = [
      ['a', 'login', at(3), 'u1', 'x', null],
      ['a', 'export', at(4), 'u1', 'y', '50'],
    ];
    const second: Row[] = [
      ['a', 'login', at(2), 'u2', 'x', null],
      ['a', 'export', at(4, '09:00:00'), 'u2', 'y', '5'],
    ];
    const p = await project(engine, { 'first.csv': first });
    await p.run();
    const before = await figures(p);
    expect(before.scores).toEqual(['2025-01-03 logins=1', '2025-01-03 users=1', '2025-01-04 big=1']);

    // Days 2 … 4 are older than the lookback: only the load's marks recompute them.
    await p.write('events/second.csv', csv([HEADER, ...second]));
    const summary = await p.run();
    expect(summary.load.duplicates).toBe(2);
    const moved = await figures(p);
    expect(moved.scores).toEqual(['2025-01-02 logins=1', '2025-01-02 users=1']);
    expect(moved).toEqual(await fresh(engine, { 'first.csv': first, 'second.csv': second }));

    await rm(join(p.root, 'events/second.csv'));
    expect((await p.run()).load.duplicates).toBe(0);
    expect(await figures(p)).toEqual(before);
  });

  it('gives the event to the duplicate in the same file when the kept row is deleted from it', async () => {
    const kept: Row = ['a', 'login', at(2), 'u1', 'x', null];
    const other: Row = ['a', 'login', at(4), 'u2', 'x', null];
    const p = await project(engine, { 'e.csv': [kept, other] });
    await p.run();
    expect((await figures(p)).scores).toEqual(['2025-01-02 logins=1', '2025-01-02 users=1']);
    // The file's other row is unchanged, but it is now the kept one, on day 4.
    await p.write('events/e.csv', csv([HEADER, other]));
    await p.run();
    const after = await figures(p);
    expect(after.scores).toEqual(['2025-01-04 logins=1', '2025-01-04 users=1']);
    expect(after).toEqual(await fresh(engine, { 'e.csv': [other] }));
  });

  it('keeps the same row of a tie on the timestamp whether the files come together or one per run, in either order', async () => {
    const files: Record<string, Row[]> = {
      'a.csv': [['a', 'login', at(2), 'u1', 'x', null]],
      'b.csv': [['a', 'export', at(2), 'u2', 'x', '50']],
    };
    const together = await fresh(engine, files);
    expect(together.activity, 'one of the two rows is kept').toHaveLength(1);
    for (const order of [['a.csv', 'b.csv'], ['b.csv', 'a.csv']]) {
      const p = await project(engine, {});
      for (const name of order) {
        await p.write(`events/${name}`, csv([HEADER, ...files[name]!]));
        await p.run();
      }
      expect(await figures(p), `${order.join(' then ')}`).toEqual(together);
    }
  });

  it('keeps every row without an id', async () => {
    const p = await project(engine, {
      'e.csv': [
        ['a', 'login', at(2), 'u1', null, null],
        ['a', 'login', at(2), 'u1', '', null],
        ['a', 'login', at(3), 'u1', null, null],
      ],
    });
    const summary = await p.run();
    expect(summary.load.duplicates).toBe(0);
    expect((await readDataChecks((await p.warehouse()).db))?.reusedEventIds.rows).toBe(0);
    expect((await figures(p)).activity).toEqual([{ day: '2025-01-02', event: 'login', events: 2 }, { day: '2025-01-03', event: 'login', events: 1 }]);
  });

  it('keeps every row when event_id is not mapped (an id column of another name is a property)', async () => {
    const header = ['account_id', 'event', 'timestamp', 'user_id', 'id', 'rows'];
    const p = await project(engine, {
      'e.csv': [
        ['a', 'login', at(2), 'u1', 'x', null],
        ['a', 'login', at(3), 'u2', 'x', null],
      ],
    }, header);
    expect((await p.run()).load.duplicates).toBe(0);
    expect((await figures(p)).activity).toEqual([{ day: '2025-01-02', event: 'login', events: 1 }, { day: '2025-01-03', event: 'login', events: 1 }]);
    const wh = await p.warehouse();
    expect(await wh.query(sql`select count(*)::int as n from raw_events where ${dialectFor(p.config().warehouse).eventProperty(sql.ref('properties'), 'id')} = 'x'`)).toEqual([{ n: 2 }]);
  });
});
