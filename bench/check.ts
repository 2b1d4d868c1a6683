import { DuckDBInstance } from '@duckdb/node-api';
import { HANDWRITTEN_TABLE } from './baselines.ts';

export interface CheckResult {
  health: Record<string, number | null>;
  scores: Record<string, number | string | null>[];
}

const q = (path: string) => `'${path.replaceAll("'", "''")}'`;
const plain = (row: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])) as Record<string, number | string | null>;

/** Our health_snapshots and score_snapshots (healthscore's warehouse after the backfill)
 *  against the hand-written script's table (its DuckDB file), both opened read-only. */
export async function checkAgainstScript(ours: string, script: string): Promise<CheckResult> {
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  try {
    await con.run(`attach ${q(ours)} as o (read_only)`);
    await con.run(`attach ${q(script)} as hw (read_only)`);
    const hw = `hw.main.${HANDWRITTEN_TABLE}`;
    const rows = async (text: string) => (await con.runAndReadAll(text)).getRowObjects().map(plain);
    const [health] = await rows(`
      select (select count(*) from o.main.health_snapshots) as ours,
             (select count(*) from ${hw}) as handwritten,
             count(*) as matched,
             max(abs(o.score - h.score)) as max_abs_score_diff,
             count(*) filter (where o.score is distinct from h.score) as score_diffs,
             count(*) filter (where o.band is distinct from h.band) as band_diffs,
             count(*) filter (where o.insights is distinct from h.insights) as insight_diffs
      from o.main.health_snapshots o join ${hw} h using (snapshot_date, account_id)`);
    const scores = await rows(`
      with ours as (select snapshot_date, account_id, score_id, score from o.main.score_snapshots),
      theirs as (from (select snapshot_date, account_id, login_frequency, active_days, seat_coverage,
                              support_load, nps, csm_sentiment, login_trend from ${hw})
                 unpivot include nulls (score for score_id in (login_frequency, active_days, seat_coverage,
                                                               support_load, nps, csm_sentiment, login_trend)))
      select score_id, count(*) as rows, count(o.score) as ours_present, count(t.score) as handwritten_present,
             count(*) filter (where o.score is distinct from t.score) as diffs,
             max(abs(o.score - t.score)) as max_abs_diff
      from ours o left join theirs t using (snapshot_date, account_id, score_id)
      group by score_id order by score_id`);
    return { health: health as Record<string, number | null>, scores };
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}
