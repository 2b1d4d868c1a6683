import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type RawBuilder,
} from 'kysely';
import { quoteString } from './sql-literal.ts';

// Compiles statements to text without a connection, for `healthscore compile` and the
// golden-SQL tests.
const offline = new Kysely<any>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

/** The SQL and bound values of a statement, compiled without a connection. */
export function compileStatement(statement: RawBuilder<unknown>): { sql: string; parameters: readonly unknown[] } {
  const compiled = statement.compile(offline);
  return { sql: compiled.sql, parameters: compiled.parameters };
}

/** The statement with its bound values written out as SQL literals, for people to read
 *  (and paste into a DuckDB shell). Never executed: the pipeline always binds values. */
export function statementText(statement: RawBuilder<unknown>): string {
  const { sql, parameters } = compileStatement(statement);
  // Quoted strings and identifiers are skipped: a name like "$1" is text, not a parameter.
  return sql.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|\$(\d+)\b/g, (match, n: string | undefined) =>
    n === undefined ? match : literal(parameters[Number(n) - 1]),
  );
}

function literal(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return quoteString(String(value));
}
