import type { Command } from 'commander';
import { parseDay } from '../dates.ts';
import { print } from '../output.ts';
import type { GlobalOptions } from '../project-context.ts';

export function registerCompile(program: Command): void {
  program
    .command('compile')
    .description('print the SQL the definitions compile to, for one snapshot day')
    .option('--scorecard <id>', 'only this scorecard')
    .option('--date <day>', 'the snapshot day to compile for (default: today)')
    .action(async (options: { scorecard?: string; date?: string }, command: Command) => {
      // Loaded on use, so that --help and init start fast.
      const { compileScorecard } = await import('../../pipeline/compile/compile-scorecard.ts');
      const { statementText } = await import('../../pipeline/sql/sql-text.ts');
      const { readProject, chooseScorecard } = await import('../project-context.ts');
      const globals = command.optsWithGlobals<GlobalOptions>();
      const { config, scorecards, dialect } = await readProject(globals);
      // Today in the project timezone (en-CA formats dates as YYYY-MM-DD).
      const day = parseDay('--date', options.date) ?? new Intl.DateTimeFormat('en-CA', { timeZone: config.timezone }).format(new Date());
      const chosen = options.scorecard ? [chooseScorecard(scorecards, options.scorecard)] : scorecards;
      const compiled = chosen.map((scorecard) => {
        const batch = compileScorecard(scorecard, config, dialect, { from: day, to: day, firstDataDay: day });
        return {
          scorecard: scorecard.id,
          version: scorecard.version,
          steps: [...batch.prepare, ...batch.replace].map((step) => ({ name: step.name, sql: statementText(step.statement) })),
        };
      });
      print(globals.json, compiled, () =>
        compiled.flatMap((c) => [
          `-- scorecard ${c.scorecard} (version ${c.version}), snapshot day ${day}`,
          ...c.steps.flatMap((s) => [`-- ${s.name}`, `${s.sql};`, '']),
        ]),
      );
    });
}
