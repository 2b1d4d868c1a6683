import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { InputDataError } from '../../pipeline/load/input-data-error.ts';
import type { FileSource, ProjectConfig } from '../../pipeline/ir/types.ts';
import { engines, type TestEngine } from '../helpers/engines.ts';
import { tableRows } from '../helpers/table-rows.ts';
import { writeParquet } from '../helpers/write-parquet.ts';
import { csv, identity, tempProject, type TempProject } from '../helpers/temp-project.ts';

// SPEC §2, `timestamp_format:`: a strptime format reads a source's text time columns. A
// format without a time of day gives a calendar day; one with %z an instant; one with a
// time but no zone a UTC time (as ISO text without an offset). A value that does not match
// is a bad row. Typed (Parquet) time columns ignore it.

let project: TempProject;
afterEach(async () => project?.cleanup());

const TODAY = '2025-03-25';
const EVENTS = ['account_id', 'event', 'timestamp', 'user_id', 'event_id'];
const OVERRIDES = ['account_id', 'scorecard', 'score_id', 'score', 'band', 'reason', 'author', 'starts_on', 'ends_on'];
const DEFINITION = `scorecard: s
bands: [{ label: red, from: 0 }, { label: green, from: 5 }]
measures: { logins: { event: login, window: 3d } }
scores: [{ id: logins, measure: logins, worst: 0, best: 3 }]
`;

const events = (...times: string[]) => csv([EVENTS, ...times.map((t, i) => ['a', 'login', t, 'u', `e${i}`])]);

/** Every source as a CSV file with its own timestamp_format, in a zone west of UTC (a
 *  day read as UTC midnight would fall on the day before there). */
async function setup(engine: TestEngine): Promise<{ p: TempProject; config: Partial<ProjectConfig> }> {
  const p = (project = await tempProject(engine));
  await p.write('definitions/s.yaml', DEFINITION);
  // 02:00 on the 16th UTC is still the 15th in New York.
  await p.write('events/e.csv', events('03/15/2025 10:00', '03/16/2025 02:00'));
  await p.write('attributes.csv', csv([['account_id', 'attribute', 'value', 'observed_at'], ['a', 'plan', 'pro', '14.03.2025']]));
  await p.write('accounts.csv', csv([['account_id', 'created_at'], ['a', '2025/03/10']]));
  // 01:00 UTC on the 20th is the 19th in New York.
  await p.write('churn.csv', csv([['account_id', 'churned_at'], ['a', '20/03/2025 01:00 +0000']]));
  await p.write('overrides.csv', csv([OVERRIDES, ['a', 's', 'logins', 2, null, 'call', 'kim', '03/16/2025', null], ['a', 's', null, null, 'red', 'call', 'kim', '03/12/2025', '03/13/2025']]));
  const base = p.config().sources;
  const file = (path: string, names: readonly string[], timestampFormat: string): FileSource => ({ path, format: 'csv', columns: identity([...names]), timestampFormat });
  const config: Partial<ProjectConfig> = {
    timezone: 'America/New_York',
    sources: {
      events: { ...base.events, timestampFormat: '%m/%d/%Y %H:%M' },
      attributes: { ...base.attributes!, timestampFormat: '%d.%m.%Y' },
      accounts: file('accounts.csv', ['account_id', 'created_at'], '%Y/%m/%d'),
      churn: { kind: 'file', ...file('churn.csv', ['account_id', 'churned_at'], '%d/%m/%Y %H:%M %z') },
      overrides: file('overrides.csv', OVERRIDES, '%m/%d/%Y'),
    },
  };
  return { p, config };
}

const withEvents = (config: Partial<ProjectConfig>, settings: Partial<FileSource>): Partial<ProjectConfig> => ({
  ...config,
  sources: { ...config.sources!, events: { ...config.sources!.events, ...settings } },
});

const failure = (run: Promise<unknown>) => run.then(() => undefined, (e: unknown) => e);

/** Every table a run writes, to show that a rejected load changed none of them. */
async function everything(p: TempProject) {
  const wh = await p.warehouse();
  const out: Record<string, unknown> = {};
  for (const table of ['raw_events', 'raw_attributes', 'raw_accounts', 'raw_churn', 'raw_overrides', 'daily_activity', 'score_snapshots', 'rejected_rows']) {
    out[table] = await tableRows(wh, table);
  }
  out['loaded_files'] = await wh.query(sql`select source, file_key, paths from loaded_files order by 1, 2`);
  return out;
}

describe.each(engines)('timestamp_format ($name)', (engine) => {
  it("reads each source's time columns with its own format", async () => {
    const { p, config } = await setup(engine);
    await p.run({ today: TODAY, config });
    const wh = await p.warehouse();
    expect(await wh.query(sql`select day::varchar as day, ts::varchar as ts from raw_events order by ts`)).toEqual([
      { day: '2025-03-15', ts: '2025-03-15 10:00:00+00' },
      { day: '2025-03-15', ts: '2025-03-16 02:00:00+00' },
    ]);
    // A format without a time of day gives that calendar day, in any zone.
    expect(await wh.query(sql`select day::varchar as day from raw_attributes`)).toEqual([{ day: '2025-03-14' }]);
    expect(await wh.query(sql`select created_day::varchar as day from raw_accounts`)).toEqual([{ day: '2025-03-10' }]);
    // %z: an instant, whose day is taken in the project's zone.
    expect(await wh.query(sql`select churn_day::varchar as day from raw_churn`)).toEqual([{ day: '2025-03-19' }]);
    expect(await wh.query(sql`select starts_on::varchar as starts_on, ends_on::varchar as ends_on from raw_overrides order by starts_on`)).toEqual([
      { starts_on: '2025-03-12', ends_on: '2025-03-13' },
      { starts_on: '2025-03-16', ends_on: null },
    ]);
  });

  it('stops at a value that does not match, naming the format, and changes nothing', async () => {
    const { p, config } = await setup(engine);
    await p.run({ today: TODAY, config });
    const before = await everything(p);
    await p.write('events/e.csv', events('03/15/2025 10:00', '2025-03-17 10:00', '03/18/2025 10:00'));
    const error = await failure(p.run({ today: TODAY, config }));
    expect(error).toBeInstanceOf(InputDataError);
    expect((error as Error).message).toBe('events/e.csv:3 timestamp: does not match timestamp_format "%m/%d/%Y %H:%M" ("2025-03-17 10:00")');
    expect(await everything(p)).toEqual(before);
  });

  it('rejects a day with a time when the format has none', async () => {
    const { p, config } = await setup(engine);
    await p.write('accounts.csv', csv([['account_id', 'created_at'], ['a', '2025/03/10 08:00']]));
    const error = await failure(p.run({ today: TODAY, config }));
    expect((error as Error).message).toBe('accounts.csv:2 created_at: does not match timestamp_format "%Y/%m/%d" ("2025/03/10 08:00")');
  });

  it('with on_bad_rows: skip sets the unmatched rows aside and loads the others', async () => {
    const { p, config } = await setup(engine);
    await p.write('events/e.csv', events('03/15/2025 10:00', '15/03/2025 11:00', '03/16/2025 10:00'));
    await p.run({ today: TODAY, config: withEvents(config, { onBadRows: 'skip' }) });
    const wh = await p.warehouse();
    expect(await wh.query(sql`select event_id from raw_events order by 1`)).toEqual([{ event_id: 'e0' }, { event_id: 'e2' }]);
    expect(await wh.query(sql`select line, "column", reason from rejected_rows`)).toEqual([
      { line: 3, column: 'timestamp', reason: 'does not match timestamp_format "%m/%d/%Y %H:%M"' },
    ]);
  });

  it('checks the valid_range on the values it reads', async () => {
    const { p, config } = await setup(engine);
    await p.write('events/e.csv', events('03/15/2025 10:00', '12/31/1999 10:00'));
    const error = await failure(p.run({ today: TODAY, config }));
    expect((error as Error).message).toBe('events/e.csv:3 timestamp: is before 2000-01-01, the start of valid_range ("12/31/1999 10:00")');
  });

  it('does not apply to a typed Parquet time column', async () => {
    const { p, config } = await setup(engine);
    await writeParquet(join(p.root, 'events/e.parquet'),
      "select 'a' as account_id, 'login' as event, timestamptz '2025-03-15 10:00:00+00' as timestamp, 'u' as user_id, 'e' as event_id");
    const wh = await p.warehouse();
    await p.run({ today: TODAY, config: withEvents(config, { path: 'events/*.parquet', format: 'parquet' }) });
    expect(await wh.query(sql`select day::varchar as day, ts::varchar as ts from raw_events`)).toEqual([{ day: '2025-03-15', ts: '2025-03-15 10:00:00+00' }]);
  });
});
