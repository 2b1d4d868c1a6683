// The export's speed against its two yardsticks (issue #9), side by side in one process:
// our Parquet export, one plain COPY per table of the same rows partitioned the same way, and our
// Arrow export. Each repetition runs the three in a rotated order; medians are printed
// with the ratios (ours ÷ plain COPY, Arrow ÷ our Parquet), and the ratios within each
// repetition, which are what to read on a shared machine.
//
//   npx tsx bench/export-speed.ts --warehouse path/to/warehouse.duckdb [--reps 3] [--partition day|month]
//
// The warehouse needs materialised snapshots (a project after `healthscore run`); it is
// opened read-only and the files go to a temporary folder that is removed at the end.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql, type Kysely } from 'kysely';
import { exportOrder, OUTPUT_TABLES } from '../models/output-tables.ts';
import { duckdb } from '../pipeline/sql/dialects/duckdb.ts';
import { openWarehouse } from '../pipeline/engine/warehouse.ts';
import { stringLiteral } from '../pipeline/sql/sql-literal.ts';
import { exportTables } from '../pipeline/export/export-tables.ts';
import { partitionColumn, partitionSelect, type Partitioning } from '../pipeline/export/partitions.ts';
import { median } from './proc.ts';

const { values } = parseArgs({
  options: {
    warehouse: { type: 'string' },
    reps: { type: 'string', default: '3' },
    partition: { type: 'string', default: 'day' },
  },
});
if (!values.warehouse || !['day', 'month'].includes(values.partition) || !(Number(values.reps) >= 1 && Number.isInteger(Number(values.reps)))) {
  console.error('usage: npx tsx bench/export-speed.ts --warehouse FILE [--reps 3] [--partition day|month]');
  process.exit(2);
}
const reps = Number(values.reps);
const partition = values.partition as Partitioning;

/** The yardstick: what an analyst would type, one COPY per table partitioned like ours
 *  (by day, or by the month column), DuckDB's defaults otherwise. */
async function plainCopy(db: Kysely<any>, out: string): Promise<void> {
  await mkdir(out, { recursive: true });
  for (const table of OUTPUT_TABLES) {
    await sql`copy (select *${partitionSelect(table, partition)} from ${sql.table(table.name)} order by ${exportOrder(table)})
      to ${stringLiteral(join(out, table.name))} (format parquet, partition_by (${sql.ref(partitionColumn(table, partition))}))`.execute(db);
  }
}

const contenders: Record<string, (db: Kysely<any>, out: string) => Promise<unknown>> = {
  'our Parquet export': (db, out) => exportTables({ engine: 'duckdb', db }, duckdb, { path: out, formats: ['parquet'], partition }),
  'plain partitioned COPY': plainCopy,
  'our Arrow export': (db, out) => exportTables({ engine: 'duckdb', db }, duckdb, { path: out, formats: ['arrow'], partition }),
};
const names = Object.keys(contenders);

const wh = await openWarehouse({ path: values.warehouse, readOnly: true });
const work = await mkdtemp(join(tmpdir(), 'healthscore-export-speed-'));
try {
  const [counts] = await wh.query<Record<string, number>>(sql`select ${sql.join(
    OUTPUT_TABLES.map((t) => sql`(select count(*)::int from ${sql.table(t.name)}) as ${sql.ref(t.name)}`),
  )}`);
  console.log(`rows: ${Object.entries(counts ?? {}).map(([t, n]) => `${t} ${n.toLocaleString('en')}`).join(', ')}; partition: ${partition}`);
  const seconds: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let rep = 0; rep < reps; rep++) {
    const order = names.map((_, i) => names[(i + rep) % names.length]!);
    for (const name of order) {
      const out = join(work, `${rep}-${names.indexOf(name)}`);
      const started = performance.now();
      await contenders[name]!(wh.db, out);
      seconds[name]!.push((performance.now() - started) / 1000);
      await rm(out, { recursive: true, force: true });
    }
    console.log(`rep ${rep + 1} (${order.join(' → ')}): ${names.map((n) => `${n} ${seconds[n]![rep]!.toFixed(2)} s`).join(', ')}`);
  }
  const [ours, plain, arrow] = names.map((n) => median(seconds[n]!));
  const within = (a: string, b: string) => seconds[a]!.map((s, i) => `${(s / seconds[b]![i]!).toFixed(2)}×`).join(', ');
  console.log(`median seconds: ${names.map((n) => `${n} ${median(seconds[n]!).toFixed(2)}`).join(', ')}`);
  console.log(`our Parquet ÷ plain COPY: ${(ours! / plain!).toFixed(2)}× (within each rep: ${within(names[0]!, names[1]!)}); target ≤ 1.5×`);
  console.log(`our Arrow ÷ our Parquet: ${(arrow! / ours!).toFixed(2)}× (within each rep: ${within(names[2]!, names[0]!)}); target ≤ 1.5×`);
} finally {
  await wh.close();
  await rm(work, { recursive: true, force: true });
}
