// The CLI as a process on a PostgreSQL warehouse: the demo project (January's events, both
// scorecards, the overrides file) run side by side on DuckDB and on the test server, the
// database name given through ${ENV_VAR} in healthscore.yaml. Every command prints the same
// on both and the Parquet files are equal byte for byte, after the first run, after `export`
// and after a nightly run with one more day's events, which equals a fresh run over the same
// files (SPEC §7, incremental = fresh). Then the server's refusals as the CLI
// prints them: one sentence, exit 1 or 2, no stack trace.
import { randomUUID } from 'node:crypto';
import { cp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { WarehouseLocation } from '../../pipeline/ir/types.ts';
import { postgresEngine } from '../helpers/engines.ts';
import { REPO, STACK_FRAME, hs, hsJson, hsOk, initProject, type TempDir } from './helpers.ts';
import { TINY_CONFIG, tinyProject } from './tiny-project.ts';

type Project = TempDir & { project: string };

/** Every file under `dir`, relative path → bytes. */
async function filesUnder(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const path = join(entry.parentPath, entry.name);
      files.set(relative(dir, path), await readFile(path));
    }
  }
  return files;
}

async function expectSameFiles(a: string, b: string): Promise<number> {
  const [left, right] = await Promise.all([filesUnder(a), filesUnder(b)]);
  expect([...right.keys()].sort()).toEqual([...left.keys()].sort());
  const differing = [...left].filter(([path, bytes]) => !bytes.equals(right.get(path)!)).map(([path]) => path);
  expect(differing).toEqual([]);
  return left.size;
}

/** The run log's ids and times differ between any two runs. */
function withoutRunIdentity(status: { lastRun?: Record<string, unknown> }): unknown {
  const { run_id: _id, started_at: _start, finished_at: _end, ...lastRun } = status.lastRun ?? {};
  return { ...status, lastRun };
}

async function admin<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

describe.skipIf(!postgresEngine)('the demo project through the CLI on PostgreSQL and on DuckDB', () => {
  let duck: Project;
  let post: Project;
  let location: WarehouseLocation & { engine: 'postgres' };
  let freshLocation: typeof location | undefined;
  let env: Record<string, string>;
  const both = <T>(command: (project: string, options: { env: Record<string, string> }) => Promise<T>) =>
    Promise.all([command(duck.project, { env: {} }), command(post.project, { env })]);

  beforeAll(async () => {
    [duck, post] = await Promise.all([initProject(['2025-01'], { fullDemo: true }), initProject(['2025-01'], { fullDemo: true })]);
    location = postgresEngine!.location(post.project) as typeof location;
    // The database name comes from the environment, as a password would.
    const url = new URL(location.url);
    env = { HS_TEST_DATABASE: url.pathname.slice(1) };
    url.pathname = '/';
    const config = join(post.project, 'healthscore.yaml');
    const yaml = (await readFile(config, 'utf8')).replace(
      /^warehouse: .*$/m,
      `warehouse: ${url.toString()}\${HS_TEST_DATABASE}\nschema: ${location.schema}`,
    );
    expect(yaml).toContain('${HS_TEST_DATABASE}');
    await writeFile(config, yaml);
  }, 120_000);
  afterAll(async () => {
    for (const l of [location, freshLocation]) if (l) await postgresEngine!.drop(l);
    await Promise.all([duck?.cleanup(), post?.cleanup()]);
  });

  it('run: the same summary, and the same Parquet files byte for byte', async () => {
    const [a, b] = await both((project, o) => hsJson(['run', '--project', project], o));
    for (const summary of [a, b]) (delete summary.runId, delete summary.seconds);
    expect(b).toEqual(a);
    expect(b.materialised).toEqual({
      customer_health: expect.anything(),
      onboarding: expect.anything(),
    });
    expect(await expectSameFiles(join(duck.project, 'out'), join(post.project, 'out'))).toBe(2 * 31 + 10);
  }, 120_000);

  it('status --json: the same warehouse state', async () => {
    const [a, b] = await both((project, o) => hsJson(['status', '--project', project], o));
    expect(withoutRunIdentity(b)).toEqual(withoutRunIdentity(a));
    expect(b.lastRun).toMatchObject({ status: 'ok', days_materialised: 62 });
  });

  it('preview, explain and backtest --compare print the same', async () => {
    const commands = [
      ['preview', 'customer_health', '--date', '2025-01-20'],
      ['explain', 'acc_0001', '--date', '2025-01-25'],
      ['backtest', '--scorecard', 'customer_health', '--horizon', '14d', '--step', '3d', '--compare', 'definitions/tuned'],
    ];
    for (const command of commands) {
      const [a, b] = await both((project, o) => hsOk([...command, '--project', project], { ...o, cwd: project }));
      expect(b.stdout, command.join(' ')).toBe(a.stdout);
      expect(b.stderr).toBe(a.stderr);
    }
    const [explained] = await both((project, o) => hsOk(['explain', 'acc_0001', '--date', '2025-01-25', '--project', project], o));
    expect(explained.stdout).toMatch(/^acc_0001 · customer_health on 2025-01-25: \d+\.\d\d \w+/);
  }, 120_000);

  it('compile prints the PostgreSQL SQL of the PostgreSQL warehouse', async () => {
    const [a, b] = await both((project, o) => hsOk(['compile', '--scorecard', 'customer_health', '--date', '2025-01-20', '--project', project], o));
    expect(a.stdout).toContain('create or replace temp table "hs_accounts"');
    expect(b.stdout).toContain('create temp table "hs_accounts"');
    expect(b.stdout).not.toContain('create or replace temp table');
  });

  it('export writes the same Arrow IPC files, and the same Parquet files again', async () => {
    // Parquet last: the nightly below adds to these files.
    for (const format of [['--format', 'arrow'], []]) {
      await both((project) => rm(join(project, 'out'), { recursive: true }));
      const [a, b] = await both((project, o) => hsOk(['export', ...format, '--project', project], o));
      expect(b.stdout.replace(post.project, '<project>')).toBe(a.stdout.replace(duck.project, '<project>'));
      expect(await expectSameFiles(join(duck.project, 'out'), join(post.project, 'out'))).toBe(2 * 31 + 10);
      const day = await readdir(join(post.project, 'out/health_snapshots/snapshot_date=2025-01-20'));
      expect(day).toEqual([format.length ? 'data.arrow' : 'data.parquet']);
    }
  }, 120_000);

  it('a nightly run with one more day of events gives the same files', async () => {
    // February 1st's events, from the demo data, as the nightly's new file.
    const day = join(duck.project, 'data/events/events-2025-02-01.parquet');
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    await connection.run(`copy (select * from read_parquet('${join(REPO, 'data/events/events-2025-02.parquet')}') where ts < timestamp '2025-02-02')
      to '${day}' (format parquet)`);
    connection.closeSync();
    instance.closeSync();
    await writeFile(join(post.project, 'data/events/events-2025-02-01.parquet'), await readFile(day));

    const [a, b] = await both((project, o) => hsJson(['run', '--project', project], o));
    for (const summary of [a, b]) (delete summary.runId, delete summary.seconds);
    expect(b).toEqual(a);
    expect(b.load.loaded.map((f: { file: string }) => f.file)).toEqual(['data/events/events-2025-02-01.parquet']);
    expect(await expectSameFiles(join(duck.project, 'out'), join(post.project, 'out'))).toBeGreaterThan(2 * 31 + 10);
    await expect(readdir(join(post.project, 'out/health_snapshots'))).resolves.toContain('snapshot_date=2025-02-01');
  }, 120_000);

  it('incremental = fresh on PostgreSQL: one run over the same files in a new schema writes the nightly\'s files', async () => {
    const fresh = join(post.dir, 'fresh');
    await cp(post.project, fresh, { recursive: true, filter: (path) => path !== join(post.project, 'out') });
    const { schema } = (freshLocation = postgresEngine!.location(fresh) as typeof location);
    const config = join(fresh, 'healthscore.yaml');
    await writeFile(config, (await readFile(config, 'utf8')).replace(/^schema: .*$/m, `schema: ${schema}`));
    await hsOk(['run', '--project', fresh], { env });
    expect(await expectSameFiles(join(post.project, 'out'), join(fresh, 'out'))).toBeGreaterThan(2 * 31 + 10);
  }, 120_000);
});

describe.skipIf(!postgresEngine)('a PostgreSQL warehouse the CLI cannot use', () => {
  const url = inject('postgresUrl');
  const role = `hs_cli_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const schema = `${role}_locked`;
  let tmp: Project;

  /** `healthscore <command>` on the tiny project with `warehouse` (a URL) and `schema`. */
  async function against(command: string, warehouse: string, lines = 1) {
    await writeFile(join(tmp.project, 'healthscore.yaml'), TINY_CONFIG.replace(/^warehouse: .*$/m, `warehouse: ${warehouse}\nschema: ${schema}`));
    const r = await hs([command, '--project', tmp.project]);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toMatch(STACK_FRAME);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(lines);
    return r;
  }
  const withUrl = (change: (u: URL) => void) => {
    const u = new URL(url);
    change(u);
    return u.toString();
  };

  beforeAll(async () => {
    tmp = await tinyProject();
    // Roles belong to the whole server: this one is this file's own, dropped after.
    await admin(url, (c) => c.query(`create role ${role} login; create schema ${schema}`));
  });
  afterAll(async () => {
    await admin(url, (c) => c.query(`drop schema if exists ${schema} cascade; drop owned by ${role}; drop role if exists ${role}`));
    await tmp?.cleanup();
  });

  it('a server that refuses the connection: exit 1', async () => {
    const r = await against('run', withUrl((u) => (u.port = '1')));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`healthscore: cannot connect to PostgreSQL at 127.0.0.1:1: the connection was refused (is the server running and listening there?)\n`);
  });

  it('a database that does not exist: exit 2', async () => {
    const r = await against('run', withUrl((u) => (u.pathname = '/no_such_db')));
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`healthscore: the database "no_such_db" does not exist on the PostgreSQL server at ${new URL(url).host}\n`);
  });

  it('an unset ${ENV_VAR} in the URL: exit 2', async () => {
    // A problem of healthscore.yaml, reported like every other one (file:line, then the count).
    const r = await against('run', `${url.replace(/\/[^/]*$/, '/')}\${HS_NO_SUCH_VARIABLE}`, 2);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('healthscore.yaml:1 warehouse: the environment variable HS_NO_SUCH_VARIABLE is not set\nhealthscore: 1 problem found\n');
  });

  it('a schema the user may not use: exit 2, naming the grants it lacks, for run and for status', async () => {
    const asRole = withUrl((u) => (u.username = role));
    const database = new URL(url).pathname.slice(1);
    const run = await against('run', asRole);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `healthscore: user "${role}" may not use the schema "${schema}" in the database "${database}": it lacks USAGE and CREATE on it (grant usage, create on schema ${schema} to ${role})\n`,
    );
    const status = await against('status', asRole);
    expect(status.code).toBe(2);
    expect(status.stderr).toContain(`it lacks USAGE on it (grant usage on schema ${schema} to ${role})`);
    await admin(url, (c) => c.query(`grant usage on schema ${schema} to ${role}`));
    const write = await against('run', asRole);
    expect(write.code).toBe(2);
    expect(write.stderr).toContain(`it lacks CREATE on it (grant create on schema ${schema} to ${role})`);
  });

  it('a schema made beforehand, empty: status says nothing ran yet, and run fills it', async () => {
    const asRole = withUrl((u) => (u.username = role));
    await admin(url, (c) => c.query(`grant usage, create on schema ${schema} to ${role}`));
    await writeFile(join(tmp.project, 'healthscore.yaml'), TINY_CONFIG.replace(/^warehouse: .*$/m, `warehouse: ${asRole}\nschema: ${schema}`));
    const before = await hsOk(['status', '--project', tmp.project]);
    expect(before.stdout).toContain('no run yet');
    await hsOk(['run', '--project', tmp.project]);
    const after = await hsJson(['status', '--project', tmp.project]);
    expect(after.lastRun).toMatchObject({ status: 'ok' });
  });
});
