import type { BacktestResult, SideResult } from '../../pipeline/backtest/run-backtest.ts';
import type { Figures } from '../../pipeline/backtest/figures.ts';
import { count, fixed, percent } from '../../pipeline/format.ts';
import { textTable } from '../text-table.ts';

type Row = Omit<Figures, 'samples' | 'churners' | 'missing_scores'> & { samples: number; churners: number };

/** The backtest as a person reads it on a terminal: one line per score, the band churn
 *  rates of the global score, the compare side by side, then the notes. */
export function backtestText(r: BacktestResult): string[] {
  const lines = [
    `${r.scorecard} (version ${r.definition_version}): ${r.evaluation_days} evaluation days, ${r.from} … ${r.to} every ${r.step_days} day(s), horizon ${r.horizon_days} days`,
    `samples ${count(r.samples)}, churners ${count(r.churners)} (${percent(r.samples ? r.churners / r.samples : null, 2)}), missing scores ${count(r.missing_scores)}`,
    '',
    ...figuresTable(r),
    '',
    `churn rate per band of the global score (worst first):`,
    ...bandsTable(r),
  ];
  if (r.compare) {
    const c = r.compare;
    lines.push('', `compared with ${c.scorecard} (version ${c.definition_version}) from ${c.definitions}, on the same samples:`);
    const ids = [...new Set([...Object.keys(r.scores), ...Object.keys(c.scores)])];
    const pair = (side: SideResult, id: string | null) => (id === null ? { ...side.global, samples: side.samples } : side.scores[id]);
    lines.push(
      ...textTable(
        [
          ['score', 'AUC', 'AUC compare', 'lift', 'lift compare', 'recall', 'recall compare'],
          ...[null, ...ids].map((id) => {
            const a = pair(r, id);
            const b = pair(c, id);
            return [id ?? 'global', fixed(a?.auc, 3), fixed(b?.auc, 3), fixed(a?.worst_band_lift), fixed(b?.worst_band_lift), percent(a?.worst_band_recall), percent(b?.worst_band_recall)];
          }),
        ],
        '  ',
      ),
      `  churn rate per band of the compare's global score:`,
      ...bandsTable(c),
    );
  }
  if (r.notes.length) lines.push('', ...r.notes.map((n) => `note: ${n}`));
  return lines;
}

function bandsTable(side: SideResult): string[] {
  return textTable(
    [['band', 'samples', 'churners', 'churn rate'], ...side.global.bands.map((b) => [b.band, count(b.samples), count(b.churners), percent(b.churn_rate, 2)])],
    '  ',
  );
}

function figuresTable(r: BacktestResult): string[] {
  const rows: [string, Row][] = [['global', { ...r.global, samples: r.samples, churners: r.churners }], ...Object.entries(r.scores)];
  return textTable([
    ['score', 'AUC', '95% interval', 'samples', 'churners', 'worst band', 'its churn rate', 'lift', 'recall'],
    ...rows.map(([id, f]) => [
      id,
      fixed(f.auc, 3),
      f.auc_ci95 ? `${fixed(f.auc_ci95[0])}–${fixed(f.auc_ci95[1])}` : '–',
      count(f.samples),
      count(f.churners),
      f.bands[0]?.band ?? '–',
      f.bands[0]?.samples === 0 ? 'no samples' : percent(f.bands[0]?.churn_rate, 2),
      fixed(f.worst_band_lift),
      percent(f.worst_band_recall),
    ]),
  ]);
}
