import type { Command } from 'commander';
import { parseDay } from '../dates.ts';
import { print } from '../output.ts';
import type { GlobalOptions } from '../project-context.ts';

export function registerPreview(program: Command): void {
  program
    .command('preview')
    .argument('<target>', 'SCORECARD for the global score, or SCORECARD.SCORE')
    .description('distribution of a score across accounts on one day, with the definition as it is now: histogram, bands, min/median/max')
    .option('--date <day>', 'the day (default: the last day with events)')
    .action(async (target: string, options: { date?: string }, command: Command) => {
      // Loaded on use, so that --help and init start fast.
      const { previewScore } = await import('../../pipeline/inspect/preview.ts');
      const { previewText } = await import('../render/preview-text.ts');
      const { readProject, withWarehouse, chooseScorecard } = await import('../project-context.ts');
      const globals = command.optsWithGlobals<GlobalOptions>();
      const date = parseDay('--date', options.date);
      const { config, scorecards, dialect } = await readProject(globals);
      // The longest scorecard id that prefixes the target names the scorecard; the rest is the score.
      const scorecard =
        [...scorecards].sort((a, b) => b.id.length - a.id.length).find((s) => target === s.id || target.startsWith(`${s.id}.`)) ??
        chooseScorecard(scorecards, target.split('.')[0]);
      const scoreId = target === scorecard.id ? null : target.slice(scorecard.id.length + 1);
      const preview = await withWarehouse(config, (wh) => previewScore(wh.db, config, dialect, scorecard, scoreId, date));
      print(globals.json, preview, () => previewText(preview));
    });
}
