import { sql, type Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { ensureWarehouseTables } from '../../models/warehouse-tables.ts';
import { computeCurves, computeFigures } from '../../pipeline/backtest/figures.ts';
import { createValuesStep, samplesStep, scoredDays, valuesStep } from '../../pipeline/backtest/samples.ts';
import type { Band } from '../../pipeline/ir/types.ts';
import type { SqlDialect } from '../../pipeline/sql/dialects/dialect.ts';
import { onBothEngines, postgresUrl } from '../helpers/state-engines.ts';

// The backtest over the same snapshot rows on both engines: the samples, their labels and
// every figure are equal.

const BANDS: Band[] = [{ label: 'red', from: 0 }, { label: 'yellow', from: 40 }, { label: 'green', from: 70 }];
const DAYS = ['2025-01-01', '2025-01-08', '2025-01-15'];
const bandOf = (s: number) => [...BANDS].reverse().find((b) => s >= b.from)!.label;

/** 12 accounts on three days; accounts 0–3 churn on days that fall in some horizons. */
async function snapshots(db: Kysely<any>, dialect: SqlDialect) {
  for (const [d, day] of DAYS.entries()) {
    for (let a = 0; a < 12; a++) {
      const score = a === 11 && d === 1 ? null : (a * 37 + d * 11) % 100 + 0.25;
      await sql`insert into health_snapshots values (cast(${day} as date), 'sc', ${`acc${a}`}, ${score}, ${score === null ? null : bandOf(score)},
        ${score}, null, ${dialect.textList([])}, false, null, 'v1')`.execute(db);
      await sql`insert into score_snapshots values (cast(${day} as date), 'sc', ${`acc${a}`}, 'usage', ${a}, ${(a * 13) % 100}, ${bandOf((a * 13) % 100)}, 1, 'ok')`.execute(db);
    }
  }
  await sql`insert into raw_churn values ('acc0', date '2025-01-05', 'f'), ('acc1', date '2025-01-20', 'f'), ('acc2', date '2025-01-10', 'f'),
    ('acc3', date '2025-03-01', 'f')`.execute(db);
}

describe.skipIf(!postgresUrl)('the backtest on DuckDB and PostgreSQL', () => {
  it('labels the same samples and computes the same figures and curves', async () => {
    const result = await onBothEngines(async (db, dialect) => {
      await ensureWarehouseTables(db, dialect);
      await snapshots(db, dialect);
      const scored = [...(await scoredDays(db, 'sc', [...DAYS, '2025-01-22'], dialect))].sort();
      for (const step of samplesStep('sc', DAYS, 14, { kind: 'file' } as never, dialect)) await step.execute(db);
      for (const step of createValuesStep(dialect)) await step.execute(db);
      await valuesStep('primary', { scorecard: 'sc', health: 'health_snapshots', scores: 'score_snapshots' }, DAYS, dialect).execute(db);
      const { rows: churned } = await sql`select cast(t as varchar) as t, account_id from hs_bt_samples where churned order by 1, 2`.execute(db);
      const figures = await computeFigures(db, () => BANDS);
      return { scored, churned, global: figures('primary', ''), usage: figures('primary', 'usage'), curves: await computeCurves(db, 'primary', 100) };
    });
    expect(result.postgres).toEqual(result.duckdb);
    const { scored, churned, global, curves } = result.duckdb;
    expect(scored).toEqual(DAYS);
    expect(churned).toEqual([
      { t: '2025-01-01', account_id: 'acc0' }, { t: '2025-01-01', account_id: 'acc2' },
      { t: '2025-01-08', account_id: 'acc1' }, { t: '2025-01-08', account_id: 'acc2' }, { t: '2025-01-15', account_id: 'acc1' },
    ]);
    expect(global).toMatchObject({ samples: 35, churners: 5, missing_scores: 1 });
    expect(global!.auc).toBeGreaterThan(0);
    expect(global!.bands.reduce((n, b) => n + b.samples, 0)).toBe(35);
    expect(curves.roc.length).toBeGreaterThan(2);
    expect(curves.histogram.reduce((n, b) => n + b.churners, 0)).toBeCloseTo(1, 12);
  });
});
