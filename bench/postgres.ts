// The PostgreSQL row of the benchmark (--postgres URL): `healthscore run` on a PostgreSQL
// warehouse over the very files of the DuckDB backfill, timed the same way, and its Parquet
// files compared with the DuckDB backfill's byte for byte.
import { cp, mkdir, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import pg from 'pg';
import { redactUrl } from '../pipeline/engine/postgres/redact-url.ts';
import type { BenchLayout } from './project.ts';

/** The schema the benchmark owns on the server: dropped before every run. */
export const BENCH_SCHEMA = 'healthscore_bench';
/** healthscore.yaml reads the URL from this variable, so that a password stays out of files. */
const URL_VARIABLE = 'HEALTHSCORE_BENCH_POSTGRES';

export interface PostgresBench {
  /** The project folder: the DuckDB project's files, another warehouse. */
  project: string;
  out: string;
  /** The environment of its `healthscore` processes. */
  env: NodeJS.ProcessEnv;
  /** The server, for the report (no password). */
  server: string;
  /** Empties the warehouse before a run: the whole backfill, as on DuckDB. */
  reset(): Promise<void>;
}

/** A second project beside the DuckDB one: the same healthscore.yaml (but its warehouse), the
 *  same definitions, and links to the same data files. Fails with one sentence when the
 *  server cannot be reached, before anything is timed. */
export async function preparePostgres(at: BenchLayout, url: string): Promise<PostgresBench> {
  const project = join(at.work, 'project-postgres');
  await rm(project, { recursive: true, force: true });
  await mkdir(project, { recursive: true });
  // The events folder itself is linked: the held-back day arrives there only for the nightly,
  // after the PostgreSQL run, which therefore reads the backfill's files.
  for (const name of ['events', 'accounts.csv', 'attributes.csv', 'churn.csv']) await symlink(join(at.project, name), join(project, name));
  await cp(join(at.project, 'definitions'), join(project, 'definitions'), { recursive: true });
  const yaml = await readFile(join(at.project, 'healthscore.yaml'), 'utf8');
  await writeFile(join(project, 'healthscore.yaml'), yaml.replace(/^warehouse: .*$/m, `warehouse: \${${URL_VARIABLE}}\nschema: ${BENCH_SCHEMA}`));
  const server = redactUrl(url);
  const reset = async () => {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.query(`drop schema if exists ${client.escapeIdentifier(BENCH_SCHEMA)} cascade`);
    } catch (error) {
      throw new Error(`--postgres ${server}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    } finally {
      await client.end().catch(() => undefined);
    }
    await rm(join(project, 'out'), { recursive: true, force: true });
  };
  await reset();
  return { project, out: join(project, 'out'), env: { ...process.env, [URL_VARIABLE]: url }, server, reset };
}

/** How many of the DuckDB backfill's exported files the PostgreSQL run wrote the same, byte
 *  for byte, as one sentence for the report. */
export async function compareExports(duckdbOut: string, postgresOut: string): Promise<string> {
  const [a, b] = await Promise.all([filesUnder(duckdbOut), filesUnder(postgresOut)]);
  const missing = [...a].filter((f) => !b.has(f));
  const extra = [...b].filter((f) => !a.has(f));
  const differing: string[] = [];
  // One pair at a time: the export of a large run does not fit in memory twice.
  for (const file of a) {
    if (!b.has(file)) continue;
    const [x, y] = await Promise.all([readFile(join(duckdbOut, file)), readFile(join(postgresOut, file))]);
    if (!x.equals(y)) differing.push(file);
  }
  const equal = a.size - missing.length - differing.length;
  const problems = [
    missing.length && `${missing.length} missing (e.g. ${missing[0]})`,
    extra.length && `${extra.length} more (e.g. ${extra[0]})`,
    differing.length && `${differing.length} differing (e.g. ${differing[0]})`,
  ].filter(Boolean);
  return `${equal} of ${a.size} exported files equal byte for byte${problems.length ? `; ${problems.join(', ')}` : ''}`;
}

/** The files under `dir`, as paths relative to it. */
async function filesUnder(dir: string): Promise<Set<string>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return new Set(entries.filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name))));
}
