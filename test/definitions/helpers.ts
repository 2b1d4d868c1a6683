// Small helpers for definition tests: parse text as if it were definitions/health.yaml and
// get the problems as the user would read them.

import { parseScorecard } from '../../pipeline/definitions/parse-scorecard.ts';
import { formatProblem, orderProblems } from '../../pipeline/errors.ts';
import type { Scorecard } from '../../pipeline/ir/types.ts';

export const FILE = 'definitions/health.yaml';

/** Lines joined with newlines, so a test can count line numbers at a glance. */
export function yaml(...lines: string[]): string {
  return lines.join('\n') + '\n';
}

export function problems(text: string): string[] {
  const r = parseScorecard(text, FILE);
  if (r.ok) return [];
  return orderProblems(r.problems).map(formatProblem);
}

export function scorecard(text: string): Scorecard {
  const r = parseScorecard(text, FILE);
  if (!r.ok) throw new Error(`unexpected problems:\n${r.problems.map(formatProblem).join('\n')}`);
  return r.scorecard;
}

/** A minimal valid scorecard (11 lines); `extra` lines are appended at line 12 on. */
export function minimal(...extra: string[]): string {
  return yaml(
    'scorecard: health',
    'bands:',
    '  - { label: red, from: 0 }',
    '  - { label: green, from: 7 }',
    'measures:',
    '  logins: { event: login, window: 30d }',
    'scores:',
    '  - id: logins',
    '    measure: logins',
    '    worst: 0',
    '    best: 10',
    ...extra,
  );
}
