// healthscore.yaml's warehouse: a DuckDB path as before, or a PostgreSQL URL with ${ENV_VAR}s
// and a schema; a password never shows in a problem.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { redactUrl } from '../../pipeline/engine/postgres/redact-url.ts';
import { ValidationError } from '../../pipeline/errors.ts';
import { loadProject } from '../../pipeline/project/load-project.ts';
import { substituteEnv } from '../../pipeline/project/warehouse-setting.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'healthscore-warehouse-'));
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await rm(dir, { recursive: true, force: true });
});

const SOURCES = ['sources:', '  events: { path: data/events.csv }'];

async function load(...lines: string[]) {
  await writeFile(path.join(dir, 'healthscore.yaml'), [...lines, ...SOURCES].join('\n') + '\n');
  return loadProject(dir);
}

async function problems(...lines: string[]): Promise<string> {
  const e = await load(...lines).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ValidationError);
  return (e as ValidationError).message;
}

describe('warehouse: a DuckDB file', () => {
  it('is the default, relative to the project, absolute or :memory:', async () => {
    expect((await load()).warehouse).toEqual({ engine: 'duckdb', path: path.join(dir, 'warehouse.duckdb') });
    expect((await load('warehouse: data/wh.duckdb')).warehouse).toEqual({ engine: 'duckdb', path: path.join(dir, 'data/wh.duckdb') });
    expect((await load('warehouse: /tmp/x.duckdb')).warehouse).toEqual({ engine: 'duckdb', path: '/tmp/x.duckdb' });
    expect((await load('warehouse: ":memory:"')).warehouse).toEqual({ engine: 'duckdb', path: ':memory:' });
  });

  it('substitutes ${ENV_VAR}s in the path too', async () => {
    vi.stubEnv('HS_DATA', '/srv/health');
    expect((await load('warehouse: ${HS_DATA}/wh.duckdb')).warehouse).toEqual({ engine: 'duckdb', path: '/srv/health/wh.duckdb' });
  });

  it('takes no schema', async () => {
    expect(await problems('warehouse: wh.duckdb', 'schema: analytics')).toBe(
      'healthscore.yaml:2 schema: schema is only for a PostgreSQL warehouse (warehouse: postgresql://…); a DuckDB warehouse keeps its tables in its file',
    );
    expect(await problems('schema: analytics')).toMatch(/^healthscore\.yaml:1 schema: schema is only for a PostgreSQL warehouse/);
  });
});

describe('warehouse: a PostgreSQL URL', () => {
  it('reads postgresql:// and postgres://, with the schema healthscore unless told', async () => {
    expect((await load('warehouse: postgresql://hs@db.example.com:5432/analytics')).warehouse).toEqual({
      engine: 'postgres',
      url: 'postgresql://hs@db.example.com:5432/analytics',
      schema: 'healthscore',
    });
    expect((await load('warehouse: postgres://hs@localhost/analytics', 'schema: health_v2')).warehouse).toEqual({
      engine: 'postgres',
      url: 'postgres://hs@localhost/analytics',
      schema: 'health_v2',
    });
  });

  it('substitutes ${ENV_VAR}s from the environment, also for the whole URL', async () => {
    vi.stubEnv('HS_PASSWORD', 's3cret');
    vi.stubEnv('HS_HOST', 'db.internal');
    expect((await load('warehouse: postgresql://hs:${HS_PASSWORD}@${HS_HOST}:5432/analytics')).warehouse).toMatchObject({
      url: 'postgresql://hs:s3cret@db.internal:5432/analytics',
    });
    vi.stubEnv('HS_WAREHOUSE', 'postgresql://hs@db.internal/analytics');
    expect((await load('warehouse: ${HS_WAREHOUSE}', 'schema: scores')).warehouse).toEqual({
      engine: 'postgres',
      url: 'postgresql://hs@db.internal/analytics',
      schema: 'scores',
    });
  });

  it('a variable that is not set is a problem naming the key and the variable, and nothing else', async () => {
    vi.stubEnv('HS_USER', 'hs');
    const message = await problems('warehouse: postgresql://${HS_USER}:${HS_NO_PASSWORD}@db/analytics');
    expect(message).toBe('healthscore.yaml:1 warehouse: the environment variable HS_NO_PASSWORD is not set');
    expect(await problems('warehouse: postgresql://${A_MISSING}:${B_MISSING}@db/x')).toBe(
      'healthscore.yaml:1 warehouse: the environment variables A_MISSING, B_MISSING are not set',
    );
  });

  it('a URL that does not parse is a problem that does not show the password', async () => {
    vi.stubEnv('HS_PASSWORD', 's3cret');
    const message = await problems('warehouse: postgresql://hs:${HS_PASSWORD}@db:port/analytics');
    expect(message).toBe('healthscore.yaml:1 warehouse: expected a URL like postgresql://user@host:5432/database');
    expect(message).not.toContain('s3cret');
  });

  it.each([
    ['Analytics', 'expected a lower-case schema name like healthscore (letters, digits and _, at most 63)'],
    ['"my schema"', 'expected a lower-case schema name like healthscore (letters, digits and _, at most 63)'],
    ['1st', 'expected a lower-case schema name like healthscore (letters, digits and _, at most 63)'],
    ['x'.repeat(64), 'expected a lower-case schema name like healthscore (letters, digits and _, at most 63)'],
    ['pg_scores', 'names starting with pg_ are reserved by PostgreSQL'],
    ['""', 'expected a lower-case schema name like healthscore (letters, digits and _, at most 63)'],
  ])('rejects the schema %s', async (schema, message) => {
    expect(await problems('warehouse: postgresql://hs@db/analytics', `schema: ${schema}`)).toBe(`healthscore.yaml:2 schema: ${message}`);
  });
});

describe('substituteEnv', () => {
  it('replaces well-formed ${NAME}s only, each missing name once', () => {
    expect(substituteEnv('a${X}b${X}$Y${Z}${ not}', { X: '1' })).toEqual({ text: 'a1b1$Y${Z}${ not}', missing: ['Z'] });
    expect(substituteEnv('${A}${A}', {})).toEqual({ text: '${A}${A}', missing: ['A'] });
  });
});

describe('redactUrl', () => {
  it.each([
    ['postgresql://hs:s3cr%40t@db.example.com:5432/analytics', 'postgresql://hs:***@db.example.com:5432/analytics'],
    ['postgres://hs@127.0.0.1/db?password=s3cret&sslmode=require', 'postgres://hs@127.0.0.1/db?password=***&sslmode=require'],
    ['postgresql://hs@db/analytics', 'postgresql://hs@db/analytics'],
    ['postgresql://hs:s3cret@db:port/x', 'the PostgreSQL warehouse'],
  ])('%s → %s', (url, shown) => {
    expect(redactUrl(url)).toBe(shown);
  });
});
