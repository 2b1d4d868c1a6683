import { sql, type Kysely } from 'kysely';
import { compileScratch, type ScratchTables } from '../compile/compile-scorecard.ts';
import type { SqlDialect } from '../sql/dialects/dialect.ts';
import { daysBetween } from '../days.ts';
import type { ProjectConfig, Scorecard } from '../ir/types.ts';
import { runStep } from './materialise.ts';
import { MAX_BATCH_DAYS } from './plan-days.ts';

/** Runs `work` with empty temp tables shaped like score_snapshots and health_snapshots,
 *  and drops them afterwards, whatever happens. */
export async function withScratchTables<T>(db: Kysely<any>, dialect: SqlDialect, into: ScratchTables, work: () => Promise<T>): Promise<T> {
  try {
    const empty = [
      ...dialect.replaceTempTable(into.scores, sql`select * from score_snapshots limit 0`),
      ...dialect.replaceTempTable(into.health, sql`select * from health_snapshots limit 0`),
    ];
    for (const statement of empty) await statement.execute(db);
    return await work();
  } finally {
    for (const table of [into.scores, into.health]) await sql`drop table if exists ${sql.table(table)}`.execute(db);
  }
}

/** Scores `scorecard` on the given days (sorted) into scratch tables: for `preview` and
 *  `backtest --compare`, which must not change what is materialised. Batches are no
 *  longer than a run's. */
export async function scoreIntoScratch(
  db: Kysely<any>,
  config: ProjectConfig,
  dialect: SqlDialect,
  scorecard: Scorecard,
  days: { keep: string[]; firstDataDay: string },
  into: ScratchTables,
): Promise<void> {
  const { keep, firstDataDay } = days;
  for (let i = 0; i < keep.length; ) {
    let j = i;
    while (j + 1 < keep.length && daysBetween(keep[i]!, keep[j + 1]!) < MAX_BATCH_DAYS) j++;
    const batch = keep.slice(i, j + 1);
    const steps = compileScratch(scorecard, config, dialect, { from: batch[0]!, to: batch[batch.length - 1]!, firstDataDay, keep: batch }, into);
    for (const step of steps) await runStep(db, `scratch ${step.name}`, step.statement);
    i = j + 1;
  }
}
