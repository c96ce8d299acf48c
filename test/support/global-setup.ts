import { existsSync } from 'node:fs';
import { build } from 'vite';

/** End-to-end tests load the built app from the real server: build it once per run. */
export default async function setup(): Promise<void> {
  if (!existsSync('web/index.html')) return;
  await build({ configFile: 'vite.config.ts', logLevel: 'warn' });
}
