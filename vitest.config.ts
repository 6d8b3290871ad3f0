import { defineConfig } from 'vitest/config';

// Unit, property and stress tests. Worker scripts used by stress tests are bundled
// once by test/globalSetup.ts (Node 20 worker_threads cannot load .ts directly).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    globalSetup: ['test/globalSetup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
  },
});
