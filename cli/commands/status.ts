import type { Command } from 'commander';
import { print } from '../output.ts';
import type { GlobalOptions } from '../project-context.ts';

interface VersionDays {
  scorecard: string;
  definition_version: string;
  days: number;
  first: string;
  last: string;
}

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('which days are materialised per scorecard, under which definition version; the last run')
    .action(async (_options, command: Command) => {
      // Loaded on use, so that --help and init start fast.
      const { sql } = await import('kysely');
      const { readProject, withWarehouse } = await import('../project-context.ts');
      const globals = command.optsWithGlobals<GlobalOptions>();
      const { config, scorecards } = await readProject(globals);
      const { versions, runs } = await withWarehouse(config, async (wh) => ({
        versions: await wh.query<VersionDays>(sql`
          select scorecard, definition_version, count(*) as days, min(snapshot_date) as first, max(snapshot_date) as last
          from run_log group by scorecard, definition_version order by scorecard, first`),
        runs: await wh.query<{ run_id: string; started_at: string; finished_at: string | null; status: string; days_materialised: number | null; message: string | null }>(
          sql`select * from runs order by started_at desc limit 1`,
        ),
      }), { readOnly: true, missingAsEmpty: true });
      const result = {
        scorecards: scorecards.map((s) => ({
          id: s.id,
          file: s.file,
          version: s.version,
          versions: versions.filter((v) => v.scorecard === s.id).map((v) => ({ ...v, current: v.definition_version === s.version })),
        })),
        lastRun: runs[0] ?? null,
      };
      print(globals.json, result, () => [
        ...result.scorecards.flatMap((s) => [
          `${s.id} (${s.file}), current version ${s.version}`,
          ...(s.versions.length
            ? s.versions.map((v) => `  ${v.days} day(s) ${v.first} … ${v.last} under ${v.definition_version}${v.current ? ' (current)' : ' (outdated: recomputed on the next run)'}`)
            : ['  nothing materialised yet']),
        ]),
        result.lastRun
          ? `last run ${result.lastRun.started_at}: ${result.lastRun.status}, ${result.lastRun.days_materialised ?? 0} scorecard-day(s)${result.lastRun.message ? ` (${result.lastRun.message})` : ''}`
          : 'no run yet',
      ]);
    });
}
