import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { compileScorecard } from '../../pipeline/compile/compile-scorecard.ts';
import { dialectFor } from '../../pipeline/engine/dialect-for.ts';
import { loadScorecards } from '../../pipeline/definitions/load-scorecards.ts';
import { materialiseBatch } from '../../pipeline/run/materialise.ts';
import { exportOrder, OUTPUT_TABLES } from '../../models/output-tables.ts';
import { engines, type TestEngine } from '../helpers/engines.ts';
import { csv, tempProject, type TempProject } from '../helpers/temp-project.ts';

// Idempotency and failure behaviour of the materialised state (DESIGN: "state like SQLMesh").

let projects: TempProject[] = [];
afterEach(async () => {
  await Promise.all(projects.map((p) => p.cleanup()));
  projects = [];
});

const DEFINITION = `scorecard: s
bands: [{ label: red, from: 0 }, { label: yellow, from: 3 }, { label: green, from: 7 }]
measures:
  logins: { event: login, window: 7d }
  users: { event: "*", aggregate: distinct_users, window: 5d }
  trend: { trend: logins }
  nps: { attribute: nps, max_age: 10d }
scores:
  - { id: logins, measure: logins, worst: 0, best: 5, impact: high }
  - { id: users, measure: users, worst: 0, best: 3 }
  - { id: trend, measure: trend, worst: -1, best: 1, impact: low }
  - { id: nps, measure: nps, worst: 0, best: 10 }
alerts:
  - { id: to_red, when: { band_became: red } }
  - { id: drop, when: { score_dropped_by: 2, within: 3d } }
`;

/** 40 days of pseudo-random activity for 5 accounts, deterministic. */
function sampleEvents(days = 40): (string | number | null)[][] {
  const rows: (string | number | null)[][] = [['account_id', 'event', 'timestamp', 'user_id', 'event_id']];
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let d = 0; d < days; d++) {
    const day = new Date(Date.UTC(2025, 0, 1 + d)).toISOString().slice(0, 10);
    for (const account of ['a', 'b', 'c', 'd', 'e']) {
      const n = Math.floor(next() * (account === 'e' && d > 20 ? 1 : 4));
      for (let i = 0; i < n; i++) rows.push([account, next() < 0.7 ? 'login' : 'view', `${day} 1${i}:00:00`, `${account}${Math.floor(next() * 4)}`, `${day}-${account}-${i}`]);
    }
  }
  return rows;
}

const ATTRIBUTES = csv([
  ['account_id', 'attribute', 'value', 'observed_at'],
  ['a', 'nps', 9, '2025-01-02'], ['b', 'nps', 3, '2025-01-05'], ['c', 'nps', 7, '2025-01-20'], ['a', 'nps', 2, '2025-01-25'],
]);

async function project(engine: TestEngine, events = sampleEvents()): Promise<TempProject> {
  const p = await tempProject(engine);
  projects.push(p);
  await p.write('events/e.csv', csv(events));
  await p.write('attributes.csv', ATTRIBUTES);
  await p.write('definitions/s.yaml', DEFINITION);
  return p;
}

async function snapshot(p: TempProject) {
  const wh = await p.warehouse();
  const rows = async (name: string) => {
    const table = OUTPUT_TABLES.find((t) => t.name === name)!;
    return wh.query(sql`select * from ${sql.table(table.name)} order by ${exportOrder(table)}`);
  };
  return { scores: await rows('score_snapshots'), health: await rows('health_snapshots'), alerts: await rows('alerts') };
}

describe.each(engines)('materialised state ($name)', (engine) => {
  it('gives the same rows incrementally, day by day, as in one full run', async () => {
    const full = await project(engine);
    await full.run();
    const incremental = await project(engine);
    for (let d = 1; d <= 40; d += 1 + (d % 4)) {
      const day = `2025-01-${String(Math.min(d, 31)).padStart(2, '0')}`;
      await incremental.run({ span: { to: d <= 31 ? day : `2025-02-${String(d - 31).padStart(2, '0')}` } });
    }
    await incremental.run();
    const a = await snapshot(full);
    const b = await snapshot(incremental);
    expect(a.health.length).toBeGreaterThan(150);
    expect(a.alerts.length).toBeGreaterThan(0);
    expect(b).toEqual(a);
  });

  it('changes nothing when re-run, and recomputes only the lookback days', async () => {
    const p = await project(engine);
    const first = await p.run();
    expect(first.daysMaterialised).toBe(40);
    const before = await snapshot(p);
    const second = await p.run();
    expect(second.load.loaded).toEqual([]);
    expect(second.materialised['s']).toEqual([{ from: '2025-02-07', to: '2025-02-09' }]);
    expect(await snapshot(p)).toEqual(before);
  });

  it('recomputes the whole history when the definition changes', async () => {
    const p = await project(engine);
    await p.run();
    await p.write('definitions/s.yaml', DEFINITION.replace('best: 5', 'best: 6'));
    const rerun = await p.run();
    expect(rerun.materialised['s']).toEqual([{ from: '2025-01-01', to: '2025-02-09' }]);
    const wh = await p.warehouse();
    expect(await wh.query(sql`select count(distinct definition_version) as n from health_snapshots`)).toEqual([{ n: 1 }]);
  });

  it('leaves the previous snapshots intact when a batch fails half-way', async () => {
    const p = await project(engine);
    await p.run();
    const before = await snapshot(p);
    const config = p.config();
    const [scorecard] = await loadScorecards(config.definitions, config.root);
    const batch = compileScorecard(scorecard!, config, dialectFor(config.warehouse), { from: '2025-01-01', to: '2025-02-09', firstDataDay: '2025-01-01' });
    // Fail after the deletes and inserts of the swap, before it commits.
    const failing = { ...batch, replace: [...batch.replace, { name: 'boom', statement: sql`select * from no_such_table` }] };
    const wh = await p.warehouse();
    await expect(materialiseBatch(wh.db, failing)).rejects.toThrow(/step boom failed/);
    expect(await snapshot(p)).toEqual(before);
  });
});

describe.each(engines)('an older warehouse ($name)', (engine) => {
  it('gets the model tables it lacks filled once, from its raw events', async () => {
    const p = await project(engine);
    await p.run();
    const before = await snapshot(p);
    const wh = await p.warehouse();
    // What a warehouse written before daily_users existed looks like.
    await sql`delete from daily_users`.execute(wh.db);
    await sql`delete from warehouse_settings where key = 'schema_version'`.execute(wh.db);
    await p.run({ fullRefresh: true });
    // Rebuilt from raw_events: one row per distinct (account, day, user) of the events.
    const users = new Set(sampleEvents().slice(1).map(([account, , timestamp, user]) => `${account} ${String(timestamp).slice(0, 10)} ${user}`));
    expect(await wh.query(sql`select count(*) as n from daily_users`)).toEqual([{ n: users.size }]);
    expect(await snapshot(p)).toEqual(before);
  });
});

describe.each(engines)('loading ($name)', (engine) => {
  it('adds nothing when the same file is loaded again, and replaces a changed file', async () => {
    const p = await project(engine);
    await p.run();
    const wh = await p.warehouse();
    const count = async () => (await wh.query<{ n: number }>(sql`select count(*) as n from raw_events`))[0]?.n;
    const n = await count();
    await p.run();
    expect(await count()).toBe(n);
    await p.write('events/e.csv', csv(sampleEvents(10)));
    const rerun = await p.run();
    expect(rerun.load.loaded).toMatchObject([{ file: 'events/e.csv', action: 'replaced' }]);
    expect(await count()).toBeLessThan(n!);
    expect(await wh.query(sql`select max(day) as d from daily_activity`)).toEqual([{ d: '2025-01-10' }]);
  });

  it('rejects a bad row with the file, line and field, and keeps what was loaded', async () => {
    const p = await project(engine);
    await p.run();
    const before = await snapshot(p);
    await p.write('events/late.csv', csv([
      ['account_id', 'event', 'timestamp', 'user_id', 'event_id'],
      ['a', 'login', '2025-02-10 10:00:00', null, null],
      ['a', 'login', 'yesterday', null, null],
    ]));
    await expect(p.run()).rejects.toThrow('events/late.csv:3 timestamp: cannot be read as a timestamp ("yesterday")');
    await p.write('events/late.csv', csv([['account_id', 'event', 'timestamp'], ['', 'login', '2025-02-10 10:00:00']]));
    await expect(p.run()).rejects.toThrow('events/late.csv:2 account_id: is empty');
    await p.write('events/late.csv', csv([['account', 'event', 'timestamp'], ['a', 'login', '2025-02-10 10:00:00']]));
    await expect(p.run()).rejects.toThrow(/events\/late.csv account_id: has no column "account_id" \(the file.s columns are: [^)]*\); in healthscore.yaml, name yours with sources.events.columns.account_id/);
    expect(await snapshot(p)).toEqual(before);
  });

  it('keeps extra event columns as properties that measures can sum and filter on', async () => {
    const p = await project(engine, [
      ['account_id', 'event', 'timestamp', 'amount', 'plan'],
      ['a', 'order', '2025-01-01 10:00:00', 10, 'pro'],
      ['a', 'order', '2025-01-01 11:00:00', 5.5, 'free'],
      ['a', 'order', '2025-01-02 11:00:00', 2, 'pro'],
    ]);
    await p.write('definitions/s.yaml', `scorecard: s
bands: [{ label: low, from: 0 }]
measures:
  revenue: { event: order, aggregate: sum, property: amount, window: 2d }
  pro_avg: { event: order, aggregate: avg, property: amount, where: { property: plan, eq: pro }, window: 2d }
  biggest: { event: order, aggregate: max, property: amount, window: 1d }
scores:
  - { id: revenue, measure: revenue, worst: 0, best: 100 }
  - { id: pro_avg, measure: pro_avg, worst: 0, best: 100 }
  - { id: biggest, measure: biggest, worst: 0, best: 100 }`);
    await p.run();
    const wh = await p.warehouse();
    const rows = await wh.query(sql`select cast(snapshot_date as varchar) as d, score_id, raw_value from score_snapshots order by 1, 2`);
    expect(rows).toEqual([
      { d: '2025-01-01', score_id: 'biggest', raw_value: 10 },
      { d: '2025-01-01', score_id: 'pro_avg', raw_value: 10 },
      { d: '2025-01-01', score_id: 'revenue', raw_value: 15.5 },
      { d: '2025-01-02', score_id: 'biggest', raw_value: 2 },
      { d: '2025-01-02', score_id: 'pro_avg', raw_value: 6 },
      { d: '2025-01-02', score_id: 'revenue', raw_value: 17.5 },
    ]);
  });
});

describe.each(engines)('export ($name)', (engine) => {
  it('writes one Parquet file per day that an independent reader can read', async () => {
    const p = await project(engine);
    await p.run();
    const out = join(p.root, 'out', 'health_snapshots');
    const partitions = (await readdir(out)).sort();
    expect(partitions).toHaveLength(40);
    expect(partitions[0]).toBe('snapshot_date=2025-01-01');
    expect(await readdir(join(out, partitions[0]!))).toEqual(['data.parquet']);
    const rows = await parquetReadObjects({ file: await asyncBufferFromFile(join(out, partitions[5]!, 'data.parquet')) });
    const wh = await p.warehouse();
    const columns = OUTPUT_TABLES.find((t) => t.name === 'health_snapshots')!.columns.filter((c) => c.name !== 'snapshot_date');
    const expected = await wh.query(sql`select ${sql.join(columns.map((c) => sql.ref(c.name)))} from health_snapshots where snapshot_date = '2025-01-06' order by account_id`);
    expect(rows).toEqual(expected);
    expect(Object.keys(rows[0]!)).toEqual(['scorecard', 'account_id', 'score', 'band', 'computed_score', 'computed_band', 'insights', 'overridden', 'override_reason', 'definition_version']);
  });

  it('removes the partition of a day whose alerts stopped firing', async () => {
    const p = await project(engine);
    await p.run();
    const alerts = join(p.root, 'out', 'alerts');
    expect((await readdir(alerts)).length).toBeGreaterThan(0);
    await p.write('definitions/s.yaml', DEFINITION.replace(/alerts:[\s\S]*$/, ''));
    await p.run();
    const left = await Promise.all((await readdir(alerts)).map((d) => readdir(join(alerts, d))));
    expect(left.flat()).toEqual([]);
  });

  it('exports on the next run the days a failed export left behind', async () => {
    const p = await project(engine);
    // A file where the export folder should be makes the export fail after materialising.
    await writeFile(join(p.root, 'out'), 'not a folder');
    await expect(p.run()).rejects.toThrow(/ENOTDIR: not a directory, lstat '.*\/out\/\.staging-/);
    const { rm } = await import('node:fs/promises');
    await rm(join(p.root, 'out'));
    const rerun = await p.run();
    expect(rerun.exportedFiles).toBeGreaterThanOrEqual(80);
    expect(await readdir(join(p.root, 'out', 'score_snapshots'))).toHaveLength(40);
  });
});
