// Seeded randomized comparison of the SQL pipeline with the reference scorer: random data
// (with churns and reactivations around the batch edges), random scorecards drawn from the
// definition language (goals, account ages and alerts included), a random overrides file
// in some cases, every score_snapshots, health_snapshots and alerts row compared. The
// reference reads the generated document, not the parser's IR, so both the parser and
// the compiler are checked. Reproduce a failure with REFERENCE_SEED=<seed>
// REFERENCE_CASES=1; run more cases with REFERENCE_CASES=<n>.
//
// Every case runs on DuckDB; the first few also on PostgreSQL (REFERENCE_PG_CASES, a
// PostgreSQL run being several times slower), compared with the same reference.

import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { planScorecard } from '../../pipeline/compile/plan.ts';
import { rangeSupported } from '../../pipeline/compile/measure-strategy.ts';
import { loadScorecards } from '../../pipeline/definitions/load-scorecards.ts';
import { parseScorecard } from '../../pipeline/definitions/parse-scorecard.ts';
import type { Scorecard } from '../../pipeline/ir/types.ts';
import { engines, type TestEngine } from '../helpers/engines.ts';
import { csv, identity, tempProject, type TempProject } from '../helpers/temp-project.ts';
import { compareSnapshots, pipelineSnapshots } from './compare.ts';
import {
  eventsCsv,
  OVERRIDE_COLUMNS,
  randomData,
  randomOverrides,
  randomScorecard,
  Rng,
  type CaseData,
  type RandomScorecard,
} from './random-case.ts';
import { scorecardFromDoc } from './doc-scorecard.ts';
import { referenceSnapshots } from './reference-scorer.ts';

const BASE_SEED = Number(process.env['REFERENCE_SEED'] ?? 20250301);
const CASES = Number(process.env['REFERENCE_CASES'] ?? 20);
const PG_CASES = Math.min(CASES, Number(process.env['REFERENCE_PG_CASES'] ?? 6));
const SCORECARDS_PER_CASE = 3;

let projects: TempProject[] = [];
afterEach(async () => {
  await Promise.all(projects.map((p) => p.cleanup()));
  projects = [];
});

async function newProject(engine?: TestEngine): Promise<TempProject> {
  const project = await tempProject(engine);
  projects.push(project);
  return project;
}

/** In about half of the cases an overrides file; the reference then reads its rows. */
function withOverrides(rng: Rng, data: CaseData, cards: RandomScorecard[]): string | undefined {
  if (!rng.chance(0.5)) return undefined;
  const { rows, csv } = randomOverrides(rng, data, cards);
  data.data.overrides = rows;
  return csv;
}

/** The run options of a case: the churn source when it has churns, the overrides source
 *  when it has an overrides file. */
function runOptions(project: TempProject, data: Pick<CaseData, 'churn'>, hasOverrides: boolean) {
  const overrides = { path: 'overrides.csv', format: 'csv' as const, columns: identity(OVERRIDE_COLUMNS) };
  const sources = {
    ...project.config().sources,
    ...(data.churn && { churn: data.churn }),
    ...(hasOverrides && { overrides }),
  };
  return { skipExport: true, config: { sources } };
}

async function writeCase(project: TempProject, data: CaseData, cards: RandomScorecard[], overrides: string | undefined): Promise<Scorecard[]> {
  for (const [path, text] of Object.entries(data.files)) await project.write(path, text);
  for (const card of cards) await project.write(`definitions/${card.id}.yaml`, card.yaml);
  if (overrides !== undefined) await project.write('overrides.csv', overrides);
  return loadScorecards(project.config().definitions, project.root);
}

/** Compares every scorecard's rows; the message names the seed and shows the YAML. */
async function expectMatchesReference(
  project: TempProject,
  seed: number,
  data: CaseData,
  cards: RandomScorecard[],
  scorecards: Scorecard[],
  reproduce = `REFERENCE_SEED=${seed} REFERENCE_CASES=1 npx vitest run test/reference`,
) {
  const wh = await project.warehouse();
  const failures: string[] = [];
  expect(scorecards.map((s) => s.id).sort(), `seed ${seed}`).toEqual(cards.map((c) => c.id).sort());
  for (const parsed of scorecards) {
    // The reference scores the document; only the version hash comes from production.
    const scorecard = scorecardFromDoc(cards.find((c) => c.id === parsed.id)!.doc, parsed.version);
    const expected = referenceSnapshots(scorecard, data.data, data.days);
    const actual = await pipelineSnapshots(wh, scorecard.id);
    const problems = compareSnapshots(scorecard, actual, expected);
    if (problems.length) {
      const yaml = cards.find((c) => c.id === scorecard.id)!.yaml;
      failures.push(
        `seed ${seed}, scorecard ${scorecard.id}: ${problems.length} difference(s)\n` +
          problems.slice(0, 12).map((p) => `  ${p}`).join('\n') +
          `\n--- definitions/${scorecard.id}.yaml\n${yaml}`,
      );
    }
  }
  expect(failures, `reproduce with ${reproduce}\n${failures.join('\n')}`).toEqual([]);
}

const casesOn = (engine: TestEngine) => (engine.name === 'postgres' ? PG_CASES : CASES);
const reproduceOn = (engine: TestEngine) => (engine.name === 'postgres' ? ' -t postgres' : '');

describe.each(engines)('the SQL pipeline agrees with the reference scorer on $name', (engine) => {
  for (let i = 0; i < casesOn(engine); i++) {
    const seed = BASE_SEED + i;
    it(`on random case seed ${seed}`, async () => {
      const rng = new Rng(seed);
      const data = randomData(rng);
      const cards = Array.from({ length: SCORECARDS_PER_CASE }, (_, k) => randomScorecard(rng, `card_${k + 1}`));
      const overrides = withOverrides(rng, data, cards);
      const project = await newProject(engine);
      let scorecards: Scorecard[];
      try {
        scorecards = await writeCase(project, data, cards, overrides);
      } catch (error) {
        throw new Error(`seed ${seed}: a generated scorecard is invalid: ${(error as Error).message}\n${cards.map((c) => c.yaml).join('\n---\n')}`);
      }
      const summary = await project.run(runOptions(project, data, overrides !== undefined));
      expect(summary.span, `seed ${seed}`).toEqual({ from: data.days[0], to: data.days[data.days.length - 1] });
      await expectMatchesReference(project, seed, data, cards, scorecards,
        `REFERENCE_SEED=${seed} REFERENCE_CASES=1 npx vitest run test/reference${reproduceOn(engine)}`);
    });
  }

  it(`gives the same rows in two incremental runs as in one full run (${engine.name})`, async () => {
    const seed = BASE_SEED + 1000;
    const rng = new Rng(seed);
    // Churns around the edges of the two batches, days 1–20 and 21–40.
    const data = randomData(rng, 40, [[0, 19], [20, 39]]);
    const cards = Array.from({ length: SCORECARDS_PER_CASE }, (_, k) => randomScorecard(rng, `card_${k + 1}`));
    const overrides = withOverrides(rng, data, cards);
    const day = (n: number) => data.days[n - 1]!; // day 1 is the first day with data
    const last = data.days[data.days.length - 1]!;

    // Incremental: events up to day 20 arrive and are scored, then the rest arrives.
    const incremental = await newProject(engine);
    const { 'events/a.csv': _a, 'events/b.csv': _b, ...others } = data.files;
    for (const [path, text] of Object.entries(others)) await incremental.write(path, text);
    for (const card of cards) await incremental.write(`definitions/${card.id}.yaml`, card.yaml);
    if (overrides !== undefined) await incremental.write('overrides.csv', overrides);
    await incremental.write('events/part1.csv', eventsCsv(data.rows, '0000-01-01', day(20)));
    await incremental.run({ ...runOptions(incremental, data, overrides !== undefined), span: { from: day(1), to: day(20) } });
    await incremental.write('events/part2.csv', eventsCsv(data.rows, data.days[20]!, '9999-12-31'));
    const second = await incremental.run({ ...runOptions(incremental, data, overrides !== undefined), span: { from: day(1), to: day(40) } });
    const scorecards = await loadScorecards(incremental.config().definitions, incremental.root);
    // Days 1–20 were done by the first run and lie outside the lookback: not recomputed.
    for (const card of scorecards) expect(second.materialised[card.id], `seed ${seed}`).toEqual([{ from: data.days[20], to: last }]);

    const full = await newProject(engine);
    await writeCase(full, data, cards, overrides);
    await full.run({ ...runOptions(full, data, overrides !== undefined), span: { from: day(1), to: day(40) } });

    for (const scorecard of scorecards) {
      const a = await pipelineSnapshots(await incremental.warehouse(), scorecard.id);
      const b = await pipelineSnapshots(await full.warehouse(), scorecard.id);
      expect(a.scores, `seed ${seed} ${scorecard.id} score_snapshots`).toEqual(b.scores);
      expect(a.health, `seed ${seed} ${scorecard.id} health_snapshots`).toEqual(b.health);
      expect(a.alerts, `seed ${seed} ${scorecard.id} alerts`).toEqual(b.alerts);
    }
    await expectMatchesReference(incremental, seed, data, cards, scorecards,
      `REFERENCE_SEED=${BASE_SEED} npx vitest run test/reference -t "incremental.*${engine.name}"`);
  });
});

// The spine and range strategies of hs_measures (pipeline/compile/measure-strategy.ts)
// must give the same rows. Each case runs every scorecard the range strategy supports (no
// goals) over every day in one batch, once with each strategy forced.
describe.each(engines)('the range strategy gives the same rows as the spine strategy on $name', (engine) => {
  for (let i = 0; i < casesOn(engine); i++) {
    const seed = BASE_SEED + 2000 + i;
    it(`on random case seed ${seed}`, async () => {
      const rng = new Rng(seed);
      const data = randomData(rng);
      // Draw until there are enough scorecards the range strategy supports, so that every
      // seed compares something.
      const cards: RandomScorecard[] = [];
      for (let k = 1; cards.length < SCORECARDS_PER_CASE && k <= 100; k++) {
        const card = randomScorecard(rng, `card_${k}`);
        const parsed = parseScorecard(card.yaml, `definitions/${card.id}.yaml`);
        if (!parsed.ok) throw new Error(`seed ${seed}: a generated scorecard is invalid\n${card.yaml}`);
        if (rangeSupported(planScorecard(parsed.scorecard))) cards.push(card);
      }
      expect(cards, `seed ${seed}`).toHaveLength(SCORECARDS_PER_CASE);
      const overrides = withOverrides(rng, data, cards);
      const rows: Record<string, Awaited<ReturnType<typeof pipelineSnapshots>>>[] = [];
      for (const measureStrategy of ['spine', 'range'] as const) {
        const project = await newProject(engine);
        const scorecards = await writeCase(project, data, cards, overrides);
        await project.run({ ...runOptions(project, data, overrides !== undefined), measureStrategy });
        const wh = await project.warehouse();
        rows.push(Object.fromEntries(await Promise.all(scorecards.map(async (s) => [s.id, await pipelineSnapshots(wh, s.id)] as const))));
      }
      const yaml = cards.map((c) => c.yaml).join('\n---\n');
      expect(rows[1], `seed ${seed}: range ≠ spine\n${yaml}`).toEqual(rows[0]);
    });
  }
});

// Regression: DuckDB's list_distinct does not keep the order, and the reasons of two score
// overrides once came out as 'Said; Migration'.
it.each(engines)('lists the reasons of score overrides sorted ($name)', async (engine) => {
  const project = await newProject(engine);
  await project.write('events/e.csv', csv([['account_id', 'event', 'timestamp', 'user_id', 'event_id'], ['a', 'login', '2025-01-01 10:00:00', null, null]]));
  await project.write('attributes.csv', csv([['account_id', 'attribute', 'value', 'observed_at']]));
  await project.write('definitions/s.yaml', `scorecard: s
bands: [{ label: red, from: 0 }, { label: green, from: 5 }]
measures: { x: { event: login, window: 1d } }
scores:
  - { id: a, measure: x, worst: 0, best: 1 }
  - { id: b, measure: x, worst: 0, best: 1 }
`);
  await project.write('overrides.csv', csv([OVERRIDE_COLUMNS,
    ['a', 's', 'a', 1, null, 'Migration', null, '2025-01-01', null],
    ['a', 's', 'b', 2, null, 'Said', null, '2025-01-01', null],
  ]));
  await project.run(runOptions(project, {}, true));
  const rows = await (await project.warehouse()).query(sql`select override_reason from health_snapshots`);
  expect(rows).toEqual([{ override_reason: 'Migration; Said' }]);
});
