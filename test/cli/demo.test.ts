// The complete demo project through the CLI: both scorecards and the overrides file, on
// February's events (the onboarding override of acc_0693 starts on Feb 21), on every engine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WarehouseLocation } from '../../pipeline/ir/types.ts';
import { engines, warehouseYaml } from '../helpers/engines.ts';
import { hs, hsJson, initProject, queryLocation, type TempDir } from './helpers.ts';

describe.each(engines)('$name', (engine) => {
  let tmp: TempDir & { project: string };
  let location: WarehouseLocation;
  beforeAll(async () => {
    tmp = await initProject(['2025-02'], { fullDemo: true });
    location = engine.location(tmp.project);
    const config = join(tmp.project, 'healthscore.yaml');
    await writeFile(config, (await readFile(config, 'utf8')).replace(/^warehouse: .*$/m, warehouseYaml(location).join('\n')));
  });
  afterAll(async () => {
    if (location) await engine.drop(location);
    await tmp?.cleanup();
  });

  it('runs both demo scorecards and applies the overrides file', async () => {
    const summary = await hsJson<{ load: { loaded: { source: string }[] }; materialised: Record<string, unknown[]> }>(['run', '--project', tmp.project]);
    expect(summary.load.loaded.map((f) => f.source).sort()).toEqual(['accounts', 'attributes', 'churn', 'events', 'overrides']);
    expect(Object.keys(summary.materialised).sort()).toEqual(['customer_health', 'onboarding']);
    const overridden = await queryLocation(location, `
      select scorecard, account_id, band, override_reason from health_snapshots
      where overridden and snapshot_date = '2025-02-25' order by scorecard, account_id`);
    expect(overridden).toEqual([
      { scorecard: 'onboarding', account_id: 'acc_0693', band: 'A', override_reason: 'Design partner: onboarding run on site by our solutions team' },
    ]);
    const bands = await queryLocation(location, `select distinct band from health_snapshots where scorecard = 'onboarding' order by 1`);
    expect(bands.map((r) => r['band'])).toEqual(expect.arrayContaining(['A', 'F']));
  }, 120_000);

  it('explains an account under every scorecard that scored it, and shows its override', async () => {
    const { scorecards } = await hsJson<{ scorecards: { scorecard: string; band: string; overridden: boolean; override_reason: string | null }[] }>(
      ['explain', 'acc_0693', '--date', '2025-02-25', '--project', tmp.project],
    );
    const onboarding = scorecards.find((s) => s.scorecard === 'onboarding');
    expect(onboarding).toMatchObject({ band: 'A', overridden: true, override_reason: 'Design partner: onboarding run on site by our solutions team' });
  });

  it('asks which scorecard to backtest when the project has several', async () => {
    const r = await hs(['backtest', '--project', tmp.project]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/several scorecards \(customer_health, onboarding\): choose one with --scorecard/);
  });
});
