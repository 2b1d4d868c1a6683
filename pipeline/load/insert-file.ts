import { open } from 'node:fs/promises';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { SqlDialect } from '../sql/dialects/dialect.ts';
import type { FileFormat, FileSource, ProjectConfig } from '../ir/types.ts';
import { stringLiteral } from '../sql/sql-literal.ts';
import { InputDataError } from './input-data-error.ts';
import { fileSourceOf, type NewFile, type SourcePlan } from './plan-load.ts';
import { EVENTS, type RawTarget, type RowCheck } from './raw-targets.ts';
import { badRowProblem, checkColumns, columnOf, fieldName, mapColumns, rangeChecks, requireColumns } from './source-rows.ts';
import { duckdb } from '../sql/dialects/duckdb.ts';
import { describeColumns, readerFor } from './source-files.ts';
import { findTextProblem } from './text-problem.ts';

/** Inserts one file's rows into its raw table under `key`. Bad rows (SPEC §2) stop the
 *  load with `file:line column: reason` (`on_bad_rows: fail`), or go to rejected_rows
 *  (`skip`). Any error of the engine while reading names the file. */
export async function insertFile(
  trx: Kysely<any>,
  config: ProjectConfig,
  dialect: SqlDialect,
  plan: SourcePlan,
  file: NewFile,
  key: string,
): Promise<{ rows: number; rejected: number; future: number }> {
  const shown = file.paths[0]!;
  const { target } = plan;
  const source = fileSourceOf(plan);
  try {
    const { reader, columns, fileColumns } = await fileReader(trx, source, plan.wide, file.file, shown);
    requireColumns(target, source, columns, fileColumns, shown, 'file');
    const col = columnOf(columns, fileColumns, dialect, source.timestampFormat);
    const checks = [...target.checks(col, dialect, config.timezone), ...rangeChecks(target, col, dialect, config.timezone, plan.validRange)];
    const lineOffset = source.format === 'csv' ? 1 : 0;
    // Line numbers are taken before any row is set aside, so they stay the file's.
    const numbered = sql`(select row_number() over () + ${sql.lit(lineOffset)} as __hs_line, cast(to_json(r) as varchar) as __hs_raw, r.*
      from ${reader} r) r`;
    const expressions = target.columns(col, eventProperties(target, columns, fileColumns), dialect, config.timezone, sql.ref('__hs_line'));
    const selectList = sql.join([
      ...Object.entries(expressions).map(([name, expr]) => sql`${expr} as ${sql.id(name)}`),
      sql`${key} as file_key`,
    ]);
    const anyBad = sql.join(checks.map((c) => sql`coalesce(${c.bad}, false)`), sql` or `);

    if ((source.onBadRows ?? 'fail') === 'fail') {
      await failOnBadRow(trx, reader, numbered, checks, anyBad, shown, columns);
      // Numbering the rows costs a window over the file: only overrides keep their line.
      const rows = 'source_line' in expressions ? numbered : sql`${reader} r`;
      const inserted = await sql`insert into ${sql.table(target.table)} by name select ${selectList} from ${rows}`.execute(trx);
      return { rows: Number(inserted.numAffectedRows ?? 0n), rejected: 0, future: 0 };
    }

    const firstReason = sql`case ${sql.join(checks.map((c) => sql`when coalesce(${c.bad}, false) then ${stringLiteral(fieldName(c, columns))}`), sql` `)} end`;
    const reason = sql`case ${sql.join(checks.map((c) => sql`when coalesce(${c.bad}, false) then ${stringLiteral(c.problem)}`), sql` `)} end`;
    const rejected = await sql`insert into rejected_rows
      select ${target.source}, ${key}, __hs_line, ${firstReason}, ${reason}, __hs_raw from ${numbered} where ${anyBad}`.execute(trx);
    const inserted = await sql`insert into ${sql.table(target.table)} by name select ${selectList} from ${numbered} where not (${anyBad})`.execute(trx);
    const late = checks.filter((c) => c.late);
    const future = late.length
      ? (await sql<{ n: number }>`select count(*)::int as n from ${numbered} where ${sql.join(late.map((c) => sql`coalesce(${c.bad}, false)`), sql` or `)}`.execute(trx)).rows[0]!.n
      : 0;
    return { rows: Number(inserted.numAffectedRows ?? 0n), rejected: Number(rejected.numAffectedRows ?? 0n), future };
  } catch (error) {
    if (error instanceof InputDataError) throw error;
    throw await unreadable(file.file, shown, source.format, 'loaded', error);
  }
}

/** Stops at the earliest bad line, naming the first check it fails. A file without bad
 *  rows (the usual case) costs one parallel scan of the checked columns; only a bad file
 *  pays for numbering its lines, which is one thread's window over the whole file. */
async function failOnBadRow(
  trx: Kysely<any>,
  reader: RawBuilder<unknown>,
  numbered: RawBuilder<unknown>,
  checks: RowCheck[],
  anyBad: RawBuilder<unknown>,
  shown: string,
  columns: Map<string, string>,
): Promise<void> {
  const { rows: any } = await sql`select 1 from ${reader} r where ${anyBad} limit 1`.execute(trx);
  if (any.length === 0) return;
  const { rows } = await sql<Record<string, unknown> & { __hs_line: number }>`
    select __hs_line, ${checkColumns(checks)} from ${numbered} where ${anyBad} order by __hs_line limit 1`.execute(trx);
  const bad = rows[0];
  if (!bad) return;
  const { field, problem } = badRowProblem(checks, bad, columns);
  throw new InputDataError(shown, Number(bad.__hs_line), field, problem);
}

/** The reader of one file and the map "our column name → the file's column name" that
 *  applies to it. A wide attribute file is unpivoted into the long layout first. */
async function fileReader(db: Kysely<any>, source: FileSource, wide: boolean, file: string, shown: string) {
  let reader = readerFor(source.format, file);
  let fileColumns: Map<string, string>;
  try {
    fileColumns = await describeColumns(db, reader);
  } catch (error) {
    throw await unreadable(file, shown, source.format, 'read', error);
  }
  const columns = mapColumns(source, fileColumns);
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
  return duckdb.extraColumns('r', [...fileColumns.keys()].filter((name) => !mapped.has(name)), [...mapped]);
}

/** A file the engine failed to read: in our words and at its line when the bytes of a
 *  text file tell why (encoding; for CSV also line endings, line length), else in the
 *  engine's. */
async function unreadable(file: string, shown: string, format: FileFormat, doing: 'read' | 'loaded', error: unknown): Promise<InputDataError> {
  // A compressed file's bytes are not its text; Parquet is not text.
  const text = format !== 'parquet' && !/\.(gz|zst)$/i.test(file);
  if (text && (await startsWith(file, 'PAR1'))) {
    return new InputDataError(shown, undefined, undefined, `is a Parquet file, not ${format}: set format: parquet on its source, or keep it apart from the ${format} files`);
  }
  const problem = text ? await findTextProblem(file, format).catch(() => undefined) : undefined;
  if (problem) return new InputDataError(shown, problem.line, problem.field, problem.reason);
  return new InputDataError(shown, undefined, undefined, `cannot be ${doing} as ${format}: ${firstLine(error)}`);
}

async function startsWith(file: string, magic: string): Promise<boolean> {
  const handle = await open(file, 'r').catch(() => undefined);
  if (!handle) return false;
  try {
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(magic.length), 0, magic.length, 0);
    return bytesRead === magic.length && buffer.toString('latin1') === magic;
  } finally {
    await handle.close();
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
