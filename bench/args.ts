import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

/** The benchmark's command line (see bench/README.md). */
export interface BenchArgs {
  accounts: number;
  events: number;
  days: number;
  seed: number;
  startDate: string;
  /** Work folder: generated data, the project, warehouses, results.json. */
  work: string;
  skipGenerate: boolean;
  threads?: number;
  memoryLimit?: string;
  /** Repetitions of the timed contenders (floor, hand-written, backfill, nightly). */
  reps: number;
  /** Also run each compiled step with DuckDB's JSON profiling and report its costliest operators. */
  profile: boolean;
}

const USAGE = `usage: npm run bench -- [--accounts 10000] [--events 10000000] [--days 365] [--seed 42]
         [--start 2025-01-01] [--work bench/work] [--skip-generate] [--threads N]
         [--memory-limit 3GB] [--reps 3] [--profile]`;

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
      threads: { type: 'string' },
      'memory-limit': { type: 'string' },
      reps: { type: 'string', default: '3' },
      profile: { type: 'boolean', default: false },
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
  return {
    accounts: int('accounts', values.accounts, 1),
    events: int('events', values.events, 1),
    days: int('days', values.days, 2),
    seed: int('seed', values.seed, 0),
    startDate: values.start!,
    work: resolve(values.work!),
    skipGenerate: values['skip-generate']!,
    ...(values.threads !== undefined && { threads: int('threads', values.threads, 1) }),
    ...(values['memory-limit'] !== undefined && { memoryLimit: values['memory-limit'] }),
    reps: int('reps', values.reps, 1),
    profile: values.profile!,
  };
}
