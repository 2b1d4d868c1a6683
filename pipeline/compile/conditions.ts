import { sql, type RawBuilder } from 'kysely';
import type { Condition, Literal, Subject } from '../ir/types.ts';
import type { SqlDialect } from '../sql/dialects/dialect.ts';

/** How a condition's subject reads as SQL in the model it is evaluated on. */
export interface SubjectColumns {
  /** Text view (attribute value, property value, measure as text). */
  text(subject: Subject): RawBuilder<unknown>;
  /** Numeric view; null when not a number. */
  number(subject: Subject): RawBuilder<unknown>;
}

const OPERATORS = { eq: '=', ne: '<>', lt: '<', lte: '<=', gt: '>', gte: '>=' } as const;

/** A condition as a SQL boolean that is never NULL: a test on a missing value is false,
 *  so `not:` means plain negation (`not: { attribute: plan, eq: pro }` holds for an
 *  account without a plan). Values are bound, names are resolved to columns. */
export function conditionSql(condition: Condition, columns: SubjectColumns, dialect: SqlDialect): RawBuilder<boolean> {
  switch (condition.kind) {
    case 'all':
      return condition.conditions.length
        ? sql<boolean>`(${sql.join(condition.conditions.map((c) => conditionSql(c, columns, dialect)), sql` and `)})`
        : sql<boolean>`true`;
    case 'any':
      return condition.conditions.length
        ? sql<boolean>`(${sql.join(condition.conditions.map((c) => conditionSql(c, columns, dialect)), sql` or `)})`
        : sql<boolean>`false`;
    case 'not':
      return sql<boolean>`(not ${conditionSql(condition.condition, columns, dialect)})`;
    case 'missing': {
      const isNull = sql<boolean>`(${columns.text(condition.subject)} is null)`;
      return condition.missing ? isNull : sql<boolean>`(not ${isNull})`;
    }
    case 'compare':
      return sql<boolean>`coalesce(${operand(condition.subject, condition.value, columns, dialect)} ${sql.raw(OPERATORS[condition.op])} ${literal(condition.value)}, false)`;
    case 'list': {
      const tests = condition.values.map(
        (value) => sql`coalesce(${operand(condition.subject, value, columns, dialect)} = ${literal(value)}, false)`,
      );
      const anyOf = sql<boolean>`(${sql.join(tests, sql` or `)})`;
      // Like every other test, not_in on a missing value is false (as `ne` is).
      return condition.op === 'in' ? anyOf : sql<boolean>`(${columns.text(condition.subject)} is not null and not ${anyOf})`;
    }
  }
}

/** Numbers compare numerically, text as text, booleans as booleans. */
function operand(subject: Subject, value: Literal, columns: SubjectColumns, dialect: SqlDialect): RawBuilder<unknown> {
  if (typeof value === 'number') return columns.number(subject);
  if (typeof value === 'boolean') return dialect.tryBoolean(columns.text(subject));
  return columns.text(subject);
}

function literal(value: Literal): RawBuilder<unknown> {
  return typeof value === 'string' ? sql.val(value) : sql.lit(value);
}
