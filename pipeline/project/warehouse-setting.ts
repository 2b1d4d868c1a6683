// healthscore.yaml's `warehouse:` and `schema:` (SPEC §8): a DuckDB file, or a PostgreSQL URL
// whose `${ENV_VAR}`s come from the environment, so that a password need not be written in
// the file. The password never appears in a message: problems name the key and the variable,
// never the value.

import path from 'node:path';
import { z } from 'zod';
import type { WarehouseLocation } from '../ir/types.ts';
import { unlessMissing } from '../definitions/zod-problems.ts';

const ENV_VAR = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
const POSTGRES_URL = /^postgres(ql)?:\/\//i;
export const DEFAULT_SCHEMA = 'healthscore';

export const isPostgresUrl = (text: string) => POSTGRES_URL.test(text);

/** `text` with each `${NAME}` replaced by the variable's value, and the names that are not
 *  set. Values go in as they are: a password with URL-special characters must be
 *  percent-encoded in the variable. */
export function substituteEnv(text: string, env: NodeJS.ProcessEnv): { text: string; missing: string[] } {
  const missing: string[] = [];
  const substituted = text.replace(ENV_VAR, (whole, name: string) => {
    const value = env[name];
    if (value === undefined) missing.push(name);
    return value ?? whole;
  });
  return { text: substituted, missing: [...new Set(missing)] };
}

/** The value of `warehouse:`, variables substituted. */
export const warehouseSetting = z
  .string({ error: unlessMissing('expected a DuckDB file path, ":memory:" or a postgresql:// URL') })
  .min(1)
  .transform((text, ctx) => {
    const { text: value, missing } = substituteEnv(text, process.env);
    if (missing.length > 0) {
      const names = missing.join(', ');
      ctx.addIssue({ code: 'custom', message: `the environment variable${missing.length > 1 ? 's' : ''} ${names} ${missing.length > 1 ? 'are' : 'is'} not set` });
      return z.NEVER;
    }
    if (value === '') {
      ctx.addIssue({ code: 'custom', message: 'is empty once its environment variables are substituted' });
      return z.NEVER;
    }
    if (isPostgresUrl(value) && !URL.canParse(value)) {
      ctx.addIssue({ code: 'custom', message: 'expected a URL like postgresql://user@host:5432/database' });
      return z.NEVER;
    }
    return value;
  });

/** A PostgreSQL schema name that needs no quoting, so BI tools and psql see it as written. */
export const schemaSetting = z
  .string({ error: unlessMissing('expected a schema name like healthscore') })
  .regex(/^[a-z_][a-z0-9_]{0,62}$/, { error: 'expected a lower-case schema name like healthscore (letters, digits and _, at most 63)' })
  .refine((s) => !s.startsWith('pg_'), { error: 'names starting with pg_ are reserved by PostgreSQL' });

/** `schema:` belongs to a PostgreSQL warehouse. */
export function schemaProblem(warehouse: string | undefined, schema: string | undefined): string | undefined {
  if (schema === undefined || (warehouse !== undefined && isPostgresUrl(warehouse))) return undefined;
  return 'schema is only for a PostgreSQL warehouse (warehouse: postgresql://…); a DuckDB warehouse keeps its tables in its file';
}

/** Where the warehouse is: the DuckDB path made absolute (':memory:' kept), or the URL and
 *  schema. */
export function warehouseLocation(warehouse: string | undefined, schema: string | undefined, root: string): WarehouseLocation {
  const value = warehouse ?? 'warehouse.duckdb';
  if (isPostgresUrl(value)) return { engine: 'postgres', url: value, schema: schema ?? DEFAULT_SCHEMA };
  return { engine: 'duckdb', path: value === ':memory:' ? value : path.resolve(root, value) };
}
