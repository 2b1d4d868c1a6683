import { sql, type Kysely } from 'kysely';

/** Whether the warehouse has a table `name` where unqualified names resolve (DuckDB's main
 *  schema, the PostgreSQL warehouse's schema, or its temporary tables when the warehouse is
 *  the empty one). information_schema answers the same way on both engines; a DuckDB temp
 *  table (catalog "temp") is not the warehouse's. */
export async function tableExists(db: Kysely<any>, name: string): Promise<boolean> {
  const { rows } = await sql<{ found: boolean }>`
    select exists (
      select 1 from information_schema.tables
      where table_catalog = current_database() and table_schema = current_schema() and table_name = ${name}) as found`.execute(db);
  return rows[0]?.found === true;
}
