import { sql, type Kysely } from 'kysely';

/** Named values the run remembers between runs (schema version, export fingerprint, the
 *  first scored day). */
export async function getSetting(db: Kysely<any>, key: string): Promise<string | undefined> {
  const { rows } = await sql<{ value: string }>`select value from warehouse_settings where key = ${key}`.execute(db);
  return rows[0]?.value;
}

export async function setSetting(db: Kysely<any>, key: string, value: string): Promise<void> {
  await sql`insert or replace into warehouse_settings values (${key}, ${value})`.execute(db);
}
