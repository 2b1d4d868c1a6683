import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { NoWarehouseError, warehouseOf, type Warehouse } from '../adapter.ts';
import { PinnedClientPool, rememberClient } from './pinned-client.ts';
import { redactUrl } from './redact-url.ts';
import { lockSchema } from './schema-lock.ts';
import { connectionError, schemaError, schemaGrantError, type ConnectionTarget } from './server-errors.ts';
import { typeParsers } from './type-parsers.ts';

export interface PostgresWarehouseOptions {
  engine: 'postgres';
  /** A postgresql:// URL (its password is never shown: messages use redactUrl). */
  url: string;
  /** Where the tables live; created on a writable open when missing. TEMPORARY_SCHEMA makes
   *  a warehouse of temporary tables that vanishes on close. */
  schema: string;
  /** Every transaction read-only, no lock, and a missing schema is a NoWarehouseError. */
  readOnly?: boolean;
}

/** The session's own schema of temporary tables: an empty warehouse for `status` before the
 *  first run, which must not create anything that outlives it. */
export const TEMPORARY_SCHEMA = 'pg_temp';

const CONNECT_TIMEOUT_MS = 10_000;

export async function openPostgres(options: PostgresWarehouseOptions): Promise<Warehouse> {
  const client = new pg.Client({
    connectionString: options.url,
    application_name: 'healthscore',
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    types: typeParsers,
  });
  // A connection the server drops while idle is reported by the next query; without a
  // listener, pg's 'error' event would end the process.
  client.on('error', () => {});
  const target: ConnectionTarget = { host: client.host, port: client.port, user: client.user ?? '', database: client.database ?? '' };
  const secret = typeof client.password === 'string' ? client.password : undefined;
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw connectionError(error, target, secret);
  }
  const pool = new PinnedClientPool(client);
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool, onCreateConnection: async (c) => rememberClient(c, client) }) });
  const readOnly = options.readOnly === true;
  try {
    // As on DuckDB: the session zone is UTC; days are computed in the project's zone explicitly.
    await sql`set timezone to 'UTC'`.execute(db);
    await useSchema(db, options, target, secret);
    if (readOnly) await sql`set default_transaction_read_only = on`.execute(db);
    else if (options.schema !== TEMPORARY_SCHEMA) await lockSchema(db, options.schema, describePostgres(options));
  } catch (error) {
    await db.destroy().catch(() => undefined);
    throw error;
  }
  return warehouseOf('postgres', db, readOnly, () => db.destroy());
}

/** `postgresql://hs:***@host:5432/db (schema healthscore)`, for messages. */
export function describePostgres(options: Pick<PostgresWarehouseOptions, 'url' | 'schema'>): string {
  return `${redactUrl(options.url)} (schema ${options.schema})`;
}

/** search_path is the schema alone, so unqualified names mean healthscore's tables; the
 *  schema is created first on a writable open (only when missing: `create schema if not
 *  exists` needs CREATE on the database even when the schema exists). */
async function useSchema(db: Kysely<any>, options: PostgresWarehouseOptions, target: ConnectionTarget, secret: string | undefined): Promise<void> {
  if (options.schema !== TEMPORARY_SCHEMA) {
    const { rows } = await sql<{ found: boolean }>`select exists (select from pg_namespace where nspname = ${options.schema}) as found`.execute(db);
    if (!rows[0]!.found) {
      if (options.readOnly) throw new NoWarehouseError(describePostgres(options));
      await sql`create schema if not exists ${sql.id(options.schema)}`.execute(db).catch((error: unknown) => {
        throw schemaError(error, target, options.schema, secret);
      });
    } else {
      // PostgreSQL skips a search_path schema the user may not use, so without this check the
      // first query would fail with "no schema has been selected to create in".
      const { rows: grants } = await sql<{ usage: boolean; create: boolean }>`
        select has_schema_privilege(${options.schema}, 'USAGE') as usage, has_schema_privilege(${options.schema}, 'CREATE') as create`.execute(db);
      const missing = [!grants[0]!.usage && 'USAGE', !options.readOnly && !grants[0]!.create && 'CREATE'].filter((g): g is string => Boolean(g));
      if (missing.length > 0) throw schemaGrantError(target, options.schema, missing);
      // A schema made beforehand by an administrator is empty until the first run: no warehouse yet.
      if (options.readOnly) {
        const { rows: tables } = await sql<{ found: boolean }>`
          select exists (select from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = ${options.schema}) as found`.execute(db);
        if (!tables[0]!.found) throw new NoWarehouseError(describePostgres(options));
      }
    }
  }
  await sql`set search_path to ${sql.id(options.schema)}`.execute(db);
}
