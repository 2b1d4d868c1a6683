// Commands that need no materialised warehouse: init, validate, compile, the usage errors,
// and a load that fails on a bad value. One `init`, then every check runs concurrently
// (each CLI process spends most of its time starting up).
import { existsSync } from 'node:fs';
import { appendFile, cp, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STACK_FRAME, hs, hsJson, hsOk, queryWarehouse, tempDir, type CliResult, type TempDir } from './helpers.ts';

let tmp: TempDir;
let project: string;
let created: CliResult;

beforeAll(async () => {
  tmp = await tempDir();
  project = join(tmp.dir, 'project');
  created = await hs(['init', project, '--json']);
});
afterAll(() => tmp?.cleanup());

/** A copy of the initialised project without its (large) event files. */
async function copyProject(name: string): Promise<string> {
  const copy = join(tmp.dir, name);
  await cp(project, copy, { recursive: true, filter: (source) => !source.slice(project.length).startsWith('/data/events') });
  return copy;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('healthscore init', () => {
  it('creates a project with healthscore.yaml, definitions and sample data', async () => {
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toEqual({ project });
    expect(existsSync(join(project, 'healthscore.yaml'))).toBe(true);
    expect(await readdir(join(project, 'definitions'))).toContain('customer_health.yaml');
    for (const file of ['accounts.csv', 'attributes.csv', 'churn.csv']) expect(existsSync(join(project, 'data', file))).toBe(true);
    const events = await readdir(join(project, 'data/events'));
    expect(events.filter((f) => f.endsWith('.parquet'))).toHaveLength(12);
    // The sample generator is part of the repository, not of a user's project.
    expect(existsSync(join(project, 'data/generate.ts'))).toBe(false);
  });
});

describe.concurrent('without a warehouse', { timeout: 120_000 }, () => {
  it('init refuses a folder that already has a project (exit 2) and leaves it alone', async ({ expect }) => {
    const existing = await copyProject('existing');
    const config = join(existing, 'healthscore.yaml');
    await appendFile(config, '# my own edit\n');
    const before = await readFile(config, 'utf8');
    const result = await hs(['init', existing]);
    expect(result).toEqual({ code: 2, stdout: '', stderr: `healthscore: ${existing} already has a healthscore.yaml\n` });
    expect(await readFile(config, 'utf8')).toBe(before);
  });

  it('validate accepts the starter project (exit 0), in text and as JSON', async ({ expect }) => {
    const [text, json] = await Promise.all([hsOk(['validate', '--project', project]), hsJson(['validate', '--project', project])]);
    expect(text.stdout).toBe('ok: 2 scorecards (customer_health, onboarding)\n');
    expect(text.stderr).toBe('');
    expect(json).toEqual({
      valid: true,
      scorecards: [
        { id: 'customer_health', file: 'definitions/customer_health.yaml', version: expect.stringMatching(/^[0-9a-f]{8,}$/) },
        { id: 'onboarding', file: 'definitions/onboarding.yaml', version: expect.stringMatching(/^[0-9a-f]{8,}$/) },
      ],
      // Without a warehouse there is no data to check the names against.
      warnings: [],
    });
  });

  it('validate reports every problem with file:line path and exits 2', async ({ expect }) => {
    const broken = await copyProject('broken');
    const file = join(broken, 'definitions/customer_health.yaml');
    const lines = (await readFile(file, 'utf8')).split('\n');
    // A typo'd key under the first score, and a duration that is not "<N>d".
    const impact = lines.findIndex((l) => l === '    impact: high');
    lines.splice(impact + 1, 0, '    wieght: 3');
    const nps = lines.findIndex((l) => l.includes('max_age: 180d'));
    lines[nps] = lines[nps]!.replace('180d', '180 days');
    await writeFile(file, lines.join('\n'));
    // A second scorecard with its own problem: every file is checked in one go.
    await writeFile(
      join(broken, 'definitions/second.yaml'),
      ['scorecard: second', 'bands: [{ label: low, from: 0 }]', 'measures:', '  logins_7d: { event: login, window: 7d }',
        'scores:', '  - id: logins', '    measure: logins_7d', '    worst: 0', '    best: ten', ''].join('\n'),
    );

    const result = await hs(['validate', '--project', broken]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const printed = result.stderr.trimEnd().split('\n');
    expect(printed).toHaveLength(4);
    expect(printed[0]).toMatch(new RegExp(`^definitions/customer_health\\.yaml:${nps + 1} measures\\.nps\\.max_age: expected a duration like "30d"`));
    expect(printed.slice(1)).toEqual([
      `definitions/customer_health.yaml:${impact + 2} scores[0].wieght: unknown key "wieght" (did you mean "weight"?)`,
      'definitions/second.yaml:9 scores[0].best: expected a number',
      'healthscore: 3 problems found',
    ]);
    expect(result.stderr).not.toMatch(STACK_FRAME);
    // With --json the same problems come as data on stdout.
    const json = await hs(['validate', '--project', broken, '--json']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({
      valid: false,
      problems: [{ file: 'definitions/customer_health.yaml', line: nps + 1, path: 'measures.nps.max_age' }, {}, { file: 'definitions/second.yaml', line: 9 }],
    });
  });

  it('compile prints the create statements with every name as a quoted value; an unknown --scorecard exits 2', async ({ expect }) => {
    const [compiled, unknown] = await Promise.all([
      hsOk(['compile', '--project', project, '--date', '2025-01-31']),
      hs(['compile', '--project', project, '--scorecard', 'nope']),
    ]);
    const text = compiled.stdout;
    expect(compiled.stderr).toBe('');
    expect(text).toMatch(/^-- scorecard customer_health \(version [0-9a-f]+\), snapshot day 2025-01-31\n/);
    expect(text).toContain('create or replace temp table "hs_measures" as');
    expect(text).toContain('insert into "score_snapshots"');
    expect(text).toContain('insert into "health_snapshots"');
    // Both demo scorecards, each with its own version.
    expect(text).toMatch(/\n-- scorecard onboarding \(version [0-9a-f]+\), snapshot day 2025-01-31\n/);
    // Event, attribute, segment and category names are passed as values, never as SQL text.
    for (const value of ["'login'", "'ticket_opened'", "'nps'", "'seats'", "'csm_sentiment'", "'plan'", "'pro'", "'enterprise'", "'strong'"]) {
      expect(text).toContain(value);
    }
    expect(text).toContain(`"event" in ('login')`);
    // The SQL is for the requested day, not for today.
    expect(text).toContain(`date '2025-01-31'`);

    expect(unknown).toEqual({ code: 2, stdout: '', stderr: 'healthscore: no scorecard "nope" (there are: customer_health, onboarding)\n' });
  });

  it('an unknown command or option exits 2 with a one-line "healthscore:" error', async ({ expect }) => {
    const [command, option] = await Promise.all([
      hs(['frobnicate', '--project', project]),
      hs(['validate', '--project', project, '--colour']),
    ]);
    expect(command).toEqual({ code: 2, stdout: '', stderr: "healthscore: unknown command 'frobnicate'\n" });
    expect(option).toEqual({ code: 2, stdout: '', stderr: "healthscore: unknown option '--colour'\n" });
  });

  it('a folder without healthscore.yaml exits 2 with a clear sentence and no stack trace, even with --verbose', async ({ expect }) => {
    const empty = join(tmp.dir, 'empty');
    const result = await hs(['run', '--project', empty, '--verbose']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      new RegExp(`^healthscore\\.yaml: not found in ${escape(empty)} \\(is this a healthscore project\\? "healthscore init" creates one\\)\n`),
    );
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });

  it('load: a bad timestamp in a CSV events file exits 1 naming the file, line and field; a stack trace only with --verbose', async ({ expect }) => {
    // Two copies of the project whose events come from CSV files, one of them bad.
    const copies = await Promise.all(['csv-plain', 'csv-verbose'].map((name) => copyProject(name)));
    for (const copy of copies) {
      await mkdir(join(copy, 'data/events'), { recursive: true });
      await writeFile(join(copy, 'data/events/good.csv'), 'account_id,event,ts,user_id,event_id\nacc_0001,login,2025-01-02T09:00:00Z,u1,g1\n');
      await writeFile(
        join(copy, 'data/events/late.csv'),
        ['account_id,event,ts,user_id,event_id', 'acc_0001,login,2025-01-03T10:00:00Z,u1,e1', 'acc_0001,login,2025-01-03T11:00:00Z,u1,e2',
          'acc_0002,login,yesterday,u7,e3', 'acc_0002,login,2025-01-04T10:00:00Z,u7,e4', ''].join('\n'),
      );
      const config = join(copy, 'healthscore.yaml');
      const text = await readFile(config, 'utf8');
      const edited = text.replace('path: data/events/*.parquet', 'path: data/events/*.csv').replace('format: parquet', 'format: csv');
      expect(edited).not.toBe(text);
      await writeFile(config, edited);
    }
    const [plain, verbose] = await Promise.all([hs(['load', '--project', copies[0]!]), hs(['load', '--project', copies[1]!, '--verbose'])]);
    expect(plain.code).toBe(1);
    expect(plain.stdout).toBe('');
    // Line 4 of the file (the header is line 1); the field is the timestamp column.
    expect(plain.stderr).toMatch(/^healthscore: data\/events\/late\.csv:4 (timestamp|ts): .*"yesterday"/);
    expect(plain.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(plain.stderr).not.toMatch(STACK_FRAME);

    expect(verbose.code).toBe(1);
    expect(verbose.stderr).toContain('data/events/late.csv:4');
    expect(verbose.stderr).toMatch(STACK_FRAME);

    // The load is one transaction: nothing was loaded, not even the good file before it.
    const rows = await queryWarehouse(join(copies[0]!, 'warehouse.duckdb'), `select count(*)::int as n from raw_events`);
    expect(rows).toEqual([{ n: 0 }]);
  });
});
