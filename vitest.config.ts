import { defineConfig } from 'vitest/config';

/** Test configuration: unit tests live beside the code, cross-cutting suites under test/. */
export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'data/**', 'dist/**', 'host-app/node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
