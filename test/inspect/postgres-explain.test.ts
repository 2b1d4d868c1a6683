import { sql, type Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { ensureWarehouseTables } from '../../models/warehouse-tables.ts';
import { parseScorecard } from '../../pipeline/definitions/parse-scorecard.ts';
import { explainAccount, type ExplainOptions } from '../../pipeline/inspect/explain.ts';
import type { Scorecard } from '../../pipeline/ir/types.ts';
import type { SqlDialect } from '../../pipeline/sql/dialects/dialect.ts';
import { onBothEngines, postgresUrl } from '../helpers/state-engines.ts';

// `explain` reads materialised snapshot rows back: over the same rows (inserted directly)
// both engines explain alike, notes and errors included.

const parsed = parseScorecard(`scorecard: health
bands: [{ label: red, from: 0 }, { label: green, from: 5 }]
measures:
  logins: { event: login, window: 7d }
  seats: { attribute: seats }
scores:
  - { id: logins, measure: logins, worst: 0, best: 5, weight: 2 }
  - { id: seats, measure: seats, worst: 0, best: 20 }
`, 'definitions/health.yaml');
if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
const scorecard: Scorecard = parsed.scorecard;

async function snapshots(db: Kysely<any>, dialect: SqlDialect) {
  const health = (day: string, account: string, score: number, insights: string[]) =>
    sql`insert into health_snapshots values (cast(${day} as date), 'health', ${account}, ${score}, ${score >= 5 ? 'green' : 'red'}, ${score},
      ${score >= 5 ? 'green' : 'red'}, ${dialect.textList(insights)}, false, null, ${scorecard.version})`.execute(db);
  const score = (day: string, account: string, id: string, raw: number | null, value: number | null) =>
    sql`insert into score_snapshots values (cast(${day} as date), 'health', ${account}, ${id}, ${raw}, ${value},
      ${value === null ? null : value >= 5 ? 'green' : 'red'}, ${id === 'logins' ? 2 : 1}, ${value === null ? 'missing' : 'ok'})`.execute(db);
  await health('2025-01-04', 'a1', 6.5, ['few_seats']);
  await score('2025-01-04', 'a1', 'logins', 4, 8);
  await score('2025-01-04', 'a1', 'seats', 6, 3);
  await health('2025-01-05', 'a1', 7.25, []);
  await score('2025-01-05', 'a1', 'logins', 5, 10);
  // A null raw value of an attribute measure: its text is looked up in raw_attributes as the
  // scoring does (the latest; at a tie, the greater by bytes: 'lots' over 'Lots').
  await score('2025-01-05', 'a1', 'seats', null, 0);
  for (const [value, at] of [['12', '2025-01-01 08:00:00+00'], ['Lots', '2025-01-05 08:00:00+00'], ['lots', '2025-01-05 08:00:00+00']] as const) {
    await sql`insert into raw_attributes values ('a1', 'seats', ${value}, cast(${at} as timestamptz), cast(${at.slice(0, 10)} as date), 'f')`.execute(db);
  }
  await health('2025-01-02', "o'brien", 3, ['low', 'few_seats']);
  await score('2025-01-02', "o'brien", 'logins', 1, 2);
  await sql`insert into raw_churn values (${"o'brien"}, date '2025-01-03', 'f')`.execute(db);
  await sql`insert into run_log select 'health', d.day, 'v', 'r', now(), null
    from ${dialect.dayRows(dialect.date('2025-01-01'), dialect.date('2025-01-05'))} d`.execute(db);
}

const explained = (db: Kysely<any>, dialect: SqlDialect, account: string, options: Omit<ExplainOptions, 'dialect'>) =>
  explainAccount(db, scorecard, account, { ...options, dialect }).catch((error: Error) => `error: ${error.message}`);

describe.skipIf(!postgresUrl)('explain on DuckDB and PostgreSQL', () => {
  it('explains the same snapshot rows alike', async () => {
    const result = await onBothEngines(async (db, dialect) => {
      await ensureWarehouseTables(db, dialect);
      await snapshots(db, dialect);
      const churn = { kind: 'file' } as never;
      return {
        since: await explained(db, dialect, 'a1', { since: '2025-01-04' }),
        churned: await explained(db, dialect, "o'brien", { churn }),
        churnedOnDate: await explained(db, dialect, "o'brien", { date: '2025-01-04', churn }),
        notMaterialised: await explained(db, dialect, 'a1', { date: '2025-01-09' }),
        unknown: await explained(db, dialect, 'zz', { date: '2025-01-04' }),
      };
    });
    expect(result.postgres).toEqual(result.duckdb);
    const { since, churned, churnedOnDate, notMaterialised, unknown } = result.duckdb;
    if (typeof since === 'string' || typeof churned === 'string') throw new Error(`${since} ${churned}`);
    expect(since).toMatchObject({ date: '2025-01-05', score: 7.25, not_applicable: [], since: { date: '2025-01-04', change: 0.75, insights_cleared: ['few_seats'] } });
    expect(since.scores.map((s) => [s.score_id, s.raw_value, s.raw_text, s.score, s.contribution])).toEqual([['logins', 5, null, 10, 20 / 3], ['seats', null, 'lots', 0, 0]]);
    expect(churned).toMatchObject({ date: '2025-01-02', note: "o'brien is not scored on 2025-01-05 (churned on 2025-01-03); this is its last scored day, 2025-01-02" });
    expect(churned.insights.map((i) => i.id)).toEqual(['low', 'few_seats']);
    expect(churnedOnDate).toBe("error: o'brien is not scored on 2025-01-04 (churned on 2025-01-03); its last scored day is 2025-01-02: healthscore explain 'o'\\''brien' --date 2025-01-02");
    expect(notMaterialised).toBe('error: 2025-01-09 is not materialised for health: run `healthscore run --date 2025-01-09` first');
    expect(unknown).toBe('error: account zz is unknown: no loaded event, attribute or accounts row has this id');
  });
});
