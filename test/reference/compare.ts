// Row-by-row comparison of the pipeline's snapshot tables with the reference scorer.

import { sql } from 'kysely';
import type { Warehouse } from '../../pipeline/engine/warehouse.ts';
import type { Band, Scorecard } from '../../pipeline/ir/types.ts';
import { bandOf, dayNumber, dayString, type RefHealthRow, type RefScoreRow, type RefSnapshots } from './reference-scorer.ts';

export type Row = Record<string, unknown>;

export async function pipelineSnapshots(wh: Warehouse, scorecard: string): Promise<{ scores: Row[]; health: Row[]; alerts: Row[] }> {
  const scores = await wh.query(sql`select * from score_snapshots where scorecard = ${scorecard}
    order by snapshot_date, account_id, score_id`);
  const health = await wh.query(sql`select * from health_snapshots where scorecard = ${scorecard}
    order by snapshot_date, account_id`);
  // The same SQL on every engine: no `exclude`, no `order by all`.
  const alerts = await wh.query(sql`select cast(alert_date as varchar) as alert_date, scorecard, account_id, alert_id, from_band, to_band, from_score, to_score
    from alerts where scorecard = ${scorecard} order by 1, 2, 3, 4, 5, 6, 7, 8`);
  return { scores, health, alerts };
}

/** Same number up to float noise (1e-9, relative for large values). */
function close(a: unknown, b: number | null): boolean {
  if (b === null || a === null || a === undefined) return (a ?? null) === b;
  return typeof a === 'number' && Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
}

/** A rounded score: exactly the reference's, unless the reference was near a rounding tie,
 *  where a neighbour within one unit of the 4th decimal (plus noise) is accepted too. */
function sameRounded(a: unknown, b: number | null, tie: boolean): boolean {
  if (!tie) return (a ?? null) === b;
  if (b === null || a === null || a === undefined) return (a ?? null) === b;
  return typeof a === 'number' && Math.abs(a - b) <= 2.0001e-4;
}

/** A band must be the reference's, or (near a tie) the band of the pipeline's own score. */
function sameBand(actual: unknown, expected: string | null, tie: boolean, actualScore: unknown, bands: Band[]): boolean {
  if ((actual ?? null) === expected) return true;
  return tie && typeof actualScore === 'number' && actual === bandOf(actualScore, bands);
}

const show = (v: unknown) => JSON.stringify(v);

/** override_reason: exactly the reference's (the global reason, then the score
 *  overrides' reasons sorted). */
function sameReason(actual: unknown, expected: RefHealthRow): boolean {
  return (actual ?? null) === expected.override_reason;
}

/** Every difference, as lines of text (empty when the tables agree). */
export function compareSnapshots(scorecard: Scorecard, actual: { scores: Row[]; health: Row[]; alerts: Row[] }, expected: RefSnapshots): string[] {
  const problems: string[] = [];
  const scoreKey = (r: { snapshot_date: unknown; account_id: unknown; score_id: unknown }) => `${r.snapshot_date} ${r.account_id} ${r.score_id}`;
  const healthKey = (r: { snapshot_date: unknown; account_id: unknown }) => `${r.snapshot_date} ${r.account_id}`;

  const actualScores = new Map(actual.scores.map((r) => [scoreKey(r as never), r]));
  const expectedScores = new Map(expected.scores.map((r) => [scoreKey(r), r]));
  for (const [key, exp] of expectedScores) {
    const act = actualScores.get(key);
    if (!act) {
      problems.push(`score_snapshots ${key}: missing row (expected ${describeScore(exp)})`);
      continue;
    }
    const bands = scorecard.scores.find((s) => s.id === exp.score_id)?.bands ?? scorecard.bands;
    const diffs: string[] = [];
    if (!close(act['raw_value'], exp.raw_value)) diffs.push(`raw_value ${show(act['raw_value'])} ≠ ${show(exp.raw_value)}`);
    if (!sameRounded(act['score'], exp.score, exp.tie)) diffs.push(`score ${show(act['score'])} ≠ ${show(exp.score)} (unrounded ${exp.unrounded})`);
    if (!sameBand(act['band'], exp.band, exp.tie && !exp.bandFixed, act['score'], bands)) diffs.push(`band ${show(act['band'])} ≠ ${show(exp.band)}`);
    if (act['weight'] !== exp.weight) diffs.push(`weight ${show(act['weight'])} ≠ ${exp.weight}`);
    if (act['status'] !== exp.status) diffs.push(`status ${show(act['status'])} ≠ ${show(exp.status)}`);
    if (diffs.length) problems.push(`score_snapshots ${key}: ${diffs.join('; ')}`);
  }
  for (const [key, act] of actualScores) {
    if (!expectedScores.has(key)) problems.push(`score_snapshots ${key}: unexpected row ${show(act)}`);
  }

  const actualHealth = new Map(actual.health.map((r) => [healthKey(r as never), r]));
  const expectedHealth = new Map(expected.health.map((r) => [healthKey(r), r]));
  for (const [key, exp] of expectedHealth) {
    const act = actualHealth.get(key);
    if (!act) {
      problems.push(`health_snapshots ${key}: missing row (expected ${describeHealth(exp)})`);
      continue;
    }
    const diffs: string[] = [];
    for (const column of ['score', 'computed_score'] as const) {
      const tie = exp.tie && !(column === 'score' && exp.scoreFixed);
      if (!sameRounded(act[column], exp[column], tie)) diffs.push(`${column} ${show(act[column])} ≠ ${show(exp[column])} (unrounded ${exp.unrounded})`);
    }
    if (!sameBand(act['computed_band'], exp.computed_band, exp.tie, act['computed_score'], scorecard.bands)) {
      diffs.push(`computed_band ${show(act['computed_band'])} ≠ ${show(exp.computed_band)}`);
    }
    // Near a tie the computed band may differ, and so may the band derived from it (unless
    // a global override set the band).
    if ((act['band'] ?? null) !== exp.band && !(exp.tie && !exp.bandFixed && exp.computed_band !== act['computed_band'])) {
      diffs.push(`band ${show(act['band'])} ≠ ${show(exp.band)}`);
    }
    if (show(act['insights']) !== show(exp.insights)) diffs.push(`insights ${show(act['insights'])} ≠ ${show(exp.insights)}`);
    if (act['overridden'] !== exp.overridden) diffs.push(`overridden ${show(act['overridden'])} ≠ ${exp.overridden}`);
    if (!sameReason(act['override_reason'], exp)) diffs.push(`override_reason ${show(act['override_reason'])} ≠ ${show(exp.override_reason)}`);
    if (act['definition_version'] !== exp.definition_version) diffs.push(`definition_version ${show(act['definition_version'])} ≠ ${exp.definition_version}`);
    if (diffs.length) problems.push(`health_snapshots ${key}: ${diffs.join('; ')}`);
  }
  for (const [key, act] of actualHealth) {
    if (!expectedHealth.has(key)) problems.push(`health_snapshots ${key}: unexpected row ${show(act)}`);
  }
  problems.push(...compareAlerts(scorecard, actual.alerts, expected));
  return problems;
}

/** Alerts must match the reference's, except where a score it compares was near a rounding
 *  tie (then a score on the very border may fire either way). */
function compareAlerts(scorecard: Scorecard, actual: Row[], expected: RefSnapshots): string[] {
  const problems: string[] = [];
  const key = (r: { alert_date: unknown; account_id: unknown; alert_id: unknown }) => `${r.alert_date} ${r.account_id} ${r.alert_id}`;
  const tieRows = new Set(expected.health.filter((h) => h.tie).map((h) => `${h.snapshot_date} ${h.account_id}`));
  const nearTie = (r: Row) => {
    const alert = scorecard.alerts.find((a) => a.id === r['alert_id']);
    const back = alert?.when.kind === 'score_dropped_by' ? alert.when.within : 1;
    const before = dayString(dayNumber(String(r['alert_date'])) - back);
    return tieRows.has(`${r['alert_date']} ${r['account_id']}`) || tieRows.has(`${before} ${r['account_id']}`);
  };
  const actualAlerts = new Map(actual.map((r) => [key(r as never), r]));
  const expectedAlerts = new Map(expected.alerts.map((r) => [key(r), r]));
  for (const [k, exp] of expectedAlerts) {
    const act = actualAlerts.get(k);
    if (!act) {
      if (!exp.tie) problems.push(`alerts ${k}: missing row (expected ${show({ ...exp, tie: undefined })})`);
      continue;
    }
    const diffs: string[] = [];
    for (const column of ['from_band', 'to_band'] as const) {
      if ((act[column] ?? null) !== exp[column] && !exp.tie) diffs.push(`${column} ${show(act[column])} ≠ ${show(exp[column])}`);
    }
    for (const column of ['from_score', 'to_score'] as const) {
      if (!sameRounded(act[column], exp[column], exp.tie)) diffs.push(`${column} ${show(act[column])} ≠ ${show(exp[column])}`);
    }
    if (diffs.length) problems.push(`alerts ${k}: ${diffs.join('; ')}`);
  }
  for (const [k, act] of actualAlerts) {
    if (!expectedAlerts.has(k) && !nearTie(act)) problems.push(`alerts ${k}: unexpected row ${show(act)}`);
  }
  return problems;
}

function describeScore(r: RefScoreRow): string {
  return show({ raw_value: r.raw_value, score: r.score, band: r.band, weight: r.weight, status: r.status });
}

function describeHealth(r: RefHealthRow): string {
  return show({ score: r.score, band: r.band, computed_band: r.computed_band, insights: r.insights, overridden: r.overridden, override_reason: r.override_reason });
}
