// SPEC §7: a run killed at any moment (kill -9) leaves the previous state readable and the
// next run converges; nothing half-written stays in the export folder.
//
// The real CLI runs as a child process on a one-month copy of the demo (a run takes a few
// seconds) and is sent SIGKILL at seeded moments: twice by
// the clock or the warehouse's first write (load, materialise), twice once its export has
// started (a `.staging-*` folder appeared in the export folder), each plus a random delay. After each kill the published export
// files and the warehouse must be readable; after one more normal run, the tables and the
// export must equal a fresh project's, with no `.staging-*` folder or empty file left.
// Reproduce with HS_KILL_SEED=<seed> npx vitest run test/state/kill.test.ts
import { spawn } from 'node:child_process';
import { cp, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { hs, hsJson, hsOk, initProject, queryWarehouse, REPO, type TempDir } from '../cli/helpers.ts';
import { SNAPSHOT_TABLES, captureState, diffStates, readExport, type ProducedState } from './compare-with-fresh.ts';
import { rng } from './project-fixture.ts';

const SEED = Number(process.env['HS_KILL_SEED'] ?? 7);
const BIN = join(REPO, 'bin/healthscore.mjs');

const dirs: TempDir[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => d.cleanup()));
});

/** `healthscore init` keeping January's events and the customer_health scorecard
 *  (1,000 accounts; a run takes a few seconds), and a copy of it made before any run. */
async function projects(): Promise<[string, string]> {
  const tmp = await initProject(['2025-01']);
  dirs.push(tmp);
  const copy = join(tmp.dir, 'fresh');
  await cp(tmp.project, copy, { recursive: true });
  return [tmp.project, copy];
}

async function state(dir: string): Promise<ProducedState> {
  return captureState((text) => queryWarehouse(join(dir, 'warehouse.duckdb'), text), join(dir, 'out'));
}

interface Killed {
  args: string[];
  /** How the kill was aimed. */
  aim: string;
  /** Milliseconds from the start to the kill (or to the exit when it ended before). */
  at: number;
  killed: boolean;
  code: number | null;
  stderr: string;
}

/** Starts `healthscore <args>` and sends SIGKILL `delay` ms after the start, after the
 *  warehouse starts writing (`wal`: a `.wal` file appears, which happens as the load
 *  begins) or after the export starts (`export`: a new `.staging-*` folder appears in the
 *  export folder). */
type Trigger = 'start' | 'wal' | 'export';

async function runAndKill(dir: string, args: string[], delay: number, trigger: Trigger): Promise<Killed> {
  const staging = async () => (await readdir(join(dir, 'out')).catch(() => [] as string[])).filter((e) => e.startsWith('.staging-'));
  const wal = async () => (await readdir(dir)).includes('warehouse.duckdb.wal');
  // A staging folder an earlier killed run left behind does not count.
  const old = new Set(await staging());
  const seen = trigger === 'export' ? async () => (await staging()).some((e) => !old.has(e)) : wal;
  return new Promise((done) => {
    const started = Date.now();
    const child = spawn(process.execPath, [BIN, ...args, '--project', dir], { env: { ...process.env, CI: 'true' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    let exited = false;
    const kill = () => {
      if (!exited) child.kill('SIGKILL');
    };
    let poll: NodeJS.Timeout | undefined;
    if (trigger !== 'start') {
      poll = setInterval(async () => {
        if (await seen()) {
          clearInterval(poll);
          setTimeout(kill, delay);
        }
      }, 10);
    } else {
      setTimeout(kill, delay);
    }
    child.on('exit', (code, signal) => {
      exited = true;
      clearInterval(poll);
      done({
        args, aim: `${delay} ms after ${{ start: 'the start', wal: 'the warehouse started writing (a .wal file appeared)', export: 'the export started' }[trigger]}`,
        at: Date.now() - started, killed: signal === 'SIGKILL', code, stderr,
      });
    });
  });
}

it('a run killed with SIGKILL at random moments: the next run converges to what a fresh project gives', async () => {
  const r = rng(SEED);
  const [killedDir, freshDir] = await projects();

  const t0 = Date.now();
  await hsOk(['run', '--project', freshDir]);
  const full = Date.now() - t0;
  const fresh = await state(freshDir);
  expect(fresh.tables['health_snapshots']!.length).toBeGreaterThan(1000);

  // Four kills: as the first load writes, by the clock over a run's span (process start
  // takes about the first third: node + tsx), and twice during the exports of a full
  // refresh.
  const plan: [string[], number, Trigger][] = [
    [['run'], Math.round(full * 0.2 * r.next()), 'wal'],
    [['run'], Math.round(full * (0.5 + 0.3 * r.next())), 'start'],
    [['run', '--full-refresh'], Math.round(250 * r.next()), 'export'],
    [['run', '--full-refresh'], Math.round(250 + 350 * r.next()), 'export'],
  ];
  const log: string[] = [];
  for (const [args, delay, trigger] of plan) {
    const k = await runAndKill(killedDir, args, delay, trigger);
    log.push(`healthscore ${k.args.join(' ')}: ${k.killed ? `killed at ${k.at} ms` : `ended by itself (code ${k.code}) at ${k.at} ms`} (aimed ${k.aim})`);
    const where = `seed ${SEED}, after: ${log.join('; ')}`;
    // A run that ended by itself must have succeeded.
    if (!k.killed) expect(k.code, `${where}\n${k.stderr}`).toBe(0);
    // What the previous runs published is readable: every export file outside the staging
    // folder reads as a whole (readExport throws on a broken file), none is empty, and the
    // warehouse opens and answers.
    const exported = await readExport(join(killedDir, 'out'));
    expect(exported.leftovers.filter((l) => !l.startsWith('.staging-')), where).toEqual([]);
    for (const table of SNAPSHOT_TABLES) await queryWarehouse(join(killedDir, 'warehouse.duckdb'), `select count(*) from ${table}`);
  }
  // Most kills must have landed, or the test proved nothing.
  expect(log.filter((l) => l.includes('killed at')).length, log.join('\n')).toBeGreaterThanOrEqual(3);

  const after = await hs(['run', '--project', killedDir]);
  const where = `seed ${SEED} (reproduce: HS_KILL_SEED=${SEED} npx vitest run test/state/kill.test.ts)\n  ${log.join('\n  ')}`;
  expect(after.code, `${where}\nthe run after the kills: ${after.stderr}`).toBe(0);
  const problem = diffStates(await state(killedDir), fresh);
  expect.soft(problem, `${where}\nafter one more run, compared with a fresh project:\n${problem}`).toBeUndefined();

  // status shows only the last run: the one after the kills, finished.
  const status = await hsJson<{ lastRun: { status: string } | null }>(['status', '--project', killedDir]);
  expect.soft(status.lastRun?.status, where).toBe('ok');
  // A killed run must not stay "running" for ever. `status --json` shows only the last run,
  // so this looks at the runs it reads from: every earlier run is finished in some way
  // (ok, failed, or however the fix names an interrupted run), none is still "running".
  const runs = await queryWarehouse(join(killedDir, 'warehouse.duckdb'), `select status, count(*)::int as n from runs group by 1 order by 1`);
  expect.soft(runs.filter((row) => row['status'] === 'running'), `${where}\nruns by status: ${JSON.stringify(runs)}`).toEqual([]);
}, 180_000);
