import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import type { Kysely } from 'kysely';
import { isTableSource, type DataSource, type FileSource, type ProjectConfig } from '../ir/types.ts';
import type { SqlDialect } from '../sql/dialects/dialect.ts';
import { addDays } from '../days.ts';
import { cachedHashes, ledgerBySource, type LedgerEntry } from '../state/ledger.ts';
import { InputDataError } from './input-data-error.ts';
import { ACCOUNTS, CHURN, EVENTS, LONG_ATTRIBUTES, OVERRIDES, REACTIVATIONS, type RawTarget } from './raw-targets.ts';
import { displayPath, hashFile, listSourceFiles } from './source-files.ts';
import { describeTable, tableDays, type TableShape } from './table-source.ts';

/** Bumped when the way a file becomes raw rows changes, so that every file is loaded
 *  again under the new rules. */
const LOADER_VERSION = 2;

/** One content to load: a file (the first path it is seen at is the one read), or a day
 *  of a table (`file` is the day, '' for rows without one). */
export interface NewFile {
  key: string;
  hash: string;
  file: string;
  paths: string[];
}

/** What loading a source means now: which contents to add, which loaded ones to remove,
 *  and the paths of the ones that stay. */
export interface SourcePlan {
  target: RawTarget;
  source: DataSource;
  wide: boolean;
  /** A table source's columns, as read when planning. */
  table?: TableShape;
  fingerprint: string;
  validRange: { from: string; to: string };
  add: NewFile[];
  remove: LedgerEntry[];
  keep: { entry: LedgerEntry; paths: string[] }[];
}

export interface LoadPlan {
  sources: SourcePlan[];
  /** Hashes computed for this plan, to be remembered when the load commits. */
  hashed: { path: string; size: number; mtimeMs: number; hash: string }[];
}

/** Compares the sources with the ledger, by content: a renamed or copied file is kept
 *  (only its paths change), a changed one is removed and added, and every file of a
 *  source whose mapping or options changed is loaded again; a table's days are its
 *  contents (table-source.ts). Reads nothing but file metadata, the files that must be
 *  hashed and the source tables; writes nothing. `files` is the DuckDB that lists the
 *  files (the warehouse itself, or another engine's staging). */
export async function planLoad(db: Kysely<any>, config: ProjectConfig, dialect: SqlDialect, today: string, files: Kysely<any> = db): Promise<LoadPlan> {
  const wanted = wantedSources(config);
  const plan: LoadPlan = { sources: [], hashed: [] };
  const cachedHash = await cachedHashes(db);
  const ledgerEntries = await ledgerBySource(db);
  // A source dropped from healthscore.yaml: its loaded rows leave.
  for (const target of [LONG_ATTRIBUTES, ACCOUNTS, CHURN, REACTIVATIONS, OVERRIDES].filter((t) => !wanted.some((w) => w.target === t))) {
    const remove = ledgerEntries(target.source);
    if (remove.length === 0) continue;
    plan.sources.push({ target, source: { path: '', format: 'csv', columns: {} }, wide: false, fingerprint: '', validRange: { from: '', to: '' }, add: [], remove, keep: [] });
  }
  for (const { target, source, wide } of wanted) {
    const validRange = { from: source.validRange?.from ?? '2000-01-01', to: source.validRange?.to ?? addDays(today, 1) };
    const table = isTableSource(source) ? await describeTable(db, dialect, target, source, wide, source.timestampFormat) : undefined;
    const fingerprint = sourceFingerprint(source, wide, config.timezone, table);
    // Contents, each with every path it is seen at (copies of a file share one content).
    const contents = new Map<string, NewFile>();
    const add = (hash: string, file: string, shown: string) => {
      const key = fileKey(hash, fingerprint);
      const seen = contents.get(key);
      if (seen) seen.paths.push(shown);
      else contents.set(key, { key, hash, file, paths: [shown] });
    };
    if (isTableSource(source)) {
      for (const day of await tableDays(db, dialect, config, target, source, table!)) add(day.hash, day.day, day.name);
    } else {
      const paths = await listSourceFiles(files, config.root, source.path);
      if (paths.length === 0 && target === EVENTS) {
        throw new InputDataError('healthscore.yaml', undefined, 'sources.events.path', `no file matches ${source.path}`);
      }
      for (const file of paths) {
        const shown = displayPath(config.root, file);
        const { size, mtimeMs } = await stat(file);
        let hash = cachedHash(shown, size, mtimeMs);
        if (hash === undefined) {
          hash = await hashFile(file);
          plan.hashed.push({ path: shown, size, mtimeMs, hash });
        }
        add(hash, file, shown);
      }
    }
    const sourcePlan: SourcePlan = { target, source, wide, ...(table && { table }), fingerprint, validRange, add: [], remove: [], keep: [] };
    const known = new Map(ledgerEntries(target.source).map((e) => [e.file_key, e]));
    for (const [key, content] of contents) {
      const entry = known.get(key);
      // Rows rejected as later than the valid range may have become valid since.
      if (entry && !(entry.future_rows > 0 && entry.valid_to < validRange.to)) {
        sourcePlan.keep.push({ entry, paths: content.paths });
        known.delete(key);
      } else {
        sourcePlan.add.push(content);
      }
    }
    sourcePlan.remove = [...known.values()];
    plan.sources.push(sourcePlan);
  }
  return plan;
}

/** The sources healthscore.yaml lists, each with the raw table it fills. */
export function wantedSources(config: ProjectConfig): { target: RawTarget; source: DataSource; wide: boolean }[] {
  const { events, attributes, accounts, churn, overrides } = config.sources;
  const wanted: { target: RawTarget; source: DataSource; wide: boolean }[] = [{ target: EVENTS, source: events, wide: false }];
  if (attributes) wanted.push({ target: LONG_ATTRIBUTES, source: attributes, wide: attributes.layout === 'wide' });
  if (accounts) wanted.push({ target: ACCOUNTS, source: accounts, wide: false });
  if (churn?.kind === 'file') wanted.push({ target: CHURN, source: churn, wide: false });
  if (churn?.reactivatedBy?.kind === 'file') wanted.push({ target: REACTIVATIONS, source: churn.reactivatedBy, wide: false });
  if (overrides) wanted.push({ target: OVERRIDES, source: overrides, wide: false });
  return wanted;
}

/** The files a plan's source reads; a table's days are loaded by table-source.ts. */
export function fileSourceOf(plan: SourcePlan): FileSource {
  if (isTableSource(plan.source)) throw new Error(`${plan.target.source} reads a table, not files`);
  return plan.source;
}

/** Whether a content to add replaces one loaded at the same path (a changed file). */
export function isReplacement(plan: SourcePlan, file: NewFile): boolean {
  return plan.remove.some((entry) => samePlace(entry, file));
}

/** Loaded contents to remove that no added content replaces: files that are gone. */
export function goneFiles(plan: SourcePlan): LedgerEntry[] {
  return plan.remove.filter((entry) => !plan.add.some((file) => samePlace(entry, file)));
}

const samePlace = (entry: LedgerEntry, file: NewFile) => file.paths.some((p) => entry.paths.includes(p));

/** Everything besides the content that decides a file's rows. The clock-based end of the
 *  default valid range is not part of it (see `future_rows`), or every file would be
 *  loaded again each day. A table's hashed columns and their types are (a changed type
 *  can change the rows read from the same values); its name is not, so that a table
 *  moved with its rows loads nothing, as a renamed file. */
function sourceFingerprint(source: DataSource, wide: boolean, timezone: string, table: TableShape | undefined): string {
  const settings = {
    loader: LOADER_VERSION,
    // Absent for a table, so that the file sources keep their fingerprint.
    format: isTableSource(source) ? undefined : source.format,
    ...(table && { table: table.hashed.map((c) => [c, table.described.get(c)]) }),
    columns: Object.entries(source.columns).sort(),
    wide,
    timezone,
    onBadRows: source.onBadRows ?? 'fail',
    validFrom: source.validRange?.from ?? '2000-01-01',
    validTo: source.validRange?.to ?? null,
    // Absent when not set, so that the sources without one keep their fingerprint.
    timestampFormat: source.timestampFormat,
  };
  return createHash('sha256').update(JSON.stringify(settings)).digest('hex').slice(0, 16);
}

function fileKey(hash: string, fingerprint: string): string {
  return `${hash.slice(0, 32)}-${fingerprint}`;
}
