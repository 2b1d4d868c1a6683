import pg from 'pg';
import { expect, inject, it } from 'vitest';

// The server test/postgres-server.ts provides: every PostgreSQL test depends on it, so it is
// checked on its own, with a plain client.
const url = inject('postgresUrl');

it.skipIf(!url)('the test PostgreSQL server answers, in UTF-8 and version 15 or later', async () => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ version: number; encoding: string }>(
      "select current_setting('server_version_num')::int as version, pg_encoding_to_char(encoding) as encoding from pg_database where datname = current_database()");
    expect(rows[0]!.version).toBeGreaterThanOrEqual(150000);
    expect(rows[0]!.encoding).toBe('UTF8');
  } finally {
    await client.end();
  }
});
