#!/usr/bin/env node
// The package's `bin`: runs the CLI compiled to JavaScript in dist/, so that no command pays
// for transpiling TypeScript at start-up. `npm ci` and `npm pack` build dist/ (the `prepare`
// script); a clone where nobody ran either has none, and gets told so instead of a stack trace.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(main)) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  process.stderr.write(`healthscore: the compiled CLI is missing (${fileURLToPath(main)}); run \`npm run build\` (or \`npm ci\`) in ${root}\n`);
  process.exit(1);
}
await import(main.href);
