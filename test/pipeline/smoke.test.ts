import { afterEach, expect, it } from 'vitest';
import { sql } from 'kysely';
import { csv, tempProject, type TempProject } from '../helpers/temp-project.ts';

let project: TempProject;
afterEach(async () => project?.cleanup());

it('runs a small scorecard end to end', async () => {
  project = await tempProject();
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
  const rows = await wh.query(sql`select * from health_snapshots order by snapshot_date, account_id`);
  console.log(rows);
  console.log(await wh.query(sql`select * from score_snapshots where account_id = 'a1' order by snapshot_date, score_id`));
});
