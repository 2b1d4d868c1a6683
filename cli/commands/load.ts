import type { Command } from 'commander';
import { loadLines, print, progressBar } from '../output.ts';
import type { GlobalOptions } from '../project-context.ts';

export function registerLoad(program: Command): void {
  program
    .command('load')
    .description('load new or changed source files into the raw tables (a file loaded before adds nothing)')
    .action(async (_options, command: Command) => {
      // Loaded on use, so that --help and init start fast.
      const { loadSources } = await import('../../pipeline/load/load-sources.ts');
      const { readDataChecks } = await import('../../pipeline/load/data-checks.ts');
      const { dataCheckLines } = await import('../render/data-checks-text.ts');
      const { readProject, withWarehouse } = await import('../project-context.ts');
      const globals = command.optsWithGlobals<GlobalOptions>();
      const { config, scorecards, dialect } = await readProject(globals);
      const bar = progressBar(!globals.json);
      const summary = await withWarehouse(config, (wh) =>
        loadSources(wh.db, config, dialect, { scorecards, onFile: (done, total, file) => bar.update(done, total, file) })
          .then(async (loaded) => ({ ...loaded, dataChecks: await readDataChecks(wh.db) })),
      ).finally(() => bar.stop());
      print(globals.json, summary, () => [...loadLines(summary), ...dataCheckLines(summary.dataChecks)]);
    });
}
