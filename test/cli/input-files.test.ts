// healthscore.yaml's timestamp_format, and an events file DuckDB cannot read, end to end:
// the CLI reads the format from the YAML, and a bad file exits 1 with one sentence.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { hs, hsOk, queryWarehouse, STACK_FRAME } from './helpers.ts';
import { TINY_CONFIG, tinyProject } from './tiny-project.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const US_EVENTS = ['account_id,event,timestamp,user_id,event_id', 'a1,login,01/02/2025 10:00,u1,e1', 'a2,login,01/03/2025 23:30,u2,e2', ''].join('\n');

it("reads text timestamps with healthscore.yaml's timestamp_format", async () => {
  const tmp = await tinyProject({ 'healthscore.yaml': `timestamp_format: '%m/%d/%Y %H:%M'\n${TINY_CONFIG}`, 'events/e.csv': US_EVENTS });
  cleanups.push(tmp.cleanup);
  await hsOk(['load', '--project', tmp.project]);
  expect(await queryWarehouse(join(tmp.project, 'warehouse.duckdb'), 'select day::varchar as day from raw_events order by 1')).toEqual([
    { day: '2025-01-02' },
    { day: '2025-01-03' },
  ]);
});

it('a file that is not UTF-8 exits 1 with one sentence naming its line, and loads nothing', async () => {
  const tmp = await tinyProject();
  cleanups.push(tmp.cleanup);
  await writeFile(join(tmp.project, 'events/latin1.csv'), Buffer.from('account_id,event,timestamp,user_id,event_id\na1,caf\u00e9,2025-01-02T10:00:00Z,u1,x1\n', 'latin1'));
  const r = await hs(['load', '--project', tmp.project]);
  expect(r.code).toBe(1);
  expect(r.stderr).toBe('healthscore: events/latin1.csv:2 event: is not UTF-8 text (byte 0xE9 after "caf"); re-save the file as UTF-8\n');
  expect(r.stderr).not.toMatch(STACK_FRAME);
  expect(await queryWarehouse(join(tmp.project, 'warehouse.duckdb'), 'select count(*)::int as n from raw_events')).toEqual([{ n: 0 }]);
});
