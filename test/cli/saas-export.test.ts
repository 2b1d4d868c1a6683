// A SaaS product's export, as a new user would get it (issue #11): customers with US dates,
// subscriptions (plan and seats, one conflicting pair), usage rows keyed by subscription with
// resent ids, support tickets, and a log of cancellations and reactivations with a duplicate.
// It is prepared the way the README's mapping reference says (one DuckDB join for the usage,
// which carries no account id), mapped with `columns:`, `timestamp_format:`, `event_id` and
// `reactivated_by`, then run, explained and backtested through the CLI. The expectations are
// worked out by hand from the data below, not read back from the warehouse.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BacktestResult } from '../../pipeline/backtest/run-backtest.ts';
import type { AccountExplanation } from '../../pipeline/inspect/explain.ts';
import { hsJson, hsOk, queryWarehouse, tempDir, type TempDir } from './helpers.ts';

const DAYS = 120; // 2025-01-01 … 2025-04-30
const day = (i: number) => new Date(Date.UTC(2025, 0, 1 + i)).toISOString().slice(0, 10);
const us = (iso: string) => `${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.slice(0, 4)}`;
const index = (iso: string) => (Date.parse(`${iso}T00:00:00Z`) - Date.UTC(2025, 0, 1)) / 86_400_000;
const FEATURES = ['dashboards', 'reports', 'alerts', 'api'];
const csv = (rows: (string | number)[][]) => rows.map((r) => r.join(',')).join('\n') + '\n';

/** The export: every table as the product's own CSV. */
function saasExport(): Record<string, string> {
  const customers: (string | number)[][] = [['id', 'company', 'signup_date']];
  const subscriptions: (string | number)[][] = [['subscription_id', 'customer_id', 'plan', 'seats', 'started_at']];
  const usage: (string | number)[][] = [['usage_id', 'subscription_id', 'user_email', 'feature', 'used_at']];
  const tickets: (string | number)[][] = [['ticket_id', 'customer_id', 'priority', 'opened_at']];
  const lifecycle: (string | number)[][] = [['customer_id', 'kind', 'occurred_at']];
  let usageId = 0;
  let ticketId = 0;
  const use = (sub: string, user: string, feature: string, d: number, id = `u${++usageId}`) =>
    usage.push([id, sub, user, feature, `${day(d)} 10:00:00`]);
  const ticket = (customer: string, d: number, priority = 'normal') => tickets.push([`t${++ticketId}`, customer, priority, `${day(d)} 15:00:00`]);

  for (let c = 1; c <= 12; c++) {
    const id = `c${String(c).padStart(2, '0')}`;
    const sub = `s${c}`;
    // c12 signed up on Feb 1 but its usage starts in January (a trial under another contract).
    customers.push([id, `Company ${c}`, us(c === 12 ? '2025-02-01' : '2025-01-01')]);
    subscriptions.push([sub, id, c % 3 === 0 || c === 5 ? 'basic' : 'pro', 4, '2025-01-01 00:00:00']);
    // Regular accounts: two users, a feature per day cycling through 1 + c % 4 features,
    // every other day; a ticket every 10 days.
    if (c !== 2) {
      const features = FEATURES.slice(0, 1 + (c % 4));
      for (let d = c === 12 ? 4 : 0; d < DAYS; d += 2) use(sub, `u${d % 4 < 2 ? 1 : 2}@${id}.com`, features[(d / 2) % features.length]!, d);
      for (let d = 5; d < DAYS; d += 10) ticket(id, d);
    }
  }
  // c02 uses "dashboards" daily; on Mar 10 it exports once (id dup-1), and that event is
  // resent on Mar 20 as another feature with the same id: one event, the earlier row.
  for (let d = 0; d < DAYS; d++) use('s2', 'a@c02.com', 'dashboards', d);
  use('s2', 'a@c02.com', 'exports', index('2025-03-10'), 'dup-1');
  use('s2', 'a@c02.com', 'imports', index('2025-03-20'), 'dup-1');
  // c05 (basic since January) moved to pro on Mar 1, exported twice at the same instant: with
  // the new plan and with the old one. The greater text, pro, holds.
  subscriptions.push(['s5b', 'c05', 'pro', 4, '2025-03-01 00:00:00'], ['s5c', 'c05', 'basic', 4, '2025-03-01 00:00:00']);
  // c03 cancels on Feb 15 (logged twice), opens an urgent ticket on Feb 20 (which must not
  // bring it back), and is reactivated on Mar 1.
  lifecycle.push(['c03', 'cancelled', '2025-02-15 09:00:00'], ['c03', 'cancelled', '2025-02-15 09:00:00'], ['c03', 'reactivated', '2025-03-01 08:00:00']);
  ticket('c03', index('2025-02-20'), 'urgent');
  // c04, c09 and c10 cancel for good; c04 keeps sending tickets.
  lifecycle.push(['c04', 'cancelled', '2025-03-15 09:00:00'], ['c09', 'cancelled', '2025-03-20 09:00:00'], ['c10', 'cancelled', '2025-04-10 09:00:00']);
  return {
    'customers.csv': csv(customers),
    'subscriptions.csv': csv(subscriptions),
    'usage.csv': csv(usage),
    'tickets.csv': csv(tickets),
    'subscription_events.csv': csv(lifecycle),
  };
}

/** The export step of the README: usage gets its account from the subscriptions, tickets
 *  are renamed to the same event columns, and the lifecycle log is split into cancellations
 *  and reactivations. */
async function prepare(exportDir: string, project: string): Promise<void> {
  const q = (path: string) => `'${path.replaceAll("'", "''")}'`;
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  try {
    await mkdir(join(project, 'data/events'), { recursive: true });
    await con.run(`copy (select s.customer_id, 'feature_used' as action, u.used_at as occurred_at, u.user_email, u.usage_id as id, u.feature
                         from read_csv(${q(join(exportDir, 'usage.csv'))}) u
                         join read_csv(${q(join(exportDir, 'subscriptions.csv'))}) s using (subscription_id))
                   to ${q(join(project, 'data/events/usage.parquet'))} (format parquet)`);
    await con.run(`copy (select customer_id, 'ticket_opened' as action, opened_at as occurred_at, ticket_id as id, priority
                         from read_csv(${q(join(exportDir, 'tickets.csv'))}))
                   to ${q(join(project, 'data/events/tickets.parquet'))} (format parquet)`);
    for (const [kind, file] of [['cancelled', 'cancellations.csv'], ['reactivated', 'reactivations.csv']]) {
      await con.run(`copy (select customer_id, occurred_at from read_csv(${q(join(exportDir, 'subscription_events.csv'))}, all_varchar = true)
                           where kind = '${kind}')
                     to ${q(join(project, 'data', file!))} (header)`);
    }
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}

const CONFIG = `warehouse: warehouse.duckdb
timezone: UTC
lookback: 3d
definitions: definitions/
export: { path: out/, formats: [parquet] }
sources:
  events:
    path: data/events/*.parquet
    columns: { account_id: customer_id, event: action, timestamp: occurred_at, user_id: user_email, event_id: id }
  attributes:
    path: export/subscriptions.csv
    layout: wide
    columns: { account_id: customer_id, observed_at: started_at }
  accounts:
    path: export/customers.csv
    columns: { account_id: id, created_at: signup_date }
    timestamp_format: '%m/%d/%Y'
  churn:
    path: data/cancellations.csv
    columns: { account_id: customer_id, churned_at: occurred_at }
    reactivated_by: { path: data/reactivations.csv, columns: { account_id: customer_id, reactivated_at: occurred_at } }
`;

const SCORECARD = `scorecard: health
bands: [{ label: red, from: 0 }, { label: yellow, from: 4 }, { label: green, from: 7 }]
measures:
  features_30d: { event: feature_used, aggregate: distinct, property: feature, window: 30d }
  users_30d:    { event: feature_used, aggregate: distinct_users, window: 30d }
  tickets_30d:  { event: ticket_opened, window: 30d }
  seats:        { attribute: seats }
  coverage:     { ratio: [users_30d, seats] }
  plan:         { attribute: plan }
scores:
  - { id: breadth, measure: features_30d, worst: 0, best: 4 }
  - { id: coverage, measure: coverage, worst: 0, best: 1 }
  - { id: support, measure: tickets_30d, worst: 6, best: 0 }
  - { id: plan, measure: plan, map: { basic: 5, pro: 10 }, impact: low }
`;

let tmp: TempDir;
let project: string;
let runOutput: string;
const cli = <T>(...args: string[]) => hsJson<T>([...args, '--project', project]);
const rawValue = async (account: string, date: string, scoreId: string) =>
  (await queryWarehouse(join(project, 'warehouse.duckdb'),
    `select raw_value from score_snapshots where account_id = '${account}' and snapshot_date = '${date}' and score_id = '${scoreId}'`))[0]?.['raw_value'];
const scoredDays = async (account: string, from: string, to: string) =>
  (await queryWarehouse(join(project, 'warehouse.duckdb'),
    `select cast(snapshot_date as varchar) as d from health_snapshots where account_id = '${account}'
     and snapshot_date between '${from}' and '${to}' order by 1`)).map((r) => r['d']);

beforeAll(async () => {
  tmp = await tempDir();
  project = join(tmp.dir, 'project');
  await mkdir(join(project, 'export'), { recursive: true });
  await mkdir(join(project, 'definitions'), { recursive: true });
  for (const [name, text] of Object.entries(saasExport())) await writeFile(join(project, 'export', name), text);
  await prepare(join(project, 'export'), project);
  await writeFile(join(project, 'healthscore.yaml'), CONFIG);
  await writeFile(join(project, 'definitions/health.yaml'), SCORECARD);
  runOutput = (await hsOk(['run', '--project', project])).stdout;
}, 120_000);
afterAll(() => tmp?.cleanup());

describe('a SaaS export mapped by the README reference', () => {
  it('counts the data problems it holds after the run', () => {
    // c12: days 4, 6, …, 30 (14 usage rows) and tickets on days 5, 15, 25 precede Feb 1.
    expect(runOutput).toMatch(/17 of \d[\d,]* events \([\d.]+%\) are dated before their account's created_at, in 1 account/);
    expect(runOutput).toMatch(/1 of 5 churn rows/);
    // c05's two rows of Mar 1 differ in subscription_id and plan (the seats agree).
    expect(runOutput).toMatch(/4 of \d+ attribute observations \([\d.]+%\) conflict/);
    // dup-1's resend of Mar 20.
    expect(runOutput).toMatch(/  1 of \d[\d,]* event rows \([\d.]+%\) share their event_id with another row/);
  });

  it('keeps one event per reused id: the earlier row', async () => {
    // c02 on Mar 25: dashboards and the Mar 10 export; the Mar 20 resend (imports) is the same event.
    expect(await rawValue('c02', '2025-03-25', 'breadth')).toBe(2);
    expect(await rawValue('c02', '2025-04-15', 'breadth')).toBe(1);
  });

  it('counts distinct features and users per account over 30 days', async () => {
    // c07 cycles through 1 + 7 % 4 = 4 features every other day, with two users; 4 seats.
    expect(await rawValue('c07', '2025-03-31', 'breadth')).toBe(4);
    expect(await rawValue('c07', '2025-03-31', 'coverage')).toBe(0.5);
    // c04 (1 feature) on its last scored day.
    expect(await rawValue('c04', '2025-03-14', 'breadth')).toBe(1);
  });

  it('reads the US signup dates: c12 is scored from Feb 1', async () => {
    expect(await scoredDays('c12', '2025-01-29', '2025-02-02')).toEqual(['2025-02-01', '2025-02-02']);
  });

  it('keeps a cancelled account out until its reactivation, whatever tickets it opens', async () => {
    expect(await scoredDays('c03', '2025-02-13', '2025-03-02')).toEqual(['2025-02-13', '2025-02-14', '2025-03-01', '2025-03-02']);
    expect(await scoredDays('c04', '2025-03-13', '2025-04-30')).toEqual(['2025-03-13', '2025-03-14']);
  });

  it('explains a text attribute by its value, the conflicting plan by the greater text', async () => {
    const [e] = (await cli<{ scorecards: AccountExplanation[] }>('explain', 'c05', '--date', '2025-03-31')).scorecards;
    const plan = e!.scores.find((s) => s.score_id === 'plan')!;
    expect(plan).toMatchObject({ raw_text: 'pro', score: 10 });
  });

  it('explains a cancelled account at its last scored day', async () => {
    const [e] = (await cli<{ scorecards: AccountExplanation[] }>('explain', 'c04')).scorecards;
    expect(e!.date).toBe('2025-03-14');
    expect(e!.note).toContain('churned on 2025-03-15');
  });

  it('backtests against the cancellations, flagging thin bands', async () => {
    const b = await cli<BacktestResult>('backtest', '--scorecard', 'health', '--horizon', '30d', '--step', '7d');
    expect(b.samples).toBeGreaterThan(50);
    // c04 (Mar 15), c09 (Mar 20) and c10 (Apr 10) cancel within 30 days of some evaluation day.
    expect(b.churners).toBeGreaterThanOrEqual(3);
    expect(b.notes.some((n) => /band \w+ has (only \d+ samples|no samples)/.test(n))).toBe(true);
  });
});
