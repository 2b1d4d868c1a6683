// A hand-written project of a few events, for CLI tests that are about a command's
// behaviour rather than the scores (runs in well under a second).
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { tempDir, type TempDir } from './helpers.ts';
import { minimal } from '../definitions/helpers.ts';

export const TINY_CONFIG = [
  'warehouse: warehouse.duckdb',
  'timezone: UTC',
  'lookback: 0d',
  'definitions: definitions/',
  'export: { path: out/, formats: [parquet] }',
  'sources:',
  '  events: { path: events/*.csv }',
  '',
].join('\n');

export const TINY_EVENTS = [
  'account_id,event,timestamp,user_id,event_id,rows',
  'a1,login,2025-01-01T10:00:00Z,u1,e1,',
  'a1,export,2025-01-02T10:00:00Z,u1,e2,5',
  'a2,login,2025-01-02T11:00:00Z,u2,e3,',
  '',
].join('\n');

export const TINY_SCORECARD = minimal();

/** A project folder with `files` (path → text) over the defaults above. */
export async function tinyProject(files: Record<string, string> = {}): Promise<TempDir & { project: string }> {
  const tmp = await tempDir();
  const project = join(tmp.dir, 'project');
  const all: Record<string, string> = {
    'healthscore.yaml': TINY_CONFIG,
    'events/e.csv': TINY_EVENTS,
    'definitions/health.yaml': TINY_SCORECARD,
    ...files,
  };
  for (const [path, text] of Object.entries(all)) {
    await mkdir(dirname(join(project, path)), { recursive: true });
    await writeFile(join(project, path), text);
  }
  return { ...tmp, project };
}
