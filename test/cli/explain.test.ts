// explain on a tiny project: a text attribute's value is shown as it is, and a churned
// account is explained on its last scored day (without --date) or named with it (with one).
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AccountExplanation } from '../../pipeline/inspect/explain.ts';
import { hs, hsJson, hsOk } from './helpers.ts';
import { TINY_CONFIG, tinyProject } from './tiny-project.ts';

let tmp: Awaited<ReturnType<typeof tinyProject>>;
const explain = (...args: string[]) => hsJson<{ scorecards: AccountExplanation[] }>(['explain', ...args, '--project', tmp.project]);

beforeAll(async () => {
  tmp = await tinyProject({
    'healthscore.yaml': TINY_CONFIG + '  attributes: { path: attributes.csv, layout: long }\n  churn: { path: churn.csv }\n',
    'events/e.csv': [
      'account_id,event,timestamp',
      ...['01', '02', '03', '04', '05'].map((d) => `a1,login,2025-01-${d}T10:00:00Z`),
      'a2,login,2025-01-01T10:00:00Z',
      'a2,login,2025-01-02T10:00:00Z',
      'a3,login,2025-01-04T10:00:00Z',
      '',
    ].join('\n'),
    'attributes.csv': 'account_id,attribute,value,observed_at\na1,plan,basic,2025-01-01T09:00:00Z\na1,seats,12,2025-01-01T09:00:00Z\n',
    'churn.csv': 'account_id,churned_at\na2,2025-01-03\n',
    'definitions/health.yaml': [
      'scorecard: health',
      'bands: [{ label: red, from: 0 }, { label: green, from: 5 }]',
      'measures:',
      '  logins: { event: login, window: 7d }',
      '  plan: { attribute: plan }',
      '  seats: { attribute: seats }',
      'scores:',
      '  - { id: logins, measure: logins, worst: 0, best: 5 }',
      '  - { id: plan, measure: plan, map: { basic: 4, pro: 10 } }',
      '  - { id: seats, measure: seats, worst: 0, best: 20 }',
      '',
    ].join('\n'),
  });
  await hsOk(['run', '--project', tmp.project]);
});
afterAll(async () => tmp?.cleanup());

it('shows a text raw value as it is', async () => {
  const { scorecards } = await explain('a1', '--date', '2025-01-05');
  expect(scorecards[0]!.scores.map((s) => [s.score_id, s.raw_value, s.raw_text, s.score])).toEqual([
    ['logins', 5, null, 10],
    ['plan', null, 'basic', 4],
    ['seats', 12, null, 6],
  ]);
  const { stdout } = await hsOk(['explain', 'a1', '--date', '2025-01-05', '--project', tmp.project]);
  expect(stdout).toMatch(/^  plan +basic +4\.00 +red /m);
  expect(stdout).toMatch(/^  seats +12\.00 +6\.00 +green /m);
});

it('without --date, explains a churned account on its last scored day, and says so', async () => {
  const { scorecards } = await explain('a2');
  expect(scorecards[0]).toMatchObject({
    date: '2025-01-02',
    note: 'a2 is not scored on 2025-01-05 (churned on 2025-01-03); this is its last scored day, 2025-01-02',
  });
  const { stdout } = await hsOk(['explain', 'a2', '--project', tmp.project]);
  expect(stdout.split('\n').slice(0, 2)).toEqual([
    'a2 · health on 2025-01-02: 4.00 red',
    'note: a2 is not scored on 2025-01-05 (churned on 2025-01-03); this is its last scored day, 2025-01-02',
  ]);
  expect((await explain('a1')).scorecards[0]).toMatchObject({ date: '2025-01-05', note: null });
});

it('with a --date after the churn, names the last scored day and the command for it', async () => {
  const r = await hs(['explain', 'a2', '--date', '2025-01-04', '--project', tmp.project]);
  expect(r.code).toBe(2);
  expect(r.stderr).toBe('healthscore: a2 is not scored on 2025-01-04 (churned on 2025-01-03); its last scored day is 2025-01-02: healthscore explain a2 --date 2025-01-02\n');
});

it('tells an unknown account from one not scored yet', async () => {
  const unknown = await hs(['explain', 'a4', '--date', '2025-01-04', '--project', tmp.project]);
  expect([unknown.code, unknown.stderr]).toEqual([2, 'healthscore: account a4 is unknown: no loaded event, attribute or accounts row has this id\n']);
  const early = await hs(['explain', 'a3', '--date', '2025-01-02', '--project', tmp.project]);
  expect([early.code, early.stderr]).toEqual([
    2,
    'healthscore: a3 is not scored by health until 2025-01-04 (its first day, or its segment, starts later): healthscore explain a3 --date 2025-01-04\n',
  ]);
});
