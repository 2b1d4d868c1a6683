import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { engines } from '../helpers/engines.ts';
import { csv, identity, tempProject, type TempProject } from '../helpers/temp-project.ts';

let project: TempProject;
afterEach(async () => project?.cleanup());

const HEADER = ['account_id', 'scorecard', 'score_id', 'score', 'band', 'reason', 'author', 'starts_on', 'ends_on'];
const DEFINITION = `scorecard: s
bands: [{ label: red, from: 0 }, { label: yellow, from: 3 }, { label: green, from: 7 }]
measures: { x: { attribute: x }, y: { attribute: y } }
scores:
  - { id: x, measure: x, worst: 0, best: 10 }
  - { id: y, measure: y, worst: 0, best: 10 }
insights:
  - { id: low_y, when: { measure: y, lt: 5 }, band: red }`;

describe.each(engines)('$name', (engine) => {
  async function setup(overrides: (string | number | null)[][]) {
    project = await tempProject(engine);
    const events = [['account_id', 'event', 'timestamp', 'user_id', 'event_id']];
    for (let d = 1; d <= 10; d++) for (const a of ['a', 'b']) events.push([a, 'login', `2025-01-${String(d).padStart(2, '0')} 10:00:00`, '', '']);
    await project.write('events/e.csv', csv(events));
    await project.write('attributes.csv', csv([['account_id', 'attribute', 'value', 'observed_at'], ['a', 'x', 8, '2025-01-01'], ['a', 'y', 4, '2025-01-01'], ['b', 'x', 8, '2025-01-01'], ['b', 'y', 8, '2025-01-01']]));
    await project.write('definitions/s.yaml', DEFINITION);
    await project.write('overrides.csv', csv([HEADER, ...overrides]));
  }

  const withOverrides = () => ({ config: { sources: { ...project.config().sources, overrides: { path: 'overrides.csv', format: 'csv' as const, columns: identity(HEADER) } } } });

  async function health() {
    const wh = await project.warehouse();
    return wh.query<{ d: number; account_id: string; score: number; band: string; computed_band: string; overridden: boolean; override_reason: string | null }>(
      sql`select extract(day from snapshot_date) as d, account_id, score, band, computed_band, overridden, override_reason from health_snapshots order by 2, 1`,
    );
  }

  it('applies score and global overrides inside their windows, over insights, and lets them lapse', async () => {
    await setup([
      ['a', 's', 'y', 9, null, 'NPS survey was a mistake', 'kim', '2025-01-03', '2025-01-04'],
      ['b', 's', null, null, 'yellow', 'Champion left', 'lee', '2025-01-06', null],
      ['b', 's', null, 2, null, 'Escalation', 'lee', '2025-01-08', '2025-01-08'],
    ]);
    await project.run(withOverrides());
    const rows = await health();
    const a = (d: number) => rows.find((r) => r.account_id === 'a' && r.d === d);
    const b = (d: number) => rows.find((r) => r.account_id === 'b' && r.d === d);
    // a: (8 + 4) / 2 = 6, capped red by low_y; y overridden to 9 on days 3–4: (8 + 9) / 2 = 8.5, the insight still reads the measure.
    expect(a(2)).toMatchObject({ score: 6, band: 'red', overridden: false, override_reason: null });
    expect(a(3)).toMatchObject({ score: 8.5, computed_band: 'green', band: 'red', overridden: true, override_reason: 'NPS survey was a mistake' });
    expect(a(5)).toMatchObject({ score: 6, overridden: false });
    // b: 8 green; from day 6 on an open-ended band override; on day 8 a later one sets the score.
    expect(b(5)).toMatchObject({ score: 8, band: 'green', overridden: false });
    expect(b(6)).toMatchObject({ score: 8, band: 'yellow', overridden: true, override_reason: 'Champion left' });
    expect(b(8)).toMatchObject({ score: 2, band: 'red', override_reason: 'Escalation' });
    expect(b(10)).toMatchObject({ score: 8, band: 'yellow' });
    const wh = await project.warehouse();
    expect(await wh.query(sql`select extract(day from snapshot_date) as d, score, status from score_snapshots where account_id = 'a' and score_id = 'y' and extract(day from snapshot_date) in (2, 3) order by 1`))
      .toEqual([{ d: 2, score: 4, status: 'ok' }, { d: 3, score: 9, status: 'overridden' }]);
  });

  it('re-scores the affected days when the overrides file changes', async () => {
    await setup([['b', 's', null, 1, null, 'Escalation', 'lee', '2025-01-02', '2025-01-02']]);
    await project.run(withOverrides());
    await project.write('overrides.csv', csv([HEADER, ['b', 's', null, 1, null, 'Escalation', 'lee', '2025-01-05', '2025-01-05']]));
    const rerun = await project.run(withOverrides());
    expect(rerun.materialised['s']).toEqual([
      { from: '2025-01-02', to: '2025-01-02' },
      { from: '2025-01-05', to: '2025-01-05' },
      { from: '2025-01-08', to: '2025-01-10' },
    ]);
    const b = (await health()).filter((r) => r.account_id === 'b' && r.overridden).map((r) => r.d);
    expect(b).toEqual([5]);
  });

  it('rejects an override without a reason, or naming what does not exist', async () => {
    await setup([['b', 's', null, 1, null, '', 'lee', '2025-01-02', null]]);
    await expect(project.run(withOverrides())).rejects.toThrow('overrides.csv:2 reason: is empty: every override needs a reason');
    await project.write('overrides.csv', csv([HEADER, ['b', 's', 'nope', 1, null, 'why', 'lee', '2025-01-02', null]]));
    await expect(project.run(withOverrides())).rejects.toThrow('overrides.csv:2 score_id: scorecard s has no score "nope"');
    await project.write('overrides.csv', csv([HEADER, ['b', 's', null, null, 'purple', 'why', 'lee', '2025-01-02', null]]));
    await expect(project.run(withOverrides())).rejects.toThrow('overrides.csv:2 band: "purple" is not one of the bands red, yellow, green');
    expect(await health()).toEqual([]);
  });
});
