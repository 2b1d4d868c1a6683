// Event, property, attribute, measure and account names made of SQL-breaking characters
// (test/engine/adversarial-strings.ts), written in a definition and in the data: every
// measure still counts exactly its own events, and nothing else runs.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempProject, type TempProject } from '../helpers/temp-project.ts';
import { ADVERSARIAL } from '../engine/adversarial-strings.ts';

// YAML keys are at most 1024 characters, so the longest strings are left to the engine test.
const NAMES = ADVERSARIAL.filter((s) => s.length <= 1000);

let project: TempProject;
let rows: { account_id: string; score_id: string; raw_value: number | null; score: number | null }[];

/** The loader writes a file's column names into SQL with kysely's quoting, which a NUL cuts
 *  short (pipeline/load is outside these tests): property names go without it. */
const property = (name: string) => name.replaceAll('\0', '␀');

const jsonl = (items: object[]) => items.map((item) => JSON.stringify(item)).join('\n') + '\n';

beforeAll(async () => {
  project = await tempProject();
  const events: object[] = [];
  const attributes: object[] = [];
  const measures: Record<string, object> = {};
  const scores: object[] = [];
  NAMES.forEach((name, i) => {
    const p = property(name);
    // Account `name` has two `name` events whose property `name` is 5, one where it is the
    // text `name`, and one event of another name; its attribute `name` holds `name`.
    const at = (day: number, id: string) => ({ account_id: name, timestamp: `2025-01-0${day}T10:00:00Z`, user_id: 'u', event_id: `${i}-${id}` });
    events.push({ ...at(1, 'a'), event: name, [p]: 5 }, { ...at(2, 'b'), event: name, [p]: 5 }, { ...at(2, 'c'), event: name, [p]: name });
    events.push({ ...at(2, 'd'), event: `${name}!`, [p]: 100 });
    attributes.push({ account_id: name, attribute: name, value: name, observed_at: '2025-01-01' });
    const measure = (kind: string, m: object) => {
      measures[`${name} ${kind}`] = m;
      scores.push({ id: `s${i}_${kind}`, measure: `${name} ${kind}`, ...(kind === 'attr' ? { map: { [name]: 7 } } : { worst: 0, best: 100 }) });
    };
    measure('count', { event: name, window: '30d' });
    measure('sum', { event: name, aggregate: 'sum', property: p, window: '30d' });
    measure('where', { event: name, where: { property: p, eq: 5 }, window: '30d' });
    measure('text', { event: [name, `${name}!`], where: { property: p, eq: name }, window: '30d' });
    measure('attr', { attribute: name });
    measure('in', { event: '*', where: { property: p, in: [name, 100] }, window: '30d' });
  });
  // JSON is YAML: the definition is written with JSON's escapes, NUL included.
  await project.write('definitions/health.yaml', JSON.stringify({ scorecard: 'health', bands: [{ label: 'red', from: 0 }], measures, scores }, null, 1));
  await project.write('events/e.json', jsonl(events));
  await project.write('attributes.json', jsonl(attributes));
  const columns = (names: string[]) => Object.fromEntries(names.map((n) => [n, n]));
  await project.run({
    config: {
      sources: {
        events: { path: 'events/*.json', format: 'json', columns: columns(['account_id', 'event', 'timestamp', 'user_id', 'event_id']) },
        attributes: { path: 'attributes.json', format: 'json', layout: 'long', columns: columns(['account_id', 'attribute', 'value', 'observed_at']) },
      },
    },
  });
  rows = await (await project.warehouse()).query(sql`select account_id, score_id, raw_value, score from score_snapshots where snapshot_date = date '2025-01-02'`);
});
afterAll(() => project.cleanup());

describe.each(NAMES.map((name, i) => [JSON.stringify(name.length > 30 ? `${name.slice(0, 30)}…` : name), name, i] as const))('%s', (_, name, i) => {
  const value = (kind: string) => rows.find((r) => r.account_id === name && r.score_id === `s${i}_${kind}`);

  it('counts, sums and filters its own events by property', () => {
    expect(value('count')?.raw_value).toBe(3);
    expect(value('sum')?.raw_value).toBe(10);
    expect(value('where')?.raw_value).toBe(2);
    expect(value('text')?.raw_value).toBe(1);
    expect(value('in')?.raw_value).toBe(2);
  });

  it('reads its attribute and maps its value', () => {
    expect(value('attr')?.score).toBe(7);
  });
});

it('every account has exactly its own scores', () => {
  expect(rows).toHaveLength(NAMES.length * NAMES.length * 6);
});
