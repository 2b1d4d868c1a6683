// A name the loaded data never has (a typo like `tickets` for `ticket`) scores every
// account 0 without an error: validate and run warn about it, with file:line path.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataWarnings } from '../../pipeline/definitions/check-against-data.ts';
import { loadScorecards } from '../../pipeline/definitions/load-scorecards.ts';
import { formatProblem } from '../../pipeline/errors.ts';
import { openWarehouse } from '../../pipeline/engine/warehouse.ts';
import { ensureWarehouseTables } from '../../models/warehouse-tables.ts';
import { duckdb } from '../../pipeline/sql/dialects/duckdb.ts';
import { csv, tempProject, type TempProject } from '../helpers/temp-project.ts';
import { hs, hsJson, type TempDir } from '../cli/helpers.ts';
import { TINY_CONFIG, tinyProject } from '../cli/tiny-project.ts';
import { scorecard, yaml } from './helpers.ts';

const DEFINITION = yaml(
  'scorecard: health', //                                                      1
  'bands: [{ label: red, from: 0 }]', //                                       2
  'measures:', //                                                              3
  '  tickets: { event: tickets, window: 30d }', //                             4  typo
  '  both: { event: [ticket, logins], window: 30d }', //                       5  second is a typo
  '  everything: { event: "*", window: 30d }', //                              6
  '  rows: { event: export, aggregate: sum, property: rowz, window: 30d }', // 7  property typo
  '  big:', //                                                                 8
  '    event: export', //                                                      9
  '    where: { all: [{ property: rows, gt: 1 }, { not: { property: size, eq: 3 } }] }', // 10 size: none
  '    window: 30d', //                                                        11
  '  goal: { goal: { event: api_cal, target: 5, within: 30d, since: first_seen } }', // 12
  'scores:', //                                                                13
  '  - { id: a, measure: tickets, worst: 0, best: 1 }', //                     14
  '  - { id: b, measure: { event: signup, window: 7d }, worst: 0, best: 1 }', // 15 no signup
  '  - { id: c, measure: { event: export, aggregate: distinct, property: row, window: 7d }, worst: 0, best: 1 }', // 16 typo
);

const FILE = 'definitions/health.yaml';
const EXPECTED = [
  `${FILE}:4 measures.tickets.event: event "tickets" never occurs in the loaded data (did you mean "ticket"?)`,
  `${FILE}:5 measures.both.event[1]: event "logins" never occurs in the loaded data (did you mean "login"?)`,
  `${FILE}:7 measures.rows.property: no loaded event has the property "rowz" (did you mean "rows"?)`,
  `${FILE}:10 measures.big.where.all[1].not.property: no loaded event has the property "size"`,
  `${FILE}:12 measures.goal.goal.event: event "api_cal" never occurs in the loaded data (did you mean "api_call"?)`,
  `${FILE}:15 scores[1].measure.event: event "signup" never occurs in the loaded data`,
  `${FILE}:16 scores[2].measure.property: no loaded event has the property "row" (did you mean "rows"?)`,
];

describe('dataWarnings', () => {
  let project: TempProject;
  beforeAll(async () => {
    project = await tempProject();
    await project.write('definitions/health.yaml', DEFINITION);
    await project.write('events/e.csv', csv([
      ['account_id', 'event', 'timestamp', 'user_id', 'event_id', 'rows'],
      ['a1', 'ticket', '2025-01-01T10:00:00Z', 'u1', 'e1', null],
      ['a1', 'login', '2025-01-01T11:00:00Z', 'u1', 'e2', null],
      ['a1', 'export', '2025-01-02T10:00:00Z', 'u1', 'e3', 12],
      ['a2', 'api_call', '2025-01-02T10:00:00Z', 'u2', 'e4', null],
    ]));
    await project.write('attributes.csv', csv([['account_id', 'attribute', 'value', 'observed_at']]));
    await project.run();
  });
  afterAll(() => project.cleanup());

  it('names every measure name the data does not have, where it is written, in file order', async () => {
    const scorecards = await loadScorecards(join(project.root, 'definitions'), project.root);
    const warnings = await dataWarnings((await project.warehouse()).db, duckdb, scorecards, project.config());
    expect(warnings.map(formatProblem)).toEqual(EXPECTED);
  });

  it('names each reactivation event the data does not have', async () => {
    await project.write('healthscore.yaml', yaml(
      'sources:',
      '  events: { path: events/*.csv }',
      '  churn:',
      '    event: ticket',
      '    reactivated_by: { events: [login, logins, "sign in"] }',
    ));
    const config = project.config({ sources: { ...project.config().sources, churn: { kind: 'event', event: 'ticket', reactivatedBy: { kind: 'events', events: ['login', 'logins', 'sign in'] } } } });
    const warnings = await dataWarnings((await project.warehouse()).db, duckdb, [], config);
    expect(warnings.map(formatProblem)).toEqual([
      'healthscore.yaml:5 sources.churn.reactivated_by.events[1]: reactivation event "logins" never occurs in the loaded data, so it brings no account back (did you mean "login"?)',
      'healthscore.yaml:5 sources.churn.reactivated_by.events[2]: reactivation event "sign in" never occurs in the loaded data, so it brings no account back',
    ]);
  });

  it('says nothing when every name occurs', async () => {
    const fine = scorecard(yaml(
      'scorecard: health',
      'bands: [{ label: red, from: 0 }]',
      'measures:',
      '  rows: { event: [export, ticket], aggregate: max, property: rows, window: 30d, where: { property: rows, gt: 0 } }',
      '  any: { event: "*", window: 3d }',
      // user_id is the mapped user column, not a property (to-ir.ts).
      '  users: { event: "*", aggregate: distinct, property: user_id, window: 3d }',
    ));
    expect(await dataWarnings((await project.warehouse()).db, duckdb, [fine], project.config())).toEqual([]);
  });

  it('says nothing before any data is loaded', async () => {
    const wh = await openWarehouse({ path: ':memory:' });
    try {
      expect(await dataWarnings(wh.db, duckdb, [scorecard(DEFINITION)])).toEqual([]);
      await ensureWarehouseTables(wh.db, duckdb);
      expect(await dataWarnings(wh.db, duckdb, [scorecard(DEFINITION)])).toEqual([]);
    } finally {
      await wh.close();
    }
  });

  it('keeps locations out of the definition version', () => {
    const moved = DEFINITION.replace('measures:\n', '# a comment\n\nmeasures:\n');
    expect(scorecard(moved).version).toBe(scorecard(DEFINITION).version);
    expect(scorecard(moved).source!.dataNames[0]!.line).toBe(6);
  });
});

describe('dataWarnings on attributes and column mappings', () => {
  let project: TempProject;
  beforeAll(async () => {
    project = await tempProject();
    await project.write('events/e.csv', csv([['account_id', 'event', 'timestamp', 'user_email'], ['a1', 'login', '2025-01-01T10:00:00Z', 'x@a1']]));
    await project.write('definitions/none.yaml', yaml('scorecard: none', 'bands: [{ label: red, from: 0 }]'));
    await project.write('attributes.csv', csv([['account_id', 'attribute', 'value', 'observed_at'], ['a1', 'seats', '4', '2025-01-01'], ['a1', 'plan', 'pro', '2025-01-01']]));
    await project.write('healthscore.yaml', yaml(
      'sources:',
      '  events:',
      '    path: events/*.csv',
      '    columns: { user_id: user_mail }',
    ));
    await project.run({ config: { sources: { ...project.config().sources, events: { ...project.config().sources.events, columns: { ...project.config().sources.events.columns, user_id: 'user_mail' } } } } });
  });
  afterAll(() => project.cleanup());

  it('names attributes never observed, in measures, segments and insights, and a mapped column no file has', async () => {
    const card = scorecard(yaml(
      'scorecard: health', //                                                  1
      'bands: [{ label: red, from: 0 }]', //                                   2
      'segment: paying', //                                                    3
      'segments:', //                                                          4
      '  paying: { any: [{ attribute: plans, in: [pro] }, { attribute: plan, eq: x }] }', // 5
      'measures:', //                                                          6
      '  seats: { attribute: seat }', //                                       7
      '  plan: { attribute: plan }', //                                        8
      'insights:', //                                                          9
      '  - { id: i, when: { not: { attribute: tier, eq: gold } } }', //       10
    ));
    const config = project.config();
    const mapped = { ...config, sources: { ...config.sources, events: { ...config.sources.events, columns: { ...config.sources.events.columns, user_id: 'user_mail' } } } };
    const warnings = await dataWarnings((await project.warehouse()).db, duckdb, [card], mapped);
    expect(warnings.map(formatProblem)).toEqual([
      'definitions/health.yaml:5 segments.paying.any[0].attribute: attribute "plans" is never observed in the loaded data (did you mean "plan"?)',
      'definitions/health.yaml:7 measures.seats.attribute: attribute "seat" is never observed in the loaded data (did you mean "seats"?)',
      'definitions/health.yaml:10 insights[0].when.not.attribute: attribute "tier" is never observed in the loaded data',
      'healthscore.yaml:4 sources.events.columns.user_id: no loaded events row has a value in the column "user_mail" mapped to user_id: is the file column named so?',
    ]);
    // Mapped to a column the file has: no warning.
    const right = { ...config, sources: { ...config.sources, events: { ...config.sources.events, columns: { ...config.sources.events.columns, user_id: 'user_email' } } } };
    await project.run({ config: right });
    expect((await dataWarnings((await project.warehouse()).db, duckdb, [], right)).map(formatProblem)).toEqual([]);
  });
});

describe('validate and run', () => {
  let tmp: TempDir & { project: string };
  beforeAll(async () => {
    tmp = await tinyProject({
      'healthscore.yaml': `${TINY_CONFIG}  churn: { event: cancelled }\n`,
      'definitions/health.yaml': yaml(
        'scorecard: health',
        'bands: [{ label: red, from: 0 }]',
        'measures:',
        '  logins: { event: logins, window: 30d }',
        'scores:',
        '  - { id: logins, measure: logins, worst: 0, best: 1 }',
      ),
    });
  });
  afterAll(() => tmp.cleanup());

  const LOGINS = 'definitions/health.yaml:4 measures.logins.event: event "logins" never occurs in the loaded data (did you mean "login"?)';
  const CHURN = 'healthscore.yaml:8 sources.churn.event: churn event "cancelled" never occurs in the loaded data, so no account churns';

  it('validate warns nothing before the first run, and creates no warehouse', async () => {
    const r = await hs(['validate', '--project', tmp.project]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(existsSync(join(tmp.project, 'warehouse.duckdb'))).toBe(false);
  });

  it('run warns on stderr, exit 0, and lists the warnings in --json', async () => {
    const r = await hs(['run', '--project', tmp.project]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`warning: ${LOGINS}\nwarning: ${CHURN}\n`);
    expect(r.stdout).toContain('scorecard-day(s) materialised');
    const json = await hsJson<{ warnings: { file: string; line: number; path: string; message: string }[] }>(['run', '--project', tmp.project]);
    expect(json.warnings.map(formatProblem)).toEqual([LOGINS, CHURN]);
  });

  it('validate warns once the data is loaded, exit 0, and lists the warnings in --json', async () => {
    const r = await hs(['validate', '--project', tmp.project]);
    expect(r).toMatchObject({ code: 0, stderr: `warning: ${LOGINS}\nwarning: ${CHURN}\n` });
    const json = await hsJson<{ valid: boolean; warnings: unknown[] }>(['validate', '--project', tmp.project]);
    expect(json.valid).toBe(true);
    expect((json.warnings as Parameters<typeof formatProblem>[0][]).map(formatProblem)).toEqual([LOGINS, CHURN]);
  });
});
