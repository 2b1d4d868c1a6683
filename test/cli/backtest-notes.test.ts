// backtest's notes through the CLI, in text, --json, --compare and the HTML report: days
// with no scored account left out, and thin or empty bands of every score flagged.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { BacktestResult } from '../../pipeline/backtest/run-backtest.ts';
import { addDays } from '../../pipeline/days.ts';
import { hsJson, hsOk } from './helpers.ts';
import { TINY_CONFIG, tinyProject } from './tiny-project.ts';

const SCORECARD = [
  'scorecard: health',
  'bands: [{ label: red, from: 0 }, { label: yellow, from: 3 }, { label: green, from: 7 }]',
  'measures: { logins: { event: login, window: 7d } }',
  'scores:',
  '  - { id: logins, measure: logins, worst: 0, best: 7 }',
  '  - { id: always, measure: logins, worst: -10, best: 0 }',
  '',
].join('\n');

let tmp: Awaited<ReturnType<typeof tinyProject>>;
beforeAll(async () => {
  // a and b log in daily through Feb 9; b churns Feb 1. Both are created on Jan 10, so the
  // evaluation day Jan 1 scores nobody.
  const rows = ['account_id,event,timestamp'];
  for (let d = '2025-01-01'; d <= '2025-02-09'; d = addDays(d, 1)) for (const a of ['a', 'b']) if (a === 'a' || d < '2025-02-01') rows.push(`${a},login,${d}T10:00:00Z`);
  tmp = await tinyProject({
    'healthscore.yaml': TINY_CONFIG + '  accounts: { path: accounts.csv }\n  churn: { path: churn.csv }\n',
    'events/e.csv': rows.join('\n') + '\n',
    'accounts.csv': 'account_id,created_at\na,2025-01-10\nb,2025-01-10\n',
    'churn.csv': 'account_id,churned_at\nb,2025-02-01\n',
    'definitions/health.yaml': SCORECARD,
    'same/health.yaml': SCORECARD,
  });
});
afterAll(async () => tmp?.cleanup());

const ARGS = ['backtest', '--horizon', '7', '--step', '7', '--from', '2025-01-01', '--to', '2025-01-29'];

it('prints the left-out days and every thin or empty band, in text and --json, on both sides', async () => {
  const r = await hsJson<BacktestResult>([...ARGS, '--compare', join(tmp.project, 'same'), '--project', tmp.project]);
  // Jan 1 scores nobody; Jan 8 is before the accounts' first day too; Jan 15, 22, 29 score a and b.
  expect(r).toMatchObject({ evaluation_days: 3, unscored_days: 2, samples: 6, churners: 1 });
  expect(r.notes).toContain('2 evaluation days had no scored account and were left out');
  expect(r.notes).toContain("score always: band red has no samples, band yellow has no samples, band green has only 6 samples (under 30 samples a band's churn rate is rough; with none it has none)");
  expect(r.notes).toContain("compare (health): score always: band red has no samples, band yellow has no samples, band green has only 6 samples (under 30 samples a band's churn rate is rough; with none it has none)");

  const report = join(tmp.dir, 'report.html');
  const { stdout } = await hsOk([...ARGS, '--compare', join(tmp.project, 'same'), '--report', report, '--project', tmp.project]);
  expect(stdout).toMatch(/^always +0\.500 +0\.00–1\.00 +6 +1 +red +no samples +– +0\.0%$/m);
  expect(stdout).toContain('note: 2 evaluation days had no scored account and were left out\n');
  expect(stdout).toContain("note: score always: band red has no samples, band yellow has no samples, band green has only 6 samples (under 30 samples a band's churn rate is rough; with none it has none)\n");
  const html = await readFile(report, 'utf8');
  expect(html).toContain('<td>red</td><td class="n">no samples</td>');
  expect(html).toContain('<li>2 evaluation days had no scored account and were left out</li>');
});
