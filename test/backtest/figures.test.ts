import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeCurves, computeFigures } from '../../pipeline/backtest/figures.ts';
import { createValuesStep, VALUES } from '../../pipeline/backtest/samples.ts';
import { dialectFor } from '../../pipeline/engine/dialect-for.ts';
import type { Warehouse } from '../../pipeline/engine/warehouse.ts';
import type { Band } from '../../pipeline/ir/types.ts';
import { engines } from '../helpers/engines.ts';
import { tempProject, type TempProject } from '../helpers/temp-project.ts';

// AUC, band churn rates, lift and recall against values worked out by hand, on every engine.

const BANDS: Band[] = [{ label: 'red', from: 0 }, { label: 'yellow', from: 3 }, { label: 'green', from: 7 }];

describe.each(engines)('$name', (engine) => {
  let project: TempProject;
  let wh: Warehouse;

  beforeAll(async () => {
    project = await tempProject(engine);
    wh = await project.warehouse();
    for (const step of createValuesStep(dialectFor(project.config().warehouse))) await step.execute(wh.db);
  });
  afterAll(() => project?.cleanup());

  /** One subject's samples: [score, churned, band?]. */
  async function fill(subject: string, samples: [number | null, boolean][]) {
    const bandOf = (s: number) => [...BANDS].reverse().find((b) => s >= b.from)!.label;
    for (const [i, [score, churned]] of samples.entries()) {
      await sql`insert into ${sql.table(VALUES)} values ('primary', ${subject}, date '2025-01-01', ${`acc${i}`}, ${churned},
      ${score}, ${score === null ? null : bandOf(score)})`.execute(wh.db);
    }
  }

  describe('backtest figures', () => {
    beforeAll(async () => {
      // Churners 1 and 3; others 2, 3, 5 → churner 1 beats all three (3), churner 3 beats 5,
      // ties 3 (½) and loses to 2: 4.5 of 6 pairs = 0.75.
      await fill('ties', [[1, true], [3, true], [2, false], [3, false], [5, false]]);
      await fill('perfect', [[0, true], [1, true], [5, false], [9, false]]);
      await fill('useless', [[4, true], [4, true], [4, false], [4, false], [4, false]]);
      await fill('inverted', [[9, true], [1, false], [2, false]]);
      // Bands: red 0–3 holds 2 samples, 1 churner; yellow 1 sample, 1 churner; green 5, 0.
      // Overall 2/8: red rate 0.5 → lift 2, recall ½. One sample without a score.
      await fill('', [[1, true], [2, false], [5, true], [7, false], [8, false], [9, false], [9.5, false], [10, false], [null, true]]);
      await fill('nochurn', [[1, false], [2, false]]);
    });

    it('computes the AUC with ties counting half, perfect = 1, useless = 0.5, inverted = 0', async () => {
      const figures = await computeFigures(wh.db, () => BANDS);
      expect(figures('primary', 'ties')!.auc).toBeCloseTo(0.75, 12);
      expect(figures('primary', 'perfect')!.auc).toBe(1);
      expect(figures('primary', 'useless')!.auc).toBe(0.5);
      expect(figures('primary', 'inverted')!.auc).toBe(0);
      expect(figures('primary', 'nochurn')!.auc).toBeNull();
      expect(figures('primary', 'nochurn')!.auc_ci95).toBeNull();
    });

    it('counts samples, churners and missing scores, band churn rates, lift and recall', async () => {
      const f = (await computeFigures(wh.db, () => BANDS))('primary', '')!;
      expect(f).toMatchObject({ samples: 8, churners: 2, missing_scores: 1 });
      expect(f.bands).toEqual([
        { band: 'red', samples: 2, churners: 1, churn_rate: 0.5 },
        { band: 'yellow', samples: 1, churners: 1, churn_rate: 1 },
        { band: 'green', samples: 5, churners: 0, churn_rate: 0 },
      ]);
      expect(f.worst_band_lift).toBe(2);
      expect(f.worst_band_recall).toBe(0.5);
      // Churners 1 and 5 against others 2,7,8,9,9.5,10: 6 + 5 wins of 12.
      expect(f.auc).toBeCloseTo(11 / 12, 12);
      // Hanley–McNeil with A = 11/12, 2 churners, 6 others: Q1 = A/(2−A) = 11/13,
      // Q2 = 2A²/(1+A) = 121/138, var = (A(1−A) + 1·(Q1−A²) + 5·(Q2−A²)) / 12 = 11407/516672
      // ≈ 0.0220778, SE ≈ 0.148586, ±1.96·SE ≈ 0.291229: [0.625438, 1.2079 → capped at 1].
      expect(f.auc_ci95![0]).toBeCloseTo(0.625438, 6);
      expect(f.auc_ci95![1]).toBe(1);
    });

    it('gives the Hanley–McNeil 95% interval of the AUC, capped to [0, 1]', async () => {
      const figures = await computeFigures(wh.db, () => BANDS);
      // A = 3/4, 2 churners, 3 others: Q1 = 3/5, Q2 = 9/14, var = (3/16 + 1·(3/5 − 9/16)
      // + 2·(9/14 − 9/16)) / 6 = 9/140, SE ≈ 0.253546, ±1.96·SE ≈ 0.496951.
      expect(figures('primary', 'ties')!.auc_ci95![0]).toBeCloseTo(0.253049, 6);
      expect(figures('primary', 'ties')!.auc_ci95![1]).toBe(1);
      // A = 1 and A = 0 have no variance: the interval is the point.
      expect(figures('primary', 'perfect')!.auc_ci95).toEqual([1, 1]);
      expect(figures('primary', 'inverted')!.auc_ci95).toEqual([0, 0]);
    });

    it('draws the ROC from (0,0) to (1,1) and the histogram as shares of each group', async () => {
      const curves = await computeCurves(wh.db, 'primary', 10);
      expect(curves.roc[0]).toMatchObject({ fpr: 0, tpr: 0 });
      expect(curves.roc[curves.roc.length - 1]).toMatchObject({ fpr: 1, tpr: 1 });
      // At threshold 5 both churners are flagged, and one other (score 2) of six.
      expect(curves.roc.find((p) => p.threshold === 5)).toMatchObject({ tpr: 1, fpr: 1 / 6 });
      expect(curves.histogram.map((b) => b.churners)).toEqual([0, 0.5, 0, 0, 0, 0.5, 0, 0, 0, 0]);
      // 10 falls in the last bin with 9 and 9.5.
      expect(curves.histogram[9]!.others).toBeCloseTo(3 / 6, 12);
      expect(curves.histogram.reduce((s, b) => s + b.others, 0)).toBeCloseTo(1, 12);
    });
  });
});
