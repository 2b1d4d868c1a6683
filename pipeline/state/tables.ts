import { sql } from 'kysely';

// The run state: what is loaded, what is materialised under which definition, what the
// export still owes, and the runs themselves. Only the modules of this folder read or
// write these tables.

export const STATE_TABLES = [
  // One row per distinct file content of a source, loaded under one source fingerprint
  // (mapping, format, timezone, bad-row options). Identity is the content: a renamed or
  // copied file matches its row; `paths` are where the content was last seen.
  sql`create table if not exists loaded_files (
    source varchar not null, file_key varchar not null, content_hash varchar not null,
    fingerprint varchar not null, paths varchar[] not null, row_count bigint not null,
    rejected_rows bigint not null, loaded_at timestamptz not null,
    -- the upper bound of valid_range the file was checked against, and how many rows fell
    -- after it: such a file is checked again once the bound has moved past them
    valid_to date not null, future_rows bigint not null,
    primary key (source, file_key))`,
  // Content hashes by path, size and modification time, so that an unchanged file is
  // never read twice to be recognised.
  sql`create table if not exists file_hashes (
    path varchar primary key, file_size bigint not null, file_mtime_ms double not null, content_hash varchar not null)`,
  // Which days are materialised per scorecard, under which definition version (SQLMesh's
  // interval log). `stale` names why a day must be computed again (an input changed).
  sql`create table if not exists run_log (
    scorecard varchar not null, snapshot_date date not null, definition_version varchar not null,
    run_id varchar not null, computed_at timestamptz not null, stale varchar,
    primary key (scorecard, snapshot_date))`,
  // Days whose snapshot rows changed since they were last exported (written, replaced or
  // deleted), in the same transaction as the change: a crash never loses an export.
  sql`create table if not exists export_pending (day date primary key)`,
  sql`create table if not exists runs (
    run_id varchar primary key, started_at timestamptz not null, finished_at timestamptz,
    status varchar not null, days_materialised bigint, message varchar)`,
  sql`create table if not exists warehouse_settings (key varchar primary key, value varchar not null)`,
];
