import type { Command } from 'commander';
import { parseDay, parseDays } from '../dates.ts';
import { print, progressBar } from '../output.ts';
import type { GlobalOptions } from '../project-context.ts';

interface BacktestOptions {
  scorecard?: string;
  horizon: string;
  step: string;
  from?: string;
  to?: string;
  compare?: string;
  report?: string;
}

export function registerBacktest(program: Command): void {
  program
    .command('backtest')
    .description('how well the scores predicted churn: AUC, churn rate per band, lift and recall of the worst band')
    .option('--scorecard <id>', 'the scorecard (needed when the project has several)')
    .option('--horizon <days>', 'an account counts as a churner when it churns within this many days after T', '30d')
    .option('--step <days>', 'days between evaluation days', '7d')
    .option('--from <day>', 'first evaluation day (default: the first scoring day)')
    .option('--to <day>', 'last evaluation day (default: the last day whose horizon the data covers)')
    .option('--compare <dir>', 'a second definitions folder, scored on the same samples')
    .option('--report <file.html>', 'also write a self-contained HTML report with charts')
    .action(async (options: BacktestOptions, command: Command) => {
      // Loaded on use, so that --help and init start fast.
      const { resolve, relative } = await import('node:path');
      const { runBacktest } = await import('../../pipeline/backtest/run-backtest.ts');
      const { loadScorecards } = await import('../../pipeline/definitions/load-scorecards.ts');
      const { comparisonFor } = await import('../../pipeline/backtest/compare-definition.ts');
      const { backtestText } = await import('../render/backtest-text.ts');
      const { readProject, withWarehouse, chooseScorecard } = await import('../project-context.ts');
      const globals = command.optsWithGlobals<GlobalOptions>();
      const range = {
        horizon: parseDays('--horizon', options.horizon),
        step: parseDays('--step', options.step),
        from: parseDay('--from', options.from),
        to: parseDay('--to', options.to),
      };
      const project = await readProject(globals);
      const { config, scorecards } = project;
      const scorecard = chooseScorecard(scorecards, options.scorecard);
      let compare: { scorecard: import('../../pipeline/ir/types.ts').Scorecard; definitions: string } | undefined;
      if (options.compare) {
        const dir = resolve(options.compare);
        const chosen = comparisonFor(scorecard, await loadScorecards(dir, config.root), options.compare);
        compare = { scorecard: chosen, definitions: relative(process.cwd(), dir) || '.' };
      }
      const bar = progressBar(!globals.json);
      const run = await withWarehouse(config, (wh) =>
        runBacktest(wh.db, project, scorecard, range, {
          ...(compare && { compare }),
          progress: (event) => {
            if (event.kind === 'materialise') bar.update(event.done, event.total, `materialising ${event.scorecard} ${event.span.from}…${event.span.to}`);
          },
        }),
      ).finally(() => bar.stop());
      if (options.report) {
        const { writeFile } = await import('node:fs/promises');
        const { backtestReport } = await import('../../pipeline/backtest/report/html-report.ts');
        await writeFile(options.report, backtestReport(run, { scorecard, compare: compare?.scorecard }));
      }
      print(globals.json, run.result, () => [
        ...backtestText(run.result),
        ...(run.materialised ? [`(${run.materialised} missing scorecard-day(s) were materialised first)`] : []),
        ...(options.report ? [`report written to ${options.report}`] : []),
      ]);
    });
}
