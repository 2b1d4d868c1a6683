// definition_version: a hash of what a scorecard means, not of how its YAML is written.
// The run log compares it to decide which materialised days are out of date, so
// reformatting, comments and key order must not change it.

import { createHash } from 'node:crypto';
import type { Scorecard } from '../ir/types.ts';

/** JSON with object keys sorted at every depth and undefined fields left out. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** First 16 hex chars of sha256 over the normalised IR, without what cannot change a
 *  snapshot row: `file`, `version`, `source` (line numbers) and the documentation fields
 *  (names, descriptions, tags) — rewording a description must not recompute a year of
 *  history. */
export function definitionVersion(scorecard: Scorecard): string {
  const { file: _file, version: _version, name: _name, description: _description, source: _source, ...meaning } = scorecard;
  const scores = meaning.scores.map(({ name: _n, description: _d, tags: _t, ...score }) => score);
  const insights = meaning.insights.map(({ name: _n, ...insight }) => insight);
  const alerts = meaning.alerts.map(({ name: _n, ...alert }) => alert);
  const normalised = { ...meaning, scores, insights, alerts };
  return createHash('sha256').update(canonicalJson(normalised)).digest('hex').slice(0, 16);
}
