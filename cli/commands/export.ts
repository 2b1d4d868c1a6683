import type { Command } from 'commander';
import { print } from '../output.ts';
import type { GlobalOptions } from '../project-context.ts';
import { UsageError } from '../../pipeline/errors.ts';

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('write every snapshot partition as Parquet and/or Arrow IPC files')
    .option('--format <format>', 'parquet or arrow (default: the formats in healthscore.yaml)')
    .action(async (options: { format?: string }, command: Command) => {
      // Loaded on use, so that --help and init start fast.
      const { exportTables } = await import('../../pipeline/export/export-tables.ts');
      const { readProject, withWarehouse } = await import('../project-context.ts');
      const globals = command.optsWithGlobals<GlobalOptions>();
      if (options.format !== undefined && options.format !== 'parquet' && options.format !== 'arrow') {
        throw new UsageError(`--format must be parquet or arrow, not "${options.format}"`);
      }
      const { config, dialect } = await readProject(globals);
      const formats = options.format ? [options.format as 'parquet' | 'arrow'] : config.export.formats;
      const files = await withWarehouse(config, (wh) => exportTables(wh, dialect, { ...config.export, formats, duckdb: config }));
      print(globals.json, { path: config.export.path, formats, files }, () => [
        `${files} partition file(s) written to ${config.export.path} (${formats.join(', ')})`,
      ]);
    });
}
