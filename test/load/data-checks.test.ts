import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { readDataChecks } from '../../pipeline/load/data-checks.ts';
import { ensureWarehouseTables } from '../../models/warehouse-tables.ts';
import { dialectFor } from '../../pipeline/engine/dialect-for.ts';
import { engines, type TestEngine } from '../helpers/engines.ts';
import { csv, identity, tempProject, type TempProject } from '../helpers/temp-project.ts';

// The data checks a load stores: counts over the raw tables, equal after an edit to what a
// fresh load of the same files gives.

let project: TempProject;
afterEach(async () => project?.cleanup());

const SCORECARD = `scorecard: s
bands: [{ label: red, from: 0 }]
measures: { logins: { event: login, window: 7d } }
scores: [{ id: logins, measure: logins, worst: 0, best: 5 }]`;

const EVENTS = [
  ['account_id', 'event', 'timestamp', 'user_id', 'event_id'],
  ['a', 'login', '2024-12-30 10:00:00', 'u', 'e1'], // before a's created_at
  ['a', 'login', '2025-01-02 10:00:00', 'u', 'e2'],
  ['a', 'login', '2025-01-02 11:00:00', 'u', 'e2'], // reuses e2 on the same day
  ['a', 'login', '2025-01-02 12:00:00', 'u', 'e2'], // and again
  ['b', 'login', '2025-01-03 10:00:00', 'u', null],
  ['b', 'login', '2025-01-03 11:00:00', 'u', null], // no id: reuses nothing
  ['z', 'login', '2025-01-04 10:00:00', 'u', 'e9'], // z is not in accounts.csv
  ['a', 'login', '2025-01-05 10:00:00', 'u', 'e1'], // e1 again, but on another day
];

function sources(withAccounts = true) {
  return {
    events: { path: 'events/*.csv', format: 'csv' as const, columns: identity(['account_id', 'event', 'timestamp', 'user_id', 'event_id']) },
    attributes: { path: 'attributes.csv', format: 'csv' as const, layout: 'long' as const, columns: identity(['account_id', 'attribute', 'value', 'observed_at']) },
    churn: { kind: 'file' as const, path: 'churn.csv', format: 'csv' as const, columns: identity(['account_id', 'churned_at']) },
    ...(withAccounts && { accounts: { path: 'accounts.csv', format: 'csv' as const, columns: identity(['account_id', 'created_at']) } }),
  };
}

async function project3(engine: TestEngine): Promise<TempProject> {
  const p = await tempProject(engine);
  await p.write('definitions/s.yaml', SCORECARD);
  await p.write('events/e.csv', csv(EVENTS));
  await p.write('accounts.csv', csv([['account_id', 'created_at'], ['a', '2025-01-01'], ['b', '2024-12-01']]));
  await p.write('churn.csv', csv([['account_id', 'churned_at'], ['a', '2025-01-03'], ['a', '2025-01-03 18:00:00'], ['b', '2025-01-04']]));
  await p.write('attributes.csv', csv([
    ['account_id', 'attribute', 'value', 'observed_at'],
    ['a', 'plan', 'basic', '2025-01-01 09:00:00'],
    ['a', 'plan', 'pro', '2025-01-01 09:00:00'], // conflicts with the row above
    ['a', 'plan', 'pro', '2025-01-02 09:00:00'],
    ['b', 'plan', 'pro', '2025-01-01 09:00:00'],
    ['b', 'plan', 'pro', '2025-01-01 09:00:00'], // same value again: no conflict
    ['b', 'nps', null, '2025-01-01 09:00:00'], // empty: no observation
  ]));
  return p;
}

describe.each(engines)('$name', (engine) => {
  it('counts early events, unknown accounts, duplicate churn rows, conflicting attributes and reused event ids', async () => {
    project = await project3(engine);
    await project.run({ config: { sources: sources() } });
    const wh = await project.warehouse();
    expect(await readDataChecks(wh.db)).toEqual({
      // Of the 8 event rows, 3 are set aside (e2 twice, e1's later row): 5 events remain.
      eventsBeforeCreated: { rows: 1, of: 5, share: 1 / 5, accounts: 1 },
      eventsOfUnknownAccounts: { rows: 1, of: 5, share: 1 / 5, accounts: 1 },
      duplicateChurnRows: { rows: 1, of: 3, share: 1 / 3 },
      conflictingAttributeObservations: { rows: 2, of: 5, share: 2 / 5 },
      reusedEventIds: { rows: 3, of: 8, share: 3 / 8 },
    });
  });

  it('leaves the account checks out without an accounts file', async () => {
    project = await project3(engine);
    await project.run({ config: { sources: sources(false) } });
    const checks = await readDataChecks((await project.warehouse()).db);
    expect(checks).toMatchObject({ eventsBeforeCreated: null, eventsOfUnknownAccounts: null, reusedEventIds: { rows: 3 } });
  });

  it('after an edit, equals the checks of a fresh load of the same files', async () => {
    project = await project3(engine);
    await project.run({ config: { sources: sources() } });
    // A second events file that reuses e2 on its day, and churn and attribute files made clean.
    await project.write('events/f.csv', csv([EVENTS[0]!, ['b', 'login', '2025-01-02 13:00:00', 'u', 'e2']]));
    await project.write('churn.csv', csv([['account_id', 'churned_at'], ['a', '2025-01-03']]));
    await project.write('attributes.csv', csv([['account_id', 'attribute', 'value', 'observed_at'], ['a', 'plan', 'pro', '2025-01-01 09:00:00']]));
    await project.run({ config: { sources: sources() } });
    const edited = await readDataChecks((await project.warehouse()).db);
    expect(edited).toMatchObject({ reusedEventIds: { rows: 4, of: 9 }, duplicateChurnRows: { rows: 0 }, conflictingAttributeObservations: { rows: 0 } });

    const fresh = await project3(engine);
    try {
      await fresh.write('events/f.csv', csv([EVENTS[0]!, ['b', 'login', '2025-01-02 13:00:00', 'u', 'e2']]));
      await fresh.write('churn.csv', csv([['account_id', 'churned_at'], ['a', '2025-01-03']]));
      await fresh.write('attributes.csv', csv([['account_id', 'attribute', 'value', 'observed_at'], ['a', 'plan', 'pro', '2025-01-01 09:00:00']]));
      await fresh.run({ config: { sources: sources() } });
      expect(await readDataChecks((await fresh.warehouse()).db)).toEqual(edited);
    } finally {
      await fresh.cleanup();
    }
  });

  it('gives a warehouse made before the checks its counts on the next run, with nothing new to load', async () => {
    project = await project3(engine);
    await project.run({ config: { sources: sources() } });
    const wh = await project.warehouse();
    const before = await readDataChecks(wh.db);
    await sql`drop table data_checks`.execute(wh.db);
    expect(await readDataChecks(wh.db)).toBeNull();
    await ensureWarehouseTables(wh.db, dialectFor(project.config().warehouse));
    expect(await readDataChecks(wh.db)).toBeNull();
    const rerun = await project.run({ config: { sources: sources() } });
    expect(rerun.load.loaded).toEqual([]);
    expect(await readDataChecks(wh.db)).toEqual(before);
  });
});
