import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { backtestText } from '../../cli/render/backtest-text.ts';
import { runBacktest } from '../../pipeline/backtest/run-backtest.ts';
import { dialectFor } from '../../pipeline/engine/dialect-for.ts';
import { addDays, daysBetween } from '../../pipeline/days.ts';
import { loadScorecards } from '../../pipeline/definitions/load-scorecards.ts';
import type { ProjectConfig } from '../../pipeline/ir/types.ts';
import { engines, type TestEngine } from '../helpers/engines.ts';
import { tableRows } from '../helpers/table-rows.ts';
import { csv, identity, tempProject, type TempProject } from '../helpers/temp-project.ts';

// The backtest end to end on a small project whose churns and samples are known by hand:
// labels, censoring, materialising missing days, no leakage, and compare mode.

let projects: TempProject[] = [];
afterEach(async () => {
  await Promise.all(projects.map((p) => p.cleanup()));
  projects = [];
});

const FIRST = '2025-01-01';
const LAST = '2025-03-01';
/** Every how many days each account logs in, and its last day with events. */
const ACCOUNTS: Record<string, { every: number; until?: string }> = {
  a: { every: 1 },
  d: { every: 1 },
  e: { every: 2 },
  f: { every: 3 },
  b: { every: 3, until: '2025-01-19' },
  c: { every: 2, until: '2025-02-09' },
};
const CHURN = csv([['account_id', 'churned_at'], ['b', '2025-01-20'], ['c', '2025-02-10']]);
/** Two scores, so that the per-score figures are not the global ones by construction;
 *  `flipped` scores 10 − x instead of x for both. */
const DEFINITION = (flipped = false) => {
  const range = (lo: number, hi: number) => (flipped ? `worst: ${hi}, best: ${lo}` : `worst: ${lo}, best: ${hi}`);
  return `scorecard: s
bands: [{ label: red, from: 0 }, { label: yellow, from: 3 }, { label: green, from: 7 }]
measures:
  logins: { event: login, window: 7d }
  recent: { event: login, window: 2d }
scores:
  - { id: logins, measure: logins, ${range(0, 7)} }
  - { id: recent, measure: recent, ${range(0, 2)} }
`;
};

function events(alterAfter?: string): (string | number)[][] {
  const rows: (string | number)[][] = [['account_id', 'event', 'timestamp', 'user_id', 'event_id']];
  let i = 0;
  for (let day = FIRST; day <= LAST; day = addDays(day, 1)) {
    const n = daysBetween(FIRST, day);
    for (const [account, { every, until }] of Object.entries(ACCOUNTS)) {
      if (until && day > until) continue;
      // The altered copy changes every account's activity after `alterAfter`.
      const times = alterAfter && day > alterAfter ? (account === 'f' ? 5 : n % 2) : n % every === 0 ? 1 : 0;
      for (let k = 0; k < times; k++) rows.push([account, 'login', `${day} 10:0${k}:00`, `${account}1`, `e${i++}`]);
    }
  }
  return rows;
}

async function project(engine: TestEngine, rows = events()): Promise<{ p: TempProject; config: ProjectConfig }> {
  const p = await tempProject(engine);
  projects.push(p);
  await p.write('events/e.csv', csv(rows));
  await p.write('attributes.csv', csv([['account_id', 'attribute', 'value', 'observed_at']]));
  await p.write('churn.csv', CHURN);
  await p.write('definitions/s.yaml', DEFINITION());
  const config = p.config({
    sources: {
      ...p.config().sources,
      churn: { kind: 'file', path: 'churn.csv', format: 'csv', columns: identity(['account_id', 'churned_at']) },
    },
  });
  return { p, config };
}

async function backtest(p: TempProject, config: ProjectConfig, range: { horizon: number; step: number; from?: string; to?: string }, compareDir?: string) {
  const scorecards = await loadScorecards(config.definitions, p.root);
  const compare = compareDir ? { scorecard: (await loadScorecards(compareDir, p.root))[0]!, definitions: compareDir } : undefined;
  const wh = await p.warehouse();
  return runBacktest(wh.db, { config, scorecards, dialect: dialectFor(config.warehouse) }, scorecards[0]!, range, compare ? { compare } : {});
}

/** The AUC by brute force over every churner × non-churner pair. */
function bruteAuc(samples: { score: number; churned: boolean }[]): number {
  let wins = 0;
  let pairs = 0;
  for (const c of samples.filter((s) => s.churned)) {
    for (const o of samples.filter((s) => !s.churned)) {
      pairs += 1;
      wins += c.score < o.score ? 1 : c.score === o.score ? 0.5 : 0;
    }
  }
  return wins / pairs;
}

describe.each(engines)('backtest ($name)', (engine) => {
  it('labels each scored account by a churn in (T, T + horizon] and matches a brute-force AUC', async () => {
    const { p, config } = await project(engine);
    const run = await backtest(p, config, { horizon: 10, step: 7, from: '2025-01-08' });
    const r = run.result;
    // T = Jan 8 … Feb 19 (Feb 19 + 10 = Mar 1, the last data day): 7 days.
    // Six accounts on Jan 8 and 15; b is churned from Jan 20, c from Feb 10: 6+6+5+5+5+4+4.
    expect(r).toMatchObject({ evaluation_days: 7, censored_days: 0, from: '2025-01-08', to: '2025-02-19', samples: 35, missing_scores: 0 });
    // b churns Jan 20: inside (Jan 15, Jan 25] only; c churns Feb 10: inside (Feb 5, Feb 15] only.
    expect(r.churners).toBe(2);
    const wh = await p.warehouse();
    const rows = await wh.query<{ account_id: string; t: string; score: number }>(sql`
      select account_id, cast(snapshot_date as varchar) as t, score from health_snapshots
      where snapshot_date in (${sql.join(['2025-01-08', '2025-01-15', '2025-01-22', '2025-01-29', '2025-02-05', '2025-02-12', '2025-02-19'].map((d) => sql`${d}::date`))})`);
    expect(rows).toHaveLength(35);
    const churned = (a: string, t: string) => (a === 'b' && t === '2025-01-15') || (a === 'c' && t === '2025-02-05');
    expect(r.global.auc).toBeCloseTo(bruteAuc(rows.map((x) => ({ score: x.score, churned: churned(x.account_id, x.t) }))), 12);
    // Each score's AUC, by brute force over its own score_snapshots rows of the same samples.
    const perScore = await wh.query<{ account_id: string; t: string; score_id: string; score: number }>(sql`
      select account_id, cast(snapshot_date as varchar) as t, score_id, score from score_snapshots
      where (account_id, snapshot_date) in (select account_id, snapshot_date from health_snapshots
        where snapshot_date in (${sql.join(['2025-01-08', '2025-01-15', '2025-01-22', '2025-01-29', '2025-02-05', '2025-02-12', '2025-02-19'].map((d) => sql`${d}::date`))}))`);
    expect(perScore).toHaveLength(2 * 35);
    const aucOf = (id: string) => bruteAuc(perScore.filter((x) => x.score_id === id).map((x) => ({ score: x.score, churned: churned(x.account_id, x.t) })));
    expect(r.scores['logins']!.auc).toBeCloseTo(aucOf('logins'), 12);
    expect(r.scores['recent']!.auc).toBeCloseTo(aucOf('recent'), 12);
    // The two scores rank differently, so neither per-score figure could be the global one copied.
    expect(aucOf('recent')).not.toBeCloseTo(aucOf('logins'), 6);
    expect(r.notes.some((n) => /only 2 churner/.test(n))).toBe(true);
  });

  it('takes the labels from a churn event as well as from a churn file', async () => {
    const withFile = await project(engine);
    const rows = events();
    rows.push(['b', 'cancelled', '2025-01-20 09:00:00', 'b1', 'x1'], ['c', 'cancelled', '2025-02-10 09:00:00', 'c1', 'x2']);
    const withEvent = await project(engine, rows);
    const config = { ...withEvent.config, sources: { ...withEvent.config.sources, churn: { kind: 'event' as const, event: 'cancelled' } } };
    const range = { horizon: 10, step: 7, from: '2025-01-08' };
    const a = (await backtest(withFile.p, withFile.config, range)).result;
    const b = (await backtest(withEvent.p, config, range)).result;
    expect(b.churners).toBe(2);
    expect(b.global).toEqual(a.global);
  });

  it('materialises the missing evaluation days first, and only once', async () => {
    const { p, config } = await project(engine);
    const first = await backtest(p, config, { horizon: 10, step: 7 });
    expect(first.materialised).toBeGreaterThan(0);
    const second = await backtest(p, config, { horizon: 10, step: 7 });
    expect(second.materialised).toBe(0);
    expect(second.result).toEqual(first.result);
  });

  it('leaves out (and reports) evaluation days whose horizon is not observed', async () => {
    const { p, config } = await project(engine);
    const r = (await backtest(p, config, { horizon: 10, step: 7, from: '2025-02-05', to: LAST })).result;
    expect(r).toMatchObject({ evaluation_days: 3, censored_days: 1, to: '2025-02-19' });
    expect(r.notes[0]).toMatch(/1 evaluation day\(s\) after 2025-02-19 were left out/);
  });

  it('gives identical figures when the data after T is altered (no leakage)', async () => {
    const T = '2025-02-05';
    const range = { horizon: 10, step: 7, from: '2025-01-08', to: T };
    const original = await project(engine);
    const altered = await project(engine, events(T));
    const a = (await backtest(original.p, original.config, range)).result;
    const b = (await backtest(altered.p, altered.config, range)).result;
    expect(b).toEqual(a);
    // The alteration is real: once materialised, the snapshots after T differ; and the
    // backtest still reads the same snapshots of T.
    await original.p.run({ config: original.config });
    await altered.p.run({ config: altered.config });
    expect((await backtest(altered.p, altered.config, range)).result).toEqual(a);
    const after = async (p: TempProject) => (await p.warehouse()).query(sql`select * from health_snapshots where snapshot_date > ${T}::date order by snapshot_date, scorecard, account_id`);
    expect(await after(altered.p)).not.toEqual(await after(original.p));
  });

  it('compares a second definitions folder on the same samples without touching the snapshots', async () => {
    const { p, config } = await project(engine);
    await p.write('same/s.yaml', DEFINITION());
    await p.write('flipped/s.yaml', DEFINITION(true));
    const range = { horizon: 10, step: 7, from: '2025-01-08' };
    const plain = (await backtest(p, config, range)).result;
    const wh = await p.warehouse();
    const tables = async () => ({
      health: await tableRows(wh, 'health_snapshots'), scores: await tableRows(wh, 'score_snapshots'), runs: await tableRows(wh, 'run_log'),
    });
    const before = await tables();

    const same = (await backtest(p, config, range, join(p.root, 'same'))).result;
    expect(same.compare).toMatchObject({ samples: plain.samples, churners: plain.churners, global: plain.global });
    const flipped = (await backtest(p, config, range, join(p.root, 'flipped'))).result;
    // Scoring 10 − x instead of x reverses every comparison between samples.
    expect(flipped.compare!.global.auc).toBeCloseTo(1 - plain.global.auc!, 12);
    expect(flipped.compare!.samples).toBe(plain.samples);
    expect(await tables()).toEqual(before);
    const temp = await wh.query(engine.name === 'duckdb'
      ? sql`select table_name from duckdb_tables() where temporary and table_name like 'hs_bt%'`
      : sql`select relname from pg_class where relnamespace = pg_my_temp_schema() and relname like 'hs_bt%'`);
    expect(temp).toEqual([]);
  });
});

describe.each(engines)('backtest notes ($name)', (engine) => {
  /** Every account created on Jan 20: Jan 8 and 15 score nobody. `always` scores 10 for
   *  every sample, so its worst bands hold none. */
  async function lateProject() {
    const { p, config } = await project(engine);
    await p.write('accounts.csv', csv([['account_id', 'created_at'], ...Object.keys(ACCOUNTS).map((a) => [a, '2025-01-20'])]));
    await p.write('definitions/s.yaml', DEFINITION() + '  - { id: always, measure: logins, worst: -10, best: 0 }\n');
    await p.write('same/s.yaml', DEFINITION() + '  - { id: always, measure: logins, worst: -10, best: 0 }\n');
    const accounts = { path: 'accounts.csv', format: 'csv' as const, columns: identity(['account_id', 'created_at']) };
    return { p, config: { ...config, sources: { ...config.sources, accounts } } };
  }

  it('leaves out evaluation days with no scored account, and flags every thin or empty band of every score', async () => {
    const { p, config } = await lateProject();
    const r = (await backtest(p, config, { horizon: 10, step: 7, from: '2025-01-08' }, join(p.root, 'same'))).result;
    // Jan 22 … Feb 19; b churned on its first day, c from Feb 10: 5 + 5 + 5 + 4 + 4.
    expect(r).toMatchObject({ evaluation_days: 5, unscored_days: 2, censored_days: 0, samples: 23, churners: 1 });
    expect(r.scores['always']!.bands).toEqual([
      { band: 'red', samples: 0, churners: 0, churn_rate: null },
      { band: 'yellow', samples: 0, churners: 0, churn_rate: null },
      { band: 'green', samples: 23, churners: 1, churn_rate: 1 / 23 },
    ]);
    const rough = "(under 30 samples a band's churn rate is rough; with none it has none)";
    const listed = (bands: { band: string; samples: number }[]) =>
      bands.map((b) => `band ${b.band} has ${b.samples ? `only ${b.samples} samples` : 'no samples'}`).join(', ');
    expect(r.notes).toEqual([
      '2 evaluation days had no scored account and were left out',
      expect.stringMatching(/^only 1 churner\(s\) among 23 samples: too few to trust/),
      `global score: ${listed(r.global.bands)} ${rough}`,
      `score logins: ${listed(r.scores['logins']!.bands)} ${rough}`,
      `score recent: ${listed(r.scores['recent']!.bands)} ${rough}`,
      `score always: band red has no samples, band yellow has no samples, band green has only 23 samples ${rough}`,
      expect.stringMatching(/^compare \(s\): only 1 churner/),
      `compare (s): global score: ${listed(r.global.bands)} ${rough}`,
      `compare (s): score logins: ${listed(r.scores['logins']!.bands)} ${rough}`,
      `compare (s): score recent: ${listed(r.scores['recent']!.bands)} ${rough}`,
      `compare (s): score always: band red has no samples, band yellow has no samples, band green has only 23 samples ${rough}`,
    ]);
    expect(r.global.bands.map((b) => b.samples).reduce((s, n) => s + n, 0)).toBe(23);
    const row = backtestText(r).find((l) => l.startsWith('always '));
    expect(row?.split(/ {2,}/).slice(5, 7)).toEqual(['red', 'no samples']);
  });

  it('refuses a range on which the scorecard scores nobody', async () => {
    const { p, config } = await lateProject();
    await expect(backtest(p, config, { horizon: 10, step: 7, from: '2025-01-08', to: '2025-01-15' })).rejects.toThrow(
      's scores no account on any of the 2 evaluation day(s) 2025-01-08 … 2025-01-15: nothing to evaluate',
    );
  });
});
