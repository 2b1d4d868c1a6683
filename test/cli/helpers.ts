// Runs the real CLI (bin/healthscore.mjs) as a child process, the way a user or a
// scheduler does, on throw-away projects made by `healthscore init`.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import pg from 'pg';
import type { WarehouseLocation } from '../../pipeline/ir/types.ts';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = join(REPO, 'bin/healthscore.mjs');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `healthscore ...args` from `cwd` (the repository root by default); never rejects. */
export function hs(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: options.cwd ?? REPO, env: { ...process.env, CI: 'true', ...options.env }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        done({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

/** `hs` that must succeed; returns stdout parsed as JSON when `--json` is among the args. */
export async function hsOk(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  const result = await hs(args, options);
  if (result.code !== 0) {
    throw new Error(`healthscore ${args.join(' ')} exited ${result.code}\n${result.stderr}${result.stdout}`);
  }
  return result;
}

export async function hsJson<T = any>(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<T> {
  const { stdout } = await hsOk([...args, '--json'], options);
  return JSON.parse(stdout) as T;
}

export interface TempDir {
  dir: string;
  cleanup(): Promise<void>;
}

export async function tempDir(): Promise<TempDir> {
  const dir = await mkdtemp(join(tmpdir(), 'healthscore-cli-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** `healthscore init <tmp>/project`, keeping only the event files of the given months
 *  (e.g. ['2025-01']) so that a run takes a couple of seconds. Unless `fullDemo`, only the
 *  customer_health scorecard is kept (no onboarding scorecard, no overrides file), so that
 *  the expectations of the command tests stay about the commands. */
export async function initProject(months: string[], options: { fullDemo?: boolean } = {}): Promise<TempDir & { project: string }> {
  const tmp = await tempDir();
  const project = join(tmp.dir, 'project');
  try {
    await hsOk(['init', project]);
    const events = join(project, 'data/events');
    for (const file of await readdir(events)) {
      if (!months.some((m) => file === `events-${m}.parquet`)) await rm(join(events, file));
    }
    if (!options.fullDemo) {
      await rm(join(project, 'definitions/onboarding.yaml'));
      await rm(join(project, 'data/overrides.csv'));
      const config = join(project, 'healthscore.yaml');
      await writeFile(config, (await readFile(config, 'utf8')).replace(/^\s*overrides:.*\n/m, ''));
    }
  } catch (error) {
    await tmp.cleanup();
    throw error;
  }
  return { ...tmp, project };
}

/** Rows of a query on a warehouse file, read after the CLI has exited (DuckDB locks the
 *  file while a process has it open). */
export async function queryWarehouse(path: string, query: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
  try {
    const connection = await instance.connect();
    try {
      const reader = await connection.runAndReadAll(query);
      return reader.getRowObjectsJson() as Record<string, unknown>[];
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

/** Rows of a query on the warehouse at `location` (a DuckDB file or a PostgreSQL schema),
 *  read after the CLI has exited. */
export async function queryLocation(location: WarehouseLocation, query: string): Promise<Record<string, unknown>[]> {
  if (location.engine === 'duckdb') return queryWarehouse(location.path, query);
  const client = new pg.Client({ connectionString: location.url });
  await client.connect();
  try {
    await client.query(`set search_path to ${client.escapeIdentifier(location.schema)}`);
    return (await client.query(query)).rows as Record<string, unknown>[];
  } finally {
    await client.end();
  }
}

/** `at file:line` frames of a JavaScript stack trace. */
export const STACK_FRAME = /^\s+at .+/m;
