// Warnings that need the loaded data: a measure's event, property or attribute name that
// never occurs in it (a typo like `tickets` for `ticket`) validates and runs, and gives every
// account 0 or a missing score (or, as a churn or reactivation event, churns or brings back
// nobody); so does a column mapping that names a column no file has.
// Only distinct names and counts reach JavaScript, never event rows.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { formatPath, orderProblems, type PathSegment, type Problem } from '../errors.ts';
import type { ProjectConfig, Scorecard } from '../ir/types.ts';
import type { SqlDialect } from '../sql/dialects/dialect.ts';
import { tableExists } from '../engine/catalog.ts';
import { PROJECT_FILE } from '../project/load-project.ts';
import { didYouMean } from './did-you-mean.ts';
import { parseYaml } from './yaml-source.ts';

/** One warning per place a scorecard names an event or property that the loaded data does
 *  not have, in file order; none when nothing is loaded yet (then every name would be). */
export async function dataWarnings(db: Kysely<any>, dialect: SqlDialect, scorecards: readonly Scorecard[], config?: Pick<ProjectConfig, 'root' | 'sources'>): Promise<Problem[]> {
  if (!(await hasEvents(db))) return [];
  const wanted = scorecards.flatMap((s) => (s.source?.dataNames ?? []).map((n) => ({ ...n, file: s.file })));
  const churn = config?.sources.churn?.kind === 'event' ? config.sources.churn.event : undefined;
  const back = config?.sources.churn?.reactivatedBy;
  const reactivating = back?.kind === 'events' ? back.events : [];

  const warnings: Problem[] = [];
  if (wanted.some((n) => n.kind === 'event') || churn !== undefined || reactivating.length > 0) {
    // daily_activity holds every event name of raw_events, in far fewer rows.
    const events = new Set(
      (await sql<{ event: string }>`select distinct event from daily_activity where event is not null`.execute(db)).rows.map((r) => r.event),
    );
    for (const n of wanted) {
      if (n.kind === 'event' && !events.has(n.name)) {
        warnings.push({ file: n.file, line: n.line, path: n.path, message: `event ${JSON.stringify(n.name)} never occurs in the loaded data${didYouMean(n.name, events)}` });
      }
    }
    if (churn !== undefined && !events.has(churn)) {
      warnings.push({ ...(await projectLocation(config!.root, ['sources', 'churn', 'event'])), message: `churn event ${JSON.stringify(churn)} never occurs in the loaded data, so no account churns${didYouMean(churn, events)}` });
    }
    for (const [i, event] of reactivating.entries()) {
      if (events.has(event)) continue;
      warnings.push({
        ...(await projectLocation(config!.root, ['sources', 'churn', 'reactivated_by', 'events', i])),
        message: `reactivation event ${JSON.stringify(event)} never occurs in the loaded data, so it brings no account back${didYouMean(event, events)}`,
      });
    }
  }
  if (wanted.some((n) => n.kind === 'property')) {
    const properties = new Set(
      (await sql<{ name: string }>`select distinct ${dialect.jsonKeys(sql.ref('properties'))} as name from raw_events where properties is not null`.execute(db)).rows.map((r) => r.name),
    );
    for (const n of wanted) {
      if (n.kind === 'property' && !properties.has(n.name)) {
        warnings.push({ file: n.file, line: n.line, path: n.path, message: `no loaded event has the property ${JSON.stringify(n.name)}${didYouMean(n.name, properties)}` });
      }
    }
  }
  if (wanted.some((n) => n.kind === 'attribute')) {
    const attributes = new Set(
      (await sql<{ name: string }>`select distinct attribute as name from raw_attributes`.execute(db)).rows.map((r) => r.name),
    );
    for (const n of wanted) {
      if (n.kind === 'attribute' && !attributes.has(n.name)) {
        warnings.push({ file: n.file, line: n.line, path: n.path, message: `attribute ${JSON.stringify(n.name)} is never observed in the loaded data${didYouMean(n.name, attributes)}` });
      }
    }
  }
  if (config) warnings.push(...(await emptyMappings(db, config)));
  return orderProblems(warnings);
}

/** Optional columns mapped to a file column of another name (`user_id: user_mail`) whose
 *  values are all missing: a misspelt column name loads as an empty column, silently. */
const OPTIONAL_COLUMNS = [
  { source: 'events', column: 'user_id', table: 'raw_events', stored: 'user_id' },
  { source: 'events', column: 'event_id', table: 'raw_events', stored: 'event_id' },
  { source: 'accounts', column: 'created_at', table: 'raw_accounts', stored: 'created_day' },
  { source: 'attributes', column: 'value', table: 'raw_attributes', stored: 'value' },
] as const;

async function emptyMappings(db: Kysely<any>, config: Pick<ProjectConfig, 'root' | 'sources'>): Promise<Problem[]> {
  const warnings: Problem[] = [];
  for (const m of OPTIONAL_COLUMNS) {
    const source = config.sources[m.source];
    const mapped = source?.columns[m.column];
    if (mapped === undefined || mapped === m.column) continue;
    const { rows } = await sql<{ loaded: boolean; filled: boolean }>`
      select exists (select 1 from ${sql.table(m.table)}) as loaded,
             exists (select 1 from ${sql.table(m.table)} where ${sql.ref(m.stored)} is not null) as filled`.execute(db);
    if (!rows[0]?.loaded || rows[0].filled) continue;
    warnings.push({
      ...(await projectLocation(config.root, ['sources', m.source, 'columns', m.column])),
      message: `no loaded ${m.source} row has a value in the column ${JSON.stringify(mapped)} mapped to ${m.column}: is the file column named so?`,
    });
  }
  return warnings;
}

/** Whether raw_events exists and has a row (a read-only warehouse may predate it). */
async function hasEvents(db: Kysely<any>): Promise<boolean> {
  if (!(await tableExists(db, 'raw_events'))) return false;
  const { rows } = await sql`select 1 from raw_events limit 1`.execute(db);
  return rows.length > 0;
}

/** file:line of a key of healthscore.yaml (already validated, so it parses). */
async function projectLocation(root: string, at: PathSegment[]): Promise<Omit<Problem, 'message'>> {
  const where = { file: PROJECT_FILE, line: 0, path: formatPath(at) };
  try {
    const parsed = parseYaml(await readFile(path.join(root, PROJECT_FILE), 'utf8'), PROJECT_FILE);
    return parsed.ok ? { ...where, line: parsed.source.lineOf(at) } : where;
  } catch {
    return where;
  }
}
