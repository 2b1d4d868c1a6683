import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { engines } from '../helpers/engines.ts';
import { csv, tempProject, type TempProject } from '../helpers/temp-project.ts';

let project: TempProject;
afterEach(async () => project?.cleanup());

describe.each(engines)('$name', (engine) => {
  it('runs a small scorecard end to end', async () => {
    project = await tempProject(engine);
    await project.write('events/a.csv', csv([
      ['account_id', 'event', 'timestamp', 'user_id', 'event_id'],
      ['a1', 'login', '2025-01-01 10:00:00', 'u1', 'e1'],
      ['a1', 'login', '2025-01-02 10:00:00', 'u2', 'e2'],
      ['a2', 'ticket_opened', '2025-01-02 11:00:00', 'u3', 'e3'],
      ['a1', 'login', '2025-01-05 10:00:00', 'u1', 'e4'],
    ]));
    await project.write('attributes.csv', csv([
      ['account_id', 'attribute', 'value', 'observed_at'],
      ['a1', 'nps', '9', '2025-01-01'],
      ['a2', 'nps', '3', '2025-01-01'],
    ]));
    await project.write('definitions/h.yaml', `
scorecard: h
bands: [{ label: red, from: 0 }, { label: yellow, from: 3 }, { label: green, from: 7 }]
measures:
  logins: { event: login, window: 3d }
  users: { event: "*", aggregate: distinct_users, window: 3d }
  nps: { attribute: nps, max_age: 2d }
  login_trend: { trend: logins }
scores:
  - { id: logins, measure: logins, worst: 0, best: 2, impact: high }
  - { id: nps, measure: nps, worst: 0, best: 10, impact: low }
  - { id: users, measure: users, worst: 0, best: 2, impact: none }
insights:
  - { id: no_logins, when: { measure: logins, eq: 0 }, band: yellow }
`);
    const summary = await project.run();
    expect(summary.daysMaterialised).toBe(5);
    const wh = await project.warehouse();
    const health = await wh.query(sql`select extract(day from snapshot_date) as d, account_id, score, band, insights
    from health_snapshots order by 1, 2`);
    // Global = (logins·3 + nps·1) / 4 (users has impact none). nps, observed Jan 1 with
    // max_age 2d, is stale from Jan 4, and the global score is then the logins score alone.
    // a2 never logs in: no_logins fires every day, and red is already below its yellow cap.
    expect(health).toEqual([
      { d: 1, account_id: 'a1', score: 6, band: 'yellow', insights: [] }, // (5·3 + 9) / 4
      { d: 1, account_id: 'a2', score: 0.75, band: 'red', insights: ['no_logins'] }, // (0·3 + 3) / 4
      { d: 2, account_id: 'a1', score: 9.75, band: 'green', insights: [] }, // (10·3 + 9) / 4
      { d: 2, account_id: 'a2', score: 0.75, band: 'red', insights: ['no_logins'] },
      { d: 3, account_id: 'a1', score: 9.75, band: 'green', insights: [] },
      { d: 3, account_id: 'a2', score: 0.75, band: 'red', insights: ['no_logins'] },
      { d: 4, account_id: 'a1', score: 5, band: 'yellow', insights: [] }, // 1 login in Jan 2–4
      { d: 4, account_id: 'a2', score: 0, band: 'red', insights: ['no_logins'] },
      { d: 5, account_id: 'a1', score: 5, band: 'yellow', insights: [] }, // 1 login in Jan 3–5
      { d: 5, account_id: 'a2', score: 0, band: 'red', insights: ['no_logins'] },
    ]);
    const scores = await wh.query(sql`select extract(day from snapshot_date) as d, score_id, raw_value, score, weight, status
    from score_snapshots where account_id = 'a1' order by 1, 2`);
    expect(scores).toEqual([
      { d: 1, score_id: 'logins', raw_value: 1, score: 5, weight: 3, status: 'ok' },
      { d: 1, score_id: 'nps', raw_value: 9, score: 9, weight: 1, status: 'ok' },
      { d: 1, score_id: 'users', raw_value: 1, score: 5, weight: 0, status: 'ok' },
      { d: 2, score_id: 'logins', raw_value: 2, score: 10, weight: 3, status: 'ok' },
      { d: 2, score_id: 'nps', raw_value: 9, score: 9, weight: 1, status: 'ok' },
      { d: 2, score_id: 'users', raw_value: 2, score: 10, weight: 0, status: 'ok' }, // u1 and u2
      { d: 3, score_id: 'logins', raw_value: 2, score: 10, weight: 3, status: 'ok' },
      { d: 3, score_id: 'nps', raw_value: 9, score: 9, weight: 1, status: 'ok' }, // 2 days old: not stale yet
      { d: 3, score_id: 'users', raw_value: 2, score: 10, weight: 0, status: 'ok' },
      { d: 4, score_id: 'logins', raw_value: 1, score: 5, weight: 3, status: 'ok' },
      { d: 4, score_id: 'nps', raw_value: null, score: null, weight: 1, status: 'stale' },
      { d: 4, score_id: 'users', raw_value: 1, score: 5, weight: 0, status: 'ok' },
      { d: 5, score_id: 'logins', raw_value: 1, score: 5, weight: 3, status: 'ok' },
      { d: 5, score_id: 'nps', raw_value: null, score: null, weight: 1, status: 'stale' },
      { d: 5, score_id: 'users', raw_value: 1, score: 5, weight: 0, status: 'ok' },
    ]);
  });
});
