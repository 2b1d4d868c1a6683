import { afterEach, describe, expect, it } from 'vitest';
import { loadScorecards } from '../../pipeline/definitions/load-scorecards.ts';
import { loadSources } from '../../pipeline/load/load-sources.ts';
import { dialectFor } from '../../pipeline/engine/dialect-for.ts';
import { staleDays } from '../../pipeline/state/run-log.ts';
import { engines } from '../helpers/engines.ts';
import { csv, tempProject, type TempProject } from '../helpers/temp-project.ts';

// A changed file marks stale the days its changed rows can affect, not every day of the
// file: rows are compared by their values, never by the key of the file they came from.

let project: TempProject | undefined;
afterEach(async () => project?.cleanup());

const HEADER = ['account_id', 'event', 'timestamp', 'user_id', 'event_id'];
const day = (d: number) => `2025-01-${String(d).padStart(2, '0')} 10:00:00`;
const rows = (days: number[]) => days.map((d) => ['a', 'login', day(d), 'u', `e${d}`]);

describe.each(engines)('$name', (engine) => {
  it('marks stale only the days from the first appended row on when a file grows', async () => {
    project = await tempProject(engine);
    await project.write('definitions/s.yaml', `scorecard: s
bands: [{ label: red, from: 0 }, { label: green, from: 5 }]
measures:
  logins: { event: login, window: 7d }
scores:
  - { id: logins, measure: logins, worst: 0, best: 3 }
`);
    await project.write('attributes.csv', csv([['account_id', 'attribute', 'value', 'observed_at']]));
    await project.write('events/e.csv', csv([HEADER, ...rows([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])]));
    await project.run();
    await project.write('events/e.csv', csv([HEADER, ...rows([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), ['a', 'login', day(8), 'u', 'new']]));
    const wh = await project.warehouse();
    await loadSources(wh.db, project.config(), dialectFor(project.config().warehouse));
    const stale = await staleDays(wh.db, await loadScorecards(project.config().definitions, project.root));
    expect(stale).toEqual([{ scorecard: 's', reason: 'events changed: events/e.csv', days: 3, first: '2025-01-08', last: '2025-01-10' }]);
  });
});
