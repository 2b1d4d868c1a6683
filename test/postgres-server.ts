// Vitest globalSetup: a throwaway PostgreSQL server for the tests that run on PostgreSQL
// (test/helpers/engines.ts), the way Malloy runs its tests on every runtime.
//
// - HEALTHSCORE_TEST_POSTGRES=postgresql://… uses that server (each test works in a schema
//   of its own, dropped afterwards).
// - Otherwise, where Debian's PostgreSQL is installed (/usr/lib/postgresql/<v>/bin), a
//   cluster is made in a temporary folder, started on a private socket and a free loopback
//   port, and removed when the tests end. PostgreSQL refuses to run as root: as root, the
//   cluster belongs to the `postgres` user.
// - Without either, the PostgreSQL tests are skipped, and say so; under CI=true that is an
//   error instead, so that CI never passes without them.
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A connection URL of a PostgreSQL server for tests, or '' when there is none. */
    postgresUrl: string;
  }
}

/** The one user of the throwaway server that must give a password (a test creates it). */
export const PASSWORD_USER = 'healthscore_password_test';

export default async function setup(project: TestProject): Promise<() => void> {
  const given = process.env.HEALTHSCORE_TEST_POSTGRES;
  if (given) {
    project.provide('postgresUrl', given);
    return () => {};
  }
  const bin = postgresBin();
  if (!bin) {
    if (process.env.CI === 'true') throw new Error('CI needs PostgreSQL for the engine tests: install postgresql-15 (.ci/run does)');
    process.stderr.write('PostgreSQL tests skipped: no server (set HEALTHSCORE_TEST_POSTGRES, or install postgresql-15)\n');
    project.provide('postgresUrl', '');
    return () => {};
  }
  const server = await startCluster(bin);
  project.provide('postgresUrl', server.url);
  return server.stop;
}

/** The bin folder of the newest PostgreSQL that Debian installed, if any. */
function postgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(root, versions[0]!, 'bin') : undefined;
}

async function startCluster(bin: string): Promise<{ url: string; stop: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'healthscore-pg-'));
  const asRoot = userInfo().uid === 0;
  const run = (command: string, args: string[]) => {
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, command), ...args]] : [join(bin, command), args];
    execFileSync(file, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  };
  if (asRoot) {
    const { uid, gid } = postgresUser();
    chownSync(dir, uid, gid);
  }
  chmodSync(dir, 0o700);
  const data = join(dir, 'data');
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale', 'C']);
  // Every user is trusted, but one, so that a wrong password can be tested (test/engine/).
  const hba = join(data, 'pg_hba.conf');
  writeFileSync(hba, `host all ${PASSWORD_USER} 127.0.0.1/32 scram-sha-256\n` + readFileSync(hba, 'utf8'));
  const port = await freePort();
  // Durability is not needed for a cluster that lives for one test run.
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  run('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'server.log'), '-w', 'start']);
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    stop: () => {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres']).toString().trim());
  return { uid: id('-u'), gid: id('-g') };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port'))));
    });
  });
}
