import type { Kysely } from 'kysely';
import type { CompiledBatch } from '../compile/compile-scorecard.ts';

/** Runs a compiled batch: temp models first, then the swap of the batch's days inside one
 *  transaction, so a failure at any point leaves the earlier snapshots as they were and
 *  a re-run converges. */
export async function materialiseBatch(
  db: Kysely<any>,
  batch: CompiledBatch,
  /** Records the days as done, in the same transaction (pipeline/state/run-log.ts). */
  record?: (trx: Kysely<any>) => Promise<void>,
): Promise<void> {
  for (const step of batch.prepare) await runStep(db, step.name, step.statement);
  await db.transaction().execute(async (trx) => {
    for (const step of batch.replace) await runStep(trx, step.name, step.statement);
    await record?.(trx);
  });
}

export async function runStep(db: Kysely<any>, name: string, statement: { execute(db: Kysely<any>): Promise<unknown> }) {
  try {
    await statement.execute(db);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`step ${name} failed: ${reason}`);
  }
}
