import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadScorecards } from '../../pipeline/definitions/load-scorecards.ts';
import { dialectFor } from '../../pipeline/engine/dialect-for.ts';
import { openWarehouse, warehouseOptions, type Warehouse } from '../../pipeline/engine/warehouse.ts';
import type { ProjectConfig } from '../../pipeline/ir/types.ts';
import { runPipeline, type RunOptions } from '../../pipeline/run/run-pipeline.ts';
import { duckdbEngine, type TestEngine } from './engines.ts';

/** A throw-away project folder: write files into it, run the pipeline on it. */
export interface TempProject {
  root: string;
  write(path: string, text: string): Promise<void>;
  config(overrides?: Partial<ProjectConfig>): ProjectConfig;
  run(options?: RunOptions & { config?: Partial<ProjectConfig> }): Promise<Awaited<ReturnType<typeof runPipeline>>>;
  warehouse(): Promise<Warehouse>;
  cleanup(): Promise<void>;
}

/** On DuckDB unless told otherwise; on PostgreSQL, in a fresh schema dropped by `cleanup`. */
export async function tempProject(engine: TestEngine = duckdbEngine): Promise<TempProject> {
  const root = await mkdtemp(join(tmpdir(), 'healthscore-test-'));
  const location = engine.location(root);
  let open: Warehouse | undefined;
  const project: TempProject = {
    root,
    async write(path, text) {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), text);
    },
    config(overrides = {}) {
      return {
        root,
        warehouse: location,
        timezone: 'UTC',
        lookback: 3,
        definitions: join(root, 'definitions'),
        export: { path: join(root, 'out'), formats: ['parquet'], partition: 'day' },
        sources: {
          events: { path: 'events/*.csv', format: 'csv', columns: identity(['account_id', 'event', 'timestamp', 'user_id', 'event_id']) },
          attributes: { path: 'attributes.csv', format: 'csv', layout: 'long', columns: identity(['account_id', 'attribute', 'value', 'observed_at']) },
        },
        ...overrides,
      };
    },
    async warehouse() {
      open ??= await openWarehouse(warehouseOptions(location));
      return open;
    },
    async run(options = {}) {
      const config = project.config(options.config);
      const scorecards = await loadScorecards(config.definitions, root);
      const wh = await project.warehouse();
      return runPipeline(wh.db, config, scorecards, dialectFor(config.warehouse), options);
    },
    async cleanup() {
      await open?.close();
      await engine.drop(location);
      await rm(root, { recursive: true, force: true });
    },
  };
  return project;
}

export function identity(names: string[]): Record<string, string> {
  return Object.fromEntries(names.map((n) => [n, n]));
}

/** CSV text from rows; the first row is the header. */
export function csv(rows: (string | number | null)[][]): string {
  return rows.map((r) => r.map((v) => (v === null ? '' : String(v))).join(',')).join('\n') + '\n';
}
