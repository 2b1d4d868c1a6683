// Start-up cost of the CLI (issue #9, target 4): how long a process takes for
// `healthscore --version` and `healthscore status`, against a bare `node -e 0`.
//
//   npx tsx bench/startup.ts --project <a project that has been run> [--runs 20] [--bin bin/healthscore.mjs]
//
// measureStartup is for bench/run.ts to call; run alone, this prints the medians and the ratios.
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { median } from './proc.ts';

export interface StartupTimes {
  /** Median seconds of each kind of process, spawned and waited for. */
  bareNode: number;
  version: number;
  status: number;
}

export async function measureStartup(opts: { bin: string; project: string; runs: number }): Promise<StartupTimes> {
  const commands: Record<keyof StartupTimes, string[]> = {
    bareNode: ['-e', '0'],
    version: [opts.bin, '--version'],
    status: [opts.bin, 'status', '--project', opts.project],
  };
  const samples: Record<keyof StartupTimes, number[]> = { bareNode: [], version: [], status: [] };
  // One untimed round warms the file cache. The three kinds then alternate within each
  // round, so that load from other jobs on a shared machine falls on all of them alike.
  for (let round = -1; round < opts.runs; round++) {
    for (const kind of Object.keys(commands) as (keyof StartupTimes)[]) {
      const seconds = timeProcess(commands[kind]);
      if (round >= 0) samples[kind].push(seconds);
    }
  }
  return { bareNode: median(samples.bareNode), version: median(samples.version), status: median(samples.status) };
}

function timeProcess(args: string[]): number {
  const start = performance.now();
  const child = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const seconds = (performance.now() - start) / 1000;
  // A command that fails fast would look like a fast start-up.
  if (child.status !== 0) throw new Error(`node ${args.join(' ')} exited ${child.status}: ${String(child.stderr).trim()}`);
  return seconds;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      project: { type: 'string' },
      runs: { type: 'string', default: '20' },
      bin: { type: 'string', default: join(dirname(fileURLToPath(import.meta.url)), '../bin/healthscore.mjs') },
    },
  });
  const runs = Number(values.runs);
  if (!values.project || !Number.isInteger(runs) || runs < 1) {
    process.stderr.write('usage: npx tsx bench/startup.ts --project <dir> [--runs 20] [--bin bin/healthscore.mjs]\n');
    process.exit(2);
  }
  const t = await measureStartup({ bin: resolve(values.bin), project: resolve(values.project), runs });
  const ms = (s: number) => `${(s * 1000).toFixed(0)} ms`;
  process.stdout.write(
    [
      `median of ${runs} runs each:`,
      `  node -e 0             ${ms(t.bareNode)}`,
      `  healthscore --version ${ms(t.version)}  ${(t.version / t.bareNode).toFixed(2)}× bare node (target ≤ 2×)`,
      `  healthscore status    ${ms(t.status)}  ${(t.status / t.bareNode).toFixed(2)}× bare node (target ≤ 4×)`,
    ].join('\n') + '\n',
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await main();
