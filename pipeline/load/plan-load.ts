import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import type { Kysely } from 'kysely';
import type { FileSource, ProjectConfig } from '../ir/types.ts';
import { addDays } from '../days.ts';
import { cachedHashes, ledgerBySource, type LedgerEntry } from '../state/ledger.ts';
import { InputDataError } from './input-data-error.ts';
import { ACCOUNTS, CHURN, EVENTS, LONG_ATTRIBUTES, OVERRIDES, REACTIVATIONS, type RawTarget } from './raw-targets.ts';
import { displayPath, hashFile, listSourceFiles } from './source-files.ts';

/** Bumped when the way a file becomes raw rows changes, so that every file is loaded
 *  again under the new rules. */
const LOADER_VERSION = 2;

/** One content to load: the first path it is seen at is the one read. */
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
  source: FileSource;
  wide: boolean;
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

/** Compares the files on disk with the ledger, by content: a renamed or copied file is
 *  kept (only its paths change), a changed one is removed and added, and every file of a
 *  source whose mapping or options changed is loaded again. Reads nothing but file
 *  metadata and the files that must be hashed; writes nothing. `files` is the DuckDB
 *  that lists the files (the warehouse itself, or another engine's staging). */
export async function planLoad(db: Kysely<any>, config: ProjectConfig, today: string, files: Kysely<any> = db): Promise<LoadPlan> {
  const { attributes, accounts, churn, overrides } = config.sources;
  const wanted: { target: RawTarget; source: FileSource; wide: boolean }[] = [
    { target: EVENTS, source: config.sources.events, wide: false },
  ];
  if (attributes) wanted.push({ target: LONG_ATTRIBUTES, source: attributes, wide: attributes.layout === 'wide' });
  if (accounts) wanted.push({ target: ACCOUNTS, source: accounts, wide: false });
  if (churn?.kind === 'file') wanted.push({ target: CHURN, source: churn, wide: false });
  if (churn?.reactivatedBy?.kind === 'file') wanted.push({ target: REACTIVATIONS, source: churn.reactivatedBy, wide: false });
  if (overrides) wanted.push({ target: OVERRIDES, source: overrides, wide: false });

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
    const paths = await listSourceFiles(files, config.root, source.path);
    if (paths.length === 0 && target === EVENTS) {
      throw new InputDataError('healthscore.yaml', undefined, 'sources.events.path', `no file matches ${source.path}`);
    }
    const validRange = { from: source.validRange?.from ?? '2000-01-01', to: source.validRange?.to ?? addDays(today, 1) };
    const fingerprint = sourceFingerprint(source, wide, config.timezone);
    // Contents on disk, each with every path it is seen at (copies share one content).
    const contents = new Map<string, NewFile>();
    for (const file of paths) {
      const shown = displayPath(config.root, file);
      const { size, mtimeMs } = await stat(file);
      let hash = cachedHash(shown, size, mtimeMs);
      if (hash === undefined) {
        hash = await hashFile(file);
        plan.hashed.push({ path: shown, size, mtimeMs, hash });
      }
      const key = fileKey(hash, fingerprint);
      const seen = contents.get(key);
      if (seen) seen.paths.push(shown);
      else contents.set(key, { key, hash, file, paths: [shown] });
    }
    const sourcePlan: SourcePlan = { target, source, wide, fingerprint, validRange, add: [], remove: [], keep: [] };
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
 *  loaded again each day. */
function sourceFingerprint(source: FileSource, wide: boolean, timezone: string): string {
  const settings = {
    loader: LOADER_VERSION,
    format: source.format,
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
