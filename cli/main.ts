import { Command, CommanderError } from 'commander';
import { UsageError, ValidationError, formatProblem } from '../pipeline/errors.ts';
import { registerCompile } from './commands/compile.ts';
import { registerExport } from './commands/export.ts';
import { registerInit } from './commands/init.ts';
import { registerLoad } from './commands/load.ts';
import { registerRun } from './commands/run.ts';
import { registerStatus } from './commands/status.ts';
import { registerValidate } from './commands/validate.ts';
import { registerBacktest } from './commands/backtest.ts';
import { registerPreview } from './commands/preview.ts';
import { registerExplain } from './commands/explain.ts';
import { packageVersion } from './package-root.ts';


export function buildProgram(): Command {
  const program = new Command('healthscore')
    .description('Customer-health scores from YAML scorecards, computed in DuckDB or PostgreSQL')
    .version(packageVersion())
    .option('--project <dir>', 'project folder (holds healthscore.yaml)', '.')
    .option('--json', 'print the result as JSON')
    .option('--verbose', 'show stack traces on errors')
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, 'healthscore: ')) })
    .showHelpAfterError(false);
  for (const register of [registerInit, registerValidate, registerLoad, registerCompile, registerRun, registerStatus, registerExport, registerPreview, registerExplain, registerBacktest]) {
    register(program);
  }
  for (const command of program.commands) command.exitOverride();
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    return report(error, argv.includes('--verbose'), argv.includes('--json'));
  }
}

function report(error: unknown, verbose: boolean, json: boolean): number {
  if (error instanceof CommanderError) {
    // Commander already printed its message (or the help text).
    return error.exitCode === 0 ? 0 : 2;
  }
  if (error instanceof ValidationError) {
    // Scripts get the problems as data on stdout; people get them as lines on stderr.
    if (json) process.stdout.write(JSON.stringify({ valid: false, problems: error.problems }, null, 2) + '\n');
    for (const problem of error.problems) process.stderr.write(formatProblem(problem) + '\n');
    const count = error.problems.length;
    process.stderr.write(`healthscore: ${count} problem${count === 1 ? '' : 's'} found\n`);
    return 2;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`healthscore: ${verbose ? (error as Error).stack ?? message : firstLine(message)}\n`);
  return error instanceof UsageError ? 2 : 1;
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}

// `healthscore … | head` closes the pipe early: that is the reader's choice, not a failure.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
process.exitCode = await main(process.argv);
