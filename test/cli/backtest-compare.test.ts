// backtest --compare takes another definition of the same scorecard: a folder whose
// scorecard has another id is refused (exit 2) before anything is loaded or scored.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runBacktest } from '../../pipeline/backtest/run-backtest.ts';
import { duckdb } from '../../pipeline/sql/dialects/duckdb.ts';
import { loadScorecards } from '../../pipeline/definitions/load-scorecards.ts';
import { loadProject } from '../../pipeline/project/load-project.ts';
import { openWarehouse } from '../../pipeline/engine/warehouse.ts';
import { UsageError } from '../../pipeline/errors.ts';
import { hs, type TempDir } from './helpers.ts';
import { TINY_SCORECARD, tinyProject } from './tiny-project.ts';

let tmp: TempDir & { project: string };
beforeAll(async () => {
  tmp = await tinyProject({
    'other/renamed.yaml': TINY_SCORECARD.replace('scorecard: health', 'scorecard: wellbeing'),
    'empty/readme.txt': 'no definitions here\n',
  });
});
afterAll(() => tmp.cleanup());

it('refuses a folder whose only scorecard has another id, with one sentence and exit 2', async () => {
  const r = await hs(['backtest', '--project', tmp.project, '--compare', join(tmp.project, 'other')]);
  expect(r.code).toBe(2);
  expect(r.stderr).toBe(
    `healthscore: ${join(tmp.project, 'other')} has no scorecard "health" to compare with (it has "wellbeing"): --compare takes another definition of the same scorecard\n`,
  );
  expect(existsSync(join(tmp.project, 'warehouse.duckdb'))).toBe(false);
});

it('refuses a folder without scorecards the same way', async () => {
  const r = await hs(['backtest', '--project', tmp.project, '--compare', join(tmp.project, 'empty')]);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('has no scorecard "health" to compare with (it has no scorecard)');
});

it('runBacktest itself refuses a comparison of two scorecards', async () => {
  const config = await loadProject(tmp.project);
  const scorecards = await loadScorecards(config.definitions, config.root);
  const [other] = await loadScorecards(join(tmp.project, 'other'), config.root);
  const wh = await openWarehouse({ path: ':memory:' });
  try {
    const run = runBacktest(wh.db, { config, scorecards, dialect: duckdb }, scorecards[0]!, { horizon: 30, step: 7 }, { compare: { scorecard: other!, definitions: 'other' } });
    await expect(run).rejects.toThrow(UsageError);
    await expect(run).rejects.toThrow('other has no scorecard "health" to compare with (it has "wellbeing")');
  } finally {
    await wh.close();
  }
});
