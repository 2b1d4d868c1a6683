import * as echarts from 'echarts';
import type { BandFigures, Curves } from '../figures.ts';

// Charts are drawn by ECharts' server-side renderer into SVG strings, so the report is
// one self-contained file: no script, no network, readable in any browser or mail client.

const WIDTH = 460;
const HEIGHT = 320;
const COLORS = { primary: '#2f5d8a', compare: '#c7772b', churners: '#c0392b', others: '#7f8c8d' };
const BAND_COLORS: Record<string, string> = { red: '#c0392b', yellow: '#e0b000', amber: '#e0a000', green: '#2e8b57' };

function svg(option: echarts.EChartsOption): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: WIDTH, height: HEIGHT });
  chart.setOption({ animation: false, textStyle: { fontFamily: 'sans-serif' }, ...option });
  const out = chart.renderToSVGString();
  chart.dispose();
  return out;
}

const pct = (x: number) => `${Math.round(x * 100)}%`;

export interface RocLine {
  name: string;
  auc: number | null;
  roc: Curves['roc'];
  compare?: boolean;
}

/** ROC of the global score: flagging every account at or below a threshold catches this
 *  share of churners (y) for this share of the others (x). The diagonal is chance. */
export function rocChart(lines: RocLine[]): string {
  return svg({
    title: { text: 'ROC curve of the global score', left: 'center', textStyle: { fontSize: 14 } },
    // Inside the plot, lower right: a useful curve stays above the diagonal, so that corner is empty.
    legend: { orient: 'vertical', right: 28, bottom: 64, backgroundColor: 'rgba(255,255,255,0.85)' },
    grid: { left: 56, right: 20, top: 40, bottom: 50 },
    xAxis: { type: 'value', min: 0, max: 1, name: 'share of non-churners flagged', nameLocation: 'middle', nameGap: 28, axisLabel: { formatter: pct } },
    yAxis: { type: 'value', min: 0, max: 1, name: 'share of churners caught', nameLocation: 'middle', nameGap: 40, axisLabel: { formatter: pct } },
    series: [
      ...lines.map((line) => ({
        type: 'line' as const,
        name: `${line.name} (AUC ${line.auc === null ? '–' : line.auc.toFixed(3)})`,
        data: line.roc.map((p) => [p.fpr, p.tpr]),
        showSymbol: false,
        lineStyle: { width: 2, color: line.compare ? COLORS.compare : COLORS.primary },
        itemStyle: { color: line.compare ? COLORS.compare : COLORS.primary },
      })),
      { type: 'line' as const, name: 'chance', data: [[0, 0], [1, 1]], showSymbol: false, lineStyle: { type: 'dashed', color: '#999' }, itemStyle: { color: '#999' } },
    ],
  });
}

/** Churn rate (within the horizon) of the samples in each band, worst band first. */
export function bandChart(title: string, bands: BandFigures[]): string {
  return svg({
    title: { text: title, left: 'center', textStyle: { fontSize: 14 } },
    grid: { left: 56, right: 20, top: 40, bottom: 50 },
    xAxis: { type: 'category', data: bands.map((b) => b.band), name: 'band', nameLocation: 'middle', nameGap: 28 },
    yAxis: { type: 'value', name: 'churn rate', nameLocation: 'middle', nameGap: 44, axisLabel: { formatter: (x: number) => `${(x * 100).toFixed(1)}%` } },
    series: [
      {
        type: 'bar',
        data: bands.map((b, i) => ({
          value: b.churn_rate ?? 0,
          itemStyle: { color: BAND_COLORS[b.band.toLowerCase()] ?? ['#c0392b', '#e67e22', '#e0b000', '#7fb800', '#2e8b57'][Math.min(i, 4)] },
        })),
        label: { show: true, position: 'top', formatter: (p: { value: unknown }) => `${((p.value as number) * 100).toFixed(2)}%` },
      },
    ],
  });
}

/** Where churners and the others fall on the scale: each group's share per tenth. */
export function distributionChart(title: string, histogram: Curves['histogram']): string {
  const label = (b: Curves['histogram'][number]) => `${+b.from.toFixed(2)}–${+b.to.toFixed(2)}`;
  return svg({
    title: { text: title, left: 'center', textStyle: { fontSize: 14 } },
    legend: { bottom: 0 },
    grid: { left: 56, right: 20, top: 40, bottom: 70 },
    xAxis: { type: 'category', data: histogram.map(label), name: 'global score', nameLocation: 'middle', nameGap: 28, axisLabel: { fontSize: 10 } },
    yAxis: { type: 'value', name: 'share of the group', nameLocation: 'middle', nameGap: 40, axisLabel: { formatter: pct } },
    series: [
      { type: 'bar', name: 'churners', data: histogram.map((b) => b.churners), itemStyle: { color: COLORS.churners } },
      { type: 'bar', name: 'others', data: histogram.map((b) => b.others), itemStyle: { color: COLORS.others } },
    ],
  });
}
