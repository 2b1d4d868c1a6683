// healthscore load (a file loaded before adds nothing, a changed file replaces its rows),
// then run's Parquet files and export's Arrow IPC files, read by independent readers
// (hyparquet, apache-arrow) with the SPEC §4 columns.
import { appendFile, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hsJson, hsOk, initProject, queryWarehouse, type TempDir } from './helpers.ts';

let tmp: TempDir & { project: string };
let warehouse: string;

beforeAll(async () => {
  tmp = await initProject(['2025-01']);
  warehouse = join(tmp.project, 'warehouse.duckdb');
});
afterAll(() => tmp?.cleanup());

interface LoadSummary {
  loaded: { source: string; file: string; rows: number; action: 'loaded' | 'replaced' }[];
  unchanged: number;
}

// SPEC §4, without snapshot_date: it is the hive-style partition folder's name.
const SCORE_COLUMNS = ['scorecard', 'account_id', 'score_id', 'raw_value', 'score', 'band', 'weight', 'status'];
const HEALTH_COLUMNS = [
  'scorecard', 'account_id', 'score', 'band', 'computed_score', 'computed_band',
  'insights', 'overridden', 'override_reason', 'definition_version',
];

describe('healthscore load', () => {
  it('loads every source file into the raw tables', async () => {
    const summary = await hsJson<LoadSummary>(['load', '--project', tmp.project]);
    expect(summary.unchanged).toBe(0);
    expect(summary.loaded.map(({ source, file, action }) => ({ source, file, action }))).toEqual([
      { source: 'events', file: 'data/events/events-2025-01.parquet', action: 'loaded' },
      { source: 'attributes', file: 'data/attributes.csv', action: 'loaded' },
      { source: 'accounts', file: 'data/accounts.csv', action: 'loaded' },
      { source: 'churn', file: 'data/churn.csv', action: 'loaded' },
    ]);
    const [counts] = await queryWarehouse(
      warehouse,
      `select (select count(*) from raw_events)::int as events, (select count(*) from raw_accounts)::int as accounts,
              (select count(*) from raw_attributes)::int as attributes, (select count(*) from raw_churn)::int as churn`,
    );
    const rows = Object.fromEntries(summary.loaded.map((f) => [f.source, f.rows]));
    expect(counts).toEqual({ events: rows['events'], accounts: 1000, attributes: rows['attributes'], churn: rows['churn'] });
    expect(rows['events']).toBeGreaterThan(10_000);
  });

  it('a second load adds nothing', async () => {
    const before = await queryWarehouse(warehouse, 'select count(*)::int as n from raw_events');
    const { stdout, stderr } = await hsOk(['load', '--project', tmp.project]);
    expect(stdout).toBe('0 files loaded, 4 unchanged\ndata checks: no problems found\n');
    expect(stderr).toBe('');
    expect(await queryWarehouse(warehouse, 'select count(*)::int as n from raw_events')).toEqual(before);
  });

  it('a changed file replaces the rows it loaded before', async () => {
    await appendFile(join(tmp.project, 'data/accounts.csv'), 'acc_9999,2025-01-20,Late Signup Ltd\n');
    const { stdout } = await hsOk(['load', '--project', tmp.project]);
    expect(stdout).toBe('replaced data/accounts.csv (1001 rows)\n1 file loaded, 3 unchanged\ndata checks: no problems found\n');
    expect(await queryWarehouse(warehouse, 'select count(*)::int as n from raw_accounts')).toEqual([{ n: 1001 }]);
  });
});

describe('exports', () => {
  it('run writes hive-partitioned Parquet with the SPEC §4 columns, readable by hyparquet', async () => {
    await hsOk(['run', '--project', tmp.project]);
    for (const [table, columns] of [['score_snapshots', SCORE_COLUMNS], ['health_snapshots', HEALTH_COLUMNS]] as const) {
      const folders = (await readdir(join(tmp.project, 'out', table))).sort();
      expect(folders).toHaveLength(31);
      expect(folders.every((f) => /^snapshot_date=2025-01-\d\d$/.test(f))).toBe(true);
      const day = join(tmp.project, 'out', table, 'snapshot_date=2025-01-20');
      expect(await readdir(day)).toEqual(['data.parquet']);
      const rows = await parquetReadObjects({ file: await asyncBufferFromFile(join(day, 'data.parquet')) });
      expect(Object.keys(rows[0]!)).toEqual(columns);
      const [count] = await queryWarehouse(warehouse, `select count(*)::int as n from ${table} where snapshot_date = date '2025-01-20'`);
      expect(rows).toHaveLength(count!['n'] as number);
      expect(rows.length).toBeGreaterThan(100);
      if (table === 'health_snapshots') {
        for (const row of rows) {
          expect(Array.isArray(row['insights'])).toBe(true);
          expect(typeof row['overridden']).toBe('boolean');
          expect(row['definition_version']).toMatch(/^[0-9a-f]+$/);
        }
        expect(rows.some((r) => typeof r['score'] === 'number' && ['red', 'yellow', 'green'].includes(r['band'] as string))).toBe(true);
      } else {
        const statuses = new Set(rows.map((r) => r['status']));
        expect(statuses.has('ok')).toBe(true);
        expect([...statuses].every((s) => ['ok', 'missing', 'stale'].includes(s as string))).toBe(true);
        expect(rows.every((r) => r['score'] === null || typeof r['score'] === 'number')).toBe(true);
      }
    }
  });

  it('export --format arrow writes Arrow IPC files readable with tableFromIPC', async () => {
    const result = await hsJson<{ path: string; formats: string[]; files: number }>(['export', '--project', tmp.project, '--format', 'arrow']);
    // 31 days of score and health snapshots, plus the days with alerts.
    const [alertDays] = await queryWarehouse(join(tmp.project, 'warehouse.duckdb'), `select count(distinct alert_date)::int as n from alerts`);
    expect(result).toEqual({ path: join(tmp.project, 'out'), formats: ['arrow'], files: 62 + (alertDays!['n'] as number) });
    const day = join(tmp.project, 'out/health_snapshots/snapshot_date=2025-01-20');
    expect((await readdir(day)).sort()).toEqual(['data.arrow', 'data.parquet']);
    const table = tableFromIPC(await readFile(join(day, 'data.arrow')));
    expect(table.schema.fields.map((f) => f.name)).toEqual(HEALTH_COLUMNS);
    expect(Object.fromEntries(table.schema.fields.map((f) => [f.name, String(f.type)]))).toMatchObject({
      score: 'Float64',
      band: 'Utf8',
      insights: 'List<Utf8>',
      overridden: 'Bool',
    });
    // The same rows as the Parquet file of that day.
    const parquet = await parquetReadObjects({ file: await asyncBufferFromFile(join(day, 'data.parquet')) });
    expect(table.numRows).toBe(parquet.length);
    const arrowRows = table.toArray().map((row) => {
      const json = row.toJSON() as Record<string, unknown>;
      return { ...json, insights: [...(json['insights'] as Iterable<string>)] };
    });
    const key = (r: Record<string, unknown>) => `${r['scorecard']}|${r['account_id']}`;
    const byKey = (rows: Record<string, unknown>[]) => [...rows].sort((a, b) => (key(a) < key(b) ? -1 : 1));
    expect(byKey(arrowRows)).toEqual(byKey(parquet));

    const scores = join(tmp.project, 'out/score_snapshots/snapshot_date=2025-01-20/data.arrow');
    expect(tableFromIPC(await readFile(scores)).schema.fields.map((f) => f.name)).toEqual(SCORE_COLUMNS);

    // healthscore.yaml exports Parquet only: the next run removes the Arrow files of the
    // days it exports, so none is left stale beside a newer Parquet file.
    await hsOk(['run', '--project', tmp.project, '--full-refresh']);
    expect(await readdir(day)).toEqual(['data.parquet']);
  });
});
