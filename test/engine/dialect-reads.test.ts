import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { onBothEngines, postgresUrl } from '../helpers/state-engines.ts';

// The dialects' aggregates for reads (status, preview) give the same values on both engines.

describe.skipIf(!postgresUrl)('read aggregates on DuckDB and PostgreSQL', () => {
  it('firstBy takes the value at the least order; quantiles interpolate as quantile_cont', async () => {
    const result = await onBothEngines(async (db, dialect) => {
      const rows = sql`(values ('x', 3, 1.0), ('y', 1, 4.0), ('x', 2, 2.5), ('z', 7, cast(null as double precision)), ('y', 5, 10.0)) v(k, line, value)`;
      const { rows: first } = await sql`select k, ${dialect.firstBy(sql.ref('v.value'), sql.ref('v.line'))} as first from ${rows} group by k order by k`.execute(db);
      const { rows: quantiles } = await sql<{ median: number; all: number[]; none: number[] | null }>`
        select (${dialect.quantiles(sql`cast(value as double precision)`, [0.5])})[1] as median,
          ${dialect.quantiles(sql`cast(value as double precision)`, [0, 0.1, 0.25, 0.5, 0.75, 0.9, 1])} as "all",
          ${dialect.quantiles(sql`cast(value as double precision)`, [0.5])} filter (where value > 100) as none
        from ${rows}`.execute(db);
      return { first, quantiles };
    });
    expect(result.postgres).toEqual(result.duckdb);
    expect(result.duckdb.first).toEqual([{ k: 'x', first: 2.5 }, { k: 'y', first: 4 }, { k: 'z', first: null }]);
    expect(result.duckdb.quantiles).toEqual([{ median: 3.25, all: [1, expect.closeTo(1.45, 12), 2.125, 3.25, 5.5, expect.closeTo(8.2, 12), 10], none: null }]);
  });
});
