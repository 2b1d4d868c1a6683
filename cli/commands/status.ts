import type { Command } from 'commander';
import { byTable, dayRange, print } from '../output.ts';
import type { GlobalOptions } from '../project-context.ts';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('what is materialised per scorecard and under which definition, what the next run will do and why, the last run')
    .action(async (_options, command: Command) => {
      // Loaded on use, so that --help and init start fast.
      const { readProject, withWarehouse } = await import('../project-context.ts');
      const { projectStatus } = await import('../../pipeline/state/project-status.ts');
      const { dataCheckLines } = await import('../render/data-checks-text.ts');
      const globals = command.optsWithGlobals<GlobalOptions>();
      const { config, scorecards, dialect } = await readProject(globals);
      const status = await withWarehouse(config, (wh) => projectStatus(wh.db, dialect, config, scorecards), { readOnly: true, missingAsEmpty: true });
      print(globals.json, status, () => {
        const range = (v: { days: number; first: string; last: string }) => `${v.days} day(s) ${v.first === v.last ? v.first : `${v.first} … ${v.last}`}`;
        const pending = [
          ...status.files.filter((f) => !f.table).map((f) => `  ${f.change} ${f.source} file ${f.file}`),
          ...byTable(status.files, (f) => f.change).map((g) => `  ${g.key} ${g.entries[0]!.source} rows in table ${g.table}: ${dayRange(g.entries)}`),
          ...status.stale.map((p) => `  ${p.scorecard}: ${range(p)} to compute again (${p.reason})`),
          ...(status.exportOwed ? [`  export: ${status.exportOwed}`] : []),
        ];
        return [
          ...status.scorecards.flatMap((s) => [
            `${s.id} (${s.file}), current version ${s.version}`,
            ...(s.versions.length
              ? s.versions.map((v) => `  ${range(v)} under ${v.definition_version}${v.current ? ' (current)' : ' (outdated: recomputed on the next run)'}`)
              : ['  nothing materialised yet']),
          ]),
          ...(pending.length ? ['pending for the next run:', ...pending] : ['nothing pending: the next run only adds new days and the lookback']),
          ...dataCheckLines(status.dataChecks),
          // A table's rows have no line (0).
          ...status.rejected.map((r) => `${r.rows} rejected row(s) in ${r.file} (${r.source})${r.first_line ? `, first at line ${r.first_line}` : ''}: ${r.column} ${r.reason}`),
          status.lastRun
            ? `last run ${status.lastRun.started_at}: ${status.lastRun.status}, ${status.lastRun.days_materialised ?? 0} scorecard-day(s)${status.lastRun.message ? ` (${status.lastRun.message})` : ''}`
            : 'no run yet',
        ];
      });
    });
}
