import { sql, type Kysely } from 'kysely';
import { latestAttributeValue } from '../compile/daily-inputs.ts';
import type { SqlDialect } from '../sql/dialects/dialect.ts';
import type { Scorecard } from '../ir/types.ts';

/** The text an attribute measure held for an account on a day, by score id, for the scores
 *  whose snapshot has no numeric raw value (a `plan` of "basic"): the snapshot keeps numbers
 *  only. The same look-up as the scoring (SPEC §3.2): the latest non-empty value observed
 *  on or before the day (at a tie, the greater value as text). A stale value is missing in
 *  the snapshot, so it is left out here. */
export async function attributeTexts(
  db: Kysely<any>,
  dialect: SqlDialect,
  scorecard: Scorecard,
  accountId: string,
  day: string,
  scores: { score_id: string; raw_value: number | null; status: string }[],
): Promise<Map<string, string>> {
  const wanted = new Map<string, string>();
  for (const s of scores) {
    const measure = scorecard.measures[scorecard.scores.find((d) => d.id === s.score_id)?.measure ?? ''];
    if (measure?.kind === 'attribute' && s.raw_value === null && s.status !== 'stale') wanted.set(s.score_id, measure.attribute);
  }
  if (wanted.size === 0) return new Map();
  const { rows } = await sql<{ attribute: string; value: string }>`
    select attribute, ${latestAttributeValue(dialect)} as value from raw_attributes
    where account_id = ${accountId} and attribute in (${sql.join([...new Set(wanted.values())])})
      and value is not null and day <= ${day}::date
    group by attribute`.execute(db);
  const byAttribute = new Map(rows.map((r) => [r.attribute, r.value]));
  return new Map([...wanted].flatMap(([id, attribute]) => (byAttribute.has(attribute) ? [[id, byAttribute.get(attribute)!]] : [])));
}
