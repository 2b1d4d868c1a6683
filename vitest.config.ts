import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/build-cli.ts', 'test/postgres-server.ts'],
    // Tests run real DuckDB pipelines; on a 2-core machine some take several seconds.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
