// Vitest globalSetup: builds dist/ before any test runs, and again before each re-run in
// watch mode. The CLI tests spawn bin/healthscore.mjs, which runs the compiled dist/, not
// the sources. Building here rather than in `npm test` means every way of running the tests
// (`npm test`, `npx vitest run <file>`, watch mode) exercises the current code, never a stale
// build. The bundle takes about half a second.
import { execFileSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function build(): void {
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: REPO, stdio: 'inherit' });
}

export default function setup(project: TestProject): void {
  build();
  project.onTestsRerun(build);
}
