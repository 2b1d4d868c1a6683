import type { Command } from 'commander';
import { parseSpan } from '../dates.ts';
import { loadLines, print, progressBar } from '../output.ts';
import type { GlobalOptions } from '../project-context.ts';

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('the nightly job: load, materialise missing/changed/lookback days, export')
    .option('--date <day>', 'materialise this day (YYYY-MM-DD)')
    .option('--from <day>', 'first day to materialise')
    .option('--to <day>', 'last day to materialise')
    .option('--full-refresh', 'recompute every day of the span, done or not')
    .action(async (options: { date?: string; from?: string; to?: string; fullRefresh?: boolean }, command: Command) => {
      // Loaded on use, so that --help and init start fast.
      const { runPipeline } = await import('../../pipeline/run/run-pipeline.ts');
      const { readProject, withWarehouse } = await import('../project-context.ts');
      const { dataWarnings } = await import('../../pipeline/definitions/check-against-data.ts');
      const { printWarnings } = await import('../warnings.ts');
      const { readDataChecks } = await import('../../pipeline/load/data-checks.ts');
      const { dataCheckLines } = await import('../render/data-checks-text.ts');
      const globals = command.optsWithGlobals<GlobalOptions>();
      const span = parseSpan(options);
      const { config, scorecards, dialect } = await readProject(globals);
      const bar = progressBar(!globals.json);
      const started = Date.now();
      const summary = await withWarehouse(config, (wh) =>
        runPipeline(wh.db, config, scorecards, dialect, {
          span,
          fullRefresh: options.fullRefresh,
          progress: (event) => {
            if (event.kind === 'load') bar.update(event.done, event.total, `loading ${event.file}`);
            if (event.kind === 'materialise') bar.update(event.done, event.total, `${event.scorecard} ${event.span.from}…${event.span.to}`);
          },
        }).then(async (done) => ({ ...done, warnings: await dataWarnings(wh.db, dialect, scorecards, config), dataChecks: await readDataChecks(wh.db) })),
      ).finally(() => bar.stop());
      printWarnings(summary.warnings);
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      print(globals.json, summary, () => [
        ...loadLines(summary.load),
        ...dataCheckLines(summary.dataChecks),
        ...Object.entries(summary.materialised).map(([id, spans]) =>
          spans.length
            ? `${id}: materialised ${spans.map((s) => (s.from === s.to ? s.from : `${s.from}…${s.to}`)).join(', ')}`
            : `${id}: up to date`,
        ),
        ...(summary.daysRemoved ? [`${summary.daysRemoved} scorecard-day(s) removed: outside the days the data covers, or of a scorecard that no longer exists`] : []),
        `${summary.daysMaterialised} scorecard-day(s) materialised, ${summary.exportedFiles} export file(s) written in ${seconds}s `
          + `(load ${summary.seconds.load.toFixed(1)}s, score ${summary.seconds.materialise.toFixed(1)}s, export ${summary.seconds.export.toFixed(1)}s)`,
      ]);
    });
}
