import type { CheckResult } from './check.ts';
import { median, type ProcessRun } from './proc.ts';
import type { BenchData } from './project.ts';

/** Every timed process, per contender, in the order of the repetitions. */
export interface Runs {
  healthscore: ProcessRun[];
  script: ProcessRun[];
  pandas: ProcessRun[];
  plainExport: ProcessRun[];
  nightly: ProcessRun[];
  backtest: ProcessRun[];
  /** `healthscore run` on a PostgreSQL warehouse (--postgres), the same backfill. */
  postgres: ProcessRun[];
}

export interface Settings {
  code: string;
  memoryLimit: string;
  threads: number | string;
  reps: number;
  loadAverage: { start: number[]; end: number[] };
  rssMethod: string;
  pandas: { version: string; check?: string } | { missing: string };
  startup: { bareNode: number; version: number; status: number } | string;
  /** The PostgreSQL server of --postgres (no password), and how its exported files compare. */
  postgres?: { server: string; check: string };
  check?: CheckResult;
  /** The whole job of a smaller run (--compare-with), for the growth target. */
  smaller?: { file: string; events: number; wholeJob: number };
  totalSeconds: number;
}

export interface Row {
  step: string;
  ours: number | null;
  theirs: number | null;
  /** ours / theirs of the medians. */
  ratio: number | null;
  /** ours / theirs within each repetition. */
  perRep: number[];
  unit: 's' | 'GB';
}

export interface Target {
  name: string;
  value: number;
  limit: number;
  pass: boolean;
  perRep: number[];
}

export interface BenchReport {
  data: BenchData;
  settings: Settings;
  /** healthscore run beside the hand-written script, step by step. */
  job: Row[];
  /** Our steps against the plain baselines, pandas and the nightly. */
  baselines: Row[];
  targets: Target[];
  /** The nightly's own step seconds (medians) and the rest of its process time. */
  nightlySteps: Record<string, number>;
  /** The script's and the pandas peer's own step seconds (medians). */
  scriptSteps: Record<string, number>;
  pandasSteps: Record<string, number>;
  /** healthscore run on PostgreSQL beside healthscore run on DuckDB, step by step (--postgres). */
  postgres: Row[];
}

const GB = 1e9;
type Steps = Record<string, number>;
const steps = (r: ProcessRun): Steps => (r.json?.seconds ?? {}) as Steps;
const sum = (s: Steps, keys: string[]) => keys.reduce((a, k) => a + (s[k] ?? 0), 0);

/** Per-repetition figures of a run list, and their median. */
const fig = (runs: ProcessRun[], pick: (r: ProcessRun) => number) => {
  const xs = runs.map(pick);
  return { xs, med: xs.length ? median(xs) : null };
};

function row(step: string, ours: { xs: number[]; med: number | null }, theirs: { xs: number[]; med: number | null }, unit: Row['unit'] = 's'): Row {
  const perRep = ours.xs.flatMap((x, i) => (theirs.xs[i] === undefined || theirs.xs[i] === 0 ? [] : [x / theirs.xs[i]!]));
  const ratio = ours.med !== null && theirs.med ? ours.med / theirs.med : null;
  return { step, ours: ours.med, theirs: theirs.med, ratio, perRep, unit };
}

const OUR_STEPS = ['load', 'materialise', 'export'];
const SCRIPT_STEPS = ['read', 'aggregate', 'score', 'export'];

export function buildReport(data: BenchData, runs: Runs, settings: Settings): BenchReport {
  const hs = runs.healthscore;
  const sc = runs.script;
  const peak = (r: ProcessRun) => r.peakRssBytes / GB;
  const job: Row[] = [
    row('load (files → tables + daily aggregate)', fig(hs, (r) => steps(r)['load'] ?? NaN), fig(sc, (r) => sum(steps(r), ['read', 'aggregate']))),
    row('score and materialise', fig(hs, (r) => steps(r)['materialise'] ?? NaN), fig(sc, (r) => steps(r)['score'] ?? NaN)),
    row('export (Parquet, one folder per day)', fig(hs, (r) => steps(r)['export'] ?? NaN), fig(sc, (r) => steps(r)['export'] ?? NaN)),
    row('outside the steps (start-up, open, close)', fig(hs, (r) => r.seconds - sum(steps(r), OUR_STEPS)), fig(sc, (r) => r.seconds - sum(steps(r), SCRIPT_STEPS))),
    row('**whole job** (process, spawn → exit)', fig(hs, (r) => r.seconds), fig(sc, (r) => r.seconds)),
    row('peak RSS', fig(hs, peak), fig(sc, peak), 'GB'),
  ];
  const wholeOurs = fig(hs, (r) => r.seconds);
  const baselines: Row[] = [
    row('our load ÷ plain load: `create table … as select … from read_parquet(…)` (and `read_csv` for the CSV files) + `group by account_id, day, event` (the script\'s load step)',
      fig(hs, (r) => steps(r)['load'] ?? NaN), fig(sc, (r) => sum(steps(r), ['read', 'aggregate']))),
    row('our export ÷ plain export: one `COPY … (partition_by (day))` per table of our score_snapshots, health_snapshots, alerts',
      fig(hs, (r) => steps(r)['export'] ?? NaN), fig(runs.plainExport, (r) => steps(r)['export'] ?? NaN)),
    row('nightly (1 new day, process) ÷ our whole backfill', fig(runs.nightly, (r) => r.seconds), wholeOurs),
    row('backtest (process, weekly over the year, 30-day horizon) ÷ our whole backfill', fig(runs.backtest, (r) => r.seconds), wholeOurs),
  ];
  if (runs.pandas.length) baselines.push(row('our whole job ÷ pandas peer whole job (process)', wholeOurs, fig(runs.pandas, (r) => r.seconds)));
  const r = (i: number, rows = job) => rows[i]!;
  const bigData = data.events >= 50_000_000;
  const peakOurs = Math.max(...hs.map(peak), ...runs.nightly.map(peak));
  const t = (name: string, x: Row, limit: number): Target => ({ name, value: x.ratio ?? NaN, limit, pass: x.ratio !== null && x.ratio <= limit, perRep: x.perRep });
  const targets: Target[] = [
    t('2. whole backfill ≤ 1.0× the script (goal)', r(4), 1),
    t('2. whole backfill ≤ 0.7× the script (stretch)', r(4), 0.7),
    t('2. nightly ≤ 0.05× the whole backfill', r(2, baselines), 0.05),
    t('3. load ≤ 1.5× plain load', r(0, baselines), 1.5),
    t('3. export ≤ 1.5× plain export', r(1, baselines), 1.5),
    {
      name: bigData ? '7. peak RSS ≤ 10 GB (backfill and nightly)' : '8. peak RSS ≤ 3 GB (backfill and nightly; the target is set at 10M events)',
      value: peakOurs,
      limit: bigData ? 10 : 3,
      pass: peakOurs <= (bigData ? 10 : 3),
      perRep: [],
    },
  ];
  if (settings.smaller && wholeOurs.med !== null) {
    const growth = wholeOurs.med / settings.smaller.wholeJob;
    targets.push({
      name: `7. whole job grows ≤ 12× from ${settings.smaller.events.toLocaleString('en')} events (${settings.smaller.wholeJob.toFixed(1)} s) to ${data.events.toLocaleString('en')}`,
      value: growth,
      limit: 12,
      pass: growth <= 12,
      perRep: [],
    });
  }
  const nightlySteps: Record<string, number> = {};
  for (const k of OUR_STEPS) nightlySteps[k] = fig(runs.nightly, (r) => steps(r)[k] ?? NaN).med ?? NaN;
  nightlySteps['outside the steps'] = fig(runs.nightly, (r) => r.seconds - sum(steps(r), OUR_STEPS)).med ?? NaN;
  const medians = (list: ProcessRun[]) => {
    const keys = [...new Set(list.flatMap((x) => Object.keys(steps(x))))];
    return Object.fromEntries(keys.map((k) => [k, fig(list, (x) => steps(x)[k] ?? NaN).med ?? NaN]));
  };
  const pg = runs.postgres;
  const postgres: Row[] = pg.length
    ? [
        ...OUR_STEPS.map((k) => row(k, fig(pg, (x) => steps(x)[k] ?? NaN), fig(hs, (x) => steps(x)[k] ?? NaN))),
        row('outside the steps (start-up, open, close)', fig(pg, (x) => x.seconds - sum(steps(x), OUR_STEPS)), fig(hs, (x) => x.seconds - sum(steps(x), OUR_STEPS))),
        row('**whole job** (process, spawn → exit)', fig(pg, (x) => x.seconds), wholeOurs),
        row('peak RSS of the healthscore process (the server not counted)', fig(pg, peak), fig(hs, peak), 'GB'),
      ]
    : [];
  return { data, settings, job, baselines, targets, nightlySteps, scriptSteps: medians(sc), pandasSteps: medians(runs.pandas), postgres };
}

const secs = (x: number | null) => (x === null || !Number.isFinite(x) ? '—' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
// Small ratios keep a third decimal: 0.046× and 0.054× sit on either side of a 0.05× target.
const times = (x: number) => (Number.isFinite(x) ? `${x >= 10 ? x.toFixed(1) : x < 0.1 ? x.toFixed(3) : x.toFixed(2)}×` : '—');
const val = (x: number | null, unit: Row['unit']) => (unit === 'GB' ? (x === null ? '—' : `${x.toFixed(2)} GB`) : `${secs(x)} s`);

export function markdown(report: BenchReport): string {
  const { data, settings } = report;
  const out: string[] = [];
  out.push(
    `**${data.accounts.toLocaleString('en')} accounts, ${data.events.toLocaleString('en')} events, ${data.days} days, Parquet events` +
      (data.source ? ` (from ${data.source})` : ` (seed ${data.seed})`) +
      `; ${data.eventsOnLastDay.toLocaleString('en')} events of ${data.lastDay} held back for the nightly**`,
    '',
    `code: ${settings.code}; memory_limit: ${settings.memoryLimit}; threads: ${settings.threads}; median of ${settings.reps} repetition(s), order rotated;` +
      ` load average ${settings.loadAverage.start.map((x) => x.toFixed(1)).join('/')} at start, ${settings.loadAverage.end.map((x) => x.toFixed(1)).join('/')} at end.` +
      ` Every contender is its own process, timed from spawn to exit, from the same files and an empty warehouse; peak RSS by ${settings.rssMethod}.`,
    '',
    '| step | healthscore run | hand-written script | ratio | ratio per repetition |',
    '| --- | ---: | ---: | ---: | --- |',
  );
  const nightly = report.baselines.find((x) => x.step.startsWith('nightly'));
  for (const x of report.job) {
    if (x.unit === 'GB' && nightly) {
      out.push(`| nightly after one new day (process) | ${val(nightly.ours, 's')} | — | ${nightly.ratio === null ? '—' : times(nightly.ratio)} of our whole job | ${nightly.perRep.map(times).join(', ')} |`);
    }
    out.push(`| ${x.step} | ${val(x.ours, x.unit)} | ${val(x.theirs, x.unit)} | ${x.ratio === null ? '—' : times(x.ratio)} | ${x.perRep.map(times).join(', ')} |`);
  }
  const list = (x: Record<string, number>) => Object.entries(x).map(([k, v]) => `${k} ${secs(v)} s`).join(', ');
  out.push('', `The script's own steps: ${list(report.scriptSteps)} (load = read + aggregate).`);
  out.push('', '| comparison | ours | baseline | ratio | ratio per repetition |', '| --- | ---: | ---: | ---: | --- |');
  for (const x of report.baselines) {
    out.push(`| ${x.step} | ${val(x.ours, x.unit)} | ${val(x.theirs, x.unit)} | ${x.ratio === null ? '—' : times(x.ratio)} | ${x.perRep.map(times).join(', ')} |`);
  }
  if ('missing' in settings.pandas) out.push(`| pandas peer | — | — | pandas: ${settings.pandas.missing} | |`);
  const st = settings.startup;
  if (typeof st === 'string') out.push(`| start-up | — | — | ${st} | |`);
  else {
    out.push(
      `| start-up: \`healthscore --version\` ÷ bare \`node -e 0\` | ${secs(st.version)} s | ${secs(st.bareNode)} s | ${times(st.version / st.bareNode)} | |`,
      `| start-up: \`healthscore status\` ÷ bare \`node -e 0\` | ${secs(st.status)} s | ${secs(st.bareNode)} s | ${times(st.status / st.bareNode)} | |`,
    );
  }
  out.push('', `The nightly's steps: ${list(report.nightlySteps)}.`);
  if (Object.keys(report.pandasSteps).length) out.push('', `The pandas peer's steps: ${list(report.pandasSteps)}.`);
  out.push('', '| target (issue #9) | measured | per repetition | result |', '| --- | ---: | --- | --- |');
  for (const x of report.targets) {
    const measured = x.name.includes('RSS') ? `${x.value.toFixed(2)} GB` : times(x.value);
    out.push(`| ${x.name} | ${measured} | ${x.perRep.map(times).join(', ')} | ${x.pass ? 'met' : '**not met**'} |`);
  }
  if (!settings.smaller) out.push('| 7. whole job grows ≤ 12× from 10M to 100M events (memory_limit 8GB) | run the larger size with --compare-with <the smaller run\'s results.json> | | — |');
  if (report.postgres.length && settings.postgres) {
    out.push('', `healthscore run on PostgreSQL (${settings.postgres.server}) beside healthscore run on DuckDB, the same backfill from an empty warehouse:`, '');
    out.push('| step | on PostgreSQL | on DuckDB | ratio | ratio per repetition |', '| --- | ---: | ---: | ---: | --- |');
    for (const x of report.postgres) {
      out.push(`| ${x.step} | ${val(x.ours, x.unit)} | ${val(x.theirs, x.unit)} | ${x.ratio === null ? '—' : times(x.ratio)} | ${x.perRep.map(times).join(', ')} |`);
    }
    out.push('', `PostgreSQL's export against DuckDB's (first repetition): ${settings.postgres.check}.`);
  }
  const c = settings.check;
  if (c) {
    const h = c.health;
    out.push(
      '',
      `Check of the script's table against our snapshots: ${h['ours']} health rows (ours) vs ${h['handwritten']} (script), ${h['matched']} matched on (day, account);` +
        ` global score max |Δ| ${fmt(h['max_abs_score_diff'])} (${h['score_diffs']} rows differ), ${h['band_diffs']} band and ${h['insight_diffs']} insight differences;` +
        ` per score (score_snapshots vs the script's columns, null = null): ${c.scores.map((x) => `${x['score_id']} ${x['diffs']} differ`).join(', ')}` +
        ` (max |Δ| ${fmt(Math.max(0, ...c.scores.map((x) => Number(x['max_abs_diff'] ?? 0))))}).`,
    );
  }
  if ('check' in settings.pandas && settings.pandas.check) out.push('', `pandas ${settings.pandas.version}: ${settings.pandas.check}`);
  out.push('', `Benchmark wall time: ${secs(settings.totalSeconds)} s, including data preparation (generation ${secs(data.generateSeconds)} s).`);
  return out.join('\n');
}

const fmt = (x: unknown) => (typeof x === 'number' ? (x === 0 ? '0' : x.toExponential(1)) : String(x));
