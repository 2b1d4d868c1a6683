// healthscore run and status on a one-month copy of the sample: which days each run
// materialises, that re-running changes nothing, and that a definition change is seen
// by status and recomputed by the next run.
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hs, hsJson, hsOk, initProject, queryWarehouse, type TempDir } from './helpers.ts';

interface Span {
  from: string;
  to: string;
}
interface RunSummary {
  runId: string;
  load: { loaded: { file: string }[]; unchanged: number };
  materialised: Record<string, Span[]>;
  daysMaterialised: number;
  exportedFiles: number;
  span: Span;
}
interface Status {
  scorecards: {
    id: string;
    file: string;
    version: string;
    versions: { scorecard: string; definition_version: string; days: number; first: string; last: string; current: boolean }[];
  }[];
  lastRun: { run_id: string; status: string; days_materialised: number; started_at: string; finished_at: string | null; message: string | null } | null;
}

let tmp: TempDir & { project: string };
let warehouse: string;
const run = (...args: string[]) => hsJson<RunSummary>(['run', '--project', tmp.project, ...args]);

/** Everything in the two snapshot tables, as a row count and a digest of every value. */
async function snapshots() {
  const [scores] = await queryWarehouse(
    warehouse,
    `select count(*)::int as n, md5(string_agg(s::varchar, chr(10) order by snapshot_date, scorecard, account_id, score_id)) as digest from score_snapshots s`,
  );
  const [health] = await queryWarehouse(
    warehouse,
    `select count(*)::int as n, md5(string_agg(h::varchar, chr(10) order by snapshot_date, scorecard, account_id)) as digest from health_snapshots h`,
  );
  return { scores: scores!, health: health! };
}

/** Which run computed which day, as { run_id: [first, last, days] }. */
async function runLog() {
  const rows = await queryWarehouse(
    warehouse,
    `select run_id, min(snapshot_date)::varchar as first, max(snapshot_date)::varchar as last, count(*)::int as days
     from run_log group by run_id order by first`,
  );
  return Object.fromEntries(rows.map((r) => [r['run_id'] as string, [r['first'], r['last'], r['days']]]));
}

async function partitions(table: string): Promise<string[]> {
  return (await readdir(join(tmp.project, 'out', table))).filter((d) => !d.startsWith('.')).sort();
}

beforeAll(async () => {
  tmp = await initProject(['2025-01']);
  warehouse = join(tmp.project, 'warehouse.duckdb');
});
afterAll(() => tmp?.cleanup());

describe('healthscore run', () => {
  let first: RunSummary;
  let second: RunSummary;
  let settled: Awaited<ReturnType<typeof snapshots>>;

  it('--from/--to materialises just that span (after loading the sources)', async () => {
    first = await run('--from', '2025-01-01', '--to', '2025-01-15');
    expect(first.load.loaded.map((f) => f.file)).toEqual([
      'data/events/events-2025-01.parquet',
      'data/attributes.csv',
      'data/accounts.csv',
      'data/churn.csv',
    ]);
    expect(first.span).toEqual({ from: '2025-01-01', to: '2025-01-15' });
    expect(first.materialised).toEqual({ customer_health: [{ from: '2025-01-01', to: '2025-01-15' }] });
    expect(first.daysMaterialised).toBe(15);
    // score_snapshots + health_snapshots, one file a day, and alerts on the days they fired.
    const [alertDays] = await queryWarehouse(warehouse, `select count(distinct alert_date)::int as n from alerts`);
    expect(first.exportedFiles).toBe(30 + (alertDays!['n'] as number));
    const [range] = await queryWarehouse(
      warehouse,
      `select min(snapshot_date)::varchar as first, max(snapshot_date)::varchar as last, count(distinct snapshot_date)::int as days from health_snapshots`,
    );
    expect(range).toEqual({ first: '2025-01-01', last: '2025-01-15', days: 15 });
    expect(await partitions('health_snapshots')).toHaveLength(15);
  });

  it('without dates materialises the missing days through the last day with an event', async () => {
    second = await run();
    expect(second.load).toEqual({ loaded: [], removed: [], unchanged: 4, duplicates: 0 });
    expect(second.span).toEqual({ from: '2025-01-01', to: '2025-01-31' });
    expect(second.materialised).toEqual({ customer_health: [{ from: '2025-01-16', to: '2025-01-31' }] });
    expect(second.daysMaterialised).toBe(16);
    const days = await partitions('health_snapshots');
    expect(days).toHaveLength(31);
    expect(days[0]).toBe('snapshot_date=2025-01-01');
    expect(days[30]).toBe('snapshot_date=2025-01-31');
    expect(await partitions('score_snapshots')).toEqual(days);
  });

  it('a second run only recomputes the lookback days and changes nothing', async () => {
    const before = await snapshots();
    expect(before.health['n']).toBeGreaterThan(1000);
    const again = await run();
    expect(again.materialised).toEqual({ customer_health: [{ from: '2025-01-29', to: '2025-01-31' }] }); // lookback: 3d
    expect(again.daysMaterialised).toBe(3);
    const [lookbackAlertDays] = await queryWarehouse(warehouse, `select count(distinct alert_date)::int as n from alerts where alert_date >= '2025-01-29'`);
    expect(again.exportedFiles).toBe(6 + (lookbackAlertDays!['n'] as number));
    expect(await snapshots()).toEqual(before);
    expect(await runLog()).toEqual({
      [first.runId]: ['2025-01-01', '2025-01-15', 15],
      [second.runId]: ['2025-01-16', '2025-01-28', 13],
      [again.runId]: ['2025-01-29', '2025-01-31', 3],
    });
    settled = before;
  });

  it('--date recomputes that one day, with the same result; bad dates exit 2 and touch nothing', async () => {
    // The usage errors open no warehouse, so they run alongside.
    const [summary, ...bad] = await Promise.all([
      run('--date', '2025-01-10'),
      hs(['run', '--project', tmp.project, '--date', '2025-13-01']),
      hs(['run', '--project', tmp.project, '--from', '2025-01-10', '--to', '2025-01-05']),
    ]);
    expect(bad).toEqual([
      { code: 2, stdout: '', stderr: 'healthscore: --date must be a day written YYYY-MM-DD, not "2025-13-01"\n' },
      { code: 2, stdout: '', stderr: 'healthscore: --from 2025-01-10 is after --to 2025-01-05\n' },
    ]);
    // A day outside the data is refused rather than scored from nothing.
    expect(await hs(['run', '--project', tmp.project, '--date', '2024-06-01'])).toEqual({
      code: 2, stdout: '', stderr: 'healthscore: the data covers 2025-01-01 … 2025-01-31; 2024-06-01 is outside it\n',
    });
    expect(summary.span).toEqual({ from: '2025-01-10', to: '2025-01-10' });
    expect(summary.materialised).toEqual({ customer_health: [{ from: '2025-01-10', to: '2025-01-10' }] });
    expect(summary.daysMaterialised).toBe(1);
    expect(await snapshots()).toEqual(settled);
  });

  it('--full-refresh recomputes every day, with the same result as the incremental runs', async () => {
    const summary = await run('--full-refresh');
    expect(summary.materialised).toEqual({ customer_health: [{ from: '2025-01-01', to: '2025-01-31' }] });
    expect(summary.daysMaterialised).toBe(31);
    expect(await snapshots()).toEqual(settled);
    expect(Object.values(await runLog())).toEqual([['2025-01-01', '2025-01-31', 31]]);
  });
});

describe('healthscore status', () => {
  let version: string;

  it('shows the materialised days, the current version and the last run (text and JSON)', async () => {
    const status = await hsJson<Status>(['status', '--project', tmp.project]);
    version = status.scorecards[0]!.version;
    expect(version).toMatch(/^[0-9a-f]{8,}$/);
    expect(status.scorecards).toEqual([
      {
        id: 'customer_health',
        file: 'definitions/customer_health.yaml',
        version,
        versions: [{ scorecard: 'customer_health', definition_version: version, days: 31, first: '2025-01-01', last: '2025-01-31', current: true }],
      },
    ]);
    expect(status.lastRun).toMatchObject({ status: 'ok', days_materialised: 31, message: null });

    const { stdout } = await hsOk(['status', '--project', tmp.project]);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`customer_health (definitions/customer_health.yaml), current version ${version}`);
    expect(lines[1]).toBe(`  31 day(s) 2025-01-01 … 2025-01-31 under ${version} (current)`);
    expect(lines[2]).toBe('nothing pending: the next run only adds new days and the lookback');
    expect(lines[3]).toBe('data checks: no problems found');
    expect(lines[4]).toMatch(/^last run \d{4}-\d{2}-\d{2}T.*: ok, 31 scorecard-day\(s\)$/);
    expect(lines).toHaveLength(5);
  });

  it('after a scorecard edit, reports the old version as outdated; the next run recomputes the whole history', async () => {
    const file = join(tmp.project, 'definitions/customer_health.yaml');
    const text = await readFile(file, 'utf8');
    // login_frequency: `worst: 0, best: 10` → best 12.
    const edited = text.replace(/(measure: logins_30d\n\s+worst: 0\n\s+)best: 10\n/, '$1best: 12\n');
    expect(edited).not.toBe(text);
    await writeFile(file, edited);
    const capped = `select count(*)::int as n from score_snapshots where score_id = 'login_frequency' and raw_value between 10 and 11.5 and score < 10`;
    expect(await queryWarehouse(warehouse, capped)).toEqual([{ n: 0 }]);

    const { stdout } = await hsOk(['status', '--project', tmp.project]);
    const lines = stdout.trimEnd().split('\n');
    const current = /current version ([0-9a-f]+)$/.exec(lines[0]!)?.[1];
    expect(current).toBeDefined();
    expect(current).not.toBe(version);
    expect(lines[1]).toBe(`  31 day(s) 2025-01-01 … 2025-01-31 under ${version} (outdated: recomputed on the next run)`);

    const summary = await run();
    expect(summary.materialised).toEqual({ customer_health: [{ from: '2025-01-01', to: '2025-01-31' }] });
    expect(summary.daysMaterialised).toBe(31);
    expect(await queryWarehouse(warehouse, `select distinct definition_version from health_snapshots`)).toEqual([{ definition_version: current }]);
    expect(await queryWarehouse(warehouse, `select distinct definition_version from run_log`)).toEqual([{ definition_version: current }]);
    // The new `best` is in effect: 10 and 11 logins no longer score the full 10.
    const [{ n }] = (await queryWarehouse(warehouse, capped)) as [{ n: number }];
    expect(n).toBeGreaterThan(0);
  });
});
