// SPEC §7: after any sequence of edits to a project and a `run`, every table and every
// export file equals what a fresh project with the same final files produces with one
// `run` — or the run changes nothing and exits 2 (a UsageError) with one sentence saying
// what to do.
//
// A seeded random sequence of edits (see EDITS in project-fixture.ts for every kind) is
// applied to a tiny project, with a run after each; after each run the project is compared
// with a fresh copy of its files run once. Reproduce a failure with
//   HS_EDIT_SEEDS=<seed> npx vitest run test/state/edit-sequences.test.ts
// (HS_EDIT_STEPS=<n> changes the number of runs per seed; HS_EDIT_KINDS=a,b draws only
// those kinds of edit.)
//
// No edit may be refused: a timezone change loads every source again (README).
//
// On PostgreSQL (postgresEngine) the same harness runs with fewer seeds and steps
// (HS_EDIT_PG_SEEDS, HS_EDIT_PG_STEPS; a PostgreSQL run is several times slower), each
// step compared with a fresh PostgreSQL project, and its export with a fresh DuckDB
// project's. Reproduce a PostgreSQL failure with
//   HS_EDIT_PG_SEEDS=<seed> npx vitest run test/state/edit-sequences.test.ts -t postgres
//
// Each step compares the whole produced state: no column is skipped (the snapshot tables
// hold no run id or timestamp), the set of export files (relative paths) and every file's
// rows, and no `.staging-*` or empty file under the export folder.
import { describe, expect, it } from 'vitest';
import { duckdbEngine, engines } from '../helpers/engines.ts';
import { diffExports, diffStates, freshState } from './compare-with-fresh.ts';
import { EDITS, INPUTS, plainEventFiles, rng, runAndCompare, useBaseProject } from './project-fixture.ts';

const seeds = (list: string) => list.split(',').map(Number);
const RUNS = {
  duckdb: { seeds: seeds(process.env['HS_EDIT_SEEDS'] ?? '101,202,303'), steps: Number(process.env['HS_EDIT_STEPS'] ?? 6) },
  postgres: { seeds: seeds(process.env['HS_EDIT_PG_SEEDS'] ?? '404'), steps: Number(process.env['HS_EDIT_PG_STEPS'] ?? 6) },
};
/** Only these edit kinds (comma-separated), e.g. to look at one bug at a time. */
const KINDS = process.env['HS_EDIT_KINDS']?.split(',') ?? Object.keys(EDITS);

describe.each(engines)('$name', (engine) => {
  const { seeds: SEEDS, steps: STEPS } = RUNS[engine.name];
  const reproduce = engine.name === 'postgres' ? 'HS_EDIT_PG_SEEDS' : 'HS_EDIT_SEEDS';
  const base = useBaseProject(engine);

  it('the base project gives what a fresh copy of it gives', async () => {
    const problem = diffStates(base.state, await freshState(base.project.root, INPUTS, base.project.config, plainEventFiles, engine));
    if (problem) expect.fail(problem);
    if (engine !== duckdbEngine) {
      const acrossEngines = diffExports(base.state, await freshState(base.project.root, INPUTS, base.project.config, plainEventFiles));
      if (acrossEngines) expect.fail(`the export differs from a fresh DuckDB project's: ${acrossEngines}`);
    }
    expect(base.state.tables['alerts']!.length).toBeGreaterThan(5);
  }, 60_000);

  describe('a random sequence of edits, each followed by a run, gives what a fresh project gives', () => {
    it.each(SEEDS)('seed %i', async (seed) => {
      const r = rng(seed);
      const { p, m } = await base.copy();
      const log: string[] = [];
      for (let step = 1; step <= STEPS; step++) {
        const applied: string[] = [];
        // Most runs follow two edits at once (~10 edits per seed in all).
        const count = r.chance(0.6) ? 2 : 1;
        while (applied.length < count) {
          const kind = r.pick(KINDS);
          const said = await EDITS[kind]!({ root: p.root, m, r });
          if (said === undefined) continue;
          applied.push(kind);
          log.push(`${step}. [${kind}] ${said}`);
        }
        const result = await runAndCompare(p, m);
        if (result.problem) {
          expect.fail(
            `${engine.name}, seed ${seed}, after run ${step} of ${STEPS} (reproduce: ${reproduce}=${seed} npx vitest run test/state/edit-sequences.test.ts -t ${engine.name})\n` +
              `edits so far:\n  ${log.join('\n  ')}\n${result.problem}`,
          );
        }
      }
    }, engine.name === 'postgres' ? 300_000 : 120_000);
  });
});
