// test/helpers/engines.ts and tempProject(engine): each project gets a warehouse of its own
// on the engine, and cleanup leaves nothing behind on the server.
import { existsSync } from 'node:fs';
import { sql } from 'kysely';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { engines, warehouseYaml } from '../helpers/engines.ts';
import { tempProject } from '../helpers/temp-project.ts';
import { loadProject } from '../../pipeline/project/load-project.ts';

const url = inject('postgresUrl');

it('lists DuckDB always, PostgreSQL when the test server is there', () => {
  expect(engines.map((e) => e.name)).toEqual(url ? ['duckdb', 'postgres'] : ['duckdb']);
});

describe.each(engines)('tempProject on $name', (engine) => {
  it('runs in a warehouse of its own, removed by cleanup', async () => {
    const [a, b] = [await tempProject(engine), await tempProject(engine)];
    const location = a.config().warehouse;
    expect(location.engine).toBe(engine.name);
    expect(b.config().warehouse).not.toEqual(location);
    await sql`create table t as select 1 as n`.execute((await a.warehouse()).db);
    await expect(sql`select n from t`.execute((await b.warehouse()).db)).rejects.toThrow();
    await a.cleanup();
    await b.cleanup();
    if (location.engine === 'duckdb') {
      expect(existsSync(location.path)).toBe(false);
    } else {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const { rows } = await client.query('select count(*)::int as n from pg_namespace where nspname = $1', [location.schema]);
      await client.end();
      expect(rows[0].n).toBe(0);
    }
  });
});

it.each(engines)('healthscore.yaml lines that read back as the same $name location', async (engine) => {
  const project = await tempProject(engine);
  const location = project.config().warehouse;
  await project.write('healthscore.yaml', [...warehouseYaml(location), 'sources:', '  events: { path: events/*.csv }'].join('\n'));
  expect((await loadProject(project.root)).warehouse).toEqual(location);
  await project.cleanup();
});
