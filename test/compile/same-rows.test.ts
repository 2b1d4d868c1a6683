import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import { compileScorecard } from '../../pipeline/compile/compile-scorecard.ts';
import type { MeasureStrategy } from '../../pipeline/compile/measure-strategy.ts';
import { parseScorecard } from '../../pipeline/definitions/parse-scorecard.ts';
import type { ProjectConfig, Scorecard } from '../../pipeline/ir/types.ts';
import { materialiseBatch } from '../../pipeline/run/materialise.ts';
import type { SqlDialect } from '../../pipeline/sql/dialects/dialect.ts';
import { duckdb } from '../../pipeline/sql/dialects/duckdb.ts';
import { postgres } from '../../pipeline/sql/dialects/postgres.ts';
import { ensureWarehouseTables } from '../../models/warehouse-tables.ts';
import { refreshDailyAggregates } from '../../models/daily-aggregates.ts';
import { withPostgresSchema } from '../helpers/postgres-schema.ts';
import { tempProject, type TempProject } from '../helpers/temp-project.ts';
import { ARITHMETIC, DEFINITION, DISTINCT, GOALS } from './scorecards.ts';

// The strongest check of the PostgreSQL dialect: the same raw rows, scored by the same
// compiled scorecards on DuckDB and on PostgreSQL, give the same output rows (numbers to 4
// decimals), under both measure strategies.

const url = inject('postgresUrl');

const EVENTS = { path: '', format: 'csv', columns: {} } as const;
/** Churn from the churn file (raw_churn), or from an event that only a login undoes. */
const CHURN = {
  'churn file': { sources: { events: EVENTS, churn: { kind: 'file', ...EVENTS, path: 'churn.csv' } } },
  'cancelled event': { sources: { events: EVENTS, churn: { kind: 'event', event: 'cancelled', reactivatedBy: { kind: 'events', events: ['login'] } } } },
} satisfies Record<string, Pick<ProjectConfig, 'sources'>>;

function scorecard(text: string): Scorecard {
  const parsed = parseScorecard(text, 'definitions/test.yaml');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.scorecard;
}

const SCORECARDS = [DEFINITION, DISTINCT, ARITHMETIC, GOALS].map(scorecard);
/** Two batches, so that the second one's alerts compare with days the first one wrote. */
const BATCHES = [{ from: '2025-01-08', to: '2025-01-11' }, { from: '2025-01-12', to: '2025-01-17' }];

const day = (d: number) => `2025-01-${String(d).padStart(2, '0')}`;

/** Raw rows as the load would leave them (one file key each). */
function rawRows() {
  const events: Record<string, unknown>[] = [];
  const event = (account: string, name: string, d: number, user: string | null, properties: Record<string, unknown> = {}, hour = 10) =>
    events.push({ account_id: account, event: name, ts: `${day(d)} ${hour}:00:00+00`, day: day(d), user_id: user,
      event_id: null, event_key: null, properties: JSON.stringify(properties), file_key: 'f1', duplicate: false });
  for (let d = 1; d <= 17; d++) {
    // a: a login a day (two users from day 8), exports with a row count now and then.
    event('a', 'login', d, 'u1');
    if (d >= 8) event('a', 'login', d, 'u2', {}, 11);
    if (d % 3 === 0) event('a', 'export', d, 'u1', { rows: d * 250, plan: 'pro', feature: `f${d % 2}` });
    // b: every other day until its churn on the 12th, back on the 15th.
    if (d % 2 === 1 && (d < 12 || d >= 15)) event('b', 'login', d, d % 4 === 1 ? 'u3' : null);
    // Cancellations (churn as an event): b logs in again, e never does.
    if (d === 12) event('b', 'cancelled', d, null);
    if (d === 7) event('e', 'cancelled', d, null);
    // d: busy early, then silent: its band falls.
    if (d <= 9) for (let k = 0; k < 3; k++) event('d', 'login', d, `u${k}`, {}, 8 + k);
    // e: odd property values.
    if (d % 4 === 2) {
      event('e', 'export', d, 'u9', { rows: ['1e3', 'abc', ' 2000 ', null, 7.5][d % 5], plan: 'pro', feature: 'ünï' });
      event('e', 'feature_used', d, 'u9', { feature: d > 10 ? 'Zed' : 'alpha', plan: 'pro' });
    }
  }
  // Distinct features of a: several per day, on pro and free.
  for (const d of [3, 4, 9, 10, 14, 16]) {
    event('a', 'feature_used', d, 'u1', { feature: `f${d % 3}`, plan: 'pro' });
    event('a', 'feature_used', d, 'u2', { feature: 'f9', plan: 'free' });
  }
  // The duplicate of an event_id is skipped by every reader.
  events.push({ ...events[0]!, file_key: 'f2', duplicate: true });

  const attribute = (account: string, name: string, value: string | null, at: string) =>
    ({ account_id: account, attribute: name, value, observed_at: at, day: at.slice(0, 10), file_key: 'f3' });
  const attributes = [
    attribute('a', 'plan', 'pro', '2025-01-01 09:00:00+00'),
    attribute('a', 'nps', '4', '2025-01-02 09:00:00+00'),
    // Two at the same instant: the greater text wins ('7' > '10' as text).
    attribute('a', 'nps', '10', '2025-01-09 09:00:00+00'),
    attribute('a', 'nps', '7', '2025-01-09 09:00:00+00'),
    attribute('a', 'plan', 'enterprise', '2025-01-13 18:00:00+00'),
    attribute('a', 'plan', 'Pro', '2025-01-13 07:00:00+00'),
    // An empty observation is none.
    attribute('a', 'nps', null, '2025-01-14 09:00:00+00'),
    attribute('a', 'contract_start', '2025-01-05', '2025-01-01 00:00:00+00'),
    attribute('b', 'plan', 'enterprise', '2025-01-01 09:00:00+00'),
    attribute('b', 'nps', 'n/a', '2025-01-03 09:00:00+00'),
    attribute('b', 'nps', '9.5', '2025-01-10 09:00:00+00'),
    attribute('b', 'contract_start', '2025-01-09T12:00:00Z', '2025-01-01 00:00:00+00'),
    // c: attributes only, its nps long stale.
    attribute('c', 'plan', 'pro', '2024-12-20 09:00:00+00'),
    attribute('c', 'nps', '8', '2024-09-01 09:00:00+00'),
    attribute('c', 'contract_start', 'soon', '2024-12-20 09:00:00+00'),
    attribute('d', 'plan', 'pro', '2025-01-01 09:00:00+00'),
    attribute('d', 'nps', '6', '2025-01-01 09:00:00+00'),
    attribute('e', 'plan', 'free', '2025-01-02 09:00:00+00'),
    // By their bytes 'pro' is the greater (a locale puts 'Pro' after it).
    attribute('e', 'plan', 'Pro', '2025-01-11 09:00:00+00'),
    attribute('e', 'plan', 'pro', '2025-01-11 09:00:00+00'),
  ];
  const accounts = [
    { account_id: 'a', created_day: '2024-12-30', file_key: 'f4' },
    { account_id: 'b', created_day: '2025-01-03', file_key: 'f4' },
    { account_id: 'f', created_day: '2025-01-10', file_key: 'f4' },
  ];
  const churn = [
    { account_id: 'b', churn_day: '2025-01-12', file_key: 'f5' },
    { account_id: 'd', churn_day: '2025-01-16', file_key: 'f5' },
  ];
  const override = (account: string, scorecardId: string, scoreId: string | null, values: Record<string, unknown>, line: number) =>
    ({ account_id: account, scorecard: scorecardId, score_id: scoreId, score: null, band: null, author: 'cs', ends_on: null,
      source_line: line, file_key: 'f6', ...values });
  const overrides = [
    override('b', 'golden', null, { score: 9, reason: 'renewal signed', starts_on: day(9), ends_on: day(14) }, 2),
    override('a', 'golden', 'logins', { score: 2, reason: 'bot logins', starts_on: day(15) }, 3),
    // Reasons are listed by their bytes: 'Bot …' before 'api …'.
    override('a', 'golden', 'trend', { score: 1, reason: 'api key leaked', starts_on: day(15) }, 4),
    override('a', 'golden', 'per_user', { score: 3, reason: 'Bot logins', starts_on: day(16) }, 8),
    override('d', 'golden', null, { band: 'yellow', reason: 'on holiday', starts_on: day(10) }, 5),
    // Overlapping: the one that started last wins.
    override('d', 'golden', null, { band: 'green', reason: 'back soon', starts_on: day(12), ends_on: day(13) }, 6),
    override('a', 'arith', 'plan', { score: 55, reason: 'custom plan', starts_on: day(11) }, 7),
  ];
  return { raw_events: events, raw_attributes: attributes, raw_accounts: accounts, raw_churn: churn, raw_overrides: overrides };
}

async function loadRows(db: Kysely<any>, dialect: SqlDialect): Promise<void> {
  for (const [table, rows] of Object.entries(rawRows())) await db.insertInto(table).values(rows).execute();
  for (const statement of dialect.replaceTempTable('hs_test_days', sql`select distinct day from raw_events`)) await statement.execute(db);
  await refreshDailyAggregates(db, 'hs_test_days');
}

/** Every scorecard, batch by batch, under `strategy` (goals need the spine). */
async function score(db: Kysely<any>, dialect: SqlDialect, strategy: MeasureStrategy, churn: keyof typeof CHURN): Promise<void> {
  for (const card of SCORECARDS) {
    const forced = card.id === 'goals' ? 'spine' : strategy;
    for (const batch of BATCHES) {
      await materialiseBatch(db, compileScorecard(card, CHURN[churn], dialect, { ...batch, firstDataDay: day(1) }, { strategy: forced }));
    }
  }
}

const four = (value: unknown) => (typeof value === 'number' ? Number(value.toFixed(4)) : value);

/** The output rows in one order, dates and lists as text, numbers to 4 decimals. */
async function outputRows(db: Kysely<any>) {
  const read = async (query: ReturnType<typeof sql>) =>
    (await query.execute(db)).rows.map((row) => Object.fromEntries(Object.entries(row as object).map(([k, v]) => [k, four(v)])));
  return {
    scores: await read(sql`select cast(snapshot_date as varchar) as day, scorecard, account_id, score_id, raw_value, score, band, weight, status
      from score_snapshots order by 1, 2, 3, 4`),
    health: await read(sql`select cast(snapshot_date as varchar) as day, scorecard, account_id, score, band, computed_score, computed_band,
      array_to_string(insights, ',') as insights, overridden, override_reason, definition_version
      from health_snapshots order by 1, 2, 3`),
    alerts: await read(sql`select cast(alert_date as varchar) as day, scorecard, account_id, alert_id, from_band, to_band, from_score, to_score
      from alerts order by 1, 2, 3, 4`),
  };
}

describe.skipIf(!url)('the same rows on DuckDB and PostgreSQL', () => {
  let project: TempProject;
  let duck: Kysely<any>;
  beforeAll(async () => {
    project = await tempProject();
    duck = (await project.warehouse()).db;
    await ensureWarehouseTables(duck, duckdb);
    await loadRows(duck, duckdb);
  });
  afterAll(async () => project?.cleanup());

  it.each([['spine', 'churn file'], ['range', 'churn file'], ['range', 'cancelled event']] as const)('scores every scorecard alike (%s strategy, churn from the %s)', async (strategy, churn) => {
    await score(duck, duckdb, strategy, churn);
    const expected = await outputRows(duck);
    const actual = await withPostgresSchema(url, async (db) => {
      await ensureWarehouseTables(db, postgres);
      await loadRows(db, postgres);
      await score(db, postgres, strategy, churn);
      return outputRows(db);
    });
    expect(actual.scores).toEqual(expected.scores);
    expect(actual.health).toEqual(expected.health);
    expect(actual.alerts).toEqual(expected.alerts);
    // The rows are the data's, not empty ones: every scorecard, overrides and alerts.
    expect(new Set(expected.health.map((r) => r.scorecard))).toEqual(new Set(SCORECARDS.map((c) => c.id)));
    expect(expected.scores.filter((r) => r.status === 'overridden').length).toBeGreaterThan(0);
    expect(expected.health.filter((r) => r.overridden).length).toBeGreaterThan(0);
    expect(expected.alerts.length).toBeGreaterThan(0);
  });
});
