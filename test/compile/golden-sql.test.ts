import { afterEach, expect, it } from 'vitest';
import { sql } from 'kysely';
import { compileScorecard } from '../../pipeline/compile/compile-scorecard.ts';
import type { MeasureStrategy } from '../../pipeline/compile/measure-strategy.ts';
import type { SqlDialect } from '../../pipeline/sql/dialects/dialect.ts';
import { duckdb } from '../../pipeline/sql/dialects/duckdb.ts';
import { postgres } from '../../pipeline/sql/dialects/postgres.ts';
import { parseScorecard } from '../../pipeline/definitions/parse-scorecard.ts';
import type { ChurnSource, Reactivation } from '../../pipeline/ir/types.ts';
import { compileStatement, statementText } from '../../pipeline/sql/sql-text.ts';
import { ensureWarehouseTables } from '../../models/warehouse-tables.ts';
import { loadSources } from '../../pipeline/load/load-sources.ts';
import { materialiseBatch } from '../../pipeline/run/materialise.ts';
import { dialectFor } from '../../pipeline/engine/dialect-for.ts';
import { engines } from '../helpers/engines.ts';
import { csv, tempProject, type TempProject } from '../helpers/temp-project.ts';
import { DEFINITION, DISTINCT } from './scorecards.ts';

// The compiler is pure: a representative scorecard compiles to exactly the SQL in the
// golden file of each engine (review changes to it like code), and that SQL runs on each.

let project: TempProject | undefined;
afterEach(async () => project?.cleanup());

function compiled(strategy?: MeasureStrategy, definition = DEFINITION, dialect: SqlDialect = duckdb) {
  const parsed = parseScorecard(definition, 'definitions/golden.yaml');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return compileScorecard(parsed.scorecard, { sources: { events: { path: '', format: 'csv', columns: {} } } }, dialect,
    { from: '2025-01-14', to: '2025-01-15', firstDataDay: '2025-01-01' }, strategy ? { strategy } : {});
}

const DIALECTS = { duckdb, postgres };
/** The golden file of a scorecard on an engine and strategy: DuckDB's have no engine in
 *  their name (they came first). */
const goldenFile = (name: string, engine: keyof typeof DIALECTS, strategy: MeasureStrategy) =>
  `golden/${engine === 'duckdb' ? '' : `${engine}/`}${name}${strategy === 'range' ? '-range' : ''}.sql`;
/** The execution cases: each engine (when it is there) with each strategy. */
const RUNS = engines.flatMap((engine) => (['spine', 'range'] as const).map((strategy) => ({ engine, strategy })));
const CASES = (['duckdb', 'postgres'] as const).flatMap((engine) => (['spine', 'range'] as const).map((strategy) => [engine, strategy] as const));

it.each(CASES)('compiles a representative scorecard to the golden SQL (%s, %s strategy)', async (engine, strategy) => {
  const batch = compiled(strategy, DEFINITION, DIALECTS[engine]);
  const text = [...batch.prepare, ...batch.replace].map((s) => `-- ${s.name}\n${statementText(s.statement)};\n`).join('\n');
  await expect(text).toMatchFileSnapshot(goldenFile('representative', engine, strategy));
  expect(batch.plan.history).toBe(13); // a 7-day trend of a 7-day window
});

it.each(CASES)('compiles a distinct count to the golden SQL (%s, %s strategy)', async (engine, strategy) => {
  const batch = compiled(strategy, DISTINCT, DIALECTS[engine]);
  const text = [...batch.prepare, ...batch.replace].map((s) => `-- ${s.name}\n${statementText(s.statement)};\n`).join('\n');
  await expect(text).toMatchFileSnapshot(goldenFile('distinct', engine, strategy));
});

it('picks the range strategy for a batch of two days', () => {
  expect(compiled().strategy).toBe('range');
});

it.each(RUNS)('runs that SQL on $engine.name ($strategy strategy)', async ({ engine, strategy }) => {
  project = await tempProject(engine);
  const dialect = dialectFor(project.config().warehouse);
  const events = [['account_id', 'event', 'timestamp', 'user_id', 'event_id', 'rows']];
  for (let d = 1; d <= 15; d++) {
    const day = `2025-01-${String(d).padStart(2, '0')} 10:00:00`;
    events.push(['a', 'login', day, 'u1', `a${d}`, '']);
    if (d > 7) events.push(['a', 'login', day, 'u2', `b${d}`, '']);
    if (d === 15) events.push(['a', 'export', day, 'u1', `c${d}`, '5000']);
  }
  await project.write('events/e.csv', csv(events));
  await project.write('attributes.csv', csv([['account_id', 'attribute', 'value', 'observed_at'], ['a', 'plan', 'pro', '2025-01-01'], ['a', 'nps', '4', '2025-01-01']]));
  const wh = await project.warehouse();
  await ensureWarehouseTables(wh.db, dialect);
  await loadSources(wh.db, project.config(), dialect);
  await materialiseBatch(wh.db, compiled(strategy, DEFINITION, dialect));
  const scores = await wh.query(sql`select score_id, raw_value, score, status from score_snapshots where snapshot_date = '2025-01-15' order by score_id`);
  expect(scores).toEqual([
    { score_id: 'logins', raw_value: 14, score: 10, status: 'ok' },
    { score_id: 'nps', raw_value: 4, score: 4, status: 'ok' },
    { score_id: 'per_user', raw_value: 7, score: 10, status: 'ok' },
    // 14 logins on days 9–15 against 8 on days 2–8: (14 − 8) / 8.
    { score_id: 'trend', raw_value: 0.75, score: 10, status: 'ok' },
  ]);
  // usage group (weights 3, 2, 1): all 10 → 10; relationship (lowest): 4 → (10·60 + 4·40)/100.
  expect(await wh.query(sql`select score, band from health_snapshots where snapshot_date = '2025-01-15'`)).toEqual([{ score: 7.6, band: 'green' }]);
});

it('compiles each reactivation rule into hs_churn_intervals, event names as bound values', () => {
  const parsed = parseScorecard(DEFINITION, 'definitions/golden.yaml');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  const backOn = (reactivatedBy?: Reactivation) => {
    const churn: ChurnSource = { kind: 'event', event: 'cancelled', ...(reactivatedBy && { reactivatedBy }) };
    const batch = compileScorecard(parsed.scorecard, { sources: { events: { path: '', format: 'csv', columns: {} }, churn } }, duckdb,
      { from: '2025-01-14', to: '2025-01-15', firstDataDay: '2025-01-01' });
    const step = batch.prepare.find((s) => s.name === 'hs_churn_intervals')!;
    return { text: statementText(step.statement).match(/left join (.*) a on a\.account_id/)![1], parameters: compileStatement(step.statement).parameters };
  };
  expect(backOn().text).toBe('daily_activity');
  const named = backOn({ kind: 'events', events: ['login', "it's; drop table raw_events"] });
  expect(named.text).toBe(`(select account_id, day from daily_activity where event in ('login', 'it''s; drop table raw_events'))`);
  expect(named.parameters).toEqual(['cancelled', 'login', "it's; drop table raw_events"]);
  expect(backOn({ kind: 'file', path: 'back.csv', format: 'csv', columns: {} }).text).toBe('raw_reactivations');
});

it.each(RUNS)('runs the distinct count SQL on $engine.name ($strategy strategy)', async ({ engine, strategy }) => {
  project = await tempProject(engine);
  const dialect = dialectFor(project.config().warehouse);
  const events: (string | null)[][] = [['account_id', 'event', 'timestamp', 'user_id', 'event_id', 'feature', 'plan']];
  // Days 1–7: f2 (odd days) or f1 (even days) on pro, f9 on free; days 8–15: f1; day 15 also f3.
  for (let d = 1; d <= 15; d++) {
    const day = `2025-01-${String(d).padStart(2, '0')} 10:00:00`;
    if (d <= 7) events.push(['a', 'feature_used', day, null, null, `f${1 + (d % 2)}`, 'pro'], ['a', 'feature_used', day, null, null, 'f9', 'free']);
    else events.push(['a', 'feature_used', day, null, null, 'f1', 'pro']);
    if (d === 15) events.push(['a', 'feature_used', day, null, null, 'f3', 'pro']);
  }
  await project.write('events/e.csv', csv(events));
  await project.write('attributes.csv', csv([['account_id', 'attribute', 'value', 'observed_at']]));
  const wh = await project.warehouse();
  await ensureWarehouseTables(wh.db, dialect);
  await loadSources(wh.db, project.config(), dialect);
  await materialiseBatch(wh.db, compiled(strategy, DISTINCT, dialect));
  const scores = await wh.query(sql`select cast(snapshot_date as varchar) as day, score_id, raw_value from score_snapshots order by 1, 2`);
  expect(scores).toEqual([
    // Days 8–14: {f1}, against days 1–7: {f1, f2} (f9 is free).
    { day: '2025-01-14', score_id: 'features', raw_value: 1 },
    { day: '2025-01-14', score_id: 'trend', raw_value: -0.5 },
    // Days 9–15: {f1, f3}, against days 2–8: {f1, f2}.
    { day: '2025-01-15', score_id: 'features', raw_value: 2 },
    { day: '2025-01-15', score_id: 'trend', raw_value: 0 },
  ]);
});
