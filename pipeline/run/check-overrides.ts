import { sql, type Kysely } from 'kysely';
import type { Scorecard } from '../ir/types.ts';
import { InputDataError } from '../load/input-data-error.ts';
import { firstPathOf } from '../state/ledger.ts';

interface OverrideRow {
  source_file: string;
  source_line: number;
  scorecard: string;
  score_id: string | null;
  score: number | null;
  band: string | null;
}

/** An override must name a scorecard, score and band that exist, with a score on the
 *  scale: a typo must not silently override nothing. The overrides file is small and
 *  hand-written, so its rows are checked here rather than in SQL. */
export async function checkOverrides(db: Kysely<any>, scorecards: Scorecard[]): Promise<void> {
  const { rows } = await sql<OverrideRow>`
    select ${firstPathOf(sql`'overrides'`, sql.ref('o.file_key'))} as source_file, o.source_line, o.scorecard, o.score_id, o.score, o.band
    from raw_overrides o order by 1, 2`.execute(db);
  const byId = new Map(scorecards.map((s) => [s.id, s]));
  for (const row of rows) {
    const fail = (field: string, problem: string) => {
      throw new InputDataError(row.source_file, row.source_line, field, problem);
    };
    const scorecard = byId.get(row.scorecard);
    if (!scorecard) return fail('scorecard', `no scorecard "${row.scorecard}" (there are: ${[...byId.keys()].join(', ')})`);
    const score = row.score_id === null ? undefined : scorecard.scores.find((s) => s.id === row.score_id);
    if (row.score_id !== null && !score) return fail('score_id', `scorecard ${scorecard.id} has no score "${row.score_id}"`);
    const bands = score?.bands ?? scorecard.bands;
    if (row.band !== null && !bands.some((b) => b.label === row.band)) {
      return fail('band', `"${row.band}" is not one of the bands ${bands.map((b) => b.label).join(', ')}`);
    }
    if (row.score !== null && (row.score < 0 || row.score > scorecard.scale)) {
      return fail('score', `${row.score} is outside the scale 0…${scorecard.scale}`);
    }
  }
}
