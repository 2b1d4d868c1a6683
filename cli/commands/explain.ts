import type { Command } from 'commander';
import { parseDay } from '../dates.ts';
import { print } from '../output.ts';
import type { GlobalOptions } from '../project-context.ts';
import { UsageError } from '../../pipeline/errors.ts';

interface ExplainOptions {
  date?: string;
  since?: string;
  scorecard?: string;
}

export function registerExplain(program: Command): void {
  program
    .command('explain')
    .argument('<account>', 'the account id')
    .description("why an account has its score: each score's value, band, weight and contribution; insights; override")
    .option('--date <day>', 'the snapshot day (default: the last materialised day)')
    .option('--since <day>', 'also show what changed since this day, biggest contributions first')
    .option('--scorecard <id>', 'only this scorecard (default: every scorecard that scored the account)')
    .action(async (account: string, options: ExplainOptions, command: Command) => {
      // Loaded on use, so that --help and init start fast.
      const { explainAccount } = await import('../../pipeline/inspect/explain.ts');
      const { explainText } = await import('../render/explain-text.ts');
      const { readProject, withWarehouse, chooseScorecard } = await import('../project-context.ts');
      const globals = command.optsWithGlobals<GlobalOptions>();
      const dates = { date: parseDay('--date', options.date), since: parseDay('--since', options.since) };
      const { config, scorecards, dialect } = await readProject(globals);
      const chosen = options.scorecard ? [chooseScorecard(scorecards, options.scorecard)] : scorecards;
      const explained = await withWarehouse(config, async (wh) => {
        const found = [];
        const problems: string[] = [];
        for (const scorecard of chosen) {
          try {
            found.push(await explainAccount(wh.db, scorecard, account, { ...dates, churn: config.sources.churn, dialect }));
          } catch (error) {
            // With several scorecards, one that did not score the account is not an error.
            if (!(error instanceof UsageError) || chosen.length === 1) throw error;
            problems.push(error.message);
          }
        }
        if (found.length === 0) throw new UsageError(`no scorecard has a snapshot of account ${account}: ${problems.join('; ')}`);
        return found;
      }, { readOnly: true });
      print(globals.json, { account_id: account, scorecards: explained }, () => explained.flatMap((e, i) => [...(i ? [''] : []), ...explainText(e)]));
    });
}
