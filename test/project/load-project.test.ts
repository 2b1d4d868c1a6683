import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../pipeline/errors.ts';
import { loadProject } from '../../pipeline/project/load-project.ts';
import type { FileSource } from '../../pipeline/ir/types.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'healthscore-project-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function load(...lines: string[]) {
  await writeFile(path.join(dir, 'healthscore.yaml'), lines.join('\n') + '\n');
  return loadProject(dir);
}

async function problems(...lines: string[]): Promise<string> {
  const e = await load(...lines).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ValidationError);
  return (e as ValidationError).message;
}

/** What every file source gets unless it says otherwise (SPEC §2). */
const BAD_ROWS = { onBadRows: 'fail', validRange: { from: '2000-01-01' } };

const EVENT_COLUMNS = { account_id: 'account_id', event: 'event', timestamp: 'timestamp', user_id: 'user_id', event_id: 'event_id' };

describe('loadProject', () => {
  it('reads the SPEC §2 example', async () => {
    const config = await load(
      'warehouse: warehouse.duckdb        # DuckDB file',
      'timezone: UTC',
      'start_date: 2025-01-01',
      'lookback: 3d',
      'memory_limit: 4GB',
      'threads: 2',
      'definitions: definitions/',
      'export: { path: out/, formats: [parquet] }',
      'sources:',
      '  events:      { path: data/events/*.parquet, format: parquet,',
      '                 columns: { account_id: account_id, event: event, timestamp: ts,',
      '                            user_id: user_id, event_id: event_id } }',
      '  attributes:  { path: data/attributes.csv, format: csv, layout: long }',
      '  accounts:    { path: data/accounts.csv }',
      '  churn:       { path: data/churn.csv }',
      '  overrides:   { path: data/overrides.csv }',
    );
    expect(config).toEqual({
      root: dir,
      warehouse: { engine: 'duckdb', path: path.join(dir, 'warehouse.duckdb') },
      timezone: 'UTC',
      startDate: '2025-01-01',
      lookback: 3,
      memoryLimit: '4GB',
      threads: 2,
      definitions: path.join(dir, 'definitions'),
      export: { path: path.join(dir, 'out'), formats: ['parquet'], partition: 'day' },
      sources: {
        events: { path: 'data/events/*.parquet', format: 'parquet', columns: { ...EVENT_COLUMNS, timestamp: 'ts' }, ...BAD_ROWS },
        attributes: {
          path: 'data/attributes.csv',
          format: 'csv',
          layout: 'long',
          columns: { account_id: 'account_id', attribute: 'attribute', value: 'value', observed_at: 'observed_at' },
          ...BAD_ROWS,
        },
        accounts: { path: 'data/accounts.csv', format: 'csv', columns: { account_id: 'account_id', created_at: 'created_at' }, ...BAD_ROWS },
        churn: { kind: 'file', path: 'data/churn.csv', format: 'csv', columns: { account_id: 'account_id', churned_at: 'churned_at' }, ...BAD_ROWS },
        overrides: {
          path: 'data/overrides.csv',
          format: 'csv',
          columns: {
            account_id: 'account_id',
            scorecard: 'scorecard',
            score_id: 'score_id',
            score: 'score',
            band: 'band',
            reason: 'reason',
            author: 'author',
            starts_on: 'starts_on',
            ends_on: 'ends_on',
          },
          ...BAD_ROWS,
        },
      },
    });
  });

  it('fills every default', async () => {
    const config = await load('sources:', '  events: { path: data/events.ndjson }');
    expect(config).toEqual({
      root: dir,
      warehouse: { engine: 'duckdb', path: path.join(dir, 'warehouse.duckdb') },
      timezone: 'UTC',
      lookback: 3,
      definitions: path.join(dir, 'definitions'),
      export: { path: path.join(dir, 'out'), formats: ['parquet'], partition: 'day' },
      sources: { events: { path: 'data/events.ndjson', format: 'json', columns: EVENT_COLUMNS, ...BAD_ROWS } },
    });
  });

  it("gives each source the project's on_bad_rows and valid_range unless it has its own", async () => {
    const config = await load(
      'on_bad_rows: skip',
      'valid_range: { from: 2020-01-01, to: 2030-12-31 }',
      'sources:',
      '  events: { path: data/events.csv, on_bad_rows: fail }',
      '  churn: { path: data/churn.csv, valid_range: { from: 2010-06-01 } }',
    );
    expect(config.sources.events).toMatchObject({ onBadRows: 'fail', validRange: { from: '2020-01-01', to: '2030-12-31' } });
    expect(config.sources.churn).toMatchObject({ onBadRows: 'skip', validRange: { from: '2010-06-01' } });
  });

  it('rejects an unknown on_bad_rows and a valid_range that ends before it starts', async () => {
    const message = await problems(
      'on_bad_rows: ignore',
      'sources:',
      '  events: { path: data/events.csv, valid_range: { from: 2025-01-01, to: 2024-01-01 } }',
    );
    expect(message).toMatch(/^healthscore.yaml:1 on_bad_rows: expected one of fail, skip$/m);
    expect(message).toMatch(/^healthscore.yaml:3 sources.events.valid_range: "from" is after "to"/m);
  });

  it("gives each source the project's timestamp_format unless it has its own", async () => {
    const config = await load(
      "timestamp_format: '%m/%d/%Y %H:%M'",
      'sources:',
      '  events: { path: data/events.csv }',
      "  accounts: { path: data/accounts.csv, timestamp_format: '%Y/%m/%d' }",
    );
    expect(config.sources.events.timestampFormat).toBe('%m/%d/%Y %H:%M');
    expect(config.sources.accounts?.timestampFormat).toBe('%Y/%m/%d');
  });

  it('rejects a timestamp_format without a directive, with an unknown one, or not text', async () => {
    const message = await problems(
      "timestamp_format: 'MM/DD/YYYY'",
      'sources:',
      "  events: { path: data/events.csv, timestamp_format: '%m/%d/%Y %Q' }",
      '  churn: { path: data/churn.csv, timestamp_format: 2025 }',
      "  accounts: { path: data/accounts.csv, timestamp_format: '100%%' }",
    );
    expect(message).toBe(
      [
        'healthscore.yaml:1 timestamp_format: has no % directive; expected a strptime format like "%m/%d/%Y %H:%M"',
        'healthscore.yaml:3 sources.events.timestamp_format: "%Q" is not a strptime directive (use e.g. %Y %m %d %H %M %S %z)',
        'healthscore.yaml:4 sources.churn.timestamp_format: expected a strptime format like "%m/%d/%Y %H:%M"',
        'healthscore.yaml:5 sources.accounts.timestamp_format: has no % directive; expected a strptime format like "%m/%d/%Y %H:%M"',
      ].join('\n'),
    );
  });

  it.each([
    ['data/e.csv', 'csv'],
    ['data/e.csv.gz', 'csv'],
    ['data/*.parquet', 'parquet'],
    ['data/e.json', 'json'],
    ['data/e.jsonl', 'json'],
    ['data/E.NDJSON', 'json'],
  ])('infers the format of %s', async (file, format) => {
    expect(((await load('sources:', `  events: { path: "${file}" }`)).sources.events as FileSource).format).toBe(format);
  });

  it('keeps :memory:, a time zone, arrow export, churn by event and wide attributes', async () => {
    const config = await load(
      'warehouse: ":memory:"',
      'timezone: Europe/Paris',
      'lookback: 0d',
      'export: { path: /tmp/exports, formats: [parquet, arrow], partition: month }',
      'sources:',
      '  events: { path: data/events.csv }',
      '  attributes: { path: data/attrs.parquet, layout: wide, columns: { observed_at: day } }',
      '  churn: { event: "it\'s; cancelled" }',
    );
    expect(config.warehouse).toEqual({ engine: 'duckdb', path: ':memory:' });
    expect(config.timezone).toBe('Europe/Paris');
    expect(config.lookback).toBe(0);
    expect(config.export).toEqual({ path: '/tmp/exports', formats: ['parquet', 'arrow'], partition: 'month' });
    expect(config.sources.attributes).toEqual({
      path: 'data/attrs.parquet',
      format: 'parquet',
      layout: 'wide',
      columns: { account_id: 'account_id', observed_at: 'day' },
      ...BAD_ROWS,
    });
    expect(config.sources.churn).toEqual({ kind: 'event', event: "it's; cancelled" });
  });
});

describe('reactivated_by', () => {
  it('takes a list of events on either form of churn', async () => {
    const byEvent = await load('sources:', '  events: { path: data/events.csv }', '  churn: { event: cancelled, reactivated_by: { events: [login, "it\'s"] } }');
    expect(byEvent.sources.churn).toEqual({ kind: 'event', event: 'cancelled', reactivatedBy: { kind: 'events', events: ['login', "it's"] } });
    const byFile = await load('sources:', '  events: { path: data/events.csv }', '  churn: { path: data/churn.csv, reactivated_by: { events: [login] } }');
    expect(byFile.sources.churn).toMatchObject({ kind: 'file', path: 'data/churn.csv', reactivatedBy: { kind: 'events', events: ['login'] } });
    expect(byFile.sources.churn).not.toHaveProperty('reactivated_by');
  });

  it('reads a source from a table, with or without a schema, and every option of a file source but format', async () => {
    const config = await load(
      'sources:',
      '  events: { table: analytics.events, columns: { timestamp: ts }, on_bad_rows: skip }',
      '  accounts: { table: accounts }',
      '  churn: { table: crm.churn, reactivated_by: { table: crm.reactivations } }',
    );
    expect(config.sources.events).toEqual({ table: { schema: 'analytics', name: 'events' }, columns: { ...EVENT_COLUMNS, timestamp: 'ts' }, onBadRows: 'skip', validRange: { from: '2000-01-01' } });
    expect(config.sources.accounts).toMatchObject({ table: { name: 'accounts' } });
    expect(config.sources.accounts).not.toHaveProperty('table.schema');
    expect(config.sources.churn).toMatchObject({ kind: 'file', table: { schema: 'crm', name: 'churn' }, reactivatedBy: { kind: 'file', table: { schema: 'crm', name: 'reactivations' } } });
  });

  it('names the field of a source that has both a path and a table, neither, a format with a table, or a bad table name', async () => {
    expect(await problems('sources:', '  events: { path: data/e.csv, table: analytics.events }')).toBe(
      'healthscore.yaml:2 sources.events.table: a source reads files (path) or a table, not both',
    );
    expect(await problems('sources:', '  events: { columns: { timestamp: ts } }')).toBe(
      'healthscore.yaml:2 sources.events.path: missing required key "path" (the files to read), or "table" (a table of the warehouse)',
    );
    expect(await problems('sources:', '  events: { table: analytics.events, format: csv }')).toMatch(/^healthscore\.yaml:2 sources\.events\.format: /);
    expect(await problems('sources:', '  events: { table: "a.b.c" }')).toMatch(/^healthscore\.yaml:2 sources\.events\.table: /);
  });

  it('takes a file of reactivations like any file source', async () => {
    const config = await load(
      'on_bad_rows: skip',
      'sources:',
      '  events: { path: data/events.csv }',
      '  churn:',
      '    event: cancelled',
      '    reactivated_by: { path: data/back/*.csv, columns: { reactivated_at: at }, valid_range: { from: 2020-01-01 } }',
    );
    expect(config.sources.churn).toEqual({
      kind: 'event', event: 'cancelled',
      reactivatedBy: {
        kind: 'file', path: 'data/back/*.csv', format: 'csv', columns: { account_id: 'account_id', reactivated_at: 'at' },
        onBadRows: 'skip', validRange: { from: '2020-01-01' },
      },
    });
  });

  it('leaves the default (any event) without it', async () => {
    const config = await load('sources:', '  events: { path: data/events.csv }', '  churn: { event: cancelled }');
    expect(config.sources.churn).toEqual({ kind: 'event', event: 'cancelled' });
  });

  it('names the line and field of a bad rule', async () => {
    expect(
      await problems(
        'sources:',
        '  events: { path: data/events.csv }',
        '  churn:',
        '    event: cancelled',
        '    reactivated_by: { events: [] }',
      ),
    ).toBe('healthscore.yaml:5 sources.churn.reactivated_by.events: expected at least 1 item');
    expect(await problems('sources:', '  events: { path: data/events.csv }', '  churn: { event: x, reactivated_by: { events: ["*"] } }')).toBe(
      'healthscore.yaml:3 sources.churn.reactivated_by.events: leave reactivated_by out for "any event": that is the default',
    );
    expect(await problems('sources:', '  events: { path: data/events.csv }', '  churn: { event: x, reactivated_by: { event: [login] } }')).toBe(
      'healthscore.yaml:3 sources.churn.reactivated_by.event: unknown key "event" (did you mean "events"?)',
    );
    expect(await problems('sources:', '  events: { path: data/events.csv }', '  churn: { event: x, reactivated_by: login }')).toBe(
      'healthscore.yaml:3 sources.churn.reactivated_by: expected a reactivation rule (a mapping with events, path or table)',
    );
    expect(await problems('sources:', '  events: { path: data/events.csv }', '  churn: { event: x, reactivated_by: { path: data/back, columns: { reactivated: at } } }')).toBe(
      [
        'healthscore.yaml:3 sources.churn.reactivated_by.columns.reactivated: unknown key "reactivated" (did you mean "reactivated_at"?)',
        'healthscore.yaml:3 sources.churn.reactivated_by.format: missing required key "format" (cannot tell it from "data/back"; use csv, parquet or json)',
      ].join('\n'),
    );
    expect(await problems('sources:', '  events: { path: data/events.csv }', '  churn: { event: x, reactivated_by: { events: [login], extra: 1 } }')).toBe(
      'healthscore.yaml:3 sources.churn.reactivated_by.extra: unknown key "extra"',
    );
  });
});

describe('loadProject problems', () => {
  it('reports unknown keys at several depths, all at once', async () => {
    expect(
      await problems(
        'timezon: UTC',
        'export: { path: out/, format: [parquet] }',
        'sources:',
        '  event: { path: data/e.csv }',
        '  accounts: { path: data/a.csv, columns: { acount_id: id } }',
      ),
    ).toBe(
      [
        'healthscore.yaml:1 timezon: unknown key "timezon" (did you mean "timezone"?)',
        'healthscore.yaml:2 export.format: unknown key "format" (did you mean "formats"?)',
        'healthscore.yaml:3 sources.events: missing required key "events"',
        'healthscore.yaml:4 sources.event: unknown key "event" (did you mean "events"?)',
        'healthscore.yaml:5 sources.accounts.columns.acount_id: unknown key "acount_id" (did you mean "account_id"?)',
      ].join('\n'),
    );
  });

  it('checks values', async () => {
    expect(
      await problems(
        'timezone: Mars/Olympus',
        'start_date: 2025-02-30',
        'lookback: 3',
        'memory_limit: lots',
        'export: { formats: [csv] }',
        'sources:',
        '  events: { path: data/events, format: xml }',
        '  attributes: { path: a.csv, layout: wide, columns: { value: v } }',
        '  churn: { path: data/churn }',
        'threads: 1.5',
      ),
    ).toBe(
      [
        'healthscore.yaml:1 timezone: expected an IANA time zone like "UTC" or "Europe/Paris"',
        'healthscore.yaml:2 start_date: expected a date like 2025-01-01',
        'healthscore.yaml:3 lookback: expected a duration like "30d" (a whole number of days)',
        'healthscore.yaml:4 memory_limit: expected a size like "4GB"',
        'healthscore.yaml:5 export.formats[0]: expected one of parquet, arrow',
        'healthscore.yaml:7 sources.events.format: expected one of csv, parquet, json, ndjson',
        'healthscore.yaml:8 sources.attributes.columns.value: wide attributes have no value column: each attribute is a column of its own',
        'healthscore.yaml:9 sources.churn.format: missing required key "format" (cannot tell it from "data/churn"; use csv, parquet or json)',
        'healthscore.yaml:10 threads: expected a whole number of threads, like 4',
      ].join('\n'),
    );
  });

  it('names the file, line and field of a partition that is neither day nor month', async () => {
    expect(await problems('export: { path: out/, partition: weekly }', 'sources:', '  events: { path: data/events.csv }')).toBe(
      'healthscore.yaml:1 export.partition: expected one of day, month',
    );
  });

  it('says when healthscore.yaml is missing', async () => {
    const e = await loadProject(dir).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as ValidationError).message).toBe(
      `healthscore.yaml: not found in ${dir} (is this a healthscore project? "healthscore init" creates one)`,
    );
  });

  it('reports an empty file and a YAML syntax error', async () => {
    expect(await problems('')).toBe('healthscore.yaml:1: the file is empty; expected the project settings');
    expect(await problems('sources:', '  events: { path: [a }')).toMatch(/^healthscore\.yaml:2: YAML syntax error: /);
  });
});
