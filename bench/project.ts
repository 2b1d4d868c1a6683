import { copyFile, mkdir, readdir, readFile, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { generate } from '../data/generate.ts';
import type { BenchArgs } from './args.ts';

/** Where everything of one benchmark lives, under the work folder. */
export interface BenchLayout {
  work: string;
  /** The healthscore project: healthscore.yaml, definitions/, events/, *.csv. */
  project: string;
  events: string;
  /** The last day's event file, held back until the nightly run. */
  pendingFile: string;
  /** Where the nightly copies it. */
  arrivingFile: string;
  /** healthscore's warehouse (healthscore.yaml `warehouse:`) and export folder. */
  warehouse: string;
  out: string;
  /** The hand-written script's DuckDB file, export folder and scorecard SQL. */
  script: { db: string; out: string; sql: string };
  /** The plain export baseline's folder; the pandas peer's output. */
  plainOut: string;
  pandasOut: string;
  results: string;
}

export interface BenchData {
  accounts: number;
  events: number;
  eventsTarget: number;
  days: number;
  seed: number;
  startDate: string;
  /** The day held back for the nightly run. */
  lastDay: string;
  eventsBeforeLastDay: number;
  eventsOnLastDay: number;
  generateSeconds: number;
  splitSeconds: number;
  /** The folder the data came from (--data), when it was not generated here. */
  source?: string;
}

export function layout(work: string): BenchLayout {
  const project = join(work, 'project');
  return {
    work,
    project,
    events: join(project, 'events'),
    pendingFile: join(project, 'pending', 'events-last-day.parquet'),
    arrivingFile: join(project, 'events', 'events-last-day.parquet'),
    warehouse: join(project, 'warehouse.duckdb'),
    out: join(project, 'out'),
    script: { db: join(work, 'script', 'handwritten.duckdb'), out: join(work, 'script', 'out'), sql: join(work, 'script', 'scorecard.sql') },
    plainOut: join(work, 'plain-export'),
    pandasOut: join(work, 'pandas'),
    results: join(work, 'results.json'),
  };
}

const PROJECT_YAML = `# Written by bench/project.ts: the demo scorecard over the generated data.
warehouse: warehouse.duckdb
timezone: UTC
start_date: {{start}}{{memory}}
lookback: 3d
definitions: definitions/
export: { path: out/, formats: [parquet] }
sources:
  events:
    path: events/*.parquet
    format: parquet
    columns: { account_id: account_id, event: event, timestamp: ts, user_id: user_id, event_id: event_id }
  attributes: { path: attributes.csv, format: csv, layout: long }
  accounts: { path: accounts.csv }
  churn: { path: churn.csv }
`;

/** Generates the data (or reuses it with --skip-generate), holds the last day's events
 *  back in pending/, and writes the project that reads them with the demo scorecard. */
export async function prepareProject(args: BenchArgs, repoRoot: string, log: (line: string) => void): Promise<BenchData> {
  const at = layout(args.work);
  const metaFile = join(at.project, 'bench-data.json');
  if (args.data) return linkData(args, repoRoot, log);
  if (args.skipGenerate) {
    const meta = JSON.parse(await readFile(metaFile, 'utf8')) as BenchData;
    const wanted = { accounts: args.accounts, eventsTarget: args.events, days: args.days, seed: args.seed, startDate: args.startDate };
    for (const [key, value] of Object.entries(wanted)) {
      if (meta[key as keyof BenchData] !== value) {
        throw new Error(`--skip-generate: ${metaFile} was generated with ${key} = ${meta[key as keyof BenchData]}, not ${value}`);
      }
    }
    await rm(at.arrivingFile, { force: true });
    await writeProjectFiles(at, args, repoRoot);
    log(`reusing the data in ${at.project} (${meta.events} events, last day ${meta.lastDay} held back)`);
    return meta;
  }

  await rm(at.project, { recursive: true, force: true });
  await mkdir(join(at.project, 'definitions'), { recursive: true });
  await mkdir(join(at.project, 'pending'), { recursive: true });
  log(`generating ${args.accounts} accounts, ~${args.events} events over ${args.days} days …`);
  const t0 = performance.now();
  const summary = await generate({
    outDir: at.project,
    accounts: args.accounts,
    events: args.events,
    days: args.days,
    startDate: args.startDate,
    seed: args.seed,
  });
  const generateSeconds = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const split = await holdBackLastDay(at, summary.endDate);
  const splitSeconds = (performance.now() - t1) / 1000;

  await writeProjectFiles(at, args, repoRoot);
  const meta: BenchData = {
    accounts: args.accounts,
    events: summary.events,
    eventsTarget: args.events,
    days: args.days,
    seed: args.seed,
    startDate: args.startDate,
    lastDay: summary.endDate,
    eventsBeforeLastDay: split.before,
    eventsOnLastDay: split.last,
    generateSeconds,
    splitSeconds,
  };
  await writeFile(metaFile, JSON.stringify(meta, null, 2) + '\n');
  log(`generated ${summary.events} events in ${generateSeconds.toFixed(1)} s; ${split.last} events of ${summary.endDate} held back`);
  return meta;
}

/** healthscore.yaml, and the demo scorecard as it is now in the repository (also when the
 *  data is reused, so that the benchmark always runs the current definition). */
async function writeProjectFiles(at: BenchLayout, args: BenchArgs, repoRoot: string): Promise<void> {
  await mkdir(join(at.project, 'definitions'), { recursive: true });
  const memory = (args.memoryLimit ? `\nmemory_limit: ${args.memoryLimit}` : '') + (args.threads ? `\nthreads: ${args.threads}` : '');
  await writeFile(join(at.project, 'healthscore.yaml'), PROJECT_YAML.replace('{{start}}', args.startDate).replace('{{memory}}', memory));
  await copyFile(join(repoRoot, 'definitions', 'customer_health.yaml'), join(at.project, 'definitions', 'customer_health.yaml'));
}

/** The project over data generated elsewhere (`--data DIR`, data/generate.ts output): its
 *  files are linked, not copied, except the last month's event file, which is rewritten
 *  without the held-back last day. The folder itself is never written to. */
async function linkData(args: BenchArgs, repoRoot: string, log: (line: string) => void): Promise<BenchData> {
  const at = layout(args.work);
  const from = args.data!;
  await rm(at.project, { recursive: true, force: true });
  await mkdir(at.events, { recursive: true });
  await mkdir(join(at.project, 'pending'), { recursive: true });
  for (const file of ['accounts.csv', 'attributes.csv', 'churn.csv']) await symlink(join(from, file), join(at.project, file));
  const eventFiles = (await readdir(join(from, 'events'))).filter((f) => f.endsWith('.parquet')).sort();
  for (const file of eventFiles) await symlink(join(from, 'events', file), join(at.events, file));
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  const con = await instance.connect();
  let facts: Record<string, unknown>;
  try {
    await con.run("SET TimeZone = 'UTC'");
    const q = (path: string) => `'${path.replaceAll("'", "''")}'`;
    const r = await con.runAndReadAll(`select (select count(*) from read_csv(${q(join(from, 'accounts.csv'))}, header = true, all_varchar = true))::bigint as accounts,
        min(ts)::date::varchar as first, max(ts)::date::varchar as last from read_parquet(${q(join(from, 'events', '*.parquet'))})`);
    facts = r.getRowObjects()[0]!;
  } finally {
    con.closeSync();
    instance.closeSync();
  }
  const t1 = performance.now();
  const lastDay = String(facts['last']);
  const split = await holdBackLastDay(at, lastDay);
  const days = Math.round((Date.parse(lastDay) - Date.parse(String(facts['first']))) / 86_400_000) + 1;
  await writeProjectFiles(at, { ...args, startDate: String(facts['first']) }, repoRoot);
  const meta: BenchData = {
    accounts: Number(facts['accounts']),
    events: split.before + split.last,
    eventsTarget: split.before + split.last,
    days,
    seed: args.seed,
    startDate: String(facts['first']),
    lastDay,
    eventsBeforeLastDay: split.before,
    eventsOnLastDay: split.last,
    generateSeconds: 0,
    splitSeconds: (performance.now() - t1) / 1000,
    source: from,
  };
  await writeFile(join(at.project, 'bench-data.json'), JSON.stringify(meta, null, 2) + '\n');
  log(`data from ${from}: ${meta.events} events of ${meta.accounts} accounts, ${days} days; ${split.last} events of ${lastDay} held back`);
  return meta;
}

/** Rewrites the monthly file holding `lastDay` without that day's events, and writes
 *  those to pending/. The generator keeps every event on its simulated day in UTC, so
 *  the split is by the UTC day of ts (the project's timezone). */
async function holdBackLastDay(at: BenchLayout, lastDay: string): Promise<{ before: number; last: number }> {
  const file = join(at.events, `events-${lastDay.slice(0, 7)}.parquet`);
  await stat(file);
  const kept = `${file}.tmp`;
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  const con = await instance.connect();
  try {
    await con.run("SET TimeZone = 'UTC'");
    const q = (path: string) => `'${path.replaceAll("'", "''")}'`;
    const boundary = `TIMESTAMPTZ '${lastDay} 00:00:00+00'`;
    const rest = await con.run(
      `COPY (SELECT * FROM read_parquet(${q(file)}) WHERE ts < ${boundary} ORDER BY ts, event_id)
       TO ${q(kept)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)`,
    );
    const last = await con.run(
      `COPY (SELECT * FROM read_parquet(${q(file)}) WHERE ts >= ${boundary} ORDER BY ts, event_id)
       TO ${q(at.pendingFile)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)`,
    );
    const total = await con.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM read_parquet(${q(join(at.events, '*.parquet'))})`);
    const all = Number(total.getRowObjects()[0]!['n']);
    const restRows = Number(rest.rowsChanged);
    const lastRows = Number(last.rowsChanged);
    if (restRows > 0) await rename(kept, file);
    else await rm(file).then(() => rm(kept));
    const files = await readdir(at.events);
    if (files.length === 0) throw new Error('no event file is left before the last day (use more --days)');
    return { before: all - lastRows, last: lastRows };
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}
