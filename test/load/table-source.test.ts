// Sources read from tables of the warehouse (SPEC §8: `sources.events: { table: … }`). A
// table is cut into days, each a content with a fingerprint of its rows, so SPEC §7 holds
// as for files: after any edit of the table's rows and a run, the project equals a fresh
// one whose table holds the same rows; and an edit reloads the days it touched only.
//
// A seeded random sequence of edits to the table (insert, delete, update of any column,
// moved day, a duplicate id, a row without a time, a day's rows all deleted) is applied with a run
// after each; reproduce a failure with HS_TABLE_SEEDS=<seed> (HS_TABLE_PG_SEEDS on
// PostgreSQL).
import { mkdir, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { loadLines } from '../../cli/output.ts';
import type { ProjectConfig, SourceOptions } from '../../pipeline/ir/types.ts';
import { dialectFor } from '../../pipeline/engine/dialect-for.ts';
import { loadSources } from '../../pipeline/load/load-sources.ts';
import { ensureWarehouseTables } from '../../models/warehouse-tables.ts';
import { engines, type TestEngine } from '../helpers/engines.ts';
import { csv, identity } from '../helpers/temp-project.ts';
import { diffStates, StateProject } from '../state/compare-with-fresh.ts';
import { HEALTH, rng, type Rng } from '../state/project-fixture.ts';

const COLUMNS = { account_id: 'account_id', event: 'event', timestamp: 'ts', user_id: 'user_id', event_id: 'event_id' };
const ACCOUNTS = ['a', 'b', 'c', 'd'];
const DAYS = 20;
const day = (i: number) => `2025-01-${String(i + 1).padStart(2, '0')}`;

interface EventRow {
  account_id: string;
  event: string;
  ts: string | null;
  user_id: string;
  device: string;
  event_id: string;
}

/** Events of every account on most days: logins, views, tickets, several users and devices. */
function baseRows(r: Rng): EventRow[] {
  const rows: EventRow[] = [];
  for (let d = 0; d < DAYS; d++) {
    for (const account of ACCOUNTS) {
      for (let i = r.int(0, 4); i > 0; i--) rows.push(randomRow(r, account, d, rows.length));
    }
  }
  return rows;
}

function randomRow(r: Rng, account: string, d: number, n: number): EventRow {
  const time = `${String(r.int(0, 23)).padStart(2, '0')}:${String(r.int(0, 59)).padStart(2, '0')}:00`;
  return {
    account_id: account, event: r.pick(['login', 'login', 'view', 'ticket']), ts: `${day(d)} ${time}`,
    user_id: `u${r.int(1, 3)}`, device: r.pick(['mac', 'ios', 'web']), event_id: `e${n}-${r.int(0, 1e6)}`,
  };
}

/** The source tables' schema of a project: DuckDB's warehouse file is the project's own;
 *  on PostgreSQL, projects share a server, so each gets a schema named after its folder. */
const sourceSchema = (engine: TestEngine, root: string) => (engine.name === 'postgres' ? `src_${basename(root).replace(/\W/g, '_').toLowerCase()}` : 'analytics');

const attributes = csv([['account_id', 'attribute', 'value', 'observed_at'], ...ACCOUNTS.map((a, i) => [a, 'nps', String(3 + 2 * i), '2025-01-02'])]);

function tableConfig(engine: TestEngine, extra: Partial<SourceOptions> = {}) {
  return (root: string): Partial<ProjectConfig> => ({
    sources: {
      events: { table: { schema: sourceSchema(engine, root), name: 'events' }, columns: COLUMNS, ...extra },
      attributes: { path: 'data/attributes.csv', format: 'csv', layout: 'long', columns: identity(['account_id', 'attribute', 'value', 'observed_at']) },
    },
  });
}

function fileConfig() {
  return (_root: string): Partial<ProjectConfig> => ({
    sources: {
      events: { path: 'data/events.csv', format: 'csv', columns: COLUMNS },
      attributes: { path: 'data/attributes.csv', format: 'csv', layout: 'long', columns: identity(['account_id', 'attribute', 'value', 'observed_at']) },
    },
  });
}

async function writeProject(p: StateProject): Promise<void> {
  await mkdir(`${p.root}/definitions`, { recursive: true });
  await mkdir(`${p.root}/data`, { recursive: true });
  await writeFile(`${p.root}/definitions/health.yaml`, HEALTH);
  await writeFile(`${p.root}/data/attributes.csv`, attributes);
}

/** data/events.csv holding `rows`: what fileConfig reads. */
async function writeEventsFile(p: StateProject, rows: EventRow[]): Promise<void> {
  await writeFile(`${p.root}/data/events.csv`, csv([Object.keys(EVENT_TYPES), ...rows.map((r) => Object.values(r))]));
}

/** Creates the project's events table (in its source schema) holding `rows`. */
async function createTable(p: StateProject, rows: Record<string, unknown>[], types: Record<string, string> = EVENT_TYPES): Promise<void> {
  const db = (await p.warehouse()).db;
  const schema = sourceSchema(p.engine, p.root);
  await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
  const columns = sql.join(Object.entries(types).map(([name, type]) => sql`${sql.id(name)} ${sql.raw(type)}`));
  await sql`create table ${sql.table(`${schema}.events`)} (${columns})`.execute(db);
  for (let i = 0; i < rows.length; i += 500) await db.insertInto(`${schema}.events`).values(rows.slice(i, i + 500)).execute();
}

const EVENT_TYPES = { account_id: 'varchar', event: 'varchar', ts: 'timestamp', user_id: 'varchar', device: 'varchar', event_id: 'varchar' };

/** The table's rows and column types as they are now, to build a fresh project from. */
async function readTable(p: StateProject): Promise<{ rows: Record<string, unknown>[]; types: Record<string, string> }> {
  const db = (await p.warehouse()).db;
  const schema = sourceSchema(p.engine, p.root);
  const { rows: described } = await sql<{ column_name: string; data_type: string }>`
    select column_name, data_type from information_schema.columns where table_schema = ${schema} and table_name = 'events' order by ordinal_position`.execute(db);
  const types = Object.fromEntries(described.map((c) => [c.column_name, c.data_type.startsWith('timestamp') ? 'timestamp' : 'varchar']));
  const select = sql.join(described.map((c) => sql`cast(${sql.id(c.column_name)} as varchar) as ${sql.id(c.column_name)}`));
  const { rows } = await sql<Record<string, unknown>>`select ${select} from ${sql.table(`${schema}.events`)}`.execute(db);
  return { rows, types };
}

const projects: StateProject[] = [];
afterEach(async () => {
  for (const p of projects.splice(0)) {
    if (p.engine.name === 'postgres') {
      const db = (await p.warehouse()).db;
      await sql`drop schema if exists ${sql.id(sourceSchema(p.engine, p.root))} cascade`.execute(db);
    }
    await p.cleanup();
  }
});

async function project(engine: TestEngine, config: (root: string) => Partial<ProjectConfig>): Promise<StateProject> {
  const p = await StateProject.create(config, engine);
  projects.push(p);
  await writeProject(p);
  return p;
}

/** A fresh project whose table holds what `p`'s holds now, run once. */
async function freshLike(p: StateProject, config: (root: string) => Partial<ProjectConfig>) {
  const { rows, types } = await readTable(p);
  const fresh = await project(p.engine, config);
  await createTable(fresh, rows, types);
  await fresh.run();
  return fresh.state();
}

async function load(p: StateProject) {
  const { db } = await p.warehouse();
  await ensureWarehouseTables(db, dialectFor(p.location));
  return loadSources(db, p.fullConfig(), dialectFor(p.location));
}

describe.each(engines)('$name', (engine) => {
  it('a table source gives what a file with the same rows gives', async () => {
    const rows = baseRows(rng(7));
    const fromFile = await project(engine, fileConfig());
    await writeEventsFile(fromFile, rows);
    await fromFile.run();
    const fromTable = await project(engine, tableConfig(engine));
    await createTable(fromTable, rows as unknown as Record<string, unknown>[]);
    await fromTable.run();
    const problem = diffStates(await fromTable.state(), await fromFile.state());
    if (problem) expect.fail(problem);
    expect((await fromTable.state()).tables['score_snapshots']!.length).toBeGreaterThan(ACCOUNTS.length * (DAYS - 3) * 7);
  }, 60_000);

  it('a changed row reloads its day only, and the load says so per table', async () => {
    const p = await project(engine, tableConfig(engine));
    await createTable(p, baseRows(rng(8)) as unknown as Record<string, unknown>[]);
    const first = await load(p);
    expect(first.loaded.filter((f) => f.table).length).toBe(DAYS);
    expect(loadLines(first).find((l) => l.includes('.events'))).toMatch(new RegExp(`^loaded ${sourceSchema(engine, p.root)}\\.events: 20 days, 2025-01-01 … 2025-01-20 \\(\\d+ rows\\)$`));
    const db = (await p.warehouse()).db;
    const table = `${sourceSchema(engine, p.root)}.events`;
    await sql`update ${sql.table(table)} set device = 'tv' where event_id = (select min(event_id) from ${sql.table(table)} where cast(ts as date) = '2025-01-05')`.execute(db);
    const second = await load(p);
    expect(second.loaded.map((f) => [f.file, f.action])).toEqual([[`${table} [2025-01-05]`, 'replaced']]);
    expect(second.removed).toEqual([]);
    expect(second.unchanged).toBe(DAYS - 1 + 1); // the other days, and the attributes file
    expect(loadLines(second).find((l) => l.includes('.events'))).toMatch(new RegExp(`^replaced ${table}: 1 day, 2025-01-05 \\(\\d+ rows\\)$`));
    // Nothing changed: nothing loads.
    expect((await load(p)).loaded).toEqual([]);
    // A day whose rows are all deleted is removed, and nothing is loaded.
    await sql`delete from ${sql.table(table)} where cast(ts as date) = '2025-01-07'`.execute(db);
    const third = await load(p);
    expect(third.loaded).toEqual([]);
    expect(third.removed.map((f) => f.file)).toEqual([`${table} [2025-01-07]`]);
    expect(loadLines(third).find((l) => l.includes('.events'))).toMatch(new RegExp(`^removed ${table}: 1 day, 2025-01-07 \\(their \\d+ rows left the warehouse\\)$`));
  }, 60_000);

  it('a source switched from a file to a table with the same rows, or to a renamed table, loads nothing new', async () => {
    const rows = baseRows(rng(9));
    let config: (root: string) => Partial<ProjectConfig> = fileConfig();
    const p = await project(engine, (root) => config(root));
    await writeEventsFile(p, rows);
    await p.run();
    config = tableConfig(engine);
    await createTable(p, rows as unknown as Record<string, unknown>[]);
    await p.run();
    let problem = diffStates(await p.state(), await freshLike(p, tableConfig(engine)));
    if (problem) expect.fail(`after the switch to a table: ${problem}`);
    // Renamed: the same rows under another name are the same contents.
    const schema = sourceSchema(engine, p.root);
    await sql`alter table ${sql.table(`${schema}.events`)} rename to moved`.execute((await p.warehouse()).db);
    config = (root) => ({ sources: { ...tableConfig(engine)(root).sources!, events: { table: { schema, name: 'moved' }, columns: COLUMNS } } });
    const moved = await load(p);
    expect(moved.loaded).toEqual([]);
    expect(moved.removed).toEqual([]);
  }, 90_000);

  describe('random edits of the table, each followed by a run, give what a fresh project gives', () => {
    const list = engine.name === 'postgres' ? (process.env['HS_TABLE_PG_SEEDS'] ?? '31') : (process.env['HS_TABLE_SEEDS'] ?? '11,21');
    it.each(list.split(',').map(Number))('seed %i', async (seed) => {
      const r = rng(seed);
      // Bad rows (a row without a time) are set aside, so that every edit is allowed.
      const config = tableConfig(engine, { onBadRows: 'skip' });
      const p = await project(engine, config);
      await createTable(p, baseRows(r) as unknown as Record<string, unknown>[]);
      await p.run();
      const db = (await p.warehouse()).db;
      const table = sql.table(`${sourceSchema(engine, p.root)}.events`);
      const log: string[] = [];
      for (let step = 1; step <= 5; step++) {
        for (let n = r.chance(0.5) ? 2 : 1; n > 0; n--) {
          const { rows } = await sql<{ event_id: string }>`select event_id from ${table} order by event_id`.execute(db);
          const id = r.pick(rows).event_id;
          const edits: Record<string, () => Promise<unknown>> = {
            insert: () => db.insertInto(`${sourceSchema(engine, p.root)}.events`).values(randomRow(r, r.pick(ACCOUNTS), r.int(0, DAYS - 1), 1000 + step)).execute(),
            delete: () => sql`delete from ${table} where event_id = ${id}`.execute(db),
            event: () => sql`update ${table} set event = ${r.pick(['login', 'view', 'ticket', 'export'])} where event_id = ${id}`.execute(db),
            device: () => sql`update ${table} set device = ${r.pick(['mac', 'tv'])} where event_id = ${id}`.execute(db),
            account: () => sql`update ${table} set account_id = ${r.pick(ACCOUNTS)} where event_id = ${id}`.execute(db),
            moved: () => sql`update ${table} set ts = ${`${day(r.int(0, DAYS - 1))} 12:00:00`} where event_id = ${id}`.execute(db),
            duplicate: () => sql`insert into ${table} select account_id, event, ts + interval '1 hour', user_id, device, event_id from ${table} where event_id = ${id}`.execute(db),
            no_time: () => sql`update ${table} set ts = null where event_id = ${id}`.execute(db),
            day_gone: () => sql`delete from ${table} where cast(ts as date) = (select cast(ts as date) from ${table} where event_id = ${id})`.execute(db),
          };
          const kind = r.pick(Object.keys(edits));
          await edits[kind]!();
          log.push(`step ${step}: ${kind} ${id}`);
        }
        await p.run();
        const problem = diffStates(await p.state(), await freshLike(p, config));
        if (problem) expect.fail(`seed ${seed} (reproduce: HS_TABLE_SEEDS=${seed}), after\n  ${log.join('\n  ')}\n${problem}`);
      }
    }, 240_000);
  });

  it('an added column reloads the table, its values becoming event properties', async () => {
    const p = await project(engine, tableConfig(engine));
    await createTable(p, baseRows(rng(12)) as unknown as Record<string, unknown>[]);
    await p.run();
    const db = (await p.warehouse()).db;
    await sql`alter table ${sql.table(`${sourceSchema(engine, p.root)}.events`)} add column plan varchar`.execute(db);
    const summary = await load(p);
    expect(summary.loaded.length).toBe(DAYS);
    await p.run();
    const problem = diffStates(await p.state(), await freshLike(p, tableConfig(engine)));
    if (problem) expect.fail(problem);
  }, 60_000);

  it('says which table, field and row is bad, and keeps what is materialised', async () => {
    const p = await project(engine, tableConfig(engine));
    await createTable(p, baseRows(rng(13)) as unknown as Record<string, unknown>[]);
    await p.run();
    const before = await p.state();
    const db = (await p.warehouse()).db;
    const schema = sourceSchema(engine, p.root);
    await sql`update ${sql.table(`${schema}.events`)} set account_id = null where event_id = (select min(event_id) from ${sql.table(`${schema}.events`)})`.execute(db);
    await expect(p.run()).rejects.toThrow(new RegExp(`^${schema}\\.events account_id: .+, in the row \\{.*"event_id": ?"e`));
    const problem = diffStates(await p.state(), before);
    if (problem) expect.fail(`a failed load changed the output: ${problem}`);
  }, 60_000);

  it('reads text times of a table with timestamp_format where the engine can (DuckDB), and says so where it cannot', async () => {
    const rows = baseRows(rng(15));
    const us = (ts: string | null) => (ts === null ? null : `${ts.slice(5, 7)}/${ts.slice(8, 10)}/${ts.slice(0, 4)} ${ts.slice(11)}`);
    const textual = await project(engine, tableConfig(engine, { timestampFormat: '%m/%d/%Y %H:%M:%S' }));
    await createTable(textual, rows.map((r) => ({ ...r, ts: us(r.ts) })), { ...EVENT_TYPES, ts: 'varchar' });
    if (engine.name === 'postgres') {
      await expect(textual.run()).rejects.toThrow(
        `healthscore.yaml sources.events.timestamp_format: PostgreSQL cannot read the text column "ts" of ${sourceSchema(engine, textual.root)}.events with a strptime format`,
      );
      return;
    }
    await textual.run();
    const typed = await project(engine, tableConfig(engine));
    await createTable(typed, rows as unknown as Record<string, unknown>[]);
    await typed.run();
    const problem = diffStates(await textual.state(), await typed.state());
    if (problem) expect.fail(problem);
  }, 60_000);

  it('names a missing table or column in healthscore.yaml', async () => {
    const p = await project(engine, (root) => ({ sources: { events: { table: { schema: sourceSchema(engine, root), name: 'nope' }, columns: COLUMNS } } }));
    await createTable(p, []);
    const schema = sourceSchema(engine, p.root);
    await expect(p.run()).rejects.toThrow(`healthscore.yaml sources.events.table: the warehouse has no table or view ${schema}.nope`);
    p.config = (root) => ({ sources: { events: { table: { schema: sourceSchema(engine, root), name: 'events' }, columns: { ...COLUMNS, timestamp: 'at' } } } });
    await expect(p.run()).rejects.toThrow(
      `${schema}.events timestamp: has no column "at" (the table's columns are: account_id, event, ts, user_id, device, event_id); in healthscore.yaml, "at" comes from sources.events.columns.timestamp`,
    );
  }, 60_000);
});

/** The rows of a wide attributes table, unpivoted, equal the same wide file's. */
describe.each(engines)('$name: wide attributes', (engine) => {
  it('a wide attributes table gives what the same wide file gives', async () => {
    const rows = baseRows(rng(14));
    const wide = [
      ['account_id', 'observed_at', 'nps', 'plan'],
      ...ACCOUNTS.map((a, i) => [a, '2025-01-03', String(2 + 2 * i), i % 2 ? 'pro' : 'free']),
      ['a', '2025-01-10', '9', null],
    ];
    const sources = (attributes: NonNullable<ProjectConfig['sources']['attributes']>) => (root: string): Partial<ProjectConfig> => ({
      sources: { events: { table: { schema: sourceSchema(engine, root), name: 'events' }, columns: COLUMNS }, attributes },
    });
    const fromFile = await project(engine, sources({ path: 'data/wide.csv', format: 'csv', layout: 'wide', columns: identity(['account_id', 'observed_at']) }));
    await writeFile(`${fromFile.root}/data/wide.csv`, csv(wide));
    await createTable(fromFile, rows as unknown as Record<string, unknown>[]);
    await fromFile.run();
    const fromTable = await project(engine, (root) => sources({ table: { schema: sourceSchema(engine, root), name: 'wide' }, layout: 'wide', columns: identity(['account_id', 'observed_at']) })(root));
    await createTable(fromTable, rows as unknown as Record<string, unknown>[]);
    const db = (await fromTable.warehouse()).db;
    const schema = sourceSchema(engine, fromTable.root);
    await sql`create table ${sql.table(`${schema}.wide`)} (account_id varchar, observed_at date, nps integer, plan varchar)`.execute(db);
    await insertWide(db, `${schema}.wide`, wide.slice(1));
    await fromTable.run();
    const problem = diffStates(await fromTable.state(), await fromFile.state());
    if (problem) expect.fail(problem);
  }, 60_000);
});

async function insertWide(db: Kysely<any>, table: string, rows: (string | null)[][]): Promise<void> {
  await db.insertInto(table).values(rows.map(([account_id, observed_at, nps, plan]) => ({ account_id, observed_at, nps: Number(nps), plan }))).execute();
}
