import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import { generate, Rng } from '../../data/generate.ts';
import type { GenerateOptions, GenerateSummary } from '../../data/generate.ts';

let root = '';
let instance: DuckDBInstance;
let con: DuckDBConnection;

async function rows(sql: string): Promise<Record<string, unknown>[]> {
  const r = await con.runAndReadAll(sql);
  return r.getRowObjectsJS() as Record<string, unknown>[];
}

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'hs-generate-'));
  instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  con = await instance.connect();
  await con.run(`SET TimeZone = 'UTC'`);
});

afterAll(async () => {
  con?.closeSync();
  instance?.closeSync();
  if (root) await rm(root, { recursive: true, force: true });
});

describe('Rng', () => {
  it('is deterministic per seed and uniform-ish', () => {
    const a = new Rng(1, 2);
    const b = new Rng(1, 2);
    const c = new Rng(1, 3);
    const xs = Array.from({ length: 1000 }, () => a.next());
    expect(Array.from({ length: 1000 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 1000 }, () => c.next())).not.toEqual(xs);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
  });
});

describe('generate (tiny data set)', () => {
  const base: Omit<GenerateOptions, 'outDir'> = {
    accounts: 30,
    events: 5000,
    days: 60,
    startDate: '2025-01-01',
    seed: 7,
  };
  let s1: GenerateSummary;
  let dir1 = '';
  let dir2 = '';

  beforeAll(async () => {
    dir1 = join(root, 'tiny1');
    dir2 = join(root, 'tiny2');
    s1 = await generate({ ...base, outDir: dir1 });
    await generate({ ...base, outDir: dir2 });
  });

  it('writes the documented layout', async () => {
    expect((await readdir(dir1)).sort()).toEqual(['accounts.csv', 'attributes.csv', 'churn.csv', 'events']);
    expect((await readdir(join(dir1, 'events'))).sort()).toEqual(['events-2025-01.parquet', 'events-2025-02.parquet', 'events-2025-03.parquet']);
    const header = async (f: string) => (await readFile(join(dir1, f), 'utf8')).split('\n')[0];
    expect(await header('accounts.csv')).toBe('account_id,created_at,name');
    expect(await header('attributes.csv')).toBe('account_id,attribute,value,observed_at');
    expect(await header('churn.csv')).toBe('account_id,churned_at');
  });

  it('is deterministic: same seed, same bytes and rows', async () => {
    for (const f of ['accounts.csv', 'attributes.csv', 'churn.csv']) {
      expect(await readFile(join(dir2, f), 'utf8')).toBe(await readFile(join(dir1, f), 'utf8'));
    }
    const g1 = lit(join(dir1, 'events', '*.parquet'));
    const g2 = lit(join(dir2, 'events', '*.parquet'));
    const [diff] = await rows(`SELECT
        (SELECT count(*) FROM (FROM read_parquet(${g1}) EXCEPT ALL FROM read_parquet(${g2}))) AS a,
        (SELECT count(*) FROM (FROM read_parquet(${g2}) EXCEPT ALL FROM read_parquet(${g1}))) AS b,
        (SELECT count(*) FROM read_parquet(${g1})) AS n`);
    expect(diff).toEqual({ a: 0n, b: 0n, n: BigInt(s1.events) });
  });

  it('changes with the seed', async () => {
    const dir3 = join(root, 'tiny3');
    await generate({ ...base, seed: 8, outDir: dir3 });
    expect(await readFile(join(dir3, 'attributes.csv'), 'utf8')).not.toBe(await readFile(join(dir1, 'attributes.csv'), 'utf8'));
  });

  it('has the expected columns and types', async () => {
    const glob = lit(join(dir1, 'events', '*.parquet'));
    const cols = await rows(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(${glob}))`);
    expect(cols.map((c) => [c.column_name, c.column_type])).toEqual([
      ['account_id', 'VARCHAR'],
      ['event', 'VARCHAR'],
      ['ts', 'TIMESTAMP WITH TIME ZONE'],
      ['user_id', 'VARCHAR'],
      ['event_id', 'VARCHAR'],
      ['duration_s', 'DOUBLE'],
      ['rows', 'BIGINT'],
    ]);
    const [chk] = await rows(`SELECT
        count(*) AS n,
        count(DISTINCT event_id) AS ids,
        count(*) FILTER (WHERE NOT regexp_full_match(account_id, 'acc_[0-9]{4}')) AS bad_account,
        count(*) FILTER (WHERE NOT starts_with(user_id, account_id || '_u')) AS bad_user,
        count(*) FILTER (WHERE (event = 'report_view') <> (duration_s IS NOT NULL)) AS bad_duration,
        count(*) FILTER (WHERE (event = 'export') <> ("rows" IS NOT NULL)) AS bad_rows,
        count(*) FILTER (WHERE event NOT IN ('login','report_view','api_call','invite_sent','ticket_opened','export','cancelled')) AS bad_event,
        min(ts)::DATE::VARCHAR AS first, max(ts)::DATE::VARCHAR AS last
      FROM read_parquet(${glob})`);
    expect(chk).toMatchObject({ ids: chk!.n, bad_account: 0n, bad_user: 0n, bad_duration: 0n, bad_rows: 0n, bad_event: 0n });
    expect((chk!.first as string) >= '2025-01-01' && (chk!.last as string) <= '2025-03-01').toBe(true);
    // each monthly file holds only its own month
    const [mixed] = await rows(`SELECT count(*) AS n FROM read_parquet(${glob}, filename = true)
      WHERE NOT contains(filename, strftime(ts, 'events-%Y-%m.parquet'))`);
    expect(mixed!.n).toBe(0n);

    const acc = await rows(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_csv(${lit(join(dir1, 'accounts.csv'))}))`);
    expect(acc.map((c) => c.column_type)).toEqual(['VARCHAR', 'DATE', 'VARCHAR']);
    const attr = await rows(
      `SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_csv(${lit(join(dir1, 'attributes.csv'))}, types = {'value': 'VARCHAR'}))`,
    );
    expect(attr.map((c) => c.column_type)).toEqual(['VARCHAR', 'VARCHAR', 'VARCHAR', 'TIMESTAMP']);
    const names = await rows(`SELECT DISTINCT attribute FROM read_csv(${lit(join(dir1, 'attributes.csv'))}) ORDER BY 1`);
    expect(names.map((r) => r.attribute)).toEqual(expect.arrayContaining(['industry', 'plan', 'seats']));
    const [accounts] = await rows(`SELECT count(*) AS n FROM read_csv(${lit(join(dir1, 'accounts.csv'))})`);
    expect(accounts!.n).toBe(30n);
  });

  it('lands the event total near the target', () => {
    expect(Math.abs(s1.events - 5000) / 5000).toBeLessThan(0.1);
    const byType = Object.values(s1.eventsByType).reduce((a, b) => a + b, 0);
    expect(byType).toBe(s1.events);
    expect(s1.files.filter((f) => f.path.endsWith('.parquet')).reduce((a, f) => a + f.rows, 0)).toBe(s1.events);
  });

  it('splits into N files on request', async () => {
    const dir = join(root, 'parts');
    const s = await generate({ ...base, outDir: dir, eventFiles: 3 });
    expect((await readdir(join(dir, 'events'))).sort()).toEqual([
      'events-part-001.parquet',
      'events-part-002.parquet',
      'events-part-003.parquet',
    ]);
    expect(s.events).toBe(s1.events);
    const [n] = await rows(`SELECT count(*) AS n FROM read_parquet(${lit(join(dir, 'events', '*.parquet'))})`);
    expect(n!.n).toBe(BigInt(s1.events));
  });
});

describe('generate (warning signs)', () => {
  let dir = '';
  let summary: GenerateSummary;

  beforeAll(async () => {
    dir = join(root, 'medium');
    summary = await generate({ outDir: dir, accounts: 400, events: 150_000, days: 240, startDate: '2025-01-01', seed: 11 });
  });

  it('has churners, reactivations and a cancelled event per churn row', async () => {
    expect(summary.churners).toBeGreaterThan(20);
    expect(summary.churnEvents).toBe(summary.eventsByType.cancelled);
    const ev = lit(join(dir, 'events', '*.parquet'));
    const ch = lit(join(dir, 'churn.csv'));
    const [r] = await rows(`SELECT
        (SELECT count(*) FROM (SELECT account_id, ts::DATE FROM read_parquet(${ev}) WHERE event = 'cancelled'
                               EXCEPT ALL SELECT account_id, churned_at FROM read_csv(${ch}))) AS a,
        (SELECT count(*) FROM (SELECT account_id, churned_at FROM read_csv(${ch})
                               EXCEPT ALL SELECT account_id, ts::DATE FROM read_parquet(${ev}) WHERE event = 'cancelled')) AS b`);
    expect(r).toEqual({ a: 0n, b: 0n });
    // A reactivation is activity after a cancellation: every churn row followed by a later
    // event of its account is one, and there is none other.
    expect(summary.reactivations).toBeGreaterThan(0);
    const [back] = await rows(`SELECT count(*) AS n FROM read_csv(${ch}) c
      WHERE EXISTS (SELECT 1 FROM read_parquet(${ev}) e WHERE e.account_id = c.account_id AND e.ts::DATE > c.churned_at)`);
    expect(back!.n).toBe(BigInt(summary.reactivations));
  });

  it("churners log in less in their last 14 days than 60–90 days before cancelling", async () => {
    const ev = lit(join(dir, 'events', '*.parquet'));
    const ch = lit(join(dir, 'churn.csv'));
    const [r] = await rows(`
      WITH c AS (
        SELECT account_id, min(churned_at) AS c FROM read_csv(${ch}) GROUP BY 1
        HAVING min(churned_at) >= DATE '2025-01-01' + 90
      ),
      l AS (SELECT account_id, ts::DATE AS d FROM read_parquet(${ev}) WHERE event = 'login')
      SELECT count(DISTINCT c.account_id) AS churners,
        count(*) FILTER (WHERE d >= c - 14 AND d < c) / 14.0 AS recent_per_day,
        count(*) FILTER (WHERE d >= c - 90 AND d < c - 60) / 30.0 AS earlier_per_day
      FROM c LEFT JOIN l USING (account_id)`);
    expect(Number(r!.churners)).toBeGreaterThan(10);
    expect(Number(r!.recent_per_day)).toBeLessThan(Number(r!.earlier_per_day) * 0.8);
  });
});
