// What each source must provide, and how its file format is told when not given. Column
// mappings default to the identity, so a file with our column names needs no `columns:`.

import type { FileFormat } from '../ir/types.ts';

/** Our column names per source; `columns:` in healthscore.yaml may only map these. */
export const SOURCE_COLUMNS = {
  events: ['account_id', 'event', 'timestamp', 'user_id', 'event_id'],
  attributes: ['account_id', 'attribute', 'value', 'observed_at'],
  /** `layout: wide`: one column per attribute besides these. */
  wideAttributes: ['account_id', 'observed_at'],
  accounts: ['account_id', 'created_at'],
  churn: ['account_id', 'churned_at'],
  reactivations: ['account_id', 'reactivated_at'],
  overrides: ['account_id', 'scorecard', 'score_id', 'score', 'band', 'reason', 'author', 'starts_on', 'ends_on'],
} as const;

/** Mapping for `names`: identity, overridden by what the user wrote. */
export function withDefaultColumns(
  names: readonly string[],
  given: Record<string, string | undefined> | undefined,
): Record<string, string> {
  return Object.fromEntries(names.map((n) => [n, given?.[n] ?? n]));
}

const BY_EXTENSION: Record<string, FileFormat> = {
  csv: 'csv',
  tsv: 'csv',
  parquet: 'parquet',
  json: 'json',
  ndjson: 'json',
  jsonl: 'json',
};

/** `data/events/*.parquet` → parquet; compressed files by the extension before `.gz`/`.zst`. */
export function inferFormat(path: string): FileFormat | undefined {
  const parts = path.toLowerCase().split('/').pop()!.split('.');
  if (parts.length > 2 && ['gz', 'zst'].includes(parts[parts.length - 1]!)) parts.pop();
  return parts.length > 1 ? BY_EXTENSION[parts[parts.length - 1]!] : undefined;
}
