// The benchmark of issue "bench": generates data, loads it once, then times side by side
// the floor, a hand-written DuckDB query, our full backfill, its export, the nightly
// run and a backtest, each phase in its own process. See bench/README.md.
//
//   npm run bench -- --accounts 10000 --events 10000000 --days 365
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseBenchArgs } from './args.ts';
import { runPhaseChild, seconds, type PhaseResult } from './measure.ts';
import type { PhaseName, PhaseSpec } from './phases.ts';
import { layout, prepareProject } from './project.ts';
import { buildReport, markdown, type ContenderRuns } from './report.ts';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const log = (line: string) => process.stdout.write(line + '\n');

/** The commit measured, and whether the working tree differed from it (pipeline code
 *  changes under a benchmark that runs in a shared checkout). */
function codeVersion(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = git('status', '--porcelain', '--', 'pipeline', 'models') !== '';
    return `${git('rev-parse', '--short', 'HEAD')}${dirty ? ' + uncommitted changes in pipeline/ or models/' : ''}`;
  } catch {
    return process.env['BENCH_CODE_VERSION'] ?? 'unknown (not a git checkout)';
  }
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const args = parseBenchArgs(process.argv.slice(2));
  const at = layout(args.work);
  const startLoad = loadavg();
  const code = codeVersion();
  const data = await prepareProject(args, repoRoot, log);
  await mkdir(at.warehouses, { recursive: true });
  const wh = (name: string) => join(at.warehouses, `${name}.duckdb`);
  const fresh = async (target: string, from?: string) => {
    await rm(target, { force: true });
    await rm(`${target}.wal`, { force: true });
    if (from) await copyFile(from, target);
  };

  let n = 0;
  const phase = async (name: PhaseName, warehouse: string, extra: Partial<PhaseSpec> = {}): Promise<PhaseResult> => {
    const spec: PhaseSpec = {
      phase: name,
      project: at.project,
      warehouse,
      resultFile: join(at.work, `phase-${name}.json`),
      ...(args.threads && { threads: args.threads }),
      ...(args.memoryLimit && { memoryLimit: args.memoryLimit }),
      ...extra,
    };
    // The warehouse copy (and anything earlier phases wrote) goes to disk now: otherwise the
    // phase's first COMMIT, an fsync, pays for writing back a 300 MB copy made outside
    // the timing (it added 0.4 s to 2 of 3 nightly runs).
    execFileSync('sync');
    const result = await runPhaseChild(spec);
    n += 1;
    log(`  ${String(n).padStart(2)}. ${name.padEnd(11)} ${result.seconds.toFixed(2).padStart(8)} s   peak RSS ${(result.peakRssBytes / 1e9).toFixed(2)} GB`);
    return result;
  };

  const runs: Record<string, PhaseResult[]> = { load: [], floor: [], handwritten: [], backfill: [], export: [], nightly: [], backtest: [] };

  log('load (once; common to every contender):');
  await fresh(wh('loaded'));
  runs['load']!.push(await phase('load', wh('loaded')));

  // Each contender starts from a copy of the loaded warehouse. The order alternates
  // between repetitions so that none always runs first or last, and every repetition
  // times all contenders close together (the machine is shared: ratios within one
  // repetition are steadier than times across them).
  const contenders = ['floor', 'handwritten', 'backfill'] as const;
  const target = { floor: wh('scratch'), handwritten: wh('handwritten'), backfill: wh('backfilled') };
  let check: Record<string, unknown> | undefined;
  const nightly = async () => {
    await fresh(wh('nightly'), wh('exported'));
    await copyFile(at.pendingFile, at.arrivingFile);
    try {
      runs['nightly']!.push(await phase('nightly', wh('nightly')));
    } finally {
      await rm(at.arrivingFile, { force: true });
    }
  };
  for (let rep = 0; rep < args.reps; rep++) {
    log(`repetition ${rep + 1} of ${args.reps}:`);
    const rotated = [...contenders.slice(rep % 3), ...contenders.slice(0, rep % 3)];
    const order = rep % 2 ? rotated.reverse() : rotated;
    for (const name of order) {
      await fresh(target[name], wh('loaded'));
      runs[name]!.push(await phase(name, target[name]));
    }
    await fresh(wh('scratch'));
    if (rep === 0) {
      // Export the backfill once (its own row), check it against the hand-written
      // table, and keep the exported warehouse as every nightly's starting point.
      await rm(join(at.project, 'out'), { recursive: true, force: true });
      runs['export']!.push(await phase('export', wh('backfilled')));
      check = (await phase('check', wh('backfilled'), { handwrittenWarehouse: wh('handwritten') })).details;
      await fresh(wh('exported'), wh('backfilled'));
    }
    // The nightly: the last day's file arrives in events/ and `run` picks it up.
    await nightly();
    if (args.reps === 1) await nightly();
    // The backtest reads the backfilled (and exported) snapshots.
    await fresh(wh('backtest'), wh('exported'));
    runs['backtest']!.push(await phase('backtest', wh('backtest')));
  }

  const benchSeconds = seconds(t0);
  let profile: unknown;
  if (args.profile) {
    log('profiles of each compiled step (JSON profiling on; not part of the table):');
    await fresh(wh('profile'), wh('loaded'));
    const full = (await phase('profile', wh('profile'), { profiles: at.profiles, span: 'full' })).details;
    await fresh(wh('profile'));
    const last = (await phase('profile', wh('nightly'), { profiles: at.profiles, span: 'nightly' })).details;
    profile = { full, nightly: last };
  }

  const labels: Record<string, string> = {
    load: 'load (common to all; files → raw tables + daily_activity + daily_users)',
    floor: 'floor: GROUP BY account, day, event',
    handwritten: 'hand-written DuckDB query',
    backfill: 'our full backfill (materialise every day, no export)',
    export: 'export of the full backfill (Parquet)',
    nightly: 'our nightly (load 1 file, lookback + new day, export)',
    backtest: 'our backtest (weekly evaluation days over the year, 30-day horizon, from the backfilled snapshots)',
  };
  const report = buildReport(
    data,
    Object.entries(runs).map(([key, r]): ContenderRuns => ({ key, label: labels[key] ?? key, runs: r })),
    {
      settings: {
        code,
        threads: args.threads ?? 'default',
        memoryLimit: args.memoryLimit ?? 'default',
        reps: args.reps,
        loadAverage: { start: startLoad, end: loadavg() },
      },
      ...(check && { check }),
      ...(profile !== undefined && { profile }),
      totalSeconds: benchSeconds,
      ...(args.profile && { profileSeconds: seconds(t0) - benchSeconds }),
    },
  );
  const text = markdown(report);
  await writeFile(at.results, JSON.stringify({ ...report, runs, markdown: text }, null, 2) + '\n');
  log('');
  log(text);
  log('');
  log(`results: ${at.results}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
