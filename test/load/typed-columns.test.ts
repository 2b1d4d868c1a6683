import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { DuckDBInstance } from '@duckdb/node-api';
import { engines, type TestEngine } from '../helpers/engines.ts';
import { csv, identity, tempProject, type TempProject } from '../helpers/temp-project.ts';

// Typed file columns (Parquet TIMESTAMP WITH TIME ZONE, TIMESTAMP, DATE) skip the text
// parsing that CSV values need (pipeline/compile/dialect.ts dayOf). The shortcut must give
// exactly the instants and days the text path gives, in a zone with DST.

const projects: TempProject[] = [];
afterEach(async () => {
  for (const p of projects.splice(0)) await p.cleanup();
});

const DEFINITION = `scorecard: s
bands: [{ label: red, from: 0 }, { label: green, from: 5 }]
measures: { logins: { event: login, window: 3d } }
scores: [{ id: logins, measure: logins, worst: 0, best: 3 }]
`;

/** Around midnight and the DST change of Europe/Berlin (2025-03-30 02:00 → 03:00). */
const TIMES = {
  timestamptz: ['2025-03-29 22:30:00+00', '2025-03-29 23:30:00+00', '2025-03-30 01:30:00+02', '2025-03-30 21:59:59+00', '2025-03-30 22:00:00+00'],
  timestamp: ['2025-03-29 22:30:00', '2025-03-29 23:30:00', '2025-03-30 00:30:00', '2025-03-30 21:59:59', '2025-03-31 22:00:00'],
  date: ['2025-03-28', '2025-03-29', '2025-03-30', '2025-03-30', '2025-03-31'],
} as const;

type Kind = keyof typeof TIMES;

async function project(engine: TestEngine, kind: Kind, format: 'csv' | 'parquet'): Promise<TempProject> {
  const p = await tempProject(engine);
  projects.push(p);
  const rows = TIMES[kind].map((t, i) => ['a', 'login', t, `u${i}`, `e${i}`]);
  await p.write('events.csv', csv([['account_id', 'event', 'timestamp', 'user_id', 'event_id'], ...rows]));
  await p.write('accounts.csv', csv([['account_id', 'created_at'], ['a', TIMES[kind][0]]]));
  await p.write('attributes.csv', csv([['account_id', 'attribute', 'value', 'observed_at'], ['a', 'plan', 'pro', TIMES[kind][1]]]));
  await p.write('definitions/s.yaml', DEFINITION);
  if (format === 'parquet') {
    const type = { timestamptz: 'timestamptz', timestamp: 'timestamp', date: 'date' }[kind];
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    await connection.run("set TimeZone = 'UTC'");
    for (const [file, column] of [['events', 'timestamp'], ['accounts', 'created_at'], ['attributes', 'observed_at']] as const) {
      // Temp folders hold no quotes.
      await connection.run(`copy (select * replace (cast("${column}" as ${type}) as "${column}")
        from read_csv('${join(p.root, `${file}.csv`)}', header = true, all_varchar = true)) to '${join(p.root, `${file}.parquet`)}' (format parquet)`);
    }
    connection.closeSync();
    instance.closeSync();
  }
  return p;
}

function config(p: TempProject, format: 'csv' | 'parquet', range?: { from: string; to: string }, timezone = 'Europe/Berlin') {
  const events = range ? { onBadRows: 'skip' as const, validRange: range } : {};
  return p.config({
    timezone,
    sources: {
      events: { path: `events.${format}`, format, columns: identity(['account_id', 'event', 'timestamp', 'user_id', 'event_id']), ...events },
      attributes: { path: `attributes.${format}`, format, layout: 'long', columns: identity(['account_id', 'attribute', 'value', 'observed_at']) },
      accounts: { path: `accounts.${format}`, format, columns: identity(['account_id', 'created_at']) },
    },
  });
}

async function loaded(p: TempProject) {
  const wh = await p.warehouse();
  return {
    events: await wh.query(sql`select account_id, event, cast(ts as varchar) as ts, cast(day as varchar) as day from raw_events order by 1, 2, 3, 4`),
    attributes: await wh.query(sql`select cast(observed_at as varchar) as observed_at, cast(day as varchar) as day from raw_attributes`),
    accounts: await wh.query(sql`select cast(created_day as varchar) as created_day from raw_accounts`),
    health: await wh.query(sql`select cast(snapshot_date as varchar) as d, score from health_snapshots order by 1, 2`),
  };
}

describe.each(engines)('typed time columns load as their text does ($name)', (engine) => {
  it.each(Object.keys(TIMES) as Kind[])('%s', async (kind) => {
    const text = await project(engine, kind, 'csv');
    const typed = await project(engine, kind, 'parquet');
    await text.run({ config: config(text, 'csv'), skipExport: true, today: '2025-04-10' });
    await typed.run({ config: config(typed, 'parquet'), skipExport: true, today: '2025-04-10' });
    const fromText = await loaded(text);
    expect(fromText.events).toHaveLength(5);
    expect(fromText.health.length).toBeGreaterThan(0);
    expect(await loaded(typed)).toEqual(fromText);
  });

  it.each(Object.keys(TIMES) as Kind[])('%s: the valid_range borders fall on the same rows', async (kind) => {
    const range = { from: '2025-03-30', to: '2025-03-30' };
    const text = await project(engine, kind, 'csv');
    const typed = await project(engine, kind, 'parquet');
    await text.run({ config: config(text, 'csv', range), skipExport: true, today: '2025-04-10' });
    await typed.run({ config: config(typed, 'parquet', range), skipExport: true, today: '2025-04-10' });
    const rejected = async (p: TempProject) =>
      (await p.warehouse()).query(sql`select reason from rejected_rows where source = 'events' order by line`);
    const fromText = await loaded(text);
    expect(fromText.events.map((e) => e['day'])).toEqual(kind === 'date' ? ['2025-03-30', '2025-03-30'] : ['2025-03-30', '2025-03-30', '2025-03-30']);
    // (Lines differ by the CSV's header line.)
    expect(await rejected(text)).toHaveLength(kind === 'date' ? 3 : 2);
    expect(await rejected(typed)).toEqual(await rejected(text));
    expect((await loaded(typed)).events).toEqual(fromText.events);
  });

  it.each(Object.keys(TIMES) as Kind[])('%s in UTC (days by arithmetic on the instant)', async (kind) => {
    const text = await project(engine, kind, 'csv');
    const typed = await project(engine, kind, 'parquet');
    await text.run({ config: config(text, 'csv', undefined, 'UTC'), skipExport: true, today: '2025-04-10' });
    await typed.run({ config: config(typed, 'parquet', undefined, 'UTC'), skipExport: true, today: '2025-04-10' });
    expect(await loaded(typed)).toEqual(await loaded(text));
  });

  it('puts instants before 1970 on their UTC day', async () => {
    const p = await project(engine, 'timestamptz', 'parquet');
    const times = ['1969-12-31 23:59:59.999+00', '1970-01-01 00:00:00+00', '1900-03-01 00:00:00+00', '1899-12-31 23:59:59+00'];
    await p.write('events.csv', csv([['account_id', 'event', 'timestamp'], ...times.map((t) => ['a', 'login', t])]));
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    await connection.run(`copy (select account_id, event, cast("timestamp" as timestamptz) as "timestamp" from read_csv('${join(p.root, 'events.csv')}', header = true, all_varchar = true))
      to '${join(p.root, 'events.parquet')}' (format parquet)`);
    connection.closeSync();
    instance.closeSync();
    const base = config(p, 'parquet', { from: '1800-01-01', to: '2030-01-01' }, 'UTC');
    await p.run({ config: { ...base, sources: { ...base.sources, events: { ...base.sources.events, columns: identity(['account_id', 'event', 'timestamp']) } } }, skipExport: true, today: '2025-04-10' });
    const days = await (await p.warehouse()).query(sql`select cast(day as varchar) as day from raw_events order by ts`);
    expect(days.map((d) => d['day'])).toEqual(['1899-12-31', '1900-03-01', '1969-12-31', '1970-01-01']);
  });

  it('puts instants on the Berlin day, across the DST change', async () => {
    const p = await project(engine, 'timestamptz', 'parquet');
    await p.run({ config: config(p, 'parquet'), skipExport: true, today: '2025-04-10' });
    const { events } = await loaded(p);
    expect(events.map((e) => e['day'])).toEqual(['2025-03-29', '2025-03-30', '2025-03-30', '2025-03-30', '2025-03-31']);
  });
});
