import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/build-cli.ts', 'test/postgres-server.ts'],
    // Tests run real DuckDB pipelines; on a 2-core machine some take several seconds.
    testTimeout: 60_000,
    // Two test files at a time, not vitest's default of one on a 2-core machine (cores − 1):
    // much of a test waits on DuckDB's threads, the PostgreSQL server or files. Suite on this
    // machine: 906 s with one worker, 624 s with two.
    maxWorkers: 2,
    hookTimeout: 60_000,
  },
});
