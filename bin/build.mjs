#!/usr/bin/env node
// `npm run build` (run by `prepare`, so by `npm ci` and `npm pack`): the CLI bundled by
// esbuild into dist/, so that a command starts by reading a few files instead of resolving
// some 500 modules (ours, kysely's, zod's, yaml's): `status` and the nightly start about
// 0.3 s sooner than with one compiled file per source. Type checking is `tsc --noEmit`
// (`npm test`). Kept external: DuckDB (a native addon), and the large libraries only a few
// commands load (echarts, apache-arrow, cli-progress), which stay lazy.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

// zod re-exports its ~60 message locales (a third of the bundle that every command parses
// at start-up) as `z.locales`; healthscore writes its own messages and never switches
// locale, so the bundle keeps only English, which zod sets as its default.
const englishZodOnly = {
  name: 'english-zod-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/](classic|core)[\\/]/.test(args.importer)
        ? { path: join(dirname(args.importer), '../locales/en.js'), namespace: 'zod-locales' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      loader: 'js',
      resolveDir: root,
    }));
  },
};
rmSync(join(root, 'dist'), { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: ['cli/main.ts'],
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['@duckdb/node-bindings', 'echarts', 'apache-arrow', 'cli-progress'],
  // Some bundled CommonJS (yaml) calls require(): give every chunk a real one.
  banner: { js: "import { createRequire as __hsCreateRequire } from 'node:module'; const require = __hsCreateRequire(import.meta.url);" },
  plugins: [englishZodOnly],
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
});
