// The data checks as `load`, `run` and `status` print them, in text and --json, and
// `status` (read-only) on a warehouse made before the checks existed.
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, expect, it } from 'vitest';
import { hsJson, hsOk } from './helpers.ts';
import { TINY_CONFIG, tinyProject } from './tiny-project.ts';

let tmp: Awaited<ReturnType<typeof tinyProject>> | undefined;
afterEach(async () => tmp?.cleanup());

const CONFIG = TINY_CONFIG + [
  '  accounts: { path: accounts.csv }',
  '  churn: { path: churn.csv }',
  '',
].join('\n');

const EVENTS = [
  'account_id,event,timestamp,user_id,event_id',
  'a1,login,2024-12-31T10:00:00Z,u1,e1',
  'a1,login,2025-01-01T10:00:00Z,u1,e2',
  'a1,login,2025-01-01T11:00:00Z,u1,e2',
  'a2,login,2025-01-02T11:00:00Z,u2,e3',
  '',
].join('\n');

async function problemProject() {
  return tinyProject({
    'healthscore.yaml': CONFIG,
    'events/e.csv': EVENTS,
    'accounts.csv': 'account_id,created_at\na1,2025-01-01\n',
    'churn.csv': 'account_id,churned_at\na2,2025-01-03\na2,2025-01-03\n',
  });
}

const PROBLEMS = [
  'data checks:',
  // Of the 4 event rows one repeats an event_id: the account checks count the 3 events.
  "  1 of 3 events (33.3%) are dated before their account's created_at, in 1 account: those accounts are scored from created_at",
  '  1 of 3 events (33.3%) belong to 1 account missing from the accounts file',
  '  1 of 2 churn rows (50.0%) repeat an account and churn day listed before',
  '  1 of 4 event rows (25.0%) share their event_id with another row and are set aside: one row per id is kept, the earliest',
];

it('load, run and status print the problems found, and --json has the counts', async () => {
  tmp = await problemProject();
  const load = await hsOk(['load', '--project', tmp.project]);
  expect(load.stdout.split('\n')).toEqual(expect.arrayContaining(PROBLEMS));
  const run = await hsOk(['run', '--project', tmp.project]);
  expect(run.stdout).toContain(PROBLEMS.join('\n'));
  const status = await hsOk(['status', '--project', tmp.project]);
  expect(status.stdout).toContain(PROBLEMS.join('\n'));
  const json = await hsJson(['status', '--project', tmp.project]);
  expect(json.dataChecks).toEqual({
    eventsBeforeCreated: { rows: 1, of: 3, share: 1 / 3, accounts: 1 },
    eventsOfUnknownAccounts: { rows: 1, of: 3, share: 1 / 3, accounts: 1 },
    duplicateChurnRows: { rows: 1, of: 2, share: 0.5 },
    conflictingAttributeObservations: { rows: 0, of: 0, share: null },
    reusedEventIds: { rows: 1, of: 4, share: 0.25 },
  });
  expect((await hsJson(['load', '--project', tmp.project])).dataChecks).toEqual(json.dataChecks);
  expect((await hsJson(['run', '--project', tmp.project])).dataChecks).toEqual(json.dataChecks);
});

it('says in one line when nothing is wrong', async () => {
  tmp = await tinyProject();
  const run = await hsOk(['run', '--project', tmp.project]);
  expect(run.stdout.split('\n').filter((l) => l.startsWith('data checks'))).toEqual(['data checks: no problems found']);
});

it('status reads a warehouse made before the checks, and the next run adds them', async () => {
  tmp = await problemProject();
  await hsOk(['run', '--project', tmp.project]);
  // What a warehouse written before the data checks looks like.
  const instance = await DuckDBInstance.create(join(tmp.project, 'warehouse.duckdb'));
  const connection = await instance.connect();
  await connection.run('drop table data_checks');
  connection.closeSync();
  instance.closeSync();

  const status = await hsOk(['status', '--project', tmp.project]);
  expect(status.stdout).not.toContain('data checks');
  expect((await hsJson(['status', '--project', tmp.project])).dataChecks).toBeNull();
  const run = await hsOk(['run', '--project', tmp.project]);
  expect(run.stdout).toContain('0 files loaded');
  expect(run.stdout).toContain(PROBLEMS.join('\n'));
  expect((await hsOk(['status', '--project', tmp.project])).stdout).toContain(PROBLEMS.join('\n'));
});
