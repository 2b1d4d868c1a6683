// Checks that need the whole scorecard: every name used (measure, segment, group, band
// label) exists, ids are unique, and the numbers fit the scale. Runs on the validated YAML
// shape, so each finding's path is exactly where the user wrote it.

import type { Finding, PathSegment } from '../errors.ts';
import { checkBands, checkScoring } from './check-scoring.ts';
import type { ConditionDoc } from './condition-schema.ts';
import { didYouMean } from './did-you-mean.ts';
import { checkMeasureGraph, unknownMeasure } from './measure-graph.ts';
import type { ScorecardDoc } from './scorecard-schema.ts';

export const DEFAULT_SCALE = 10;

function unknownName(kind: string, name: string, known: Record<string, unknown> | undefined): string {
  const what = `unknown ${kind} ${JSON.stringify(name)}`;
  const names = Object.keys(known ?? {});
  return names.length === 0 ? `${what} (this scorecard defines no ${kind}s)` : `${what}${didYouMean(name, names)}`;
}

/** Measure names used in a condition tree. */
function conditionMeasures(c: ConditionDoc, at: PathSegment[], out: { name: string; path: PathSegment[] }[]) {
  if ('all' in c) c.all.forEach((sub, i) => conditionMeasures(sub, [...at, 'all', i], out));
  else if ('any' in c) c.any.forEach((sub, i) => conditionMeasures(sub, [...at, 'any', i], out));
  else if ('not' in c) conditionMeasures(c.not, [...at, 'not'], out);
  else if (c.measure !== undefined) out.push({ name: c.measure, path: [...at, 'measure'] });
}

/** Ids must be unique within one list (scores, insights, alerts). */
function checkUniqueIds(list: readonly { id: string }[], key: string): Finding[] {
  const first = new Map<string, number>();
  return list.flatMap((item, i) => {
    const seen = first.get(item.id);
    if (seen === undefined) {
      first.set(item.id, i);
      return [];
    }
    return [{ path: [key, i, 'id'], message: `duplicate id ${JSON.stringify(item.id)} (also ${key}[${seen}])` }];
  });
}

export function resolveScorecard(doc: ScorecardDoc): Finding[] {
  const scale = doc.scale ?? DEFAULT_SCALE;
  const measures = doc.measures ?? {};
  const bandLabels = doc.bands.map((b) => b.label);
  const findings: Finding[] = [...checkMeasureGraph(doc), ...checkBands(doc.bands, ['bands'], scale)];
  const segment = (name: string | undefined, path: PathSegment[]) => {
    if (name !== undefined && !Object.hasOwn(doc.segments ?? {}, name)) findings.push({ path, message: unknownName('segment', name, doc.segments) });
  };
  const band = (label: string | undefined, path: PathSegment[]) => {
    if (label !== undefined && !bandLabels.includes(label)) {
      findings.push({ path, message: `unknown band ${JSON.stringify(label)} (the scorecard's bands are ${bandLabels.join(', ')})` });
    }
  };

  segment(doc.segment, ['segment']);

  const usedMeasures: { name: string; path: PathSegment[] }[] = [];
  for (const [name, c] of Object.entries(doc.segments ?? {})) conditionMeasures(c, ['segments', name], usedMeasures);

  const scores = doc.scores ?? [];
  findings.push(...checkUniqueIds(scores, 'scores'));
  scores.forEach((s, i) => {
    const at = ['scores', i];
    if (typeof s.measure === 'string') usedMeasures.push({ name: s.measure, path: [...at, 'measure'] });
    segment(s.segment, [...at, 'segment']);
    if (s.group !== undefined && !Object.hasOwn(doc.groups ?? {}, s.group)) {
      findings.push({ path: [...at, 'group'], message: unknownName('group', s.group, doc.groups) });
    }
    if (s.group === undefined && doc.groups !== undefined) {
      findings.push({ path: [...at, 'group'], message: 'missing required key "group" (groups are defined, so every score names one)' });
    }
    findings.push(...checkScoring(s, at, scale));
  });

  const insights = doc.insights ?? [];
  findings.push(...checkUniqueIds(insights, 'insights'));
  insights.forEach((insight, i) => {
    conditionMeasures(insight.when, ['insights', i, 'when'], usedMeasures);
    band(insight.band, ['insights', i, 'band']);
    segment(insight.segment, ['insights', i, 'segment']);
  });

  const alerts = doc.alerts ?? [];
  findings.push(...checkUniqueIds(alerts, 'alerts'));
  alerts.forEach((alert, i) => {
    if ('band_became' in alert.when) band(alert.when.band_became, ['alerts', i, 'when', 'band_became']);
  });

  for (const used of usedMeasures) {
    if (!Object.hasOwn(measures, used.name)) findings.push({ path: used.path, message: unknownMeasure(used.name, measures) });
  }
  return findings;
}
