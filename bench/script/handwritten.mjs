#!/usr/bin/env node
// The hand-written DuckDB script the benchmark times beside `healthscore run`: the same job
// done the straightforward way, with @duckdb/node-api and nothing of healthscore. Plain
// JavaScript, so that it pays no transpile at start-up. It prints its step times as JSON.
//
//   node bench/script/handwritten.mjs job --project DIR --db FILE --out DIR --sql FILE
//        [--memory-limit 3GB] [--threads N]
//     reads the project's files (events/*.parquet, accounts.csv, attributes.csv, churn.csv)
//     into tables of a new DuckDB file, with the daily aggregate; runs the scorecard SQL
//     (bench/baselines.ts, written to FILE by bench/run.ts) into a table; exports that table
//     as Parquet, one folder per day, with one partitioned COPY.
//
//   node bench/script/handwritten.mjs export --db FILE --out DIR [--memory-limit …] [--threads N]
//     the plain export baseline: one partitioned COPY of each of score_snapshots,
//     health_snapshots and alerts of healthscore's warehouse (opened read-only).
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    project: { type: 'string' },
    db: { type: 'string' },
    out: { type: 'string' },
    sql: { type: 'string' },
    'memory-limit': { type: 'string' },
    threads: { type: 'string' },
  },
});
const mode = positionals[0];
const need = (name) => {
  if (!values[name]) throw new Error(`--${name} is required`);
  return resolve(values[name]);
};
const q = (path) => `'${path.replaceAll("'", "''")}'`;

const seconds = {};
let last = performance.now();
const step = (name) => {
  const now = performance.now();
  seconds[name] = (now - last) / 1000;
  last = now;
};

const settings = {};
if (values['memory-limit']) settings.memory_limit = values['memory-limit'];
if (values.threads) settings.threads = values.threads;
if (mode === 'export') settings.access_mode = 'READ_ONLY';
const instance = await DuckDBInstance.create(need('db'), settings);
const con = await instance.connect();
await con.run("SET TimeZone = 'UTC'");
step('open');
const rows = {};
const count = async (table) => {
  const r = await con.runAndReadAll(`select count(*)::bigint as n from ${table}`);
  rows[table] = Number(r.getRowObjects()[0].n);
};

if (mode === 'job') {
  const project = need('project');
  const out = need('out');
  const scorecard = await readFile(need('sql'), 'utf8');
  // load: the files into tables, then the daily aggregate
  await con.run(`create table raw_events as
    select account_id, event, ts, user_id, event_id, cast(ts as date) as day
    from read_parquet(${q(join(project, 'events', '*.parquet'))})`);
  await con.run(`create table raw_accounts as
    select account_id, cast(created_at as date) as created_day, name
    from read_csv(${q(join(project, 'accounts.csv'))}, header = true, all_varchar = true)`);
  await con.run(`create table raw_attributes as
    select account_id, attribute, value, cast(observed_at as timestamp) as observed_at, cast(observed_at as date) as day
    from read_csv(${q(join(project, 'attributes.csv'))}, header = true, all_varchar = true)`);
  await con.run(`create table raw_churn as
    select account_id, cast(churned_at as date) as churn_day
    from read_csv(${q(join(project, 'churn.csv'))}, header = true, all_varchar = true)`);
  step('read');
  await con.run(`create table daily_events as
    select account_id, day, event, count(*) as events from raw_events group by account_id, day, event`);
  step('aggregate');
  // score and materialise: the scorecard into a table
  await con.run(scorecard);
  step('score');
  // export: one partitioned COPY
  await mkdir(out, { recursive: true });
  await con.run(`copy handwritten_scores to ${q(join(out, 'handwritten_scores'))}
    (format parquet, partition_by (snapshot_date), overwrite_or_ignore)`);
  step('export');
  for (const table of ['raw_events', 'daily_events', 'handwritten_scores']) await count(table);
  seconds.load = seconds.read + seconds.aggregate;
} else if (mode === 'export') {
  const out = need('out');
  await mkdir(out, { recursive: true });
  for (const [table, column] of [['score_snapshots', 'snapshot_date'], ['health_snapshots', 'snapshot_date'], ['alerts', 'alert_date']]) {
    await con.run(`copy ${table} to ${q(join(out, table))} (format parquet, partition_by (${column}), overwrite_or_ignore)`);
  }
  step('export');
  for (const table of ['score_snapshots', 'health_snapshots', 'alerts']) await count(table);
} else {
  throw new Error(`usage: handwritten.mjs job|export …`);
}
con.closeSync();
instance.closeSync();
step('close');
process.stdout.write(JSON.stringify({ seconds, rows }) + '\n');
