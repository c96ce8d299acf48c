import { describe, expect, it } from 'vitest';
import { makeTestCode } from '../../server/simulator/test-codes.ts';
import { usePosAndBrowser } from './support/use-pos.ts';
import { newTablet, signIn, waitForStatus, wedgeScan } from './support/browser.ts';

/** The web app under its Content-Security-Policy: every screen works and the browser blocks nothing. */
const e2e = usePosAndBrowser();

describe('Content-Security-Policy in Chromium', { timeout: 90_000 }, () => {
  it('runs checkout, the receipt print view, history, a payment and settings (lazy screens, service worker) without a single violation', async () => {
    const terminal = await e2e.pos.addTerminal('csp-1');
    const { context, page } = await newTablet(e2e.browser, { lang: 'en', serviceWorkers: 'allow' });
    await context.addInitScript(() => {
      window.print = () => undefined; // the dialog cannot be driven headless; the print view is built all the same
      const seen: string[] = [];
      (globalThis as { __violations?: string[] }).__violations = seen;
      document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    const response = page.waitForResponse((r) => r.url().endsWith('/#/') || new URL(r.url()).pathname === '/');
    await signIn(context, page, e2e.pos, terminal);
    expect((await response).headers()['content-security-policy']).toContain("script-src 'self'");

    for (const k of '12') await page.keyboard.press(k);
    await page.waitForSelector('[data-testid=amount]:has-text("12")');
    await wedgeScan(page, makeTestCode('success'));
    await waitForStatus(page, 'result', 'succeeded');
    await page.click('[data-testid=print-receipt]');
    await page.waitForSelector('#receipt-print [data-testid=receipt-sheet]', { state: 'attached' });
    await page.click('nav a:has-text("History")');
    await page.waitForSelector('[data-testid=payments] li');
    await page.click('[data-testid=payments] li a');
    await page.waitForSelector('button.danger:has-text("Refund")');
    await page.click('nav a:has-text("Settings")');
    await page.waitForSelector('text=csp-1');
    await page.waitForFunction(async () => (await navigator.serviceWorker.getRegistrations()).length > 0);
    expect(await page.evaluate(() => (globalThis as { __violations?: string[] }).__violations)).toEqual([]);
    await context.close();
  });
});
