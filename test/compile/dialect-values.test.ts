import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { SqlDialect } from '../../pipeline/sql/dialects/dialect.ts';
import { duckdb } from '../../pipeline/sql/dialects/duckdb.ts';
import { postgres } from '../../pipeline/sql/dialects/postgres.ts';
import { POSTGRES_FUNCTIONS } from '../../pipeline/sql/dialects/postgres-functions.ts';
import { withPostgresSchema } from '../helpers/postgres-schema.ts';
import { tempProject, type TempProject } from '../helpers/temp-project.ts';

// Each scoring method of the dialect gives the same value on DuckDB and on PostgreSQL, on
// the edge cases of its input. The PostgreSQL words are in a locale's collation (where
// 'B' sorts after 'b'), as in a database made with en_US.UTF-8; the dialect must still
// order text by its bytes, as DuckDB does.

const url = inject('postgresUrl');

const WORDS: [number, string | null][] = [[1, 'b'], [2, 'B'], [3, null], [4, 'a'], [5, 'b']];
const word = (k: number) => sql`(select w from words where k = ${sql.lit(k)})`;
const text = (value: string) => sql`cast(${value} as varchar)`;

/** Expressions whose values must agree; lists are joined with '|' to compare as text. */
const CASES: Record<string, (d: SqlDialect) => RawBuilder<unknown>> = {
  ...Object.fromEntries([' 12 ', '1_000', '1e5', '-.5', '1.', 'abc', '', 'nan', 'inf', '1e400', '1e-400', '0x10', '1,5'].map((v) =>
    [`tryNumber ${JSON.stringify(v)}`, (d: SqlDialect) => d.tryNumber(text(v))])),
  ...Object.fromEntries(['true', 'T', 'yes', 'y', '1', '0', 'no', 'F', 'on', ' yes'].map((v) =>
    [`tryBoolean ${JSON.stringify(v)}`, (d: SqlDialect) => d.tryBoolean(text(v))])),
  ...Object.fromEntries(([[2.5, 0], [-2.5, 0], [0.12345, 4], [1.00005, 4], [-0.00005, 4], [7.123456789, 4], [5.33335, 4], [-5.33335, 4], [1.005, 2], [2.675, 2], [0.285, 2]] as const).map(([v, digits]) =>
    [`round ${v} to ${digits}`, (d: SqlDialect) => d.round(sql`cast(${sql.lit(v)} as ${d.columnType('double')})`, digits)])),
  'divide integers': (d) => d.divide(sql`cast(7 as bigint)`, sql`cast(2 as bigint)`),
  'divide a sum of integers': (d) => d.divide(sql`(select sum(k) from words)`, sql`(select count(*) from words)`),
  'sortedNonNullList': (d) => sql`array_to_string(${d.sortedNonNullList([word(1), word(2), word(3), word(4)])}, '|')`,
  'sortedNonNullList of nothing': (d) => sql`array_to_string(${d.sortedNonNullList([])}, '|')`,
  'distinctSorted': (d) => sql`array_to_string(${d.distinctSorted(d.sortedNonNullList([word(5), word(2), word(1), word(4)]))}, '|')`,
  'latestBy, ties by bytes': (d) => sql`(select ${d.latestBy(sql`w`, [sql`t`, d.byteOrder(sql`w`)])} from words where w is not null)`,
  'latestBy, latest first': (d) => sql`(select ${d.latestBy(sql`w`, [sql`k`])} from words)`,
  'byteOrder compares': (d) => sql`(${d.byteOrder(word(2))} < ${d.byteOrder(word(1))})`,
  ...Object.fromEntries(['a/b', 'x~y', "it's", 'ü', 'n', 'missing'].map((name) =>
    [`eventProperty ${JSON.stringify(name)}`, (d: SqlDialect) => d.eventProperty(sql`(select p from props)`, name)])),
  ...Object.fromEntries(['2025-01-05', '2025-1-5', '2025-01-05 23:30:00', '2025-01-05T23:30:00-02:00', '2025-02-30', 'soon'].map((v) =>
    [`dayOf ${JSON.stringify(v)}`, (d: SqlDialect) => d.text(d.dayOf(text(v), 'UTC'))])),
  'dayOf in New York': (d) => d.text(d.dayOf(text('2025-01-06T03:30:00Z'), 'America/New_York')),

};

// A JSON number is text as written on PostgreSQL (jsonb keeps 1.50) but re-printed by DuckDB
// (1.5, and 1e20 as 100000000000000000000.0): only plainly written numbers agree.
const PROPERTIES = `{"a/b": 1, "x~y": "two", "it's": true, "ü": 1.5, "n": null}`;

async function values(db: Kysely<any>, dialect: SqlDialect): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [name, build] of Object.entries(CASES)) {
    const { rows } = await sql<{ v: unknown }>`select ${build(dialect)} as v`.execute(db);
    out[name] = rows[0]!.v;
  }
  return out;
}

describe.skipIf(!url)('the dialects agree on values', () => {
  let project: TempProject;
  let duck: Record<string, unknown>;
  beforeAll(async () => {
    project = await tempProject();
    const db = (await project.warehouse()).db;
    await sql`create table words (k integer, w varchar, t integer)`.execute(db);
    await sql`create table props (p json)`.execute(db);
    await setUp(db);
    duck = await values(db, duckdb);
  });
  afterAll(async () => project?.cleanup());

  async function setUp(db: Kysely<any>) {
    for (const [k, w] of WORDS) await sql`insert into words values (${sql.lit(k)}, ${w}, 1)`.execute(db);
    await sql`insert into props values (${PROPERTIES})`.execute(db);
  }

  it('on every case, PostgreSQL gives what DuckDB gives', async () => {
    const pg = await withPostgresSchema(url, async (db) => {
      for (const statement of POSTGRES_FUNCTIONS) await statement.execute(db);
      await sql`create table words (k integer, w text collate "en-x-icu", t integer)`.execute(db);
      await sql`create table props (p jsonb)`.execute(db);
      await setUp(db);
      return values(db, postgres);
    });
    expect(pg).toEqual(duck);
  });

  it('and DuckDB gives what the scoring expects', () => {
    expect(duck).toMatchObject({
      'tryNumber " 12 "': 12, 'tryNumber "1_000"': 1000, 'tryNumber "abc"': null, 'tryNumber "nan"': null, 'tryNumber "1e400"': null,
      'tryBoolean "yes"': true, 'tryBoolean "on"': null,
      'round 2.5 to 0': 3, 'round -2.5 to 0': -3, 'round 0.12345 to 4': 0.1235,
      'divide integers': 3.5, 'divide a sum of integers': 3,
      'sortedNonNullList': 'B|a|b', 'sortedNonNullList of nothing': '', 'distinctSorted': 'B|a|b',
      'latestBy, ties by bytes': 'b', 'latestBy, latest first': 'b', 'byteOrder compares': true,
      'eventProperty "a/b"': '1', 'eventProperty "x~y"': 'two', 'eventProperty "n"': null, 'eventProperty "missing"': null,
      'dayOf "2025-01-05T23:30:00-02:00"': '2025-01-06', 'dayOf "soon"': null, 'dayOf in New York': '2025-01-05',
    });
  });
});
