import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { dialectFor } from '../../pipeline/engine/dialect-for.ts';
import { engines } from '../helpers/engines.ts';
import { csv, identity, tempProject, type TempProject } from '../helpers/temp-project.ts';

// Every source kind and format of SPEC §2: json lines events, wide attributes, an accounts
// file that sets first days, a churn file with several churns per account.

let project: TempProject;
afterEach(async () => project?.cleanup());

describe.each(engines)('$name', (engine) => {
  it('loads json lines events, wide attributes, accounts and a churn file', async () => {
    project = await tempProject(engine);
    const events = [
      { acct: 'a', name: 'login', at: '2025-01-02T10:00:00Z', plan_tier: 'x' },
      { acct: 'a', name: 'login', at: '2025-01-05T10:00:00Z' },
      { acct: 'a', name: 'login', at: '2025-01-09T10:00:00Z' },
      { acct: 'b', name: 'login', at: '2025-01-03T10:00:00Z' },
    ];
    await project.write('events/e.jsonl', events.map((e) => JSON.stringify(e)).join('\n') + '\n');
    await project.write('attrs.csv', csv([['account_id', 'observed_at', 'nps', 'plan'], ['a', '2025-01-01', 9, 'pro'], ['b', '2025-01-01', null, 'free'], ['b', '2025-01-04', 4, null]]));
    await project.write('accounts.csv', csv([['account_id', 'created_at'], ['a', '2025-01-01'], ['b', '2025-01-03'], ['c', '2025-01-08']]));
    await project.write('churn.csv', csv([['account_id', 'churned_at'], ['a', '2025-01-03'], ['a', '2025-01-07']]));
    await project.write('definitions/s.yaml', `scorecard: s
bands: [{ label: red, from: 0 }, { label: green, from: 5 }]
measures: { nps: { attribute: nps }, plan: { attribute: plan } }
scores: [{ id: nps, measure: nps, worst: 0, best: 10 }, { id: plan, measure: plan, map: { pro: 10, free: 0 } }]`);
    await project.run({
      config: {
        sources: {
          events: { path: 'events/*.jsonl', format: 'json', columns: { ...identity(['user_id', 'event_id']), account_id: 'acct', event: 'name', timestamp: 'at' } },
          attributes: { path: 'attrs.csv', format: 'csv', layout: 'wide', columns: identity(['account_id', 'observed_at']) },
          accounts: { path: 'accounts.csv', format: 'csv', columns: identity(['account_id', 'created_at']) },
          churn: { kind: 'file', path: 'churn.csv', format: 'csv', columns: identity(['account_id', 'churned_at']) },
        },
      },
    });
    const wh = await project.warehouse();
    expect(await wh.query(sql`select account_id, attribute, value from raw_attributes order by 1, 2, 3`)).toEqual([
      { account_id: 'a', attribute: 'nps', value: '9' },
      { account_id: 'a', attribute: 'plan', value: 'pro' },
      { account_id: 'b', attribute: 'nps', value: '4' },
      { account_id: 'b', attribute: 'plan', value: 'free' },
    ]);
    expect(await wh.query(sql`select ${dialectFor(project.config().warehouse).eventProperty(sql.ref('properties'), 'plan_tier')} as p from raw_events where day = '2025-01-02'`)).toEqual([{ p: 'x' }]);
    const days = await wh.query<{ account_id: string; d: string }>(
      sql`select account_id, string_agg(cast(extract(day from snapshot_date) as varchar), ',' order by snapshot_date) as d from health_snapshots group by 1 order by 1`,
    );
    // a: created Jan 1; churned Jan 3, back Jan 5; churned Jan 7, back Jan 9.
    // b: created Jan 3. c: created Jan 8, no events, still scored (first day from accounts.csv).
    expect(days).toEqual([
      { account_id: 'a', d: '1,2,5,6,9' },
      { account_id: 'b', d: '3,4,5,6,7,8,9' },
      { account_id: 'c', d: '8,9' },
    ]);
  });

  // Two observations of one attribute at the same instant conflict; which one wins must not
  // depend on the order rows were read in, or an incremental run would differ from a fresh one.
  it('of two attribute observations at the same instant, the greater value as text wins, in any file order', async () => {
    const definition = `scorecard: s
bands: [{ label: red, from: 0 }, { label: green, from: 5 }]
measures: { plan: { attribute: plan } }
scores: [{ id: plan, measure: plan, map: { basic: 0, pro: 10 } }]`;
    const header = ['account_id', 'attribute', 'value', 'observed_at'];
    const pro = csv([header, ['a', 'plan', 'pro', '2025-01-02 09:00:00']]);
    const basic = csv([header, ['a', 'plan', 'basic', '2025-01-02 09:00:00']]);
    const plans = async (files: [string, string][][]) => {
      project = await tempProject(engine);
      await project.write('events/e.csv', csv([['account_id', 'event', 'timestamp'], ['a', 'login', '2025-01-01 10:00:00'], ['a', 'login', '2025-01-03 10:00:00']]));
      await project.write('definitions/s.yaml', definition);
      const config = { sources: { ...project.config().sources, attributes: { path: 'attrs/*.csv', format: 'csv' as const, layout: 'long' as const, columns: identity(header) } } };
      for (const batch of files) {
        for (const [name, text] of batch) await project.write(`attrs/${name}`, text);
        await project.run({ config });
      }
      const wh = await project.warehouse();
      const rows = await wh.query<{ d: string; score: number }>(
        sql`select cast(snapshot_date as varchar) as d, score from score_snapshots where score_id = 'plan' order by 1`,
      );
      await project.cleanup();
      return rows;
    };
    const expected = [{ d: '2025-01-01', score: null }, { d: '2025-01-02', score: 10 }, { d: '2025-01-03', score: 10 }];
    expect(await plans([[['1.csv', pro], ['2.csv', basic]]])).toEqual(expected);
    expect(await plans([[['1.csv', basic], ['2.csv', pro]]])).toEqual(expected);
    expect(await plans([[['1.csv', basic]], [['2.csv', pro]]])).toEqual(expected);
    expect(await plans([[['1.csv', pro]], [['2.csv', basic]]])).toEqual(expected);
    // Within one file, too.
    expect(await plans([[['1.csv', csv([header, ['a', 'plan', 'pro', '2025-01-02 09:00:00'], ['a', 'plan', 'basic', '2025-01-02 09:00:00']])]]])).toEqual(expected);
  });
});
