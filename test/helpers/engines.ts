// The engines every semantics test runs on, for `describe.each(engines)('$name', …)`: DuckDB
// always, PostgreSQL when the test server is there (test/postgres-server.ts). Each use of
// PostgreSQL works in a schema of its own, dropped after: test files run in parallel against
// one server.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import type { ProjectConfig, WarehouseLocation } from '../../pipeline/ir/types.ts';

export interface TestEngine {
  name: 'duckdb' | 'postgres';
  /** A fresh warehouse for a temp project in `root`: a file in it, or a new schema on the
   *  test server (created by the first writable open). */
  location(root: string): WarehouseLocation;
  /** Removes what `location` holds outside the project folder (the schema), once every
   *  connection to it is closed. */
  drop(location: WarehouseLocation): Promise<void>;
}

export const duckdbEngine: TestEngine = {
  name: 'duckdb',
  location: (root) => ({ engine: 'duckdb', path: join(root, 'warehouse.duckdb') }),
  drop: async () => {},
};

const postgresUrl = inject('postgresUrl');

export const postgresEngine: TestEngine | undefined = postgresUrl
  ? {
      name: 'postgres',
      location: () => ({ engine: 'postgres', url: postgresUrl, schema: `hs_test_${randomUUID().replaceAll('-', '').slice(0, 16)}` }),
      async drop(location) {
        if (location.engine !== 'postgres') return;
        const client = new pg.Client({ connectionString: location.url });
        await client.connect();
        try {
          await client.query(`drop schema if exists ${client.escapeIdentifier(location.schema)} cascade`);
        } finally {
          await client.end();
        }
      },
    }
  : undefined;

export const engines: TestEngine[] = postgresEngine ? [duckdbEngine, postgresEngine] : [duckdbEngine];

/** The ProjectConfig fragment that puts a temp project's warehouse on `engine`. */
export function warehouseConfig(engine: TestEngine, root: string): Pick<ProjectConfig, 'warehouse'> {
  return { warehouse: engine.location(root) };
}

/** The healthscore.yaml lines for `location`, for a project run through the CLI. */
export function warehouseYaml(location: WarehouseLocation): string[] {
  return location.engine === 'postgres'
    ? [`warehouse: ${JSON.stringify(location.url)}`, `schema: ${location.schema}`]
    : [`warehouse: ${JSON.stringify(location.path)}`];
}
