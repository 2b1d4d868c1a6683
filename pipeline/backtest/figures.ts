import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Band } from '../ir/types.ts';
import { VALUES, type Side } from './samples.ts';

export interface BandFigures {
  band: string;
  samples: number;
  churners: number;
  /** null for a band with no samples. */
  churn_rate: number | null;
}

/** How well one score (or the global score) ranked churners below the others. */
export interface Figures {
  /** Chance that a churner scores lower than a non-churner, ties counting half; null
   *  without both churners and non-churners. */
  auc: number | null;
  /** Hanley–McNeil 95% interval, which treats samples as independent (they are not
   *  quite: one account appears on several days), so read it as a lower bound on doubt. */
  auc_ci95: [number, number] | null;
  samples: number;
  churners: number;
  missing_scores: number;
  /** Worst band first. */
  bands: BandFigures[];
  /** Churn rate of the worst band / the overall churn rate. */
  worst_band_lift: number | null;
  /** Share of the churners that the worst band holds. */
  worst_band_recall: number | null;
}

export interface Curves {
  /** ROC of the global score: flag an account when its score ≤ threshold. */
  roc: { threshold: number; fpr: number; tpr: number }[];
  /** Share of churners and of the others per tenth of the scale. */
  histogram: { from: number; to: number; churners: number; others: number }[];
}

/** Every side's figures, per subject ('' = global), from `hs_bt_values` in a handful of
 *  grouped queries: only counts come back to JavaScript. (The same SQL on every engine:
 *  counts come back as integers, ratios are divisions of doubles.) */
export async function computeFigures(db: Kysely<any>, bandsOf: (side: Side, subject: string) => Band[]) {
  const values = sql.table(VALUES);
  // AUC by Mann–Whitney on the distinct scores: each churner wins against every
  // non-churner scoring strictly higher, and half-wins the ties.
  const { rows: ranks } = await sql<{ side: Side; subject: string; samples: number; churners: number; wins: number | null }>`
    with g as (
      select side, subject, score, count(*) filter (where churned) as c, count(*) filter (where not churned) as n
      from ${values} where score is not null group by side, subject, score),
    r as (
      select *, coalesce(sum(n) over (partition by side, subject order by score desc
        rows between unbounded preceding and 1 preceding), 0) as n_above
      from g)
    select side, subject, cast(sum(c) + sum(n) as integer) as samples, cast(sum(c) as integer) as churners,
      cast(sum(c * (n_above + 0.5 * n)) as double precision) as wins
    from r group by side, subject`.execute(db);
  const { rows: counts } = await sql<{ side: Side; subject: string; missing: number }>`
    select side, subject, cast(count(*) filter (where score is null) as integer) as missing from ${values} group by side, subject`.execute(db);
  const { rows: bandRows } = await sql<{ side: Side; subject: string; band: string; samples: number; churners: number }>`
    select side, subject, band, cast(count(*) as integer) as samples, cast(count(*) filter (where churned) as integer) as churners
    from ${values} where score is not null group by side, subject, band`.execute(db);

  const key = (side: Side, subject: string) => `${side}\u0000${subject}`;
  const figures = new Map<string, Figures>();
  for (const { side, subject, missing } of counts) {
    const rank = ranks.find((r) => r.side === side && r.subject === subject);
    const samples = rank?.samples ?? 0;
    const churners = rank?.churners ?? 0;
    const others = samples - churners;
    const auc = churners > 0 && others > 0 ? rank!.wins! / (churners * others) : null;
    const bands = bandsOf(side, subject).map(({ label }) => {
      const row = bandRows.find((b) => b.side === side && b.subject === subject && b.band === label);
      const inBand = row?.samples ?? 0;
      const caught = row?.churners ?? 0;
      return { band: label, samples: inBand, churners: caught, churn_rate: inBand ? caught / inBand : null };
    });
    const worst = bands[0];
    const overall = samples ? churners / samples : 0;
    figures.set(key(side, subject), {
      auc,
      auc_ci95: auc === null ? null : aucInterval(auc, churners, others),
      samples,
      churners,
      missing_scores: missing,
      bands,
      worst_band_lift: worst?.churn_rate != null && overall > 0 ? worst.churn_rate / overall : null,
      worst_band_recall: worst && churners > 0 ? worst.churners / churners : null,
    });
  }
  return (side: Side, subject: string): Figures | undefined => figures.get(key(side, subject));
}

/** The ROC points and the histogram of one side's global score. At most ~200 ROC points:
 *  every k-th distinct score, plus the last. */
export async function computeCurves(db: Kysely<any>, side: Side, scale: number): Promise<Curves> {
  const values = sql.table(VALUES);
  const { rows: roc } = await sql<{ threshold: number; fpr: number; tpr: number }>`
    with g as (
      select score, count(*) filter (where churned) as c, count(*) filter (where not churned) as n
      from ${values} where side = ${side} and subject = '' and score is not null group by score),
    cum as (
      select score, ${share(sql`sum(c) over w`, sql`sum(c) over ()`)} as tpr, ${share(sql`sum(n) over w`, sql`sum(n) over ()`)} as fpr,
        row_number() over (order by score) as i, count(*) over () as k
      from g window w as (order by score rows unbounded preceding))
    select score as threshold, fpr, tpr from cum
    where (i % greatest(1, cast(floor(k / 200.0) as bigint)) = 0 or i = k) and fpr is not null and tpr is not null order by score`.execute(db);
  const width = scale / 10;
  const { rows: bins } = await sql<{ bin: number; churners: number; others: number }>`
    select least(floor(score / ${width}), 9) as bin,
      ${share(sql`count(*) filter (where churned)`, sql`sum(count(*) filter (where churned)) over ()`)} as churners,
      ${share(sql`count(*) filter (where not churned)`, sql`sum(count(*) filter (where not churned)) over ()`)} as others
    from ${values} where side = ${side} and subject = '' and score is not null group by 1`.execute(db);
  const histogram = Array.from({ length: 10 }, (_, bin) => {
    const row = bins.find((b) => b.bin === bin);
    return { from: bin * width, to: (bin + 1) * width, churners: row?.churners ?? 0, others: row?.others ?? 0 };
  });
  return { roc: [{ threshold: -Infinity, fpr: 0, tpr: 0 }, ...roc], histogram };
}

/** part / whole as a double, null when whole is 0. */
const share = (part: RawBuilder<unknown>, whole: RawBuilder<unknown>) =>
  sql`cast(${part} as double precision) / nullif(cast(${whole} as double precision), 0)`;

/** Hanley & McNeil (1982): the standard error of an AUC from the two sample sizes. */
function aucInterval(auc: number, churners: number, others: number): [number, number] {
  const q1 = auc / (2 - auc);
  const q2 = (2 * auc * auc) / (1 + auc);
  const variance = (auc * (1 - auc) + (churners - 1) * (q1 - auc * auc) + (others - 1) * (q2 - auc * auc)) / (churners * others);
  const half = 1.96 * Math.sqrt(Math.max(0, variance));
  return [Math.max(0, auc - half), Math.min(1, auc + half)];
}
