import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { InputDataError } from '../../pipeline/load/input-data-error.ts';
import { projectStatus } from '../../pipeline/state/project-status.ts';
import { dialectFor } from '../../pipeline/engine/dialect-for.ts';
import { loadScorecards } from '../../pipeline/definitions/load-scorecards.ts';
import { engines, type TestEngine } from '../helpers/engines.ts';
import { tableRows } from '../helpers/table-rows.ts';
import { writeParquet } from '../helpers/write-parquet.ts';
import { csv, identity, tempProject, type TempProject } from '../helpers/temp-project.ts';
import type { FileSource } from '../../pipeline/ir/types.ts';

// SPEC §2, bad rows: `on_bad_rows: fail | skip`, `rejected_rows`, `valid_range`; and a file
// the engine cannot read is rejected with its name. Nothing is ever half-committed.

let project: TempProject;
afterEach(async () => project?.cleanup());

const TODAY = '2025-01-20';
const HEADER = ['account_id', 'event', 'timestamp', 'user_id', 'event_id'];
const DEFINITION = `scorecard: s
bands: [{ label: red, from: 0 }, { label: green, from: 5 }]
measures: { logins: { event: login, window: 3d } }
scores: [{ id: logins, measure: logins, worst: 0, best: 3 }]
`;

function events(days: number, extra: (string | null)[][] = []) {
  const rows: (string | null)[][] = [HEADER];
  for (let d = 1; d <= days; d++) rows.push(['a', 'login', `2025-01-${String(d).padStart(2, '0')} 10:00:00`, 'u', `e${d}`]);
  return csv([...rows, ...extra]);
}

async function setup(engine: TestEngine): Promise<TempProject> {
  project = await tempProject(engine);
  await project.write('events/e.csv', events(5));
  await project.write('attributes.csv', csv([['account_id', 'attribute', 'value', 'observed_at'], ['a', 'plan', 'pro', '2025-01-01']]));
  await project.write('definitions/s.yaml', DEFINITION);
  return project;
}

const withEvents = (p: TempProject, settings: Partial<FileSource>) => ({
  sources: { ...p.config().sources, events: { ...p.config().sources.events, ...settings } },
});

/** Every table a run writes, to show that a rejected load changed none of them. */
async function everything(p: TempProject) {
  const wh = await p.warehouse();
  const tables = ['raw_events', 'raw_attributes', 'raw_overrides', 'daily_activity', 'loaded_files', 'run_log', 'score_snapshots', 'health_snapshots', 'rejected_rows'];
  // When a row was written is not what it says.
  const when: Record<string, string> = { loaded_files: 'loaded_at', run_log: 'computed_at' };
  const out: Record<string, unknown> = {};
  for (const table of tables) out[table] = await tableRows(wh, table, when[table] ? [when[table]] : []);
  return out;
}

describe.each(engines)('valid_range ($name)', (engine) => {
  it.each([
    ['2999-01-01 10:00:00', 'is after 2025-01-21, the end of valid_range'],
    ['2025-03-01 10:00:00', 'is after 2025-01-21, the end of valid_range'],
    ['1900-01-01 10:00:00', 'is before 2000-01-01, the start of valid_range'],
    ['0001-01-01 00:00:00', 'is before 2000-01-01, the start of valid_range'],
    ['276000-01-01 00:00:00', 'is after 2025-01-21, the end of valid_range'],
  ])('rejects the stray timestamp %s with file:line, and changes nothing', async (stray, problem) => {
    const p = await setup(engine);
    await p.run({ today: TODAY });
    const before = await everything(p);
    await p.write('events/e.csv', events(6, [['a', 'login', stray, 'u', 'stray']]));
    const error = await p.run({ today: TODAY }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(InputDataError);
    expect((error as Error).message).toBe(`events/e.csv:8 timestamp: ${problem} ("${stray}")`);
    expect(await everything(p)).toEqual(before);
  });

  it('with on_bad_rows: skip keeps the good rows, sets the stray one aside and makes no day for it', async () => {
    const p = await setup(engine);
    await p.write('events/e.csv', events(5, [['a', 'login', '2999-01-01 10:00:00', 'u', 'stray'], ['', 'login', '2025-01-03 10:00:00', 'u', 'x']]));
    const config = withEvents(p, { onBadRows: 'skip' });
    const summary = await p.run({ today: TODAY, config });
    expect(summary.span).toEqual({ from: '2025-01-01', to: '2025-01-05' });
    expect(summary.load.loaded.filter((f) => f.source === 'events')).toEqual([{ source: 'events', file: 'events/e.csv', rows: 5, rejected: 2, action: 'loaded' }]);
    const wh = await p.warehouse();
    expect(await wh.query(sql`select source, line, "column", reason, raw from rejected_rows order by line`)).toEqual([
      { source: 'events', line: 7, column: 'timestamp', reason: 'is after 2025-01-21, the end of valid_range',
        raw: '{"account_id":"a","event":"login","timestamp":"2999-01-01 10:00:00","user_id":"u","event_id":"stray"}' },
      { source: 'events', line: 8, column: 'account_id', reason: 'is empty',
        raw: '{"account_id":null,"event":"login","timestamp":"2025-01-03 10:00:00","user_id":"u","event_id":"x"}' },
    ]);
    const status = await projectStatus(wh.db, dialectFor(p.config().warehouse), p.config(config), await loadScorecards(p.config().definitions, p.root));
    expect(status.rejected).toEqual([{ source: 'events', file: 'events/e.csv', rows: 2, first_line: 7, column: 'timestamp', reason: 'is after 2025-01-21, the end of valid_range' }]);
  });

  it('loads a row once the clock has passed it, as a fresh project then would', async () => {
    const p = await setup(engine);
    const config = withEvents(p, { onBadRows: 'skip' });
    await p.write('events/e.csv', events(5, [['a', 'login', '2025-01-23 10:00:00', 'u', 'early']]));
    await p.run({ today: TODAY, config });
    const wh = await p.warehouse();
    expect(await wh.query(sql`select count(*)::int as n from raw_events`)).toEqual([{ n: 5 }]);
    const later = await p.run({ today: '2025-01-25', config });
    expect(later.load.loaded).toEqual([{ source: 'events', file: 'events/e.csv', rows: 6, rejected: 0, action: 'replaced' }]);
    expect(await wh.query(sql`select count(*)::int as n from raw_events`)).toEqual([{ n: 6 }]);
    expect(await wh.query(sql`select count(*)::int as n from rejected_rows`)).toEqual([{ n: 0 }]);
    expect(later.span).toEqual({ from: '2025-01-01', to: '2025-01-23' });
  });

  it('takes a fixed range from the settings', async () => {
    const p = await setup(engine);
    await p.write('events/e.csv', events(5));
    const error = await p.run({ today: TODAY, config: withEvents(p, { validRange: { from: '2025-01-03', to: '2025-12-31' } }) }).then(() => undefined, (e: unknown) => e);
    expect((error as Error).message).toBe('events/e.csv:2 timestamp: is before 2025-01-03, the start of valid_range ("2025-01-01 10:00:00")');
  });
});

describe.each(engines)('files the engine cannot read ($name)', (engine) => {
  it('rejects a corrupted Parquet file by name and changes nothing', async () => {
    const p = await setup(engine);
    const config = { sources: { ...p.config().sources, events: { path: 'events/*', format: 'parquet' as const, columns: identity(HEADER) } } };
    await writeParquet(join(p.root, 'events/good.parquet'),
      "select 'a' as account_id, 'login' as event, timestamp '2025-01-02 10:00:00' as timestamp, 'u' as user_id, 'e' as event_id from range(1000)");
    await rm(join(p.root, 'events/e.csv'));
    await p.run({ today: TODAY, config });
    const before = await everything(p);
    const bytes = await readFile(join(p.root, 'events/good.parquet'));
    const broken = Buffer.from(bytes);
    for (let i = 8; i < broken.length / 2; i++) broken[i] = 0xff;
    await writeFile(join(p.root, 'events/broken.parquet'), broken);
    const error = await p.run({ today: TODAY, config }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(InputDataError);
    expect((error as Error).message).toMatch(/^events\/broken\.parquet: cannot be (read|loaded) as parquet: /);
    expect(await everything(p)).toEqual(before);
  });
});

describe.each(engines)('overrides ($name)', (engine) => {
  it('a rejected override leaves every table as it was', async () => {
    const p = await setup(engine);
    const header = ['account_id', 'scorecard', 'score_id', 'score', 'band', 'reason', 'author', 'starts_on', 'ends_on'];
    const config = { sources: { ...p.config().sources, overrides: { path: 'overrides.csv', format: 'csv' as const, columns: identity(header) } } };
    await p.write('overrides.csv', csv([header, ['a', 's', null, 4, null, 'call', 'kim', '2025-01-02', '2025-01-03']]));
    await p.run({ today: TODAY, config });
    const before = await everything(p);
    await p.write('overrides.csv', csv([header, ['a', 's', null, 4, null, 'call', 'kim', '2025-01-02', '2025-01-03'], ['a', 's', null, 11, null, 'typo', 'kim', '2025-01-01', null]]));
    const error = await p.run({ today: TODAY, config }).then(() => undefined, (e: unknown) => e);
    expect((error as Error).message).toBe('overrides.csv:3 score: 11 is outside the scale 0…10');
    expect(await everything(p)).toEqual(before);
  });
});

describe.each(engines)('file names ($name)', (engine) => {
  it('reads a file whose name holds glob characters as itself', async () => {
    const p = await setup(engine);
    await p.write('events/b-a.csv', csv([HEADER, ['b', 'login', '2025-01-02 10:00:00', 'u', 'ba']]));
    await p.write('events/b-b.csv', csv([HEADER, ['c', 'login', '2025-01-02 10:00:00', 'u', 'bb']]));
    await p.write('events/b-[ab].csv', csv([HEADER, ['d', 'login', '2025-01-02 10:00:00', 'u', 'bx']]));
    await p.write('events/x*{y}?.csv', csv([HEADER, ['e', 'login', '2025-01-02 10:00:00', 'u', 'xy']]));
    await p.run({ today: TODAY });
    const wh = await p.warehouse();
    expect(await wh.query(sql`select account_id, count(*)::int as n from raw_events group by 1 order by 1`)).toEqual([
      { account_id: 'a', n: 5 }, { account_id: 'b', n: 1 }, { account_id: 'c', n: 1 }, { account_id: 'd', n: 1 }, { account_id: 'e', n: 1 },
    ]);
    // A path given literally, glob characters and all, is that one file.
    await p.run({ today: TODAY, config: withEvents(p, { path: 'events/b-[ab].csv' }) });
    expect(await wh.query(sql`select account_id, count(*)::int as n from raw_events group by 1 order by 1`)).toEqual([{ account_id: 'd', n: 1 }]);
  });
});
