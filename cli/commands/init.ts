import { cp, mkdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { print } from '../output.ts';
import { PACKAGE_ROOT } from '../package-root.ts';
import type { GlobalOptions } from '../project-context.ts';
import { UsageError } from '../../pipeline/errors.ts';

/** The package root is itself the demo project; `init` copies it (config, starter
 *  scorecards, sample data, not the generator). */
const TEMPLATE = PACKAGE_ROOT;

export function registerInit(program: Command): void {
  program
    .command('init [dir]')
    .description('create a new project with sample data and a starter scorecard')
    .action(async (dir: string | undefined, _options, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const target = resolve(dir ?? globals.project);
      if (await exists(join(target, 'healthscore.yaml'))) {
        throw new UsageError(`${target} already has a healthscore.yaml`);
      }
      await mkdir(target, { recursive: true });
      await cp(join(TEMPLATE, 'healthscore.yaml'), join(target, 'healthscore.yaml'));
      await cp(join(TEMPLATE, 'definitions'), join(target, 'definitions'), { recursive: true });
      await cp(join(TEMPLATE, 'data'), join(target, 'data'), {
        recursive: true,
        filter: (source) => !source.endsWith('.ts'),
      });
      // `npx healthscore` finds the bin only inside the clone (elsewhere it asks the registry),
      // so the hint repeats npx only to those who used it (npm sets npm_command for npx).
      const healthscore = process.env['npm_command'] === 'exec' ? 'npx healthscore' : 'healthscore';
      print(globals.json, { project: target }, () => [
        `created ${target}`,
        `next: ${healthscore} run --project ${target}`,
      ]);
    });
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
