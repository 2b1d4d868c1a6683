// The export from a PostgreSQL warehouse writes exactly the files the DuckDB export writes:
// the same output rows are put into both engines, both are exported, and the files are
// read back with independent readers (hyparquet, apache-arrow) and compared: every folder,
// every row in order, every schema. The rows are made to be awkward on the way out of
// PostgreSQL: quotes, commas, braces, backslashes and newlines in text, non-ASCII, null
// beside '', empty and odd insights lists, doubles at the edges of precision.
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { sql, type RawBuilder } from 'kysely';
import pgClient from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OUTPUT_TABLES, type OutputColumnType, type OutputTable } from '../../models/output-tables.ts';
import { createTable } from '../../pipeline/sql/create-table.ts';
import { postgres as postgresDialect } from '../../pipeline/sql/dialects/postgres.ts';
import { exportTables, type ExportOptions } from '../../pipeline/export/export-tables.ts';
import { withExportSource } from '../../pipeline/export/export-source.ts';
import { openWarehouse, type Warehouse } from '../../pipeline/engine/warehouse.ts';
import { duckdb } from '../../pipeline/sql/dialects/duckdb.ts';
import { stringLiteral } from '../../pipeline/sql/sql-literal.ts';
import type { WarehouseLocation } from '../../pipeline/ir/types.ts';
import { postgresEngine } from '../helpers/engines.ts';
import { tempProject, type TempProject } from '../helpers/temp-project.ts';
import { fileSchema, readTable } from './read-export.ts';

type Value = string | number | boolean | null | (string | null)[];
type Row = Record<string, Value>;

const ACCOUNTS = ['a,b', '"quoted"', '{brace}', 'back\\slash', 'Zürich-ß', '日本', 'new\nline', 'NULL', '', ' x '];
const BANDS = ['red', '', null, 'gré"en'];
const ODD_INSIGHTS = ['x,y', '{z}', '"q"', 'back\\slash', 'NULL', '', 'ß 日本', 'a\nb', null];
const INSIGHTS = [[], ['idle'], ODD_INSIGHTS, ['{}', 'a b']];
const REASONS = [null, '', 'manual, "review" {x}'];
const DOUBLES = [0.1 + 0.2, -0, 5e-324, 1.7976931348623157e308, 1 / 3, null, -2.5, 100, Number.NaN, Number.POSITIVE_INFINITY];

/** 40 days over three months (2025-01-25 → 2025-03-05), every account every day. */
function outputRows(): Record<OutputTable['name'], Row[]> {
  const rows: Record<OutputTable['name'], Row[]> = { score_snapshots: [], health_snapshots: [], alerts: [] };
  let n = 0;
  for (let d = 0; d < 40; d++) {
    const day = new Date(Date.UTC(2025, 0, 25 + d)).toISOString().slice(0, 10);
    for (const [a, account] of ACCOUNTS.entries()) {
      const k = d * ACCOUNTS.length + a;
      const pick = <T>(list: T[], salt = 0) => list[(k + salt) % list.length]!;
      for (const scoreId of ['logins', 'users,2']) {
        rows.score_snapshots.push({
          snapshot_date: day, scorecard: 's', account_id: account, score_id: scoreId,
          raw_value: pick(DOUBLES), score: (n++ * 7919) / 1013, band: pick(BANDS, 1), weight: pick(DOUBLES, 3), status: pick(['ok', 'missing', ''], 2),
        });
      }
      rows.health_snapshots.push({
        snapshot_date: day, scorecard: 's', account_id: account, score: pick(DOUBLES, 1), band: pick(BANDS), computed_score: Math.sqrt(k),
        computed_band: pick(BANDS, 2), insights: pick(INSIGHTS), overridden: k % 3 === 0, override_reason: pick(REASONS), definition_version: 'v1',
      });
      if (k % 4 === 0) {
        rows.alerts.push({
          alert_date: day, scorecard: 's', account_id: account, alert_id: pick(['to_red', 'drop, "sharp"']),
          from_band: pick(BANDS), to_band: pick(BANDS, 1), from_score: pick(DOUBLES, 2), to_score: k / 7,
        });
      }
    }
  }
  return rows;
}

/** `value` as SQL text of the column's type on `engine`: literals, so that nothing but the
 *  engines' own parsing stands between the test's values and the tables. */
function literal(engine: Warehouse['engine'], type: OutputColumnType, value: Value): RawBuilder<unknown> {
  if (value === null) return sql`null`;
  if (Array.isArray(value)) {
    const items = sql.join(value.map((v) => (v === null ? sql`null` : stringLiteral(v))));
    return engine === 'duckdb' ? sql`cast([${items}] as varchar[])` : sql`cast(array[${items}]::varchar[] as varchar[])`;
  }
  if (type === 'date') return sql`date ${stringLiteral(String(value))}`;
  if (type === 'double') {
    const text = Object.is(value, -0) ? '-0' : String(value);
    return sql`cast(${stringLiteral(text)} as ${sql.raw(engine === 'duckdb' ? 'double' : 'double precision')})`;
  }
  if (type === 'boolean') return sql.raw(String(value));
  return stringLiteral(String(value));
}


/** The output tables with the rows, on either engine. */
async function fill(wh: Warehouse, rows: Record<OutputTable['name'], Row[]>) {
  for (const table of OUTPUT_TABLES) {
    await createTable(wh.engine === 'duckdb' ? duckdb : postgresDialect, table).execute(wh.db);
    const values = rows[table.name].map((row) => sql`(${sql.join(table.columns.map((c) => literal(wh.engine, c.type, row[c.name]!)))})`);
    await sql`insert into ${sql.table(table.name)} (${sql.join(table.columns.map((c) => sql.ref(c.name)))}) values ${sql.join(values)}`.execute(wh.db);
  }
}

async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => relative(root, join(e.parentPath, e.name))).sort();
}

/** Both exports hold the same files, each with the same schema and the same rows in order:
 *  the same bytes, in fact, since the same DuckDB code writes the same rows. */
async function expectSameExport(fromDuckDB: string, fromPostgres: string) {
  const files = await filesUnder(fromDuckDB);
  expect(files.length).toBeGreaterThan(0);
  expect(await filesUnder(fromPostgres)).toEqual(files);
  for (const file of files) expect(await fileSchema(join(fromPostgres, file)), file).toEqual(await fileSchema(join(fromDuckDB, file)));
  for (const table of OUTPUT_TABLES) {
    for (const ext of ['.parquet', '.arrow'] as const) {
      if (!files.some((f) => f.startsWith(`${table.name}/`) && f.endsWith(ext))) continue;
      expect(await readTable(fromPostgres, table.name, ext), `${table.name}${ext}`).toEqual(await readTable(fromDuckDB, table.name, ext));
    }
  }
  // And beyond what the readers show (statistics, encodings): the very same bytes.
  for (const file of files) expect((await readFile(join(fromPostgres, file))).equals(await readFile(join(fromDuckDB, file))), file).toBe(true);
}

describe.skipIf(!postgresEngine)('export from a PostgreSQL warehouse', () => {
  let p: TempProject;
  let duck: Warehouse;
  let pg: Warehouse;
  let location: WarehouseLocation;
  beforeAll(async () => {
    p = await tempProject();
    location = postgresEngine!.location(p.root);
    duck = await openWarehouse({ path: ':memory:' });
    pg = await openWarehouse(location as Extract<WarehouseLocation, { engine: 'postgres' }>);
    const rows = outputRows();
    await fill(duck, rows);
    await fill(pg, rows);
    // Session settings that would change PostgreSQL's text of dates and doubles: the
    // export must not depend on them.
    await sql`set datestyle to 'SQL, DMY'`.execute(pg.db);
    await sql`set extra_float_digits to 0`.execute(pg.db);
  });
  afterAll(async () => {
    await duck?.close();
    await pg?.close();
    if (location) await postgresEngine!.drop(location);
    await p?.cleanup();
  });

  // The dialect only matters to the DuckDB source: a PostgreSQL warehouse is staged into
  // DuckDB, whose dialect the writers then use.
  const exportBoth = async (name: string, options: Omit<ExportOptions, 'path'>) => {
    const paths = { duckdb: join(p.root, name, 'duckdb'), postgres: join(p.root, name, 'postgres') };
    const written = {
      duckdb: await exportTables(duck, duckdb, { ...options, path: paths.duckdb }),
      postgres: await exportTables(pg, duckdb, { ...options, path: paths.postgres }),
    };
    expect(written.postgres).toBe(written.duckdb);
    return paths;
  };

  it.each(['day', 'month'] as const)('%s partitions: the same Parquet and Arrow files, rows and schemas', async (partition) => {
    const paths = await exportBoth(`all-${partition}`, { formats: ['parquet', 'arrow'], partition });
    await expectSameExport(paths.duckdb, paths.postgres);
    const folders = await readdir(join(paths.postgres, 'score_snapshots'));
    expect(folders).toHaveLength(partition === 'day' ? 40 : 3);
  });

  it('the awkward values survive the way out of PostgreSQL', async () => {
    const paths = await exportBoth('values', { formats: ['parquet'], partition: 'month' });
    const health = Object.values(await readTable(paths.postgres, 'health_snapshots', '.parquet')).flat();
    const scores = Object.values(await readTable(paths.postgres, 'score_snapshots', '.parquet')).flat();
    expect(new Set(health.map((r) => r['account_id']))).toEqual(new Set(ACCOUNTS));
    expect(health.map((r) => r['insights'])).toEqual(expect.arrayContaining([[], ODD_INSIGHTS]));
    expect(new Set(health.map((r) => r['override_reason']))).toEqual(new Set(REASONS));
    expect(new Set(scores.map((r) => r['band']))).toEqual(new Set(BANDS));
    const raw = scores.map((r) => r['raw_value']);
    for (const value of DOUBLES) expect(raw.some((v) => Object.is(v, value)), String(value)).toBe(true);
  });

  it.each(['day', 'month'] as const)('only some days (%s partitions): the same partitions, and no others', async (partition) => {
    const days = [{ from: '2025-02-03', to: '2025-02-05' }, { from: '2025-03-01', to: '2025-03-01' }];
    const paths = await exportBoth(`days-${partition}`, { formats: ['parquet', 'arrow'], partition, days });
    await expectSameExport(paths.duckdb, paths.postgres);
    expect((await readdir(join(paths.postgres, 'health_snapshots'))).sort()).toEqual(partition === 'day'
      ? ['snapshot_date=2025-02-03', 'snapshot_date=2025-02-04', 'snapshot_date=2025-02-05', 'snapshot_date=2025-03-01']
      : ['snapshot_date_month=2025-02', 'snapshot_date_month=2025-03']);
  });

  it('leaves no staging behind, and the warehouse session as it was', async () => {
    const paths = await exportBoth('clean', { formats: ['arrow'], partition: 'day', days: [{ from: '2025-01-30', to: '2025-01-30' }] });
    expect(await readdir(paths.postgres)).toEqual(OUTPUT_TABLES.map((t) => t.name).sort());
    const [settings] = await pg.query<{ datestyle: string; digits: string }>(
      sql`select current_setting('datestyle') as datestyle, current_setting('extra_float_digits') as digits`);
    expect(settings).toEqual({ datestyle: 'SQL, DMY', digits: '0' });
  });

  it('reads every table in one snapshot: a row committed meanwhile is in none of its tables', async () => {
    if (location.engine !== 'postgres') throw new Error('a PostgreSQL location');
    const table = (name: OutputTable['name']) => OUTPUT_TABLES.find((t) => t.name === name)!;
    const writer = new pgClient.Client({ connectionString: location.url });
    await writer.connect();
    const alerts = `${writer.escapeIdentifier(location.schema)}.alerts`;
    try {
      const late = await withExportSource(pg, duckdb, { days: undefined, folder: join(p.root, 'snapshot') }, async (source) => {
        await source.table(table('score_snapshots'));
        await writer.query(`insert into ${alerts} (alert_date, scorecard, account_id, alert_id) values ('2025-02-01', 's', 'late', 'to_red')`);
        const { db } = await source.table(table('alerts'));
        const { rows } = await sql<{ n: number }>`select count(*)::int as n from alerts where account_id = 'late'`.execute(db);
        return rows[0]!.n;
      });
      expect(late).toBe(0);
    } finally {
      await writer.query(`delete from ${alerts} where account_id = 'late'`);
      await writer.end();
    }
  });

  it('copies only the exported days out of PostgreSQL', async () => {
    const days = [{ from: '2025-02-03', to: '2025-02-05' }, { from: '2025-03-01', to: '2025-03-01' }];
    const scores = OUTPUT_TABLES.find((t) => t.name === 'score_snapshots')!;
    const staged = await withExportSource(pg, duckdb, { days, folder: join(p.root, 'some-days') }, async (source) => {
      const { db } = await source.table(scores);
      const { rows } = await sql<{ day: string; n: number }>`
        select strftime(snapshot_date, '%Y-%m-%d') as day, count(*)::int as n from score_snapshots group by day order by day`.execute(db);
      return rows;
    });
    const perDay = 2 * ACCOUNTS.length;
    expect(staged).toEqual(['2025-02-03', '2025-02-04', '2025-02-05', '2025-03-01'].map((day) => ({ day, n: perDay })));
  });

  it("stages in a DuckDB with the project's memory_limit and threads", async () => {
    const settings = await withExportSource(pg, duckdb, { days: [], folder: join(p.root, 'settings'), duckdb: { memoryLimit: '300MB', threads: 1 } }, async (source) => {
      const { db } = await source.table(OUTPUT_TABLES[0]!);
      const { rows } = await sql<{ threads: number; memory: string }>`
        select current_setting('threads')::int as threads, current_setting('memory_limit') as memory`.execute(db);
      return rows[0];
    });
    expect(settings).toEqual({ threads: 1, memory: '286.1 MiB' });
  });

  it('a failure on the way out (the CSV cannot be written) is one error, and the warehouse stays usable', async () => {
    const folder = join(p.root, 'unwritable');
    await mkdir(join(folder, 'score_snapshots.csv'), { recursive: true });
    const failed = withExportSource(pg, duckdb, { days: undefined, folder }, (source) => source.table(OUTPUT_TABLES[0]!));
    await expect(failed).rejects.toThrow(/EISDIR/);
    expect(await pg.query(sql`select count(*)::int as n from alerts`)).toEqual([{ n: 100 }]);
  });

  it("a server's refusal during the copy is its one-line error, and the warehouse stays usable", async () => {
    const missing = { ...OUTPUT_TABLES[2]!, name: 'no_such_table' } as unknown as OutputTable;
    const failed = withExportSource(pg, duckdb, { days: undefined, folder: join(p.root, 'refused') }, (source) => source.table(missing));
    await expect(failed).rejects.toThrow(/^relation "no_such_table" does not exist$/);
    expect(await pg.query(sql`select count(*)::int as n from alerts`)).toEqual([{ n: 100 }]);
  });
});
