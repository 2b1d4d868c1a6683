import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

/** The benchmark's command line (see bench/README.md). */
export interface BenchArgs {
  accounts: number;
  events: number;
  days: number;
  seed: number;
  startDate: string;
  /** Work folder: the project, the script's files, results.json. */
  work: string;
  /** Reuse the data generated in the work folder by an earlier run with the same options. */
  skipGenerate: boolean;
  /** Take the data from this folder (data/generate.ts output) instead of generating it. */
  data?: string;
  memoryLimit?: string;
  /** DuckDB worker threads, for healthscore (healthscore.yaml `threads:`) and the script alike. */
  threads?: number;
  /** Repetitions of the timed contenders. */
  reps: number;
  /** Runs of each start-up measurement (bench/startup.ts). */
  startupRuns: number;
  /** Skip the pandas peer even where Python has pandas. */
  noPandas: boolean;
  /** results.json of a smaller run: the whole job's growth to this one (target 7). */
  compareWith?: string;
  /** A PostgreSQL server (postgresql:// URL): `healthscore run` on it too, in each repetition. */
  postgres?: string;
}

const USAGE = `usage: npm run bench -- [--accounts 10000] [--events 10000000] [--days 365] [--seed 42]
         [--start 2025-01-01] [--work bench/work] [--skip-generate | --data DIR]
         [--memory-limit 3GB] [--threads N] [--reps 3] [--startup-runs 5] [--no-pandas]
         [--compare-with SMALLER_RUN/results.json] [--postgres postgresql://user@host:port/db]`;

export function parseBenchArgs(argv: string[]): BenchArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      accounts: { type: 'string', default: '10000' },
      events: { type: 'string', default: '10000000' },
      days: { type: 'string', default: '365' },
      seed: { type: 'string', default: '42' },
      start: { type: 'string', default: '2025-01-01' },
      work: { type: 'string', default: 'bench/work' },
      'skip-generate': { type: 'boolean', default: false },
      data: { type: 'string' },
      threads: { type: 'string' },
      'memory-limit': { type: 'string' },
      reps: { type: 'string', default: '3' },
      'startup-runs': { type: 'string', default: '5' },
      'no-pandas': { type: 'boolean', default: false },
      'compare-with': { type: 'string' },
      postgres: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    process.exit(0);
  }
  const int = (name: string, v: string | undefined, min: number): number => {
    const x = Number(v);
    if (v === undefined || !Number.isInteger(x) || x < min) throw new Error(`--${name} must be an integer ≥ ${min} (got ${v})\n${USAGE}`);
    return x;
  };
  if (!/^\d{4}-\d{2}-\d{2}$/.test(values.start!)) throw new Error(`--start must be YYYY-MM-DD (got ${values.start})`);
  if (values.data !== undefined && values['skip-generate']) throw new Error(`--data and --skip-generate exclude each other\n${USAGE}`);
  if (values['memory-limit'] !== undefined && !/^\d+(\.\d+)?\s*[KMGT]i?B$/i.test(values['memory-limit'])) {
    throw new Error(`--memory-limit: expected a size like "3GB" (got ${values['memory-limit']})`);
  }
  if (values.postgres !== undefined && !/^postgres(ql)?:\/\//i.test(values.postgres)) {
    throw new Error(`--postgres: expected a URL like postgresql://user@host:5432/database`);
  }
  return {
    accounts: int('accounts', values.accounts, 1),
    events: int('events', values.events, 1),
    days: int('days', values.days, 2),
    seed: int('seed', values.seed, 0),
    startDate: values.start!,
    work: resolve(values.work!),
    skipGenerate: values['skip-generate']!,
    ...(values.data !== undefined && { data: resolve(values.data) }),
    ...(values['memory-limit'] !== undefined && { memoryLimit: values['memory-limit'] }),
    ...(values.threads !== undefined && { threads: int('threads', values.threads, 1) }),
    reps: int('reps', values.reps, 1),
    startupRuns: int('startup-runs', values['startup-runs'], 1),
    noPandas: values['no-pandas']!,
    ...(values['compare-with'] !== undefined && { compareWith: resolve(values['compare-with']) }),
    ...(values.postgres !== undefined && { postgres: values.postgres }),
  };
}
