import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vitest/config';

/**
 * Test configuration: unit tests live beside the code, cross-cutting suites under test/. The Vue
 * plugin lets component tests of the host app mount single-file components.
 */
export default defineConfig({
  plugins: [vue()],
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'data/**', 'dist/**', 'host-app/node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
