import { existsSync } from 'node:fs';
import { build } from 'vite';

/**
 * End-to-end tests load the built app from the real server: build it once per run, as
 * production does. Vitest sets NODE_ENV=test, which Vite would keep, giving a development build
 * of Svelte (larger, with dev checks) that is not what ships.
 * The unit and e2e projects both name this setup (either can run alone); in one run they share
 * the process, so the second waits for the first's build instead of emptying dist/web again.
 */
const shared = globalThis as { micropayWebBuild?: Promise<void> };

export default function setup(): Promise<void> {
  shared.micropayWebBuild ??= buildWeb();
  return shared.micropayWebBuild;
}

async function buildWeb(): Promise<void> {
  if (!existsSync('web/index.html')) return;
  const before = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: 'vite.config.ts', logLevel: 'warn', mode: 'production' });
  } finally {
    process.env.NODE_ENV = before;
  }
}
