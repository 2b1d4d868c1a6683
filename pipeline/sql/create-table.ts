import { sql, type RawBuilder } from 'kysely';
import type { ColumnType, KeyedTable, SqlDialect } from './dialects/dialect.ts';

/** A table the pipeline owns, as data: its DDL is made for each engine by its dialect's
 *  type names, and an upsert knows its columns and key from it. */
export interface TableDef {
  name: string;
  columns: ColumnDef[];
  primaryKey?: string[];
}

export interface ColumnDef {
  name: string;
  type: ColumnType;
  notNull?: true;
  /** A constant default (only `false` is needed so far). */
  default?: boolean;
}

/** `[name, type, 'not null'?]`: the columns of a table, in order. */
export function columns(...specs: [string, ColumnType, ('not null' | 'not null default false')?][]): ColumnDef[] {
  return specs.map(([name, type, option]) => ({
    name,
    type,
    ...(option !== undefined && { notNull: true as const }),
    ...(option === 'not null default false' && { default: false }),
  }));
}

export function createTable(dialect: SqlDialect, table: TableDef): RawBuilder<unknown> {
  const definitions = table.columns.map((c) =>
    sql`${sql.id(c.name)} ${dialect.columnDefinition(c.type)}${sql.raw(c.notNull ? ' not null' : '')}${c.default === undefined ? sql`` : sql` default ${sql.lit(c.default)}`}`);
  if (table.primaryKey) definitions.push(sql`primary key (${sql.join(table.primaryKey.map((c) => sql.id(c)))})`);
  return sql`create table if not exists ${sql.table(table.name)} (${sql.join(definitions)})`;
}

/** What `dialect.upsert` needs of a table with a primary key. */
export function keyed(table: TableDef): KeyedTable {
  if (!table.primaryKey) throw new Error(`table ${table.name} has no primary key to upsert by`);
  return { name: table.name, columns: table.columns.map((c) => c.name), key: table.primaryKey };
}
