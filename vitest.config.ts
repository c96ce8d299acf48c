import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

/**
 * Four projects in one run. First, side by side: the unit tests, and the integration suite (real
 * servers over HTTP) once on each store: SQLite, and PostgreSQL (TEST_STORE=postgres, a schema of
 * its own per file on 127.0.0.1:5432, database test); `*.postgres.test.ts` files need several
 * server instances on one database and run on PostgreSQL only. Then, alone, the end-to-end files
 * in Chromium: a page starved by the other suites' servers and PostgreSQL on a 2-core machine
 * delivers a scanner's keys and the server's answers late enough to test the machine, not the app.
 */
export default defineConfig({
  plugins: [svelte()],
  test: {
    testTimeout: 20_000,
    hookTimeout: 120_000,
    reporters: ['default', './test/support/summary-reporter.ts'],
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/bench/**', 'test/integration/**', 'test/e2e/**', 'node_modules/**'],
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          name: 'sqlite',
          include: ['test/integration/**/*.test.ts'],
          exclude: ['test/integration/**/*.postgres.test.ts'],
          env: { TEST_STORE: 'sqlite' },
        },
      },
      {
        extends: true,
        test: {
          name: 'postgres',
          include: ['test/integration/**/*.test.ts'],
          env: { TEST_STORE: 'postgres' },
        },
      },
    ],
  },
});
