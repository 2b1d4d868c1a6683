import { sql, type RawBuilder } from 'kysely';

// The output tables (SPEC §4), one entry each: their DDL (../pipeline/sql/create-table.ts,
// in each engine's type names), the batch's clear steps, the pruning of days outside the
// coverage and both export writers are all driven from here.

/** The column types of the output tables (DuckDB's names), as readers see them in every
 *  export format (on PostgreSQL: text, double precision, text[]). */
export type OutputColumnType = 'date' | 'varchar' | 'double' | 'boolean' | 'varchar[]';

export interface OutputColumn {
  name: string;
  type: OutputColumnType;
  notNull?: true;
}

export interface OutputTable {
  name: 'score_snapshots' | 'health_snapshots' | 'alerts';
  /** The day a row belongs to: the export is partitioned on it, batches clear by it. */
  dateColumn: 'snapshot_date' | 'alert_date';
  /** The order of rows inside an export file (after the date): one row per key. */
  sortKey: string[];
  columns: OutputColumn[];
}

const column = (name: string, type: OutputColumnType, notNull?: 'not null'): OutputColumn =>
  notNull ? { name, type, notNull: true } : { name, type };

export const OUTPUT_TABLES: readonly OutputTable[] = [
  {
    name: 'score_snapshots',
    dateColumn: 'snapshot_date',
    sortKey: ['scorecard', 'account_id', 'score_id'],
    columns: [
      column('snapshot_date', 'date', 'not null'), column('scorecard', 'varchar', 'not null'),
      column('account_id', 'varchar', 'not null'), column('score_id', 'varchar', 'not null'),
      column('raw_value', 'double'), column('score', 'double'), column('band', 'varchar'), column('weight', 'double'),
      column('status', 'varchar', 'not null'),
    ],
  },
  {
    name: 'health_snapshots',
    dateColumn: 'snapshot_date',
    sortKey: ['scorecard', 'account_id'],
    columns: [
      column('snapshot_date', 'date', 'not null'), column('scorecard', 'varchar', 'not null'),
      column('account_id', 'varchar', 'not null'), column('score', 'double'), column('band', 'varchar'),
      column('computed_score', 'double'), column('computed_band', 'varchar'),
      column('insights', 'varchar[]', 'not null'), column('overridden', 'boolean', 'not null'),
      column('override_reason', 'varchar'), column('definition_version', 'varchar', 'not null'),
    ],
  },
  {
    name: 'alerts',
    dateColumn: 'alert_date',
    sortKey: ['scorecard', 'account_id', 'alert_id'],
    columns: [
      column('alert_date', 'date', 'not null'), column('scorecard', 'varchar', 'not null'),
      column('account_id', 'varchar', 'not null'), column('alert_id', 'varchar', 'not null'),
      column('from_band', 'varchar'), column('to_band', 'varchar'), column('from_score', 'double'), column('to_score', 'double'),
    ],
  },
];

/** `order by` of an export file: by day, then the table's key. */
export function exportOrder(table: OutputTable): RawBuilder<unknown> {
  return sql.join([table.dateColumn, ...table.sortKey].map((c) => sql.ref(c)));
}
