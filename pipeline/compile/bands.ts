import { sql, type RawBuilder } from 'kysely';
import type { Band } from '../ir/types.ts';

/** The band of a score: the highest band whose `from` ≤ score, so a value on a border
 *  belongs to the upper band. Null score → null band. */
export function bandOf(score: RawBuilder<unknown>, bands: Band[]): RawBuilder<unknown> {
  const [worst, ...better] = bands;
  if (!worst) throw new Error('a scorecard needs at least one band');
  const whens = [...better].reverse().map((b) => sql`when ${score} >= ${sql.lit(b.from)} then ${sql.val(b.label)}`);
  return sql`case when ${score} is null then null ${sql.join(whens, sql` `)} else ${sql.val(worst.label)} end`;
}

/** Position of a band label, 0 = worst; null for a null label. */
export function bandRank(label: RawBuilder<unknown>, bands: Band[]): RawBuilder<unknown> {
  const whens = bands.map((b, i) => sql`when ${sql.val(b.label)} then ${sql.lit(i)}`);
  return sql`(case ${label} ${sql.join(whens, sql` `)} end)`;
}

export function bandAt(rank: RawBuilder<unknown>, bands: Band[]): RawBuilder<unknown> {
  const whens = bands.map((b, i) => sql`when ${sql.lit(i)} then ${sql.val(b.label)}`);
  return sql`(case ${rank} ${sql.join(whens, sql` `)} end)`;
}
