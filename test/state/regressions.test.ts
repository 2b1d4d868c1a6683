// SPEC §2 and §7 as small named examples: one edit of a project, one run, and what the
// user must see. Each known failure of the state/load/export machinery has its test here;
// "each kind of edit, alone" runs every edit kind of the random test once, so a failure
// of the random test can be read against it.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StateProject, diffStates, freshState, type ProducedState } from './compare-with-fresh.ts';
import {
  EDITS, INPUTS, USAGE, addEvents, baseModel, copyEvents, day, eventsOn, lastEventDay, modelConfig, modelProject, removeEvents,
  renameEvents, rng, runAndCompare, useBaseProject, writeModel, type EventRow, type Model,
} from './project-fixture.ts';
import { addDays } from '../../pipeline/days.ts';
import { engines } from '../helpers/engines.ts';

// Every example runs on each engine (the PostgreSQL warehouse compared with a fresh
// PostgreSQL one, its export also with a fresh DuckDB project's).
describe.each(engines)('$name', (engine) => {
  const base = useBaseProject(engine);
  const fromBase = () => base.copy();

  async function own(m: Model): Promise<StateProject> {
    return base.track(await modelProject(m, engine));
  }

  async function one<T = number>(p: StateProject, text: string): Promise<T> {
    const rows = await p.query(text);
    return Object.values(rows[0] ?? {})[0] as T;
  }

  /** Runs and fails with the first differences when the project differs from a fresh one. */
  async function expectFresh(p: StateProject, m: Model, what: string): Promise<ProducedState> {
    const outcome = await runAndCompare(p, m);
    if (outcome.problem) expect.fail(`${what}\n${outcome.problem}`);
    return outcome.state!;
  }

  function sameAs(state: ProducedState, before: ProducedState, what: string) {
    const problem = diffStates(state, before);
    if (problem) expect.fail(`${what}: the state should be as before the edit, but\n${problem}`);
  }

  const PART3 = 'data/events/part-3.csv';
  const LOGINS_ON = (account: string, d: string) =>
    `select raw_value from score_snapshots where scorecard = 'health' and score_id = 'logins' and account_id = '${account}' and snapshot_date = '${d}'`;

  describe('each kind of edit, alone, gives what a fresh project gives', () => {
    it.each(Object.keys(EDITS))('%s', async (kind) => {
      const { p, m } = await fromBase();
      let said: string | undefined;
      for (let attempt = 1; said === undefined && attempt < 20; attempt++) said = await EDITS[kind]!({ root: p.root, m, r: rng(attempt) });
      const outcome = await runAndCompare(p, m);
      if (outcome.problem) expect.fail(`edit [${kind}] ${said}\n${outcome.problem}`);
    });
  });

  describe('a file is identified by its content, not its path (SPEC §2)', () => {
    // part-3.csv holds the last days, which every run recomputes (lookback): a double count
    // shows in the scores at once.
    it('a renamed file adds nothing', async () => {
      const { p, m } = await fromBase();
      const rows = await one(p, 'select count(*) from raw_events');
      await renameEvents(p.root, m, PART3, 'data/events/renamed.csv');
      const outcome = await runAndCompare(p, m);
      expect(await one(p, 'select count(*) from raw_events'), 'rows of raw_events').toBe(rows);
      sameAs(await p.state(), base.state, 'after renaming part-3.csv');
      if (outcome.problem) expect.fail(`after renaming part-3.csv\n${outcome.problem}`);
    });

    it('a copied file adds nothing', async () => {
      const { p, m } = await fromBase();
      const rows = await one(p, 'select count(*) from raw_events');
      const last = lastEventDay(m);
      const logins = await one(p, LOGINS_ON('a', last));
      await copyEvents(p.root, m, PART3, 'data/events/copy.csv');
      const outcome = await runAndCompare(p, m);
      expect(await one(p, 'select count(*) from raw_events'), 'rows of raw_events').toBe(rows);
      expect(await one(p, LOGINS_ON('a', last)), `logins of a on ${last}`).toBe(logins);
      sameAs(await p.state(), base.state, 'after copying part-3.csv');
      if (outcome.problem) expect.fail(`after copying part-3.csv\n${outcome.problem}`);
    });

    it("a removed file's rows leave the warehouse, and the scores change back", async () => {
      const { p, m } = await fromBase();
      const rows = await one(p, 'select count(*) from raw_events');
      const last = lastEventDay(m);
      const logins = await one(p, LOGINS_ON('b', last));
      // Extra logins on the last day, inside the lookback: no re-scoring of old days needed.
      const extra: EventRow[] = eventsOn(m, rng(5), 'b', last, 4, ['login']);
      await addEvents(p.root, m, 'data/events/extra.csv', extra);
      await expectFresh(p, m, 'after adding extra.csv');
      expect(await one(p, LOGINS_ON('b', last))).toBe(Number(logins) + 4);
      await removeEvents(p.root, m, 'data/events/extra.csv');
      const outcome = await runAndCompare(p, m);
      expect(await one(p, 'select count(*) from raw_events'), 'rows of raw_events').toBe(rows);
      expect(await one(p, LOGINS_ON('b', last)), `logins of b on ${last}`).toBe(logins);
      sameAs(await p.state(), base.state, 'after adding and removing extra.csv');
      if (outcome.problem) expect.fail(`after removing extra.csv again\n${outcome.problem}`);
    });

    it('a file whose name holds glob characters is read as itself', async () => {
      const { p, m } = await fromBase();
      const last = lastEventDay(m);
      const r = rng(9);
      // x1 has 1 login in b-a.csv, x2 2 in b-b.csv, x3 3 in b-[ab].csv; read as a glob,
      // b-[ab].csv would bring the rows of b-a.csv and b-b.csv a second time instead of its own.
      await addEvents(p.root, m, 'data/events/b-a.csv', eventsOn(m, r, 'x1', last, 1, ['login']));
      await addEvents(p.root, m, 'data/events/b-b.csv', eventsOn(m, r, 'x2', last, 2, ['login']));
      await addEvents(p.root, m, 'data/events/b-[ab].csv', eventsOn(m, r, 'x3', last, 3, ['login']));
      await p.run();
      const byAccount = await p.query(`select account_id, count(*)::int as n from raw_events
        where account_id in ('x1', 'x2', 'x3') group by 1 order by 1`);
      expect(byAccount).toEqual([{ account_id: 'x1', n: 1 }, { account_id: 'x2', n: 2 }, { account_id: 'x3', n: 3 }]);
      const logins = await p.query(`select account_id, raw_value from score_snapshots
        where score_id = 'logins' and snapshot_date = '${last}' and account_id like 'x%' order by 1`);
      expect(logins).toEqual([{ account_id: 'x1', raw_value: 1 }, { account_id: 'x2', raw_value: 2 }, { account_id: 'x3', raw_value: 3 }]);
    });
  });

  describe('healthscore.yaml edits apply to what is already loaded and exported (SPEC §7)', () => {
    it('a changed column mapping applies: user_id read from another column changes distinct users', async () => {
      const { p, m } = await fromBase();
      await EDITS['remap-user']!({ root: p.root, m, r: rng(1) });
      // The test means something only if the mapping changes the measure (seen on fresh
      // DuckDB projects, whose rows this filter reads, on any engine).
      const fresh = await freshState(p.root, INPUTS, (root) => modelConfig(m, root));
      const before = await freshState(base.project.root, INPUTS, base.project.config);
      const users = (s: ProducedState) => s.tables['score_snapshots']!.filter((r) => r.includes("'score_id': users"));
      expect(users(fresh).length).toBeGreaterThan(0);
      expect(users(fresh)).not.toEqual(users(before));
      await expectFresh(p, m, 'after mapping user_id to the device column');
    });

    it('a column renamed in every file and in columns: gives what a fresh project gives', async () => {
      const { p, m } = await fromBase();
      m.header.timestamp = 'at';
      await writeModel(p.root, m);
      await expectFresh(p, m, 'after renaming timestamp → at');
    });

    it('a changed timestamp_format alone loads the same files again under their new meaning', async () => {
      const { p, m } = await fromBase();
      m.eventTimes = 'us-zone';
      await writeModel(p.root, m);
      const asInstants = await expectFresh(p, m, 'after writing the events as "01/08/2025 10:00:00 +0900"');
      // Same files, now read as UTC times followed by the text "+0900".
      m.eventTimes = 'us-literal-zone';
      const asUtc = await expectFresh(p, m, 'after changing only timestamp_format');
      expect(asUtc.tables['score_snapshots']).not.toEqual(asInstants.tables['score_snapshots']);
    });

    it('a changed export path gets the full export', async () => {
      const { p, m } = await fromBase();
      m.exportPath = 'exports/bi';
      const state = await expectFresh(p, m, 'after export.path out/ → exports/bi/');
      expect(Object.keys(state.files).sort()).toEqual(Object.keys(base.state.files).sort());
    });

    it('adding arrow to the formats exports every day as arrow', async () => {
      const { p, m } = await fromBase();
      m.formats = ['parquet', 'arrow'];
      const state = await expectFresh(p, m, 'after export.formats: [parquet, arrow]');
      const parquet = Object.keys(state.files).filter((f) => f.endsWith('.parquet'));
      expect(Object.keys(state.files).filter((f) => f.endsWith('.arrow')).sort()).toEqual(parquet.map((f) => f.replace(/\.parquet$/, '.arrow')).sort());
    });

    it("removing a scorecard file removes its rows and its export", async () => {
      const { p, m } = await fromBase();
      m.definitions['definitions/usage.yaml'] = USAGE;
      await writeModel(p.root, m);
      await expectFresh(p, m, 'after adding the usage scorecard');
      delete m.definitions['definitions/usage.yaml'];
      await writeModel(p.root, m);
      const state = await expectFresh(p, m, 'after removing the usage scorecard again');
      sameAs(state, base.state, 'after adding and removing the usage scorecard');
    });
  });

  describe('late rows older than the lookback re-score their days (SPEC §7)', () => {
    // 60 days, so that "7 weeks back" is inside the data.
    const DAYS = 60;

    it('a late churn row 7 weeks back: the account has no snapshot on those days, in the tables and the export', async () => {
      const m = baseModel(DAYS);
      const last = lastEventDay(m);
      const churned = addDays(last, -49);
      const back = addDays(churned, 5);
      // e is quiet for 5 days from the churn day, so it stays churned until it is back.
      for (const rows of Object.values(m.events)) {
        for (let i = rows.length - 1; i >= 0; i--) {
          const d = rows[i]!.ts.slice(0, 10);
          if (rows[i]!.account === 'e' && d >= churned && d < back) rows.splice(i, 1);
        }
      }
      const p = await own(m);
      const quietDays = Array.from({ length: 5 }, (_, i) => addDays(churned, i));
      const eRows = `select count(*)::int from health_snapshots where account_id = 'e' and snapshot_date between '${churned}' and '${addDays(back, -1)}'`;
      expect(await one(p, eRows)).toBe(5);
      const before = await p.state();
      m.churn.push({ account: 'e', day: churned });
      await writeModel(p.root, m);
      const state = await expectFresh(p, m, `after a late churn row: e churned ${churned}`);
      expect(await one(p, eRows)).toBe(0);
      for (const d of quietDays) {
        const file = `health_snapshots/snapshot_date=${d}/data.parquet`;
        expect(state.files[file]!.some((r) => r.includes("'account_id': e,"))).toBe(false);
        expect(state.files[file]).not.toEqual(before.files[file]);
      }
    });

    it('a late event file for an old month re-scores that month', async () => {
      const m = baseModel(DAYS);
      const p = await own(m);
      const old = day(19); // 2025-01-20, 40 days before the last day
      const logins = Number(await one(p, LOGINS_ON('b', old)));
      await addEvents(p.root, m, 'data/events/2025-01-late.csv', eventsOn(m, rng(3), 'b', old, 6, ['login']));
      const state = await expectFresh(p, m, `after a late file with 6 logins of b on ${old}`);
      expect(await one(p, LOGINS_ON('b', old))).toBe(logins + 6);
      const exported = state.files[`score_snapshots/snapshot_date=${old}/data.parquet`]!;
      expect(exported.some((r) => r.includes("'account_id': b,") && r.includes("'score_id': logins,") && r.includes(`'raw_value': ${logins + 6}.0,`))).toBe(true);
    });
  });

  describe('export.partition: month (SPEC §7)', () => {
    // 100 days: January to April 10. Every run rewrites April (the lookback days).
    const DAYS = 100;

    it('an override in mid-January rewrites the January files only (and April, the lookback), like a fresh project', async () => {
      const m = baseModel(DAYS);
      m.partition = 'month';
      m.formats = ['parquet', 'arrow'];
      const p = await own(m);
      const months = ['2025-01', '2025-02', '2025-03', '2025-04'];
      // A rename into place gives a file a new inode: the files a run rewrote.
      const inodes = async () => {
        const out: Record<string, number> = {};
        for (const table of ['score_snapshots', 'health_snapshots']) {
          for (const month of months) {
            for (const ext of ['parquet', 'arrow']) {
              out[`${table}/snapshot_date_month=${month}/data.${ext}`] = (await stat(join(p.root, 'out', table, `snapshot_date_month=${month}`, `data.${ext}`))).ino;
            }
          }
        }
        return out;
      };
      const before = await inodes();
      m.overrides.push({ account: 'c', scorecard: 'health', score_id: '', score: '', band: 'green', reason: 'mid-month review', starts_on: day(14), ends_on: day(15) });
      await writeModel(p.root, m);
      const state = await expectFresh(p, m, 'after an override of c on 2025-01-15 … 16, partitioned by month');
      const after = await inodes();
      const rewritten = Object.keys(before).filter((f) => before[f] !== after[f]).map((f) => f.replace(/^.*=(\d{4}-\d{2})\/data\./, '$1 '));
      expect(rewritten.sort()).toEqual(['2025-01 arrow', '2025-01 arrow', '2025-01 parquet', '2025-01 parquet', '2025-04 arrow', '2025-04 arrow', '2025-04 parquet', '2025-04 parquet']);
      expect(Object.keys(state.files).every((f) => /^(score_snapshots|health_snapshots|alerts)\/(snapshot|alert)_date_month=2025-0[1-4]\/data\.(parquet|arrow)$/.test(f))).toBe(true);
    });
  });
});
