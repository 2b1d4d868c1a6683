import { sql, type Kysely } from 'kysely';
import { keyed } from '../sql/create-table.ts';
import type { SqlDialect } from '../sql/dialects/dialect.ts';
import { WAREHOUSE_SETTINGS } from './tables.ts';

/** Named values the run remembers between runs (schema version, export fingerprint, the
 *  first scored day). */
export async function getSetting(db: Kysely<any>, key: string): Promise<string | undefined> {
  const { rows } = await sql<{ value: string }>`select value from warehouse_settings where key = ${key}`.execute(db);
  return rows[0]?.value;
}

export async function setSetting(db: Kysely<any>, dialect: SqlDialect, key: string, value: string): Promise<void> {
  await dialect.upsert(keyed(WAREHOUSE_SETTINGS), sql`values (${key}, ${value})`).execute(db);
}
