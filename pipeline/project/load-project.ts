// Reads and checks healthscore.yaml into a ProjectConfig with every default filled in and
// every local path made absolute, so nothing downstream has to know where the project is.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { days } from '../definitions/duration.ts';
import { parseYaml } from '../definitions/yaml-source.ts';
import { validate } from '../definitions/zod-problems.ts';
import { ValidationError } from '../errors.ts';
import type { AttributeSource, ChurnSource, DataSource, FileFormat, ProjectConfig, Reactivation, TableSource } from '../ir/types.ts';
import { projectSchema, type ProjectDoc } from './config-schema.ts';
import { inferFormat, SOURCE_COLUMNS, withDefaultColumns } from './source-columns.ts';
import { warehouseLocation } from './warehouse-setting.ts';

export const PROJECT_FILE = 'healthscore.yaml';

interface SourceDoc {
  path?: string;
  table?: string;
  format?: 'csv' | 'parquet' | 'json' | 'ndjson';
  columns?: Record<string, string | undefined>;
  on_bad_rows?: 'fail' | 'skip';
  valid_range?: { from?: string; to?: string };
  timestamp_format?: string;
}

type SourceDefaults = Pick<ProjectDoc, 'on_bad_rows' | 'valid_range' | 'timestamp_format'>;

/** A source's own settings, else the project's, else the defaults (fail; 2000-01-01 to
 *  one day after the run's clock; time columns as ISO text). */
function toDataSource(s: SourceDoc, columns: readonly string[], defaults: SourceDefaults): DataSource {
  const range = s.valid_range ?? defaults.valid_range ?? {};
  const timestampFormat = s.timestamp_format ?? defaults.timestamp_format;
  return {
    ...where(s),
    columns: withDefaultColumns(columns, s.columns),
    onBadRows: s.on_bad_rows ?? defaults.on_bad_rows ?? 'fail',
    validRange: { from: range.from ?? '2000-01-01', ...(range.to !== undefined && { to: range.to }) },
    ...(timestampFormat !== undefined && { timestampFormat }),
  };
}

/** The files (with their format) or the table a source reads; the schema checked that
 *  there is exactly one. */
function where(s: SourceDoc): { path: string; format: FileFormat } | { table: TableSource['table'] } {
  if (s.table !== undefined) {
    const [schema, name] = s.table.includes('.') ? s.table.split('.') : [undefined, s.table];
    return { table: { ...(schema !== undefined && { schema }), name: name! } };
  }
  const path = s.path!;
  return { path, format: s.format === undefined ? inferFormat(path)! : s.format === 'ndjson' ? 'json' : s.format };
}

export function toProjectConfig(doc: ProjectDoc, root: string): ProjectConfig {
  const { sources } = doc;
  const toSource = (s: SourceDoc, columns: readonly string[]) => toDataSource(s, columns, doc);
  const a = sources.attributes;
  const layout = a?.layout ?? 'long';
  const attributes: AttributeSource | undefined =
    a && { ...toSource(a, layout === 'wide' ? SOURCE_COLUMNS.wideAttributes : SOURCE_COLUMNS.attributes), layout };
  const back = sources.churn?.reactivated_by;
  const reactivatedBy: Reactivation | undefined =
    back && ('events' in back ? { kind: 'events', events: back.events } : { kind: 'file', ...toSource(back, SOURCE_COLUMNS.reactivations) });
  const churn: ChurnSource | undefined = sources.churn && {
    ...('event' in sources.churn ? { kind: 'event', event: sources.churn.event } : { kind: 'file', ...toSource(sources.churn, SOURCE_COLUMNS.churn) }),
    ...(reactivatedBy && { reactivatedBy }),
  };

  return {
    root,
    warehouse: warehouseLocation(doc.warehouse, doc.schema, root),
    timezone: doc.timezone ?? 'UTC',
    ...(doc.start_date !== undefined && { startDate: doc.start_date }),
    lookback: days(doc.lookback ?? '3d'),
    ...(doc.memory_limit !== undefined && { memoryLimit: doc.memory_limit }),
    ...(doc.threads !== undefined && { threads: doc.threads }),
    definitions: path.resolve(root, doc.definitions ?? 'definitions/'),
    export: {
      path: path.resolve(root, doc.export?.path ?? 'out/'),
      formats: [...new Set(doc.export?.formats ?? (['parquet'] as const))],
      partition: doc.export?.partition ?? 'day',
    },
    sources: {
      events: toSource(sources.events, SOURCE_COLUMNS.events),
      ...(attributes && { attributes }),
      ...(sources.accounts && { accounts: toSource(sources.accounts, SOURCE_COLUMNS.accounts) }),
      ...(churn && { churn }),
      ...(sources.overrides && { overrides: toSource(sources.overrides, SOURCE_COLUMNS.overrides) }),
    },
  };
}

/** The project in `dir`. Throws a ValidationError listing every problem of the file. */
export async function loadProject(dir: string): Promise<ProjectConfig> {
  const root = path.resolve(dir);
  let text: string;
  try {
    text = await readFile(path.join(root, PROJECT_FILE), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    throw new ValidationError([
      { file: PROJECT_FILE, line: 0, path: '', message: `not found in ${root} (is this a healthscore project? "healthscore init" creates one)` },
    ]);
  }

  const parsed = parseYaml(text, PROJECT_FILE);
  if (!parsed.ok) throw new ValidationError(parsed.problems);
  if (parsed.source.data === null || parsed.source.data === undefined) {
    throw new ValidationError([{ file: PROJECT_FILE, line: 1, path: '', message: 'the file is empty; expected the project settings' }]);
  }
  const shape = validate(projectSchema, parsed.source);
  if (!shape.ok) throw new ValidationError(shape.problems);
  return toProjectConfig(shape.value, root);
}
