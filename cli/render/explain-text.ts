import type { AccountExplanation, Explanation } from '../../pipeline/inspect/explain.ts';
import { fixed } from '../../pipeline/format.ts';
import { textTable } from '../text-table.ts';

const signed = (x: number | null) => (x === null ? '–' : `${x >= 0 ? '+' : ''}${x.toFixed(2)}`);
const headline = (e: Explanation) => `${fixed(e.score)} ${e.band ?? '(no band)'}`;

/** An explanation on a terminal: the headline, one line per score, insights, override,
 *  and with --since the changes, biggest first. */
export function explainText(e: AccountExplanation): string[] {
  const lines = [
    `${e.account_id} · ${e.scorecard} on ${e.date}: ${headline(e)}` +
      (e.computed_score !== e.score || e.computed_band !== e.band ? ` (computed ${fixed(e.computed_score)} ${e.computed_band ?? ''})`.trimEnd() : ''),
    ...(e.note ? [`note: ${e.note}`] : []),
    ...(e.definition_version !== e.current_version
      ? [`note: materialised under definition version ${e.definition_version}; the files are now at ${e.current_version} (the next run recomputes it)`]
      : []),
    ...textTable(
      [
        ['score', 'raw value', 'score', 'band', 'weight', 'contribution', 'status'],
        ...e.scores.map((s) => [s.score_id, s.raw_text ?? fixed(s.raw_value), fixed(s.score), s.band ?? '–', fixed(s.weight, 0), fixed(s.contribution), s.status]),
      ],
      '  ',
    ),
    ...(e.not_applicable.length ? [`  not applicable (outside their segment): ${e.not_applicable.join(', ')}`] : []),
    `insights: ${e.insights.length ? e.insights.map((i) => `${i.name} (${i.id}${i.band ? `, caps the band at ${i.band}` : ''})`).join('; ') : 'none fired'}`,
    `override: ${e.overridden ? e.override_reason ?? 'yes' : 'none'}`,
  ];
  if (e.since) {
    const s = e.since;
    lines.push(
      '',
      `since ${s.date}: ${headline(s.before)} → ${headline(e)} (${signed(s.change)})`,
      ...textTable(
        [
          ['score', `score ${s.date}`, `score ${e.date}`, 'contribution before', 'after', 'change'],
          ...s.changes.map((c) => [c.score_id, fixed(c.from_score), fixed(c.to_score), fixed(c.from_contribution), fixed(c.to_contribution), signed(c.change)]),
        ],
        '  ',
      ),
      ...(s.insights_fired.length ? [`insights fired since: ${s.insights_fired.join(', ')}`] : []),
      ...(s.insights_cleared.length ? [`insights cleared since: ${s.insights_cleared.join(', ')}`] : []),
    );
  }
  return lines;
}
