// The one string-literal helper against adversarial input: every value comes back from
// DuckDB unchanged and nothing in it is executed.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { duckdb } from '../../pipeline/sql/dialects/duckdb.ts';
import { quoteString, stringLiteral } from '../../pipeline/sql/sql-literal.ts';
import { statementText } from '../../pipeline/sql/sql-text.ts';
import { openWarehouse, type Warehouse } from '../../pipeline/engine/warehouse.ts';
import { ADVERSARIAL } from './adversarial-strings.ts';

let wh: Warehouse;
beforeAll(async () => {
  wh = await openWarehouse({ path: ':memory:' });
  await wh.query(sql`create table victims (id integer)`);
  await wh.query(sql`insert into victims values (1)`);
});
afterAll(() => wh.close());

const short = (s: string) => JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}… (${s.length} chars)` : s);

describe('stringLiteral', () => {
  it.each(ADVERSARIAL.map((s) => [short(s), s]))('%s round-trips through DuckDB', async (_, value) => {
    const [row] = await wh.query<{ v: string }>(sql`select ${stringLiteral(value)} as v`);
    expect(row!.v).toBe(value);
    // Also as the constant JSON path of an event property of that name.
    const [json] = await wh.query<{ v: string | null }>(
      sql`select ${duckdb.eventProperty(sql`json_object(${sql.val(value)}, 42)`, value)} as v`,
    );
    expect(json!.v).toBe('42');
  });

  it('executes nothing: the table the values try to drop is still there, with its row', async () => {
    for (const value of ADVERSARIAL) await wh.query(sql`select ${stringLiteral(value)}`);
    expect(await wh.query(sql`select id from victims`)).toEqual([{ id: 1 }]);
  });

  it('is a plain quoted literal unless the value holds a NUL', () => {
    expect(quoteString("it's")).toBe("'it''s'");
    expect(quoteString('back\\slash')).toBe("'back\\slash'");
    expect(quoteString('a\0b')).toBe("('a' || chr(0) || 'b')");
  });
});

describe('statementText (healthscore compile)', () => {
  it.each(ADVERSARIAL.map((s) => [short(s), s]))('%s shown inline runs and gives the bound value', async (_, value) => {
    const text = statementText(sql`select ${value} as v, ${value} = ${sql.val(value)} as same`);
    const [row] = await wh.query<{ v: string; same: boolean }>(sql.raw(text));
    expect(row).toEqual({ v: value, same: true });
  });

  it('leaves "$1" inside a quoted identifier alone', () => {
    expect(statementText(sql`select ${'x'} as ${sql.id('$1')}`)).toBe(`select 'x' as "$1"`);
  });
});
