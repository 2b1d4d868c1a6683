import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { engines } from '../helpers/engines.ts';
import { csv, identity, tempProject, type TempProject } from '../helpers/temp-project.ts';

let project: TempProject;
afterEach(async () => project?.cleanup());

describe.each(engines)('$name', (engine) => {
  it('measures progress against a goal line before, within and after its period', async () => {
    project = await tempProject(engine);
    const events: (string | null)[][] = [['account_id', 'event', 'timestamp', 'user_id', 'event_id']];
    // a: 2 API calls a day on days 1–3, then nothing. b: 1 a day on days 1–12.
    for (let d = 1; d <= 3; d++) events.push(['a', 'api_call', `2025-01-0${d} 10:00:00`, null, null], ['a', 'api_call', `2025-01-0${d} 11:00:00`, null, null]);
    for (let d = 1; d <= 12; d++) events.push(['b', 'api_call', `2025-01-${String(d).padStart(2, '0')} 10:00:00`, null, null]);
    await project.write('events/e.csv', csv(events));
    await project.write('attributes.csv', csv([['account_id', 'attribute', 'value', 'observed_at'], ['b', 'contract_start', '2025-01-05', '2025-01-01']]));
    await project.write('accounts.csv', csv([['account_id', 'created_at'], ['a', '2025-01-01'], ['b', '2024-12-20']]));
    await project.write('definitions/s.yaml', `scorecard: s
bands: [{ label: behind, from: 0 }, { label: on_track, from: 10 }]
measures:
  onboarding: { goal: { event: api_call, target: 10, within: 10d, since: first_seen } }
  contract: { goal: { event: api_call, target: 10, within: 10d, since: contract_start } }
scores:
  - { id: onboarding, measure: onboarding, worst: 0, best: 1 }
  - { id: contract, measure: contract, worst: 0, best: 1 }`);
    await project.run({ config: { sources: { ...project.config().sources, accounts: { path: 'accounts.csv', format: 'csv', columns: identity(['account_id', 'created_at']) } } } });
    const wh = await project.warehouse();
    const rows = await wh.query<{ account_id: string; d: number; score_id: string; raw_value: number | null }>(sql`
    select account_id, extract(day from snapshot_date) as d, score_id, raw_value from score_snapshots
    where extract(day from snapshot_date) in (2, 4, 6, 10, 12) order by 1, 2, 3`);
    const value = (account: string, score: string, day: number) =>
      rows.find((r) => r.account_id === account && r.score_id === score && r.d === day)?.raw_value;
    // Scores carry 4 decimals: compare at that precision (the default accepts ±0.005).
    // a since Jan 1: expected = 10 × min(1, days / 10).
    expect(value('a', 'onboarding', 2)).toBeCloseTo(4 / 2, 4); // ahead of the line
    expect(value('a', 'onboarding', 6)).toBeCloseTo(6 / 6, 4);
    expect(value('a', 'onboarding', 12)).toBeCloseTo(6 / 10, 4); // after the period the target is fixed
    // b's first day is Dec 20: the first 12 calls of January against the full target.
    expect(value('b', 'onboarding', 12)).toBeCloseTo(12 / 10, 4);
    // b's contract starts Jan 5: missing before, counted from Jan 5 on.
    expect(value('b', 'contract', 4)).toBeNull();
    expect(value('b', 'contract', 6)).toBeCloseTo(2 / 2, 4);
    expect(value('b', 'contract', 12)).toBeCloseTo(8 / 8, 4);
    expect(value('a', 'contract', 6)).toBeNull(); // no contract_start attribute
  });
});
