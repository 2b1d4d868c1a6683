import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';

/** The optional pandas peer: the same scorecard from the same files, in pandas. */
export const PANDAS_PEER = join(dirname(fileURLToPath(import.meta.url)), 'peers', 'pandas_peer.py');

/** A Python with pandas and a Parquet engine (pyarrow or fastparquet), or why there is none. */
export async function findPandas(): Promise<{ python?: string; version?: string; missing?: string }> {
  const notes: string[] = [];
  for (const python of ['python3', '/usr/bin/python3']) {
    const probe = (code: string) => {
      try {
        return execFileSync(python, ['-c', code], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
      } catch {
        return undefined;
      }
    };
    const pandas = probe('import pandas; print(pandas.__version__)');
    if (!pandas) continue;
    const engine = probe('import pyarrow; print("pyarrow " + pyarrow.__version__)') ?? probe('import fastparquet; print("fastparquet " + fastparquet.__version__)');
    if (engine) return { python, version: `pandas ${pandas}, ${engine}` };
    notes.push(`${python} has pandas ${pandas} but no Parquet engine (pyarrow or fastparquet)`);
  }
  return { missing: notes.length ? `not run: ${notes.join('; ')}` : 'not installed' };
}

/** How the pandas peer's global scores agree with our health_snapshots. */
export async function pandasAgreement(ours: string, pandasOut: string): Promise<string> {
  const q = (path: string) => `'${path.replaceAll("'", "''")}'`;
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  try {
    await con.run(`attach ${q(ours)} as o (read_only)`);
    const r = await con.runAndReadAll(`
      with p as (select cast(snapshot_date as date) as snapshot_date, account_id, score, band
                 from read_parquet(${q(join(pandasOut, 'health_scores', '**', '*.parquet'))}, hive_partitioning = true))
      select (select count(*) from o.main.health_snapshots)::bigint as ours, (select count(*) from p)::bigint as pandas,
             count(*)::bigint as matched, max(abs(o.score - p.score)) as max_diff,
             count(*) filter (where abs(o.score - p.score) > 1e-9)::bigint as score_diffs,
             count(*) filter (where o.band is distinct from p.band)::bigint as band_diffs
      from o.main.health_snapshots o join p using (snapshot_date, account_id)`);
    const x = r.getRowObjects()[0]!;
    return `${x['ours']} health rows (ours) vs ${x['pandas']} (pandas), ${x['matched']} matched on (day, account); global score max |Δ| ${Number(x['max_diff'] ?? 0).toExponential(1)} (${x['score_diffs']} rows differ), ${x['band_diffs']} band differences.`;
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}
