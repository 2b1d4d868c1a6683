// A PostgreSQL warehouse that cannot be opened says why in one sentence, without a stack
// trace or the password: exit 2 (UsageError) where the settings or grants must change, exit 1
// where trying again later may work. Each case is a real failure of the test server.
import { createServer } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { UsageError } from '../../pipeline/errors.ts';
import { WarehouseUnreachableError } from '../../pipeline/engine/postgres/server-errors.ts';
import { openWarehouse } from '../../pipeline/engine/warehouse.ts';
import { PASSWORD_USER } from '../postgres-server.ts';

const url = inject('postgresUrl');
const SECRET = 's3cret-Pa55';

function withUrl(change: (u: URL) => void): string {
  const u = new URL(url);
  change(u);
  return u.toString();
}

async function openError(target: string, schema = 'hs_errors'): Promise<Error> {
  const error = await openWarehouse({ engine: 'postgres', url: target, schema }).then(
    async (wh) => {
      await wh.close();
      throw new Error(`${target} opened`);
    },
    (e: unknown) => e as Error,
  );
  expect(error.message).not.toContain(SECRET);
  expect(error.message).not.toContain('\n');
  return error;
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A loopback port nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe.skipIf(!url)('opening a PostgreSQL warehouse that cannot be opened', () => {
  const host = () => new URL(url).host;

  it('a port nobody listens on: refused, exit 1', async () => {
    const port = await closedPort();
    const error = await openError(withUrl((u) => ((u.port = String(port)), (u.password = SECRET))));
    expect(error).toBeInstanceOf(WarehouseUnreachableError);
    expect(error).not.toBeInstanceOf(UsageError);
    expect(error.message).toBe(`cannot connect to PostgreSQL at 127.0.0.1:${port}: the connection was refused (is the server running and listening there?)`);
  });

  it('a database that does not exist: exit 2', async () => {
    const error = await openError(withUrl((u) => ((u.pathname = '/no_such_db'), (u.password = SECRET))));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe(`the database "no_such_db" does not exist on the PostgreSQL server at ${host()}`);
  });

  it('a user that does not exist: exit 2', async () => {
    const error = await openError(withUrl((u) => (u.username = 'no_such_user')));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe(`PostgreSQL at ${host()} refused user "no_such_user": role "no_such_user" does not exist`);
  });

  // Only the throwaway server asks this one user for a password (test/postgres-server.ts).
  describe.skipIf(Boolean(process.env.HEALTHSCORE_TEST_POSTGRES))('a user with a password', () => {
    // Roles belong to the whole server: created once for this file, dropped after.
    beforeAll(() => admin((c) => c.query(`drop role if exists ${PASSWORD_USER}; create role ${PASSWORD_USER} login password '${SECRET}'`)));
    afterAll(() => admin((c) => c.query(`drop role if exists ${PASSWORD_USER}`)));

    it('a wrong password: exit 2, naming the user and not the password', async () => {
      const error = await openError(withUrl((u) => ((u.username = PASSWORD_USER), (u.password = `${SECRET}-wrong`))));
      expect(error).toBeInstanceOf(UsageError);
      expect(error.message).toBe(`PostgreSQL at ${host()} refused the password of user "${PASSWORD_USER}": check the password of the warehouse URL`);
    });

    it('no password at all: exit 2, saying where to give it', async () => {
      const error = await openError(withUrl((u) => (u.username = PASSWORD_USER)));
      expect(error).toBeInstanceOf(UsageError);
      expect(error.message).toMatch(new RegExp(`^PostgreSQL at ${host()} asks for a password for user "${PASSWORD_USER}": give it in the warehouse URL`));
    });

    it('the right password opens, and may not create the schema without CREATE on the database: exit 2', async () => {
      const error = await openError(withUrl((u) => ((u.username = PASSWORD_USER), (u.password = SECRET))));
      expect(error).toBeInstanceOf(UsageError);
      expect(error.message).toBe(
        `user "${PASSWORD_USER}" may not create the schema "hs_errors" in the database "${new URL(url).pathname.slice(1)}": create it beforehand (and let the user use it), or grant CREATE on the database`,
      );
    });
  });
});
