import { sql, type RawBuilder } from 'kysely';

// The one way a string is written into SQL text as a literal. Values are normally bound
// (`sql.val`); a literal is for the places that need a constant in the text (a JSON path,
// a time zone, a date) and for `healthscore compile`, which shows the bound values inline.

/** `value` as DuckDB SQL text that evaluates to exactly `value`: in single quotes with
 *  each quote doubled (DuckDB's standard strings treat backslashes as plain characters).
 *  A NUL would end the statement text, so each one is spliced in as chr(0), which makes
 *  the result an expression rather than a bare literal: fine wherever a constant
 *  expression is, not after `date` or in COPY … TO (dates and paths have no NUL). */
export function quoteString(value: string): string {
  const parts = value.split('\0').map((part) => `'${part.replaceAll("'", "''")}'`);
  return parts.length === 1 ? parts[0]! : `(${parts.join(' || chr(0) || ')})`;
}

/** quoteString as a kysely fragment (instead of `sql.lit`, which does not handle NUL). */
export function stringLiteral(value: string): RawBuilder<unknown> {
  return sql.raw(quoteString(value));
}
