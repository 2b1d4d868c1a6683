// Definitions that once validated but failed in the middle of a run: long sums of scores,
// huge durations, chains of long trends, very deep conditions. Each is either computed
// correctly now or rejected by validate with file:line path.
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { SUM_RUN, sumOf } from '../../pipeline/compile/health-model.ts';
import { MAX_DAYS } from '../../pipeline/definitions/duration.ts';
import { MAX_LOOK_BACK, MAX_NESTING } from '../../pipeline/definitions/run-time-limits.ts';
import { openWarehouse, type Warehouse } from '../../pipeline/engine/warehouse.ts';
import { csv, tempProject, type TempProject } from '../helpers/temp-project.ts';
import { FILE, minimal, problems, scorecard, yaml } from './helpers.ts';

let wh: Warehouse | undefined;
let project: TempProject | undefined;
afterEach(async () => {
  await wh?.close();
  await project?.cleanup();
  wh = undefined;
  project = undefined;
});

describe('long sums (a global score over many scores)', () => {
  it('a flat sum of 1000 terms is beyond DuckDB’s expression depth, which is why sums are split', async () => {
    wh = await openWarehouse({ path: ':memory:' });
    const terms = Array.from({ length: 1000 }, () => sql`1`);
    await expect(wh.query(sql`select ${sql.join(terms, sql` + `)} as total`)).rejects.toThrow(/expression depth/);
  });

  it('sumOf adds 2500 terms correctly, in runs of SUM_RUN', async () => {
    wh = await openWarehouse({ path: ':memory:' });
    const terms = Array.from({ length: 2500 }, (_, i) => sql.lit(i));
    const [row] = await wh.query<{ total: number }>(sql`select ${sumOf(terms)} as total`);
    expect(row!.total).toBe((2500 * 2499) / 2);
  });

  it('a scorecard with more scores than one run of the sum scores every account as the weighted average', async () => {
    project = await tempProject();
    const n = SUM_RUN + 7;
    const lines = ['scorecard: health', 'bands: [{ label: red, from: 0 }, { label: green, from: 7 }]', 'measures:', '  logins: { event: login, window: 30d }', 'scores:'];
    // Scores alternate 10 (worst 0, best 1) and 0 (worst 5, best 10) on one login, with
    // weights 1 and 2: the average is (10 × ⌈n/2⌉) / (⌈n/2⌉ + 2⌊n/2⌋).
    for (let i = 0; i < n; i++) {
      lines.push(i % 2 === 0 ? `  - { id: s${i}, measure: logins, worst: 0, best: 1, weight: 1 }` : `  - { id: s${i}, measure: logins, worst: 5, best: 10, weight: 2 }`);
    }
    await project.write('definitions/health.yaml', lines.join('\n') + '\n');
    await project.write('events/e.csv', csv([['account_id', 'event', 'timestamp', 'user_id', 'event_id'], ['a1', 'login', '2025-01-01T10:00:00Z', 'u1', 'e1']]));
    await project.write('attributes.csv', csv([['account_id', 'attribute', 'value', 'observed_at']]));
    await project.run();
    const rows = await (await project.warehouse()).query<{ computed_score: number }>(sql`select computed_score from health_snapshots`);
    const ones = Math.ceil(n / 2);
    const twos = Math.floor(n / 2);
    expect(rows).toEqual([{ computed_score: Number(((10 * ones) / (ones + 2 * twos)).toFixed(4)) }]);
  });
});

describe('durations', () => {
  const tooLong = (text: string) => `${text} is too long: durations are at most ${MAX_DAYS}d (about 100 years)`;

  it('refuses a window, max_age, within, trend window or alert within beyond 36500d, with its line', () => {
    expect(MAX_DAYS).toBe(36500);
    const text = yaml(
      'scorecard: health',
      'bands: [{ label: red, from: 0 }, { label: green, from: 7 }]',
      'measures:',
      '  logins: { event: login, window: 1000000d }',
      '  plan: { attribute: plan, max_age: 36501d }',
      '  goal: { goal: { event: login, target: 5, within: 99999999999999999999d, since: first_seen } }',
      '  trend: { trend: logins, window: 40000d }',
      'scores:',
      '  - { id: logins, measure: logins, worst: 0, best: 10 }',
      'alerts:',
      '  - { id: drop, when: { score_dropped_by: 2, within: 50000d } }',
    );
    expect(problems(text)).toEqual([
      `${FILE}:4 measures.logins.window: ${tooLong('1000000d')}`,
      `${FILE}:5 measures.plan.max_age: ${tooLong('36501d')}`,
      `${FILE}:6 measures.goal.goal.within: ${tooLong('99999999999999999999d')}`,
      `${FILE}:7 measures.trend.window: ${tooLong('40000d')}`,
      `${FILE}:11 alerts[0].when.within: ${tooLong('50000d')}`,
    ]);
  });

  it('a window of exactly 36500d, and a trend of it, run', async () => {
    project = await tempProject();
    await project.write('definitions/health.yaml', yaml(
      'scorecard: health',
      'bands: [{ label: red, from: 0 }, { label: green, from: 7 }]',
      'measures:',
      '  logins: { event: login, window: 36500d }',
      '  trend: { trend: logins }',
      'scores:',
      '  - { id: logins, measure: logins, worst: 0, best: 10 }',
      '  - { id: trend, measure: trend, worst: -1, best: 1 }',
    ));
    await project.write('events/e.csv', csv([['account_id', 'event', 'timestamp', 'user_id', 'event_id'], ['a1', 'login', '2025-01-01T10:00:00Z', 'u1', 'e1'], ['a1', 'login', '2025-01-02T10:00:00Z', 'u1', 'e2']]));
    await project.write('attributes.csv', csv([['account_id', 'attribute', 'value', 'observed_at']]));
    await project.run();
    const rows = await (await project.warehouse()).query(sql`select snapshot_date::varchar as day, score_id, raw_value from score_snapshots order by 1, 2`);
    expect(rows).toEqual([
      { day: '2025-01-01', score_id: 'logins', raw_value: 1 },
      { day: '2025-01-01', score_id: 'trend', raw_value: null },
      { day: '2025-01-02', score_id: 'logins', raw_value: 2 },
      { day: '2025-01-02', score_id: 'trend', raw_value: null },
    ]);
  });

  it('refuses a chain of trends that together read more than 365000 days back, at the trend that passes it', () => {
    const lines = ['scorecard: health', 'bands: [{ label: red, from: 0 }]', 'measures:', '  t0: { event: login, window: 36500d }'];
    for (let i = 1; i <= 11; i++) lines.push(`  t${i}: { trend: t${i - 1}, window: 36500d }`);
    lines.push('scores:', '  - { id: s, measure: t11, worst: -1, best: 1 }');
    expect(MAX_LOOK_BACK).toBe(365000);
    // tk reads 36499 + 36500·k days back: t9 364999 is within, t10 and t11 are not.
    const over = (k: number, back: number) =>
      `${FILE}:${4 + k} measures.t${k}.window: this trend reads ${back} days back (its window plus the windows of what it compares), more than the 365000 days a run can go back`;
    expect(problems(yaml(...lines))).toEqual([over(10, 401499), over(11, 437999)]);
  });
});

describe('nesting', () => {
  const nested = (depth: number) => {
    let condition = '{ attribute: plan, eq: pro }';
    for (let i = 0; i < depth; i++) condition = `{ not: ${condition} }`;
    return minimal('segments:', `  deep: ${condition}`, 'segment: deep');
  };

  it('refuses a condition nested beyond 100 levels with its line, instead of overflowing the stack', () => {
    expect(MAX_NESTING).toBe(100);
    const found = problems(nested(700));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(new RegExp(`^${FILE}:13 segments\\.deep(\\.not){99}: nested more than 100 levels deep: write long conditions flat, with all or any$`));
  });

  it('accepts a condition just within the limit', () => {
    // segments → deep → 97 × not → the leaf's keys: 100 levels.
    expect(scorecard(nested(97)).segments['deep']).toBeDefined();
    expect(problems(nested(98))).toHaveLength(1);
  });
});
