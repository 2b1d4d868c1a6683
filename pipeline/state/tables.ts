import { columns, type TableDef } from '../sql/create-table.ts';

// The run state: what is loaded, what is materialised under which definition, what the
// export still owes, and the runs themselves. Only the modules of this folder read or
// write these tables.

/** One row per distinct file content of a source, loaded under one source fingerprint
 *  (mapping, format, timezone, bad-row options). Identity is the content: a renamed or
 *  copied file matches its row; `paths` are where the content was last seen. `valid_to`:
 *  the upper bound of valid_range the file was checked against, and `future_rows` how many
 *  rows fell after it: such a file is checked again once the bound has moved past them. */
export const LOADED_FILES: TableDef = {
  name: 'loaded_files',
  columns: columns(
    ['source', 'varchar', 'not null'], ['file_key', 'varchar', 'not null'], ['content_hash', 'varchar', 'not null'],
    ['fingerprint', 'varchar', 'not null'], ['paths', 'varchar[]', 'not null'], ['row_count', 'bigint', 'not null'],
    ['rejected_rows', 'bigint', 'not null'], ['loaded_at', 'timestamptz', 'not null'],
    ['valid_to', 'date', 'not null'], ['future_rows', 'bigint', 'not null'],
  ),
  primaryKey: ['source', 'file_key'],
};

/** Content hashes by path, size and modification time, so that an unchanged file is never
 *  read twice to be recognised. */
export const FILE_HASHES: TableDef = {
  name: 'file_hashes',
  columns: columns(['path', 'varchar', 'not null'], ['file_size', 'bigint', 'not null'], ['file_mtime_ms', 'double', 'not null'],
    ['content_hash', 'varchar', 'not null']),
  primaryKey: ['path'],
};

/** Which days are materialised per scorecard, under which definition version (SQLMesh's
 *  interval log). `stale` names why a day must be computed again (an input changed). */
export const RUN_LOG: TableDef = {
  name: 'run_log',
  columns: columns(
    ['scorecard', 'varchar', 'not null'], ['snapshot_date', 'date', 'not null'], ['definition_version', 'varchar', 'not null'],
    ['run_id', 'varchar', 'not null'], ['computed_at', 'timestamptz', 'not null'], ['stale', 'varchar'],
  ),
  primaryKey: ['scorecard', 'snapshot_date'],
};

/** Days whose snapshot rows changed since they were last exported (written, replaced or
 *  deleted), in the same transaction as the change: a crash never loses an export. */
export const EXPORT_PENDING: TableDef = { name: 'export_pending', columns: columns(['day', 'date', 'not null']), primaryKey: ['day'] };

export const RUNS: TableDef = {
  name: 'runs',
  columns: columns(
    ['run_id', 'varchar', 'not null'], ['started_at', 'timestamptz', 'not null'], ['finished_at', 'timestamptz'],
    ['status', 'varchar', 'not null'], ['days_materialised', 'bigint'], ['message', 'varchar'],
  ),
  primaryKey: ['run_id'],
};

export const WAREHOUSE_SETTINGS: TableDef = {
  name: 'warehouse_settings',
  columns: columns(['key', 'varchar', 'not null'], ['value', 'varchar', 'not null']),
  primaryKey: ['key'],
};

export const STATE_TABLES = [LOADED_FILES, FILE_HASHES, RUN_LOG, EXPORT_PENDING, RUNS, WAREHOUSE_SETTINGS];
