// The export as readers see it: every output table of the registry is created and
// exported, the Arrow files hold exactly the Parquet files' rows (read by independent
// readers: hyparquet and apache-arrow), and the month layout's folders read back with
// DuckDB's hive_partitioning; from a warehouse on each engine.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OUTPUT_TABLES, type OutputColumnType } from '../../models/output-tables.ts';
import { openWarehouse } from '../../pipeline/engine/warehouse.ts';
import { engines } from '../helpers/engines.ts';
import { tableRows } from '../helpers/table-rows.ts';
import { csv, tempProject, type TempProject } from '../helpers/temp-project.ts';
import { readTable } from './read-export.ts';

const DEFINITION = `scorecard: s
bands: [{ label: red, from: 0 }, { label: yellow, from: 3 }, { label: green, from: 7 }]
measures:
  logins: { event: login, window: 7d }
  users: { event: "*", aggregate: distinct_users, window: 5d }
scores:
  - { id: logins, measure: logins, worst: 0, best: 5, impact: high }
  - { id: users, measure: users, worst: 0, best: 3 }
insights:
  - { id: idle, when: { measure: logins, eq: 0 } }
alerts:
  - { id: to_red, when: { band_became: red } }
`;

/** 45 days (into February) of deterministic activity for 4 accounts; one of them, with a
 *  non-ASCII id, goes quiet for a week now and then (insights, red bands, alerts). */
function events(): string {
  const rows: (string | number)[][] = [['account_id', 'event', 'timestamp', 'user_id', 'event_id']];
  let seed = 11;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let d = 0; d < 45; d++) {
    const day = new Date(Date.UTC(2025, 0, 1 + d)).toISOString().slice(0, 10);
    for (const account of ['a', 'b', 'c', 'Zürich-ß']) {
      const quiet = account === 'Zürich-ß' && Math.floor(d / 7) % 2 === 1;
      const n = quiet ? 0 : 1 + Math.floor(next() * 4);
      for (let i = 0; i < n; i++) rows.push([account, next() < 0.7 ? 'login' : 'view', `${day} 1${i}:00:00`, `${account}${i % 2}`, `${day}-${account}-${i}`]);
    }
  }
  return csv(rows);
}

/** information_schema's name of each column type on PostgreSQL (DuckDB's is the type's own). */
const POSTGRES_DATA_TYPES: Record<OutputColumnType, string> = {
  date: 'date', varchar: 'text', double: 'double precision', boolean: 'boolean', 'varchar[]': 'ARRAY',
};

describe.each(engines)('$name', (engine) => {
  let p: TempProject;
  beforeAll(async () => {
    p = await tempProject(engine);
    await p.write('events/e.csv', events());
    await p.write('attributes.csv', csv([['account_id', 'attribute', 'value', 'observed_at']]));
    await p.write('definitions/s.yaml', DEFINITION);
  });
  afterAll(() => p?.cleanup());

  const run = (partition: 'day' | 'month') =>
    p.run({ fullRefresh: true, config: { export: { path: join(p.root, partition), formats: ['parquet', 'arrow'], partition } } });

  describe('the output-table registry', () => {
    it('creates every table with its columns and types', async () => {
      await run('day');
      const wh = await p.warehouse();
      for (const table of OUTPUT_TABLES) {
        const columns = await wh.query<{ column_name: string; data_type: string; is_nullable: string }>(
          sql`select column_name, data_type, is_nullable from information_schema.columns where table_schema = current_schema() and table_name = ${table.name} order by ordinal_position`);
        expect(columns, table.name).toEqual(table.columns.map((c) => ({
          column_name: c.name, data_type: engine.name === 'duckdb' ? c.type.toUpperCase() : POSTGRES_DATA_TYPES[c.type], is_nullable: c.notNull ? 'NO' : 'YES',
        })));
      }
    });

    it('exports every table it lists, and only those', async () => {
      await run('day');
      expect((await readdir(join(p.root, 'day'))).sort()).toEqual(OUTPUT_TABLES.map((t) => t.name).sort());
      for (const table of OUTPUT_TABLES) {
        const [{ n }] = await (await p.warehouse()).query<{ n: number }>(sql`select count(distinct ${sql.ref(table.dateColumn)})::int as n from ${sql.table(table.name)}`) as [{ n: number }];
        expect(n, table.name).toBeGreaterThan(0);
        expect(await readdir(join(p.root, 'day', table.name)), table.name).toHaveLength(n);
      }
    });
  });

  describe.each(['day', 'month'] as const)('%s partitions', (partition) => {
    beforeAll(() => run(partition));

    it('Arrow files hold the Parquet files\' rows, in the same order, with plain BI types', async () => {
      const root = join(p.root, partition);
      for (const table of OUTPUT_TABLES) {
        const parquet = await readTable(root, table.name, '.parquet');
        const arrow = await readTable(root, table.name, '.arrow');
        expect(Object.keys(arrow), table.name).toEqual(Object.keys(parquet));
        expect(arrow, table.name).toEqual(parquet);
      }
      const folder = (await readdir(join(root, 'health_snapshots')))[0]!;
      const health = tableFromIPC(await readFile(join(root, 'health_snapshots', folder, 'data.arrow')));
      expect(Object.fromEntries(health.schema.fields.map((f) => [f.name, String(f.type)]))).toEqual({
        ...(partition === 'month' && { snapshot_date: 'Date32<DAY>' }),
        scorecard: 'Utf8', account_id: 'Utf8', score: 'Float64', band: 'Utf8', computed_score: 'Float64', computed_band: 'Utf8',
        insights: 'List<Utf8>', overridden: 'Bool', override_reason: 'Utf8', definition_version: 'Utf8',
      });
    });

    it('lays the files out in Hive-style folders that DuckDB reads back with the date column', async () => {
      const root = join(p.root, partition);
      const folders = await readdir(join(root, 'score_snapshots'));
      expect(folders.sort()).toEqual(partition === 'day'
        ? Array.from({ length: 45 }, (_, d) => `snapshot_date=${new Date(Date.UTC(2025, 0, 1 + d)).toISOString().slice(0, 10)}`)
        : ['snapshot_date_month=2025-01', 'snapshot_date_month=2025-02']);
      // Read by a DuckDB of its own, whatever the warehouse's engine.
      const reader = await openWarehouse({ engine: 'duckdb', path: ':memory:' });
      try {
        const glob = join(root, 'score_snapshots', '*', 'data.parquet');
        const read = sql`read_parquet(${glob}, hive_partitioning = true)`;
        const [types] = await reader.query<Record<string, string>>(sql`select typeof(snapshot_date) as date_type from ${read} limit 1`);
        expect(types).toEqual({ date_type: 'DATE' });
        await reader.query(sql`create table score_snapshots as
        select snapshot_date, scorecard, account_id, score_id, raw_value, score, band, weight, status from ${read}`);
        const exported = await tableRows(reader, 'score_snapshots');
        expect(exported.length).toBeGreaterThan(0);
        expect(exported).toEqual(await tableRows(await p.warehouse(), 'score_snapshots'));
      } finally {
        await reader.close();
      }
    });
  });
});
