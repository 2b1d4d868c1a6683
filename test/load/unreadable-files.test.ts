import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { InputDataError } from '../../pipeline/load/input-data-error.ts';
import { engines, type TestEngine } from '../helpers/engines.ts';
import { tableRows } from '../helpers/table-rows.ts';
import { csv, identity, tempProject, type TempProject } from '../helpers/temp-project.ts';
import type { ProjectConfig } from '../../pipeline/ir/types.ts';

// Text files DuckDB cannot read, said in our words at the right line (its own message is a
// page of sniffer options, a cut-off reason or the wrong line), and nothing changes.

let project: TempProject;
afterEach(async () => project?.cleanup());

const TODAY = '2025-01-20';
const HEADER = 'account_id,event,timestamp,user_id,event_id';
const DEFINITION = `scorecard: s
bands: [{ label: red, from: 0 }, { label: green, from: 5 }]
measures: { logins: { event: login, window: 3d } }
scores: [{ id: logins, measure: logins, worst: 0, best: 3 }]
`;

const row = (i: number) => `b,login,2025-01-0${1 + (i % 9)} 10:00:00,u,x${i}`;
const rows = (n: number) => Array.from({ length: n }, (_, i) => row(i));

/** A project run once with a good events file, and what its tables hold. */
async function setup(engine: TestEngine) {
  const p = (project = await tempProject(engine));
  await p.write('definitions/s.yaml', DEFINITION);
  await p.write('events/good.csv', csv([HEADER.split(','), ['a', 'login', '2025-01-02 10:00:00', 'u', 'e1']]));
  await p.write('attributes.csv', csv([['account_id', 'attribute', 'value', 'observed_at'], ['a', 'plan', 'pro', '2025-01-01']]));
  await p.run({ today: TODAY });
  return { p, before: await everything(p) };
}

async function everything(p: TempProject) {
  const wh = await p.warehouse();
  const out: Record<string, unknown> = {};
  for (const table of ['raw_events', 'daily_activity', 'score_snapshots', 'run_log', 'rejected_rows']) {
    // When a day was computed is not what it says.
    out[table] = await tableRows(wh, table, table === 'run_log' ? ['computed_at'] : []);
  }
  out['loaded_files'] = await wh.query(sql`select source, file_key, paths from loaded_files order by 1, 2`);
  return out;
}

/** Writes `bytes` as events/bad.csv (or `name`, read with `config`), runs, and returns the
 *  error after checking that the run changed nothing. */
async function failWith(engine: TestEngine, bytes: Buffer, name = 'bad.csv', config?: (p: TempProject) => Partial<ProjectConfig>): Promise<string> {
  const { p, before } = await setup(engine);
  await writeFile(join(p.root, 'events', name), bytes);
  const error = await p.run({ today: TODAY, ...(config && { config: config(p) }) }).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(InputDataError);
  expect(await everything(p)).toEqual(before);
  return (error as Error).message;
}

const lines = (...parts: string[]) => Buffer.from(parts.join(''), 'latin1');

describe.each(engines)('a CSV file DuckDB cannot read ($name)', (engine) => {
  it('mixing \\r\\n and \\n: names the first line that ends otherwise', async () => {
    expect(await failWith(engine, lines(`${HEADER}\r\n`, `${row(1)}\r\n`, `${row(2)}\n`, `${row(3)}\r\n`))).toBe(
      'events/bad.csv:3: ends with \\n (Unix) but line 1 with \\r\\n (Windows): the file mixes line endings; re-save it with one kind',
    );
  });

  it('with a lone \\r among \\n', async () => {
    expect(await failWith(engine, lines(`${HEADER}\n`, `${row(1)}\n`, `${row(2)}\n`, `${row(3)}\r`, `${row(4)}\n`))).toBe(
      'events/bad.csv:4: ends with \\r (old Mac) but line 1 with \\n (Unix): the file mixes line endings; re-save it with one kind',
    );
  });

  it('mixing line endings far into the file, past what DuckDB sniffs', async () => {
    const text = lines(`${HEADER}\r\n`, rows(5000).map((r) => `${r}\r\n`).join(''), `${row(1)}\n`, `${row(2)}\r\n`);
    expect(await failWith(engine, text)).toBe(
      'events/bad.csv:5002: ends with \\n (Unix) but line 1 with \\r\\n (Windows): the file mixes line endings; re-save it with one kind',
    );
  });

  it('counts a line break inside a quoted field as a line, but does not judge it', async () => {
    expect(await failWith(engine, lines(`${HEADER}\r\n`, `a,"two\nlines",2025-01-03 10:00:00,u,e9\r\n`, `${row(1)}\n`, `${row(2)}\r\n`))).toBe(
      'events/bad.csv:4: ends with \\n (Unix) but line 1 with \\r\\n (Windows): the file mixes line endings; re-save it with one kind',
    );
  });

  it('not UTF-8 (Latin-1 é): names the line, the field and the byte', async () => {
    expect(await failWith(engine, lines(`${HEADER}\n`, `${row(1)}\n`, `${row(2)}\n`, `a,caf\u00e9,2025-01-03 10:00:00,u,e9\n`, `${row(3)}\n`))).toBe(
      'events/bad.csv:4 event: is not UTF-8 text (byte 0xE9 after "caf"); re-save the file as UTF-8',
    );
  });

  it('not UTF-8 far into the file, where DuckDB fails while loading', async () => {
    const text = lines(`${HEADER}\n`, rows(5000).map((r) => `${r}\n`).join(''), `a,login,2025-01-03 10:00:00,u,caf\u00e9\n`, `${row(3)}\n`);
    expect(await failWith(engine, text)).toBe('events/bad.csv:5002 event_id: is not UTF-8 text (byte 0xE9 after "caf"); re-save the file as UTF-8');
  });

  it('a JSON lines file that is not UTF-8', async () => {
    const json = (event: string) => `{"account_id":"b","event":"${event}","timestamp":"2025-01-03 10:00:00","user_id":"u","event_id":"x"}\n`;
    const events = { path: 'events/*.json', format: 'json' as const, columns: identity(HEADER.split(',')) };
    const message = await failWith(engine, lines(json('login'), json('login'), json('login'), json('caf\u00e9')), 'bad.json', (p) => ({
      sources: { ...p.config().sources, events },
    }));
    expect(message).toBe('events/bad.json:4: is not UTF-8 text (byte 0xE9 after "caf"); re-save the file as UTF-8');
  });

  it('a 5 MB field: names its line and field', async () => {
    expect(await failWith(engine, lines(`${HEADER}\n`, `${row(1)}\n`, `a,${'x'.repeat(5_000_000)},2025-01-03 10:00:00,u,e9\n`, `${row(3)}\n`))).toBe(
      'events/bad.csv:3 event: makes its line longer than the 2,000,000 bytes DuckDB reads as one CSV line (is a closing quote missing?)',
    );
  });
});

describe.each(engines)('a Parquet file among CSV files ($name)', (engine) => {
  it('names a Parquet file among CSV files as Parquet, not as text that is not UTF-8', async () => {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const scratch = await tempProject(engine);
    try {
      const file = join(scratch.root, 'e.parquet');
      const instance = await DuckDBInstance.create(':memory:');
      const con = await instance.connect();
      await con.run(`copy (select 'b' as account_id, 'login' as event, timestamp '2025-01-02 10:00:00' as timestamp) to '${file.replaceAll("'", "''")}' (format parquet)`);
      con.closeSync();
      instance.closeSync();
      const { readFile } = await import('node:fs/promises');
      expect(await failWith(engine, await readFile(file), 'late.csv')).toBe(
        'events/late.csv: is a Parquet file, not csv: set format: parquet on its source, or keep it apart from the csv files',
      );
    } finally {
      await scratch.cleanup();
    }
  });
});
