import { sql, type Kysely } from 'kysely';
import type { SqlDialect } from '../sql/dialects/dialect.ts';
import { UsageError } from '../errors.ts';
import { loadForScoring } from '../run/run-pipeline.ts';
import { scoreIntoScratch, withScratchTables } from '../run/scratch.ts';
import type { Band, ProjectConfig, Scorecard } from '../ir/types.ts';

export interface Preview {
  scorecard: string;
  /** null: the global score. */
  score: string | null;
  date: string;
  definition_version: string;
  /** Accounts with a row (for a score: in its segment), and those of them without a score. */
  accounts: number;
  missing: number;
  min: number | null;
  median: number | null;
  max: number | null;
  /** A score's measure values, to place worst and best; null for the global score. */
  raw: { min: number | null; p10: number | null; p25: number | null; median: number | null; p75: number | null; p90: number | null; max: number | null } | null;
  /** Worst band first. */
  bands: { band: string; accounts: number; share: number | null }[];
  /** Accounts per tenth of the scale. */
  histogram: { from: number; to: number; accounts: number }[];
}

const SCRATCH = { scores: 'hs_preview_scores', health: 'hs_preview_health' };

/** The distribution of a score (or the global score) across accounts on one day, computed
 *  with the definition as it is in the file now — in scratch tables, so nothing
 *  materialised changes and a user can tune worst/best/bands before committing. */
export async function previewScore(
  db: Kysely<any>,
  config: ProjectConfig,
  dialect: SqlDialect,
  scorecard: Scorecard,
  scoreId: string | null,
  date: string | undefined,
): Promise<Preview> {
  const score = scoreId === null ? undefined : scorecard.scores.find((s) => s.id === scoreId);
  if (scoreId !== null && !score) {
    throw new UsageError(`scorecard ${scorecard.id} has no score "${scoreId}" (there are: ${scorecard.scores.map((s) => s.id).join(', ')})`);
  }
  const bounds = await loadForScoring(db, config, dialect);
  const day = date ?? bounds.last;
  if (day < bounds.first || day > bounds.last) throw new UsageError(`the data covers ${bounds.first} … ${bounds.last}; ${day} is outside it`);

  return withScratchTables(db, dialect, SCRATCH, async () => {
    await scoreIntoScratch(db, config, dialect, scorecard, { keep: [day], firstDataDay: bounds.firstData }, SCRATCH);
    const rows = score
      ? sql`select score, band, raw_value from ${sql.table(SCRATCH.scores)} where score_id = ${score.id}`
      : sql`select score, band, cast(null as double precision) as raw_value from ${sql.table(SCRATCH.health)}`;
    const [stats] = (
      await sql<Omit<Preview, 'scorecard' | 'score' | 'date' | 'definition_version' | 'bands' | 'histogram' | 'raw'> & { raw: number[] | null }>`
        select cast(count(*) as integer) as accounts, cast(count(*) - count(score) as integer) as missing,
          min(score) as min, (${dialect.quantiles(sql`score`, [0.5])})[1] as median, max(score) as max,
          ${dialect.quantiles(sql`raw_value`, [0, 0.1, 0.25, 0.5, 0.75, 0.9, 1])} as raw
        from (${rows}) r`.execute(db)
    ).rows;
    const width = scorecard.scale / 10;
    const { rows: bins } = await sql<{ bin: number; accounts: number }>`
      select least(floor(score / ${width}), 9) as bin, cast(count(*) as integer) as accounts from (${rows}) r where score is not null group by 1`.execute(db);
    const { rows: bandRows } = await sql<{ band: string; accounts: number }>`
      select band, cast(count(*) as integer) as accounts from (${rows}) r where score is not null group by band`.execute(db);
    const scored = stats!.accounts - stats!.missing;
    const bands: Band[] = score?.bands ?? scorecard.bands;
    const raw = stats!.raw;
    return {
      scorecard: scorecard.id,
      score: score?.id ?? null,
      date: day,
      definition_version: scorecard.version,
      accounts: stats!.accounts,
      missing: stats!.missing,
      min: stats!.min,
      median: stats!.median,
      max: stats!.max,
      raw: score && raw ? { min: raw[0]!, p10: raw[1]!, p25: raw[2]!, median: raw[3]!, p75: raw[4]!, p90: raw[5]!, max: raw[6]! } : null,
      bands: [...bands].map(({ label }) => {
        const accounts = bandRows.find((b) => b.band === label)?.accounts ?? 0;
        return { band: label, accounts, share: scored ? accounts / scored : null };
      }),
      histogram: Array.from({ length: 10 }, (_, bin) => ({
        from: bin * width,
        to: (bin + 1) * width,
        accounts: bins.find((b) => b.bin === bin)?.accounts ?? 0,
      })),
    };
  });
}
