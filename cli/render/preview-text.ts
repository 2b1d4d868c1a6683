import type { Preview } from '../../pipeline/inspect/preview.ts';
import { count, fixed, percent } from '../../pipeline/format.ts';
import { textTable } from '../text-table.ts';

const BAR = 40;

/** A preview on a terminal: the figures, the band counts and a histogram of bars. */
export function previewText(p: Preview): string[] {
  const scored = p.accounts - p.missing;
  const peak = Math.max(1, ...p.histogram.map((b) => b.accounts));
  const label = (x: number) => String(+x.toFixed(2));
  return [
    `${p.score ? `${p.scorecard}.${p.score}` : `${p.scorecard} (global score)`} on ${p.date}, definition version ${p.definition_version}`,
    `${count(p.accounts)} account(s), ${count(scored)} scored, ${count(p.missing)} missing; score min ${fixed(p.min)}, median ${fixed(p.median)}, max ${fixed(p.max)}`,
    ...(p.raw
      ? [`measure values: min ${fixed(p.raw.min)}, p10 ${fixed(p.raw.p10)}, p25 ${fixed(p.raw.p25)}, median ${fixed(p.raw.median)}, p75 ${fixed(p.raw.p75)}, p90 ${fixed(p.raw.p90)}, max ${fixed(p.raw.max)}`]
      : []),
    '',
    ...textTable([['band', 'accounts', 'share'], ...p.bands.map((b) => [b.band, count(b.accounts), percent(b.share)])], '  '),
    '',
    ...textTable(
      [
        ['score', 'accounts', ''],
        ...p.histogram.map((b) => [
          `${label(b.from)}–${label(b.to)}`,
          count(b.accounts),
          '█'.repeat(Math.round((b.accounts / peak) * BAR)),
        ]),
      ],
      '  ',
    ),
  ];
}
