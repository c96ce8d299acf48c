import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

/**
 * Three projects in one run: everything but the integration suite, then the integration suite
 * (real servers over HTTP) once on each store: SQLite, and PostgreSQL (TEST_STORE=postgres, a
 * schema of its own per file on 127.0.0.1:5432, database test). `*.postgres.test.ts` files need
 * several server instances on one database and run on PostgreSQL only.
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
          exclude: ['test/bench/**', 'test/integration/**', 'node_modules/**'],
          globalSetup: ['test/support/global-setup.ts'],
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
