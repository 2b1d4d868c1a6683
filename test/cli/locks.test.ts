// A warehouse held by another process: one sentence naming the process instead of DuckDB's
// lock text, for writers and readers alike; read-only commands share the file with other
// readers and never create it.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openWarehouse, WarehouseBusyError } from '../../pipeline/engine/warehouse.ts';
import { hs, hsOk, type TempDir } from './helpers.ts';
import { tinyProject } from './tiny-project.ts';

const BUSY = /^the warehouse (.+) is in use by another process \(PID (\d+), (.+)\): wait for it to finish, or stop it$/;

/** A child `node` process that opens `path` (read-write or read-only) and keeps it open
 *  until it is killed. Resolves once the file is open. */
function holder(path: string, readOnly: boolean): Promise<ChildProcess> {
  const script = `
    const { DuckDBInstance } = await import(${JSON.stringify(import.meta.resolve('@duckdb/node-api'))});
    const instance = await DuckDBInstance.create(${JSON.stringify(path)}, ${readOnly ? "{ access_mode: 'READ_ONLY' }" : '{}'});
    await instance.connect();
    process.stdout.write('open\\n');
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`the holder exited (${code}) before opening ${path}`)));
  });
}

let tmp: TempDir & { project: string };
let warehouse: string;
let held: ChildProcess | undefined;

beforeAll(async () => {
  tmp = await tinyProject();
  warehouse = join(tmp.project, 'warehouse.duckdb');
});
afterAll(() => tmp.cleanup());
afterEach(async () => {
  if (held && held.exitCode === null) {
    const exited = new Promise((resolve) => held!.once('exit', resolve));
    held.kill();
    await exited;
  }
  held = undefined;
});

describe('before the first run', () => {
  it('status shows that nothing is materialised, and does not create the warehouse', async () => {
    const { stdout } = await hsOk(['status', '--project', tmp.project]);
    expect(stdout).toContain('nothing materialised yet');
    expect(stdout).toContain('no run yet');
    expect(existsSync(warehouse)).toBe(false);
  });

  it('explain says there is no warehouse yet (exit 2), and does not create it', async () => {
    const r = await hs(['explain', 'a1', '--project', tmp.project]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`healthscore: no warehouse yet at ${warehouse}: run \`healthscore run\` first`);
    expect(existsSync(warehouse)).toBe(false);
  });

  it('a read-only open of a missing file fails without creating it', async () => {
    await expect(openWarehouse({ path: warehouse, readOnly: true })).rejects.toThrow(`no warehouse yet at ${warehouse}`);
    expect(existsSync(warehouse)).toBe(false);
  });
});

describe('with another process holding the warehouse', () => {
  beforeAll(async () => {
    await hsOk(['run', '--project', tmp.project]);
  });

  it('a writer held open refuses both modes with one sentence naming the process', async () => {
    held = await holder(warehouse, false);
    for (const readOnly of [false, true]) {
      const error = await openWarehouse({ path: warehouse, readOnly }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(WarehouseBusyError);
      const match = BUSY.exec((error as Error).message);
      expect(match, (error as Error).message).not.toBeNull();
      expect(match![1]).toBe(warehouse);
      expect(Number(match![2])).toBe(held.pid);
    }
  });

  it('the CLI reports it and exits 1: run (read-write) and status (read-only)', async () => {
    held = await holder(warehouse, false);
    for (const command of ['run', 'status']) {
      const r = await hs([command, '--project', tmp.project]);
      expect(r.code, command).toBe(1);
      const line = r.stderr.trim();
      expect(line.startsWith('healthscore: the warehouse ')).toBe(true);
      expect(BUSY.exec(line.replace(/^healthscore: /, ''))?.[2]).toBe(String(held.pid));
    }
  });

  it('validate still validates, and notes that the data check was skipped', async () => {
    held = await holder(warehouse, false);
    const r = await hs(['validate', '--project', tmp.project]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('ok: 1 scorecard (health)\n');
    expect(r.stderr).toMatch(/^note: the definitions were not checked against the data: the warehouse .+ is in use by another process \(PID \d+, .+\): wait for it to finish, or stop it\n$/);
  });

  it('status and explain still work next to another reader', async () => {
    held = await holder(warehouse, true);
    const status = await hsOk(['status', '--project', tmp.project]);
    expect(status.stdout).toMatch(/2 day\(s\) 2025-01-01 … 2025-01-02 under \w+ \(current\)/);
    const explain = await hsOk(['explain', 'a1', '--project', tmp.project]);
    expect(explain.stdout).toContain('a1 · health on 2025-01-02');
    // A writer is still refused while the reader is there.
    const run = await hs(['run', '--project', tmp.project]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`is in use by another process (PID ${held.pid}`);
  });
});
