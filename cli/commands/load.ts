import type { Command } from 'commander';
import { loadSources } from '../../pipeline/load/load-sources.ts';
import { print, progressBar } from '../output.ts';
import { readProject, withWarehouse, type GlobalOptions } from '../project-context.ts';

export function registerLoad(program: Command): void {
  program
    .command('load')
    .description('load new or changed source files into the raw tables (a file loaded before adds nothing)')
    .action(async (_options, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const { config, dialect } = await readProject(globals);
      const bar = progressBar(!globals.json);
      const summary = await withWarehouse(config, (wh) =>
        loadSources(wh.db, config, dialect, (done, total, file) => bar.update(done, total, file)),
      ).finally(() => bar.stop());
      print(globals.json, summary, () => [
        ...summary.loaded.map((f) => `${f.action} ${f.file} (${f.rows} rows)`),
        `${summary.loaded.length} file${summary.loaded.length === 1 ? '' : 's'} loaded, ${summary.unchanged} unchanged`,
      ]);
    });
}
