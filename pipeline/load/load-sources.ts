import { stat } from 'node:fs/promises';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { FileSource, ProjectConfig } from '../ir/types.ts';
import type { SqlDialect } from '../compile/dialect.ts';
import { InputDataError } from './input-data-error.ts';
import { ACCOUNTS, CHURN, EVENTS, LONG_ATTRIBUTES, OVERRIDES, type RawTarget } from './raw-targets.ts';
import { describeColumns, displayPath, hashFile, listSourceFiles, readerFor } from './source-files.ts';

export interface LoadedFile {
  source: string;
  file: string;
  rows: number;
  /** `replaced` when a file loaded before has changed content. */
  action: 'loaded' | 'replaced';
}

export interface LoadSummary {
  loaded: LoadedFile[];
  unchanged: number;
}

/** Loads every new or changed source file into its raw table, one transaction per file.
 *  A file already loaded with the same content is skipped, so re-loading adds nothing. */
export async function loadSources(
  db: Kysely<any>,
  config: ProjectConfig,
  dialect: SqlDialect,
  onFile?: (done: number, total: number, file: string) => void,
): Promise<LoadSummary> {
  await checkTimezone(db, config.timezone);
  const plan: { target: RawTarget; source: FileSource; wide: boolean }[] = [
    { target: EVENTS, source: config.sources.events, wide: false },
  ];
  const { attributes, accounts, churn } = config.sources;
  if (attributes) plan.push({ target: LONG_ATTRIBUTES, source: attributes, wide: attributes.layout === 'wide' });
  if (accounts) plan.push({ target: ACCOUNTS, source: accounts, wide: false });
  if (churn?.kind === 'file') plan.push({ target: CHURN, source: churn, wide: false });
  if (config.sources.overrides) plan.push({ target: OVERRIDES, source: config.sources.overrides, wide: false });

  const work: { target: RawTarget; source: FileSource; wide: boolean; file: string }[] = [];
  for (const item of plan) {
    const files = await listSourceFiles(db, config.root, item.source.path);
    if (files.length === 0 && item.target.source === 'events') {
      throw new InputDataError('healthscore.yaml', undefined, 'sources.events.path', `no file matches ${item.source.path}`);
    }
    for (const file of files) work.push({ ...item, file });
  }

  const summary: LoadSummary = { loaded: [], unchanged: 0 };
  for (const [index, item] of work.entries()) {
    onFile?.(index, work.length, displayPath(config.root, item.file));
    const loaded = await loadFile(db, config, dialect, item.target, item.source, item.wide, item.file);
    if (loaded) summary.loaded.push(loaded);
    else summary.unchanged += 1;
  }
  return summary;
}

async function loadFile(
  db: Kysely<any>,
  config: ProjectConfig,
  dialect: SqlDialect,
  target: RawTarget,
  source: FileSource,
  wide: boolean,
  file: string,
): Promise<LoadedFile | undefined> {
  const shown = displayPath(config.root, file);
  const { size, mtimeMs } = await stat(file);
  const { rows: previous } = await sql<{ content_hash: string; file_size: number | null; file_mtime_ms: number | null }>`
    select content_hash, file_size, file_mtime_ms from loaded_files where source = ${target.source} and path = ${shown}`.execute(db);
  const known = previous[0];
  // Same size and modification time: unchanged, without reading it. Otherwise the
  // content decides (a file touched but not changed is not reloaded).
  if (known && known.file_size === size && known.file_mtime_ms === mtimeMs) return undefined;
  const hash = await hashFile(file);
  if (known?.content_hash === hash) {
    await sql`update loaded_files set file_size = ${size}, file_mtime_ms = ${mtimeMs}
      where source = ${target.source} and path = ${shown}`.execute(db);
    return undefined;
  }

  const { reader, columns, fileColumns } = await fileReader(db, source, wide, file, shown);
  const col = (name: string) => {
    const mapped = columns.get(name);
    return mapped === undefined ? sql`null` : sql.id(mapped);
  };
  for (const name of target.required) {
    if (!columns.has(name)) {
      const wanted = source.columns[name] ?? name;
      throw new InputDataError(shown, undefined, name, `has no column "${wanted}" (the file's columns are: ${[...fileColumns.keys()].join(', ')})`);
    }
  }
  await rejectBadRows(db, reader, target, col, dialect, config.timezone, shown, source.format, columns);

  const extras = eventProperties(target, columns, fileColumns);
  const line = sql`row_number() over () + ${sql.lit(source.format === 'csv' ? 1 : 0)}`;
  const expressions = target.columns(col, extras, dialect, config.timezone, line);
  const selectList = sql.join([
    ...Object.entries(expressions).map(([name, expr]) => sql`${expr} as ${sql.id(name)}`),
    sql`${shown} as source_file`,
  ]);
  const table = sql.table(target.table);
  let rowCount = 0;
  await db.transaction().execute(async (trx) => {
    await target.touched?.before(trx, shown);
    await sql`delete from ${table} where source_file = ${shown}`.execute(trx);
    const inserted = await sql`insert into ${table} by name select ${selectList} from ${reader}`.execute(trx);
    rowCount = Number(inserted.numAffectedRows ?? 0n);
    await target.touched?.after(trx, shown);
    await sql`insert or replace into loaded_files (source, path, content_hash, row_count, loaded_at, file_size, file_mtime_ms)
      values (${target.source}, ${shown}, ${hash}, ${rowCount}, now(), ${size}, ${mtimeMs})`.execute(trx);
  });
  return { source: target.source, file: shown, rows: rowCount, action: previous.length ? 'replaced' : 'loaded' };
}

/** The reader of one file and the map "our column name → the file's column name" that
 *  applies to it. A wide attribute file is unpivoted into the long layout first. */
async function fileReader(db: Kysely<any>, source: FileSource, wide: boolean, file: string, shown: string) {
  let reader = readerFor(source.format, file);
  let fileColumns: Map<string, string>;
  try {
    fileColumns = await describeColumns(db, reader);
  } catch (error) {
    throw new InputDataError(shown, undefined, undefined, `cannot be read as ${source.format}: ${firstLine(error)}`);
  }
  const columns = new Map<string, string>();
  for (const [ours, theirs] of Object.entries(source.columns)) {
    if (fileColumns.has(theirs)) columns.set(ours, theirs);
  }
  if (!wide) return { reader, columns, fileColumns };

  const account = source.columns['account_id'] ?? 'account_id';
  const observed = source.columns['observed_at'] ?? 'observed_at';
  const keys = sql.join([sql.id(account), sql.id(observed)]);
  reader = sql`(unpivot (select ${keys}, cast(columns(* exclude (${keys})) as varchar) from ${reader})
    on columns(* exclude (${keys})) into name attribute value value)`;
  return {
    reader,
    columns: new Map([...columns, ['attribute', 'attribute'], ['value', 'value']]),
    fileColumns,
  };
}

/** Every file column that is not mapped to one of ours becomes an event property, kept
 *  as JSON so that files with different extra columns load into one table. */
function eventProperties(target: RawTarget, columns: Map<string, string>, fileColumns: Map<string, string>): RawBuilder<unknown> {
  if (target !== EVENTS) return sql`null`;
  const mapped = new Set(columns.values());
  const extra = [...fileColumns.keys()].filter((name) => !mapped.has(name));
  if (extra.length === 0) return sql`null`;
  return sql`json_object(${sql.join(extra.map((name) => sql`${sql.lit(name)}, ${sql.id(name)}`))})`;
}

async function rejectBadRows(
  db: Kysely<any>,
  reader: RawBuilder<unknown>,
  target: RawTarget,
  col: (name: string) => RawBuilder<unknown>,
  dialect: SqlDialect,
  timezone: string,
  shown: string,
  format: FileSource['format'],
  columns: Map<string, string>,
): Promise<void> {
  // Every check in one scan: the earliest bad line, with the first check it fails.
  const checks = target.checks(col, dialect, timezone);
  const flags = checks.map((check, i) => sql`${check.bad} as ${sql.id(`bad${i}`)}, ${check.value} as ${sql.id(`value${i}`)}`);
  const anyBad = sql.join(checks.map((_, i) => sql.id(`bad${i}`)), sql` or `);
  const { rows } = await sql<Record<string, unknown> & { row_number: number }>`
    select * from (select row_number() over () as row_number, ${sql.join(flags)} from ${reader})
    where ${anyBad} order by row_number limit 1`.execute(db);
  const bad = rows[0];
  if (!bad) return;
  const index = checks.findIndex((_, i) => bad[`bad${i}`] === true);
  const check = checks[index]!;
  const value = bad[`value${index}`];
  // CSV has a header line; JSON lines and Parquet rows are numbered from 1.
  const line = format === 'csv' ? bad.row_number + 1 : bad.row_number;
  const shownValue = value === null || value === undefined ? '' : ` ("${String(value)}")`;
  // Name the field as the file names it.
  throw new InputDataError(shown, line, columns.get(check.field) ?? check.field, `${check.problem}${shownValue}`);
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}

/** Event days are fixed at load time in the project timezone; loading under another
 *  zone would mix two calendars in one table. */
async function checkTimezone(db: Kysely<any>, timezone: string): Promise<void> {
  const { rows } = await sql<{ value: string }>`select value from warehouse_settings where key = 'timezone'`.execute(db);
  const stored = rows[0]?.value;
  if (stored === undefined) {
    await sql`insert into warehouse_settings values ('timezone', ${timezone})`.execute(db);
  } else if (stored !== timezone) {
    throw new Error(
      `the warehouse holds days in timezone ${stored} but healthscore.yaml says ${timezone}: delete the warehouse file to reload in the new timezone`,
    );
  }
}
