import type { Command } from 'commander';
import { print } from '../output.ts';
import type { GlobalOptions } from '../project-context.ts';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check healthscore.yaml and every definition; report every problem at once; warn about names the loaded data never has')
    .action(async (_options, command: Command) => {
      // Loaded on use, so that --help and init start fast.
      const { readProject } = await import('../project-context.ts');
      const { printWarnings, warehouseDataWarnings } = await import('../warnings.ts');
      const globals = command.optsWithGlobals<GlobalOptions>();
      const { config, scorecards } = await readProject(globals);
      const warnings = await warehouseDataWarnings(config, scorecards);
      printWarnings(warnings);
      print(globals.json, { valid: true, scorecards: scorecards.map((s) => ({ id: s.id, file: s.file, version: s.version })), warnings }, () => [
        `ok: ${scorecards.length} scorecard${scorecards.length === 1 ? '' : 's'} (${scorecards.map((s) => s.id).join(', ')})`,
      ]);
    });
}
