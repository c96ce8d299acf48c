import { afterAll, beforeAll } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser } from './browser.ts';
import { takeTurn } from './one-at-a-time.ts';
import { PosServer } from './pos-server.ts';

export interface PosUnderTest {
  readonly pos: PosServer;
  readonly browser: Browser;
}

/**
 * Registers an e2e file's hooks: it waits its turn on the machine, starts the real server with
 * its simulator (with `serverEnv` added to its environment) and one Chromium, and tears them
 * down after the file's last test.
 */
export function usePosAndBrowser(serverEnv: Record<string, string> = {}): PosUnderTest {
  const env = {} as { pos: PosServer; browser: Browser };
  let release: () => void = () => undefined;
  beforeAll(async () => {
    release = await takeTurn();
    env.pos = new PosServer(serverEnv);
    await env.pos.start();
    env.browser = await launchBrowser();
  }, 1_000_000);
  afterAll(async () => {
    await env.browser?.close();
    await env.pos?.dispose();
    release();
  });
  return env;
}
