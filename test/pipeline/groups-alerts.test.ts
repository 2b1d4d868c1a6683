import { afterEach, expect, it } from 'vitest';
import { sql } from 'kysely';
import { csv, tempProject, type TempProject } from '../helpers/temp-project.ts';

let project: TempProject;
afterEach(async () => project?.cleanup());

const BANDS = 'bands: [{ label: red, from: 0 }, { label: yellow, from: 3 }, { label: green, from: 7 }]';

it('combines groups by average, lowest and highest, and renormalises when a whole group is missing', async () => {
  project = await tempProject();
  await project.write('events/e.csv', csv([['account_id', 'event', 'timestamp'], ['a', 'x', '2025-01-01 10:00:00'], ['b', 'x', '2025-01-01 10:00:00']]));
  await project.write('attributes.csv', csv([
    ['account_id', 'attribute', 'value', 'observed_at'],
    ['a', 'u1', 2, '2025-01-01'], ['a', 'u2', 8, '2025-01-01'], ['a', 'o1', 6, '2025-01-01'], ['a', 'o2', 1, '2025-01-01'], ['a', 'r1', 9, '2025-01-01'],
    // b has nothing in the relationship group
    ['b', 'u1', 4, '2025-01-01'], ['b', 'u2', 4, '2025-01-01'], ['b', 'o1', 10, '2025-01-01'], ['b', 'o2', 0, '2025-01-01'],
  ]));
  const score = (id: string, group: string, impact = 'medium') => `  - { id: ${id}, measure: ${id}, worst: 0, best: 10, group: ${group}, impact: ${impact} }`;
  await project.write('definitions/s.yaml', [
    'scorecard: s', BANDS,
    'groups:', '  usage: { weight: 30 }', '  outcomes: { weight: 50, combine: lowest }', '  relationship: { weight: 20, combine: highest }',
    'measures: { u1: { attribute: u1 }, u2: { attribute: u2 }, o1: { attribute: o1 }, o2: { attribute: o2 }, r1: { attribute: r1 }, r2: { attribute: r2 } }',
    'scores:', score('u1', 'usage', 'low'), score('u2', 'usage', 'high'), score('o1', 'outcomes'), score('o2', 'outcomes'), score('r1', 'relationship'), score('r2', 'relationship'),
  ].join('\n'));
  await project.run();
  const wh = await project.warehouse();
  const rows = await wh.query<{ account_id: string; score: number }>(sql`select account_id, score from health_snapshots order by 1`);
  // a: usage (2·1 + 8·3)/4 = 6.5; outcomes lowest = 1; relationship highest (r2 missing) = 9.
  //    (6.5·30 + 1·50 + 9·20) / 100 = 4.25
  // b: usage 4; outcomes lowest 0; relationship missing → weights renormalised over 80.
  //    (4·30 + 0·50) / 80 = 1.5
  expect(rows).toEqual([{ account_id: 'a', score: 4.25 }, { account_id: 'b', score: 1.5 }]);
});

it('writes alerts on the days they fire, and the same alerts after a re-run', async () => {
  project = await tempProject();
  const events = [['account_id', 'event', 'timestamp']];
  // Logins per day: 4, 4, 4, 0, 0, 0, 4, 0 → with a 1-day window the score goes 10, 10, 10, 0, 0, 0, 10, 0.
  [4, 4, 4, 0, 0, 0, 4, 0].forEach((n, i) => {
    events.push(['a', 'seen', `2025-01-0${i + 1} 09:00:00`]);
    for (let k = 0; k < n; k++) events.push(['a', 'login', `2025-01-0${i + 1} 1${k}:00:00`]);
  });
  await project.write('events/e.csv', csv(events));
  await project.write('attributes.csv', csv([['account_id', 'attribute', 'value', 'observed_at']]));
  await project.write('definitions/s.yaml', [
    'scorecard: s', BANDS,
    'measures: { logins: { event: login, window: 1d } }',
    'scores: [{ id: logins, measure: logins, worst: 0, best: 4 }]',
    'alerts:',
    '  - { id: to_red, when: { band_became: red } }',
    '  - { id: drop, when: { score_dropped_by: 5, within: 2d } }',
  ].join('\n'));
  await project.run();
  const wh = await project.warehouse();
  const alerts = () => wh.query(sql`select day(alert_date) as d, alert_id, from_band, to_band, from_score, to_score from alerts order by 1, 2`);
  const expected = [
    { d: 4, alert_id: 'to_red', from_band: 'green', to_band: 'red', from_score: 10, to_score: 0 },
    { d: 4, alert_id: 'drop', from_band: 'green', to_band: 'red', from_score: 10, to_score: 0 }, // vs day 2
    { d: 5, alert_id: 'drop', from_band: 'green', to_band: 'red', from_score: 10, to_score: 0 }, // vs day 3
    { d: 8, alert_id: 'to_red', from_band: 'green', to_band: 'red', from_score: 10, to_score: 0 },
  ].sort((x, y) => x.d - y.d || (x.alert_id < y.alert_id ? -1 : 1));
  expect(await alerts()).toEqual(expected);
  await project.run(); // recomputes the lookback days 6–8
  await project.run({ fullRefresh: true });
  expect(await alerts()).toEqual(expected);
});
