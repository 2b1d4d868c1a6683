import { sql, type RawBuilder } from 'kysely';
import type { DataSource } from '../ir/types.ts';
import type { SqlDialect } from '../sql/dialects/dialect.ts';
import { InputDataError } from './input-data-error.ts';
import type { Col, RawTarget, RowCheck } from './raw-targets.ts';

// What a file and a table source share on the way to raw rows: the mapping of our column
// names onto theirs, the typed columns, and the checks of the valid range.

/** `sources.events`, as healthscore.yaml names a target's source. */
export function sourceKey(target: RawTarget): string {
  return target.source === 'reactivations' ? 'sources.churn.reactivated_by' : `sources.${target.source}`;
}

/** Our column name → the source's, for the mapped columns the source has. `described`:
 *  the source's columns and their types. */
export function mapColumns(source: DataSource, described: Map<string, string>): Map<string, string> {
  return new Map(Object.entries(source.columns).filter(([, theirs]) => described.has(theirs)));
}

/** A required column the source lacks is an error at `shown` (a file, or a table: `what`). */
export function requireColumns(target: RawTarget, source: DataSource, columns: Map<string, string>, described: Map<string, string>, shown: string, what: 'file' | 'table'): void {
  for (const name of target.required) {
    if (columns.has(name)) continue;
    const wanted = source.columns[name] ?? name;
    const key = `${sourceKey(target)}.columns.${name}`;
    const where = wanted === name ? `name yours with ${key}` : `"${wanted}" comes from ${key}`;
    throw new InputDataError(shown, undefined, name,
      `has no column "${wanted}" (the ${what}'s columns are: ${[...described.keys()].join(', ')}); in healthscore.yaml, ${where}`);
  }
}

/** The mapped columns of a source, with their types. A timestamp_format reads text only:
 *  a typed time column (Parquet, JSON, a table's) already says what it is. */
export function columnOf(columns: Map<string, string>, described: Map<string, string>, dialect: SqlDialect, format: string | undefined): Col {
  const col = (name: string) => (columns.has(name) ? sql.id(columns.get(name)!) : sql`null`);
  const type = (name: string) => (columns.has(name) ? described.get(columns.get(name)!) ?? 'VARCHAR' : undefined);
  const time = (name: string) =>
    format !== undefined && type(name) === 'VARCHAR' ? { ...dialect.parseTimestamp(col(name), format), format } : { value: col(name), type: type(name) };
  return Object.assign(col, { type, time });
}

/** The source's valid range on each time field: one stray date must not create years of
 *  snapshot days. A day after the range is `late`: it may become valid as the clock moves. */
export function rangeChecks(target: RawTarget, col: Col, d: SqlDialect, tz: string, range: { from: string; to: string }): RowCheck[] {
  return target.timeFields.flatMap((field) => {
    const time = col.time(field);
    return [
      {
        field,
        bad: d.dayOutside(time.value, tz, '<', range.from, time.type),
        value: sql`cast(${col(field)} as varchar)`,
        problem: `is before ${range.from}, the start of valid_range`,
      },
      {
        field,
        bad: d.dayOutside(time.value, tz, '>', range.to, time.type),
        value: sql`cast(${col(field)} as varchar)`,
        problem: `is after ${range.to}, the end of valid_range`,
        late: true,
      },
    ];
  });
}

/** A field as the source names it. */
export function fieldName(check: RowCheck, columns: Map<string, string>): string {
  return columns.get(check.field) ?? check.field;
}

/** Each check's flag and value as columns `bad<i>` and `value<i>`: the select list that
 *  finds which check a bad row fails first (badRowProblem). */
export function checkColumns(checks: RowCheck[]): RawBuilder<unknown> {
  return sql.join(checks.map((check, i) => sql`coalesce(${check.bad}, false) as ${sql.id(`bad${i}`)}, ${check.value} as ${sql.id(`value${i}`)}`));
}

/** The first check a row selected with checkColumns fails: its field, and its problem with
 *  the value it read. */
export function badRowProblem(checks: RowCheck[], row: Record<string, unknown>, columns: Map<string, string>): { field: string; problem: string } {
  const index = checks.findIndex((_, i) => row[`bad${i}`] === true);
  const check = checks[index]!;
  const value = row[`value${index}`];
  const shownValue = value === null || value === undefined ? '' : ` ("${String(value)}")`;
  return { field: fieldName(check, columns), problem: `${check.problem}${shownValue}` };
}
