// The benchmark of issue #9: the whole job as a user runs it. `healthscore run` as a process
// beside a hand-written DuckDB script doing the same job from the same files, each timed
// from spawn to exit, then the nightly after one new day. See bench/README.md.
//
//   npm run bench -- --accounts 10000 --events 10000000 --days 365
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, cp, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseBenchArgs } from './args.ts';
import { handWrittenSql } from './baselines.ts';
import { checkAgainstScript, type CheckResult } from './check.ts';
import { findPandas, pandasAgreement, PANDAS_PEER } from './pandas.ts';
import { compareExports, preparePostgres } from './postgres.ts';
import { rssMethod, runProcess, type ProcessRun } from './proc.ts';
import { layout, prepareProject } from './project.ts';
import { buildReport, markdown, type Runs } from './report.ts';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..');
const BIN = join(repoRoot, 'bin', 'healthscore.mjs');
const SCRIPT = join(here, 'script', 'handwritten.mjs');
const log = (line: string) => process.stdout.write(line + '\n');

/** The commit measured, and whether the working tree differed from it. */
function codeVersion(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = git('status', '--porcelain', '--', 'pipeline', 'models', 'cli', 'bin') !== '';
    return `${git('rev-parse', '--short', 'HEAD')}${dirty ? ' + uncommitted changes in pipeline/, models/, cli/ or bin/' : ''}`;
  } catch {
    return process.env['BENCH_CODE_VERSION'] ?? 'unknown (not a git checkout)';
  }
}

/** bench/startup.ts (start-up times of the bin), when this checkout has it. */
async function startupTimes(project: string, runs: number): Promise<{ bareNode: number; version: number; status: number } | string> {
  const file = join(here, 'startup.ts');
  if (!existsSync(file)) return 'not measured: bench/startup.ts is not in this checkout';
  const mod = (await import(pathToFileURL(file).href)) as {
    measureStartup(opts: { bin: string; project: string; runs: number }): Promise<{ bareNode: number; version: number; status: number }>;
  };
  return mod.measureStartup({ bin: BIN, project, runs });
}

/** A throwaway project with the project's settings, definitions and CSV files, and the
 *  held-back day as its only event file; `healthscore run` on it. */
async function warmUp(at: ReturnType<typeof layout>): Promise<void> {
  const dir = join(at.work, 'warmup');
  await rm(dir, { recursive: true, force: true });
  await mkdir(join(dir, 'events'), { recursive: true });
  await cp(join(at.project, 'definitions'), join(dir, 'definitions'), { recursive: true });
  await copyFile(join(at.project, 'healthscore.yaml'), join(dir, 'healthscore.yaml'));
  for (const file of ['accounts.csv', 'attributes.csv', 'churn.csv']) await symlink(join(at.project, file), join(dir, file));
  await copyFile(at.pendingFile, join(dir, 'events', 'events-last-day.parquet'));
  await runProcess(process.execPath, [BIN, 'run', '--project', dir, '--json'], { label: 'warm-up', cwd: repoRoot });
  await rm(dir, { recursive: true, force: true });
}

/** The whole job of an earlier, smaller run (its results.json), for the growth target. */
async function smallerRun(file: string): Promise<{ file: string; events: number; wholeJob: number }> {
  const earlier = JSON.parse(await readFile(file, 'utf8')) as { data: { events: number }; job: { step: string; ours: number }[] };
  const whole = earlier.job.find((r) => r.step.includes('whole job'));
  if (!whole) throw new Error(`--compare-with: ${file} has no whole-job row (not a results.json of this benchmark?)`);
  return { file, events: earlier.data.events, wholeJob: whole.ours };
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const args = parseBenchArgs(process.argv.slice(2));
  const at = layout(args.work);
  const startLoad = loadavg();
  const code = codeVersion();
  // The bin runs dist/: build it from the sources measured.
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: repoRoot, stdio: 'inherit' });
  const data = await prepareProject(args, repoRoot, log);
  await mkdir(dirname(at.script.sql), { recursive: true });
  await writeFile(at.script.sql, handWrittenSql({ firstSnapshot: data.startDate }) + '\n');
  const pandas = args.noPandas ? { missing: 'skipped (--no-pandas)' } : await findPandas();
  log(pandas.python ? `pandas peer: ${pandas.python} (${pandas.version})` : `pandas peer: ${pandas.missing}`);

  const memory = [...(args.memoryLimit ? ['--memory-limit', args.memoryLimit] : []), ...(args.threads ? ['--threads', String(args.threads)] : [])];
  const gone = async (...paths: string[]) => {
    for (const p of paths) await rm(p, { recursive: true, force: true });
  };
  let n = 0;
  const timed = async (label: string, command: string, argv: string[], before: () => Promise<void>, env?: NodeJS.ProcessEnv): Promise<ProcessRun> => {
    await before();
    // Whatever the previous steps wrote goes to disk now, not during the next process.
    execFileSync('sync');
    const run = await runProcess(command, argv, { label, cwd: repoRoot, ...(env && { env }) });
    n += 1;
    log(`  ${String(n).padStart(2)}. ${label.padEnd(22)} ${run.seconds.toFixed(2).padStart(8)} s   peak RSS ${(run.peakRssBytes / 1e9).toFixed(2)} GB`);
    return run;
  };
  const contenders = {
    healthscore: () =>
      timed('healthscore run', process.execPath, [BIN, 'run', '--project', at.project, '--json'], () =>
        gone(at.warehouse, `${at.warehouse}.wal`, at.out, at.arrivingFile)),
    script: () =>
      timed('hand-written script', process.execPath, [SCRIPT, 'job', '--project', at.project, '--db', at.script.db, '--out', at.script.out, '--sql', at.script.sql, ...memory], () =>
        gone(at.script.db, `${at.script.db}.wal`, at.script.out)),
    pandas: () =>
      timed('pandas peer', pandas.python!, [PANDAS_PEER, '--project', at.project, '--out', at.pandasOut, '--start', data.startDate], () => gone(at.pandasOut)),
  };
  const postgres = args.postgres ? await preparePostgres(at, args.postgres) : undefined;
  if (postgres) log(`PostgreSQL: healthscore run on ${postgres.server} too (schema healthscore_bench, dropped before each run)`);
  type Name = keyof typeof contenders;
  const names: Name[] = pandas.python ? ['healthscore', 'script', 'pandas'] : ['healthscore', 'script'];

  // Untimed: one `healthscore run` over the held-back day alone, so that the page cache holds
  // the CLI's modules and DuckDB's library, as it does for a user after the first run.
  log('warm-up (not timed): healthscore run over one day');
  await warmUp(at);

  const runs: Runs = { healthscore: [], script: [], pandas: [], plainExport: [], nightly: [], backtest: [], postgres: [] };
  let check: CheckResult | undefined;
  let pandasCheck: string | undefined;
  let postgresCheck: string | undefined;
  for (let rep = 0; rep < args.reps; rep++) {
    log(`repetition ${rep + 1} of ${args.reps}:`);
    // Rotated and alternated, so that no contender always goes first (cold page cache)
    // or last, and the ones of one repetition run close together.
    const rotated = [...names.slice(rep % names.length), ...names.slice(0, rep % names.length)];
    for (const name of rep % 2 ? rotated.reverse() : rotated) runs[name].push(await contenders[name]());
    // The same backfill on PostgreSQL, after the DuckDB contenders (it takes several times
    // as long), from an empty schema; its files are compared with the DuckDB backfill's.
    if (postgres) {
      runs.postgres.push(
        await timed('healthscore run (PG)', process.execPath, [BIN, 'run', '--project', postgres.project, '--json'], postgres.reset, postgres.env),
      );
      if (rep === 0) postgresCheck = await compareExports(at.out, postgres.out);
    }
    // The plain export baseline: one partitioned COPY per table of our backfill's rows.
    runs.plainExport.push(
      await timed('plain export (COPY)', process.execPath, [SCRIPT, 'export', '--db', at.warehouse, '--out', at.plainOut, ...memory], () => gone(at.plainOut)),
    );
    if (rep === 0) {
      check = await checkAgainstScript(at.warehouse, at.script.db);
      if (pandas.python) pandasCheck = await pandasAgreement(at.warehouse, at.pandasOut);
    }
    // The nightly: the last day's file arrives in events/, and `healthscore run` picks it up.
    runs.nightly.push(
      await timed('nightly (1 new day)', process.execPath, [BIN, 'run', '--project', at.project, '--json'], () => copyFile(at.pendingFile, at.arrivingFile)),
    );
    // The default backtest (weekly evaluation days, 30-day horizon) over the snapshots.
    runs.backtest.push(await timed('backtest', process.execPath, [BIN, 'backtest', '--project', at.project, '--json'], async () => {}));
  }
  await rm(at.arrivingFile, { force: true });

  log(`start-up (bench/startup.ts, ${args.startupRuns} runs each):`);
  const startup = await startupTimes(at.project, args.startupRuns).catch((error: unknown) => `failed: ${error instanceof Error ? error.message : String(error)}`);
  log(`  ${typeof startup === 'string' ? startup : JSON.stringify(startup)}`);

  const report = buildReport(data, runs, {
    code,
    memoryLimit: args.memoryLimit ?? 'default',
    threads: args.threads ?? 'default',
    reps: args.reps,
    loadAverage: { start: startLoad, end: loadavg() },
    rssMethod,
    pandas: pandas.python ? { version: pandas.version!, ...(pandasCheck && { check: pandasCheck }) } : { missing: pandas.missing! },
    startup,
    ...(postgres && { postgres: { server: postgres.server, check: postgresCheck ?? 'not compared' } }),
    ...(check && { check }),
    ...(args.compareWith && { smaller: await smallerRun(args.compareWith) }),
    totalSeconds: (performance.now() - t0) / 1000,
  });
  const text = markdown(report);
  // Each run's wall time, peak RSS and step seconds (not the whole --json output: the backtest's is large).
  const strip = (r: ProcessRun) => ({
    seconds: r.seconds,
    peakRssBytes: r.peakRssBytes,
    ...(r.json?.seconds && { steps: r.json.seconds }),
    ...(r.json?.rows && { rows: r.json.rows }),
    ...(r.json?.daysMaterialised !== undefined && { daysMaterialised: r.json.daysMaterialised, exportedFiles: r.json.exportedFiles }),
  });
  await writeFile(at.results, JSON.stringify({ ...report, runs: Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, v.map(strip)])), markdown: text }, null, 2) + '\n');
  log('');
  log(text);
  log('');
  log(`results: ${at.results}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
