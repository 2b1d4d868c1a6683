// The package's bin runs the compiled build in dist/ (issue #9): no TypeScript at start-up,
// the package version on --version, and one clear sentence when dist/ was never built.
import { execFile } from 'node:child_process';
import { copyFile, cp, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, STACK_FRAME, hsOk, tempDir, type TempDir } from './helpers.ts';

const run = promisify(execFile);

let tmp: TempDir;
beforeAll(async () => {
  tmp = await tempDir();
});
afterAll(() => tmp?.cleanup());

describe('bin/healthscore.mjs', () => {
  it('--version prints the version in package.json', async () => {
    const { version } = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as { version: string };
    expect((await hsOk(['--version'])).stdout).toBe(`${version}\n`);
  });

  it('runs the compiled JavaScript: no TypeScript file and no tsx among the modules a command loads', async () => {
    const log = join(tmp.dir, 'imports.txt');
    const hooks = pathToFileURL(join(REPO, 'test/cli/record-imports.mjs')).href;
    const registerHooks = `data:text/javascript,import{register}from"node:module";register(${JSON.stringify(hooks)})`;
    // `validate` loads the CLI and the definitions pipeline; it needs only the configuration
    // and the definitions, and with no warehouse it opens none.
    const project = join(tmp.dir, 'definitions-only');
    await cp(join(REPO, 'healthscore.yaml'), join(project, 'healthscore.yaml'));
    await cp(join(REPO, 'definitions'), join(project, 'definitions'), { recursive: true });
    await run(process.execPath, ['--import', registerHooks, join(REPO, 'bin/healthscore.mjs'), 'validate', '--project', project], {
      env: { ...process.env, HEALTHSCORE_IMPORTS: log },
    });
    const urls = (await readFile(log, 'utf8')).trim().split('\n');
    expect(urls).toContain(pathToFileURL(join(REPO, 'dist/main.js')).href);
    expect(urls.filter((url) => url.endsWith('.ts') || url.includes('/node_modules/tsx/'))).toEqual([]);
  });

  it('init hints at the next command the way the user started healthscore: with npx or from the PATH', async () => {
    const next = async (name: string, npmCommand: string | undefined) => {
      const { npm_command: _, ...env } = process.env;
      const project = join(tmp.dir, name);
      const { stdout } = await run(process.execPath, [join(REPO, 'bin/healthscore.mjs'), 'init', project], {
        env: npmCommand ? { ...env, npm_command: npmCommand } : env,
      });
      return stdout.split('\n').find((line) => line.startsWith('next:'));
    };
    expect(await next('through-npx', 'exec')).toBe(`next: npx healthscore run --project ${join(tmp.dir, 'through-npx')}`);
    expect(await next('installed', undefined)).toBe(`next: healthscore run --project ${join(tmp.dir, 'installed')}`);
  });

  it('without dist/ (a clone where nobody ran npm ci) exits 1 with one sentence naming npm run build', async () => {
    const clone = join(tmp.dir, 'clone');
    await mkdir(join(clone, 'bin'), { recursive: true });
    await copyFile(join(REPO, 'bin/healthscore.mjs'), join(clone, 'bin/healthscore.mjs'));
    const result = await run(process.execPath, [join(clone, 'bin/healthscore.mjs'), 'status']).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(result.code).toBe(1);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^healthscore: .*run `npm run build` \(or `npm ci`\)/);
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });
});
