import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { engines } from '../helpers/engines.ts';
import { csv, tempProject, type TempProject } from '../helpers/temp-project.ts';

let project: TempProject;
afterEach(async () => project?.cleanup());

const BANDS = 'bands: [{ label: red, from: 0 }, { label: yellow, from: 3 }, { label: green, from: 7 }]';

describe.each(engines)('$name', (engine) => {
  it('combines groups by average, lowest and highest, and renormalises when a whole group is missing', async () => {
    project = await tempProject(engine);
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
    project = await tempProject(engine);
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
    const alerts = () => wh.query(sql`select extract(day from alert_date) as d, alert_id, from_band, to_band, from_score, to_score from alerts order by 1, 2`);
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

  it('fires alerts at their borders: a drop of exactly the points, a score exactly on a band border, and exactly `within` days back, across batch edges', async () => {
    project = await tempProject(engine);
    // The score is the attribute v itself (worst 0, best 10), so each account's score series
    // is set by hand: [day, v] observations, held until the next one.
    const series: Record<string, [number, number][]> = {
      // score_dropped_by 2 within 3d, around a drop of exactly 2 (8 → 6 on day 2).
      drop_less: [[1, 8], [2, 6.0001]],
      drop_exact: [[1, 8], [2, 6]],
      drop_more: [[1, 8], [2, 5.9999]],
      // band_became red, around the red/yellow border at 3 (a border belongs to the upper band).
      red_above: [[1, 4], [2, 3.0001]],
      red_at: [[1, 4], [2, 3]],
      red_below: [[1, 4], [2, 2.9999]],
      red_from_border: [[1, 3], [2, 2.9999]],
      red_stays_red: [[1, 2.9999], [2, 1]],
      // A drop on the first day of the second batch, compared with days of the first.
      batch_edge: [[1, 5], [4, 2]],
    };
    const accounts = Object.keys(series);
    await project.write('events/e.csv', csv([
      ['account_id', 'event', 'timestamp'],
      ...accounts.flatMap((a) => [[a, 'seen', '2025-01-01 09:00:00'], [a, 'seen', '2025-01-06 09:00:00']]),
    ]));
    await project.write('attributes.csv', csv([
      ['account_id', 'attribute', 'value', 'observed_at'],
      ...accounts.flatMap((a) => series[a]!.map(([d, v]) => [a, 'v', v, `2025-01-0${d}`])),
    ]));
    await project.write('definitions/s.yaml', [
      'scorecard: s', BANDS,
      'measures: { v: { attribute: v } }',
      'scores: [{ id: v, measure: v, worst: 0, best: 10 }]',
      'alerts:',
      '  - { id: to_red, when: { band_became: red } }',
      '  - { id: drop, when: { score_dropped_by: 2, within: 3d } }',
    ].join('\n'));
    await project.run({ span: { to: '2025-01-03' } });
    const second = await project.run({ span: { to: '2025-01-06' }, lookback: 1 });
    expect(second.materialised['s']).toEqual([{ from: '2025-01-04', to: '2025-01-06' }]);
    const wh = await project.warehouse();
    const alerts = () => wh.query(sql`select extract(day from alert_date) as d, account_id, alert_id, from_score, to_score from alerts order by 1, 2, 3`);
    const expected = [
      { d: 2, account_id: 'red_below', alert_id: 'to_red', from_score: 4, to_score: 2.9999 },
      { d: 2, account_id: 'red_from_border', alert_id: 'to_red', from_score: 3, to_score: 2.9999 },
      // Day 4 compares with day 1, exactly 3 days back: 6 ≤ 8 − 2 fires, 6.0001 does not. On
      // day 5 the drop is 4 days old (day 2 is already low): nothing fires.
      { d: 4, account_id: 'batch_edge', alert_id: 'drop', from_score: 5, to_score: 2 },
      { d: 4, account_id: 'batch_edge', alert_id: 'to_red', from_score: 5, to_score: 2 },
      { d: 4, account_id: 'drop_exact', alert_id: 'drop', from_score: 8, to_score: 6 },
      { d: 4, account_id: 'drop_more', alert_id: 'drop', from_score: 8, to_score: 5.9999 },
      { d: 5, account_id: 'batch_edge', alert_id: 'drop', from_score: 5, to_score: 2 },
      { d: 6, account_id: 'batch_edge', alert_id: 'drop', from_score: 5, to_score: 2 },
    ];
    expect(await alerts()).toEqual(expected);
    await project.run({ fullRefresh: true });
    expect(await alerts()).toEqual(expected);
  });
});
