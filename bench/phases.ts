import { stringLiteral } from '../pipeline/engine/sql-literal.ts';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { compileScorecard } from '../pipeline/compile/compile-scorecard.ts';
import { addDays } from '../pipeline/days.ts';
import { duckdb } from '../pipeline/compile/dialect.ts';
import { loadScorecards } from '../pipeline/definitions/load-scorecards.ts';
import { openWarehouse, type Warehouse } from '../pipeline/engine/warehouse.ts';
import { exportTables } from '../pipeline/export/export-tables.ts';
import { loadSources } from '../pipeline/load/load-sources.ts';
import { loadProject } from '../pipeline/project/load-project.ts';
import { dataBounds, runPipeline, type ProgressEvent } from '../pipeline/run/run-pipeline.ts';
import { toSpans } from '../pipeline/days.ts';
import { ensureWarehouseTables } from '../models/warehouse-tables.ts';
import { runBacktest } from '../pipeline/backtest/run-backtest.ts';
import { FLOOR_SQL, handWrittenSql, HANDWRITTEN_TABLE } from './baselines.ts';
import { peakRssBytes, seconds, StatementTimer, type PhaseResult } from './measure.ts';

export type PhaseName = 'load' | 'floor' | 'handwritten' | 'backfill' | 'export' | 'nightly' | 'backtest' | 'check' | 'profile';

/** What bench/phase.ts is asked to do, passed as one JSON argument. */
export interface PhaseSpec {
  phase: PhaseName;
  /** The healthscore project folder (healthscore.yaml). */
  project: string;
  /** The warehouse file this phase opens (bench/run.ts copies it into place first). */
  warehouse: string;
  resultFile: string;
  threads?: number;
  memoryLimit?: string;
  /** check: the warehouse holding the hand-written query's table. */
  handwrittenWarehouse?: string;
  /** profile: where the JSON profiling output goes. */
  profiles?: string;
  /** profile: every day (the backfill's batch) or the last `lookback` days (the nightly's). */
  span?: 'full' | 'nightly';
}

export async function runPhase(spec: PhaseSpec): Promise<PhaseResult> {
  const config = await loadProject(spec.project);
  const scorecards = await loadScorecards(config.definitions, config.root);
  const wh = await openWarehouse({
    path: spec.warehouse,
    ...((spec.memoryLimit ?? config.memoryLimit) && { memoryLimit: spec.memoryLimit ?? config.memoryLimit }),
    ...(spec.threads && { threads: spec.threads }),
  });
  const timer = new StatementTimer();
  const db = wh.db.withPlugin(timer);
  const firstSnapshot = config.startDate ?? (await dataBounds(wh.db))?.first;
  let result: Omit<PhaseResult, 'peakRssBytes'>;
  try {
    switch (spec.phase) {
      case 'load': {
        await ensureWarehouseTables(wh.db);
        const files: { file: string; seconds: number }[] = [];
        let last = performance.now();
        let current: string | undefined;
        const t0 = performance.now();
        const summary = await loadSources(db, config, duckdb, { onFile: (_done, _total, file) => {
          if (current) files.push({ file: current, seconds: seconds(last) });
          current = file;
          last = performance.now();
        } });
        if (current) files.push({ file: current, seconds: seconds(last) });
        const total = seconds(t0);
        result = { phase: 'load', seconds: total, statements: timer.totals(), details: { files, loaded: summary.loaded.length, ...(await tableRows(wh, ['raw_events', 'daily_activity', 'raw_attributes'])) } };
        await sql`checkpoint`.execute(wh.db);
        break;
      }
      case 'floor': {
        const t0 = performance.now();
        await FLOOR_SQL.execute(wh.db);
        result = { phase: 'floor', seconds: seconds(t0), details: await tableRows(wh, ['bench_floor']) };
        break;
      }
      case 'handwritten': {
        if (!firstSnapshot) throw new Error('no data loaded');
        const t0 = performance.now();
        await handWrittenSql({ firstSnapshot, table: HANDWRITTEN_TABLE }).execute(wh.db);
        result = { phase: 'handwritten', seconds: seconds(t0), details: await tableRows(wh, [HANDWRITTEN_TABLE]) };
        break;
      }
      case 'backfill':
      case 'nightly': {
        const marks: { kind: ProgressEvent['kind']; at: number }[] = [];
        const t0 = performance.now();
        const summary = await runPipeline(db, config, scorecards, duckdb, {
          ...(spec.phase === 'backfill' && { fullRefresh: true, skipExport: true }),
          progress: (event) => {
            if (marks[marks.length - 1]?.kind !== event.kind) marks.push({ kind: event.kind, at: performance.now() });
          },
        });
        const total = seconds(t0);
        // Each part (load, materialise, export) from one progress mark to the next, and how
        // much of it is not inside a statement (COMMIT, hashing files, JS).
        const parts: Record<string, number> = {};
        const outside: Record<string, number> = {};
        marks.forEach((mark, i) => {
          const end = marks[i + 1]?.at ?? t0 + total * 1000;
          parts[mark.kind] = (parts[mark.kind] ?? 0) + (end - mark.at) / 1000;
          outside[mark.kind] = (outside[mark.kind] ?? 0) + (end - mark.at) / 1000 - timer.within(mark.at, end);
        });
        const before = marks[0] ? (marks[0].at - t0) / 1000 : total;
        if (before > 0.001) {
          parts['start (tables, checks)'] = before;
          outside['start (tables, checks)'] = before - timer.within(t0, t0 + before * 1000);
        }
        result = {
          phase: spec.phase,
          seconds: total,
          statements: timer.totals(),
          details: {
            parts,
            outside,
            span: summary.span,
            materialised: summary.materialised,
            daysMaterialised: summary.daysMaterialised,
            filesLoaded: summary.load.loaded.map((f) => `${f.file} (${f.rows} rows)`),
            exportedFiles: summary.exportedFiles,
            ...(await tableRows(wh, ['health_snapshots', 'score_snapshots', 'alerts'])),
          },
        };
        break;
      }
      case 'export': {
        const t0 = performance.now();
        const { rows } = await sql<{ day: string }>`
          select distinct snapshot_date as day from run_log where not exported order by 1`.execute(db);
        const files = await exportTables(db, duckdb, { ...config.export, days: toSpans(rows.map((r) => r.day)) });
        await sql`update run_log set exported = true where not exported`.execute(db);
        result = { phase: 'export', seconds: seconds(t0), statements: timer.totals(), details: { days: rows.length, files } };
        break;
      }
      case 'backtest': {
        // The default backtest (weekly evaluation days over the whole year, 30-day
        // horizon) on the backfilled warehouse: it reads the snapshots, materialising nothing.
        const t0 = performance.now();
        const run = await runBacktest(db, { config, scorecards, dialect: duckdb }, scorecards[0]!, { horizon: 30, step: 7 });
        const r = run.result;
        result = {
          phase: 'backtest',
          seconds: seconds(t0),
          statements: timer.totals(),
          details: { evaluationDays: r.evaluation_days, samples: r.samples, churners: r.churners, auc: r.global.auc, materialised: run.materialised },
        };
        break;
      }
      case 'check':
        result = { phase: 'check', seconds: 0, details: await checkAgainstHandWritten(wh, spec) };
        break;
      case 'profile':
        result = await profileSteps(wh, spec, config, scorecards);
        break;
    }
  } finally {
    timer.stop();
    const t0 = performance.now();
    await wh.close();
    const closeSeconds = seconds(t0);
    if (closeSeconds > 0.5) process.stderr.write(`  (${spec.phase}: closing the warehouse took ${closeSeconds.toFixed(1)} s, not timed)\n`);
  }
  return { ...result, peakRssBytes: peakRssBytes() };
}

async function tableRows(wh: Warehouse, tables: string[]): Promise<Record<string, number>> {
  const rows: Record<string, number> = {};
  for (const table of tables) {
    const [row] = await wh.query<{ n: bigint | number }>(sql`select count(*) as n from ${sql.table(table)}`);
    rows[`${table}_rows`] = Number(row?.n ?? 0);
  }
  return rows;
}

/** Our health_snapshots and score_snapshots against the hand-written table. */
async function checkAgainstHandWritten(wh: Warehouse, spec: PhaseSpec): Promise<Record<string, unknown>> {
  if (!spec.handwrittenWarehouse) throw new Error('check needs handwrittenWarehouse');
  await sql`attach ${stringLiteral(spec.handwrittenWarehouse)} as hw (read_only)`.execute(wh.db);
  const hw = sql`hw.main.${sql.id(HANDWRITTEN_TABLE)}`;
  const [health] = await wh.query<Record<string, unknown>>(sql`
    select (select count(*) from health_snapshots) as ours,
           (select count(*) from ${hw}) as handwritten,
           count(*) as matched,
           max(abs(o.score - h.score)) as max_abs_score_diff,
           count(*) filter (where o.score is distinct from h.score) as score_diffs,
           count(*) filter (where o.band is distinct from h.band) as band_diffs,
           count(*) filter (where o.insights is distinct from h.insights) as insight_diffs
    from health_snapshots o join ${hw} h using (snapshot_date, account_id)`);
  const perScore = await wh.query<Record<string, unknown>>(sql`
    with ours as (select snapshot_date, account_id, score_id, score from score_snapshots),
    theirs as (from (select snapshot_date, account_id, login_frequency, active_days, seat_coverage,
                            support_load, nps, csm_sentiment, login_trend from ${hw})
               unpivot include nulls (score for score_id in (login_frequency, active_days, seat_coverage,
                                                             support_load, nps, csm_sentiment, login_trend)))
    select score_id, count(*) as rows, count(o.score) as ours_present, count(t.score) as handwritten_present,
           count(*) filter (where o.score is distinct from t.score) as diffs,
           max(abs(o.score - t.score)) as max_abs_diff
    from ours o left join theirs t using (snapshot_date, account_id, score_id)
    group by score_id order by score_id`);
  return {
    health: plain(health ?? {}),
    scores: perScore.map(plain),
  };
}

const plain = (row: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v]));

/** Runs the backfill's compiled batch step by step with DuckDB's JSON profiling on, and
 *  reports each step's time and its most expensive operators. */
async function profileSteps(
  wh: Warehouse,
  spec: PhaseSpec,
  config: Awaited<ReturnType<typeof loadProject>>,
  scorecards: Awaited<ReturnType<typeof loadScorecards>>,
): Promise<Omit<PhaseResult, 'peakRssBytes'>> {
  const dir = join(spec.profiles ?? join(spec.project, '..', 'profiles'), spec.span ?? 'full');
  await mkdir(dir, { recursive: true });
  await ensureWarehouseTables(wh.db);
  const bounds = await dataBounds(wh.db);
  const scorecard = scorecards[0];
  if (!bounds || !scorecard) throw new Error('nothing to profile');
  const first = config.startDate ?? bounds.first;
  const days = { from: spec.span === 'nightly' ? addDays(bounds.last, -(config.lookback - 1)) : first, to: bounds.last };
  const batch = compileScorecard(scorecard, config, duckdb, { ...days, firstDataDay: bounds.first });
  for (const step of [...batch.prepare, ...batch.replace]) {
    const compiled = step.statement.compile(wh.db);
    const params = compiled.parameters.map((p, i) => `-- $${i + 1} = ${JSON.stringify(p)}`).join('\n');
    await writeFile(join(dir, `${step.name.replaceAll(/\W+/g, '_')}.sql`), `${compiled.sql}\n${params}\n`);
  }
  const steps: { step: string; seconds: number; top: ProfiledOperator[] }[] = [];
  const run = async (db: Kysely<any>, name: string, statement: { execute(db: Kysely<any>): Promise<unknown> }) => {
    const file = join(dir, `${name.replaceAll(/\W+/g, '_')}.json`);
    await sql`pragma enable_profiling = 'json'`.execute(db);
    await sql`set profiling_output = ${stringLiteral(file)}`.execute(db);
    const t0 = performance.now();
    await statement.execute(db);
    const took = seconds(t0);
    await sql`pragma disable_profiling`.execute(db);
    steps.push({ step: name, seconds: took, top: await topOperators(file) });
    process.stderr.write(`  profile (${spec.span ?? 'full'}): ${name} ${took.toFixed(2)} s\n`);
  };
  const t0 = performance.now();
  for (const step of batch.prepare) await run(wh.db, step.name, step.statement);
  await wh.db.transaction().execute(async (trx) => {
    for (const step of batch.replace) await run(trx, step.name, step.statement);
  });
  return { phase: 'profile', seconds: seconds(t0), details: { span: spec.span ?? 'full', days, steps } };
}

export interface ProfiledOperator {
  operator: string;
  seconds: number;
  rows: number;
  info: string;
}

/** The most expensive operators of a DuckDB JSON profile (operator_timing is per
 *  operator, summed over threads, so it can exceed the wall time on 2 cores). */
async function topOperators(file: string): Promise<ProfiledOperator[]> {
  const { readFile } = await import('node:fs/promises');
  let profile: ProfileNode;
  try {
    profile = JSON.parse(await readFile(file, 'utf8')) as ProfileNode;
  } catch {
    return [];
  }
  const all: ProfiledOperator[] = [];
  const visit = (node: ProfileNode) => {
    if (node.operator_type || node.operator_name) {
      const info = node.extra_info ? JSON.stringify(node.extra_info).slice(0, 160) : '';
      all.push({ operator: String(node.operator_name ?? node.operator_type), seconds: Number(node.operator_timing ?? 0), rows: Number(node.operator_cardinality ?? 0), info });
    }
    for (const child of node.children ?? []) visit(child);
  };
  visit(profile);
  return all.sort((a, b) => b.seconds - a.seconds).slice(0, 6);
}

interface ProfileNode {
  operator_type?: string;
  operator_name?: string;
  operator_timing?: number;
  operator_cardinality?: number;
  extra_info?: unknown;
  children?: ProfileNode[];
}
