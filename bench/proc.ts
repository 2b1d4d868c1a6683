import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One contender's process, timed from spawn to exit. */
export interface ProcessRun {
  /** Wall seconds from spawn to exit. */
  seconds: number;
  /** The process's peak resident set (node + DuckDB: one process), bytes. */
  peakRssBytes: number;
  stdout: string;
  /** What the process printed as JSON on its last line(s) of stdout, if anything. */
  json?: any;
}

const TIME = '/usr/bin/time';

/** How the peak RSS is measured: GNU time's %M (the child's ru_maxrss, from wait4) where
 *  /usr/bin/time exists, else the highest VmHWM read from /proc every 20 ms while it runs. */
export const rssMethod = existsSync(TIME) ? '/usr/bin/time -f %M (ru_maxrss of the process)' : 'VmHWM of /proc/<pid>/status, polled every 20 ms';

/** Runs `command args` as its own process and times it from spawn to exit (the wrapper
 *  /usr/bin/time adds one exec, well under a millisecond). Fails when it exits non-zero. */
export async function runProcess(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; label: string }): Promise<ProcessRun> {
  const rssFile = join(tmpdir(), `bench-rss-${process.pid}-${Date.now()}`);
  const useTime = existsSync(TIME);
  const [cmd, argv] = useTime ? [TIME, ['-f', '%M', '-o', rssFile, command, ...args]] : [command, args];
  let stdout = '';
  let stderr = '';
  let hwm = 0;
  const t0 = performance.now();
  const child = spawn(cmd, argv, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const poll = useTime
    ? undefined
    : setInterval(() => {
        readFile(`/proc/${child.pid}/status`, 'utf8')
          .then((text) => {
            const kb = Number(/VmHWM:\s+(\d+)/.exec(text)?.[1] ?? 0);
            hwm = Math.max(hwm, kb * 1024);
          })
          .catch(() => {});
      }, 20);
  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (c, signal) => resolve(signal ? 128 : (c ?? 1)));
  });
  const seconds = (performance.now() - t0) / 1000;
  if (poll) clearInterval(poll);
  let peakRssBytes = hwm;
  if (useTime) {
    const text = await readFile(rssFile, 'utf8').catch(() => '');
    await rm(rssFile, { force: true });
    const kb = Number(text.trim().split('\n').pop());
    if (Number.isFinite(kb)) peakRssBytes = kb * 1024;
  }
  if (code !== 0) throw new Error(`${options.label} failed (exit ${code}): ${command} ${args.join(' ')}\n${stderr.slice(-4000)}${stdout.slice(-2000)}`);
  return { seconds, peakRssBytes, stdout, ...(parseJson(stdout) !== undefined && { json: parseJson(stdout) }) };
}

/** The JSON document a process printed: the whole stdout, else its last line. */
function parseJson(text: string): unknown {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  try {
    return JSON.parse(trimmed);
  } catch {
    try {
      return JSON.parse(trimmed.split('\n').pop()!);
    } catch {
      return undefined;
    }
  }
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
