import { describe, expect, it } from 'vitest';
import { makeTestCode } from '../../server/simulator/test-codes.ts';
import { usePosAndBrowser } from './support/use-pos.ts';
import { MANAGER_PIN } from './support/pos-server.ts';
import { LANDSCAPE, PORTRAIT, newTablet, pairTablet, shot, signIn, usKey, waitForStatus, wedgeScan } from './support/browser.ts';

/** The manager's screens: today's payments, a payment, a refund with the PIN, settings, pairing, offline. */
const e2e = usePosAndBrowser();

describe('history, refunds and settings in Chromium', { timeout: 90_000 }, () => {
  it('lists today’s payments with totals, opens one and refunds part of it with the manager PIN', async () => {
    const terminal = await e2e.pos.addTerminal('counter-1');
    const { context, page } = await newTablet(e2e.browser, { lang: 'en' });
    await signIn(context, page, e2e.pos, terminal);
    for (const k of '88') await page.keyboard.press(k);
    // A person keys the amount, sees it, then scans: keys still held as a possible scan would merge with it.
    await page.waitForSelector('[data-testid=amount]:has-text("88")');
    await wedgeScan(page, makeTestCode('success'));
    await waitForStatus(page, 'result', 'succeeded');
    await page.click('nav a:has-text("History")');
    await page.waitForSelector('[data-testid=payments] li');
    expect(await page.textContent('[data-testid=totals]')).toContain('¥88.00');
    await shot(page, 'history-en');
    await page.setViewportSize(PORTRAIT);
    await shot(page, 'history-en-portrait');
    await page.setViewportSize(LANDSCAPE);

    await page.click('[data-testid=payments] li a');
    await page.waitForSelector('button.danger:has-text("Refund")');
    await shot(page, 'payment-detail-en');
    await page.click('button.danger:has-text("Refund")');
    await page.fill('input[name=amount]', '20.5');
    // Scanner capture pauses while a text field has focus: fast keys land in the field as typed.
    // No Enter: it would submit the wrong PIN and race the field's reset against the read below.
    await page.focus('input[name=pin]');
    await wedgeScan(page, '0000', 5, usKey, null);
    expect(await page.inputValue('input[name=pin]')).toBe('0000');
    await shot(page, 'refund-dialog-en');
    await page.click('.dialog button[type=submit]');
    await page.waitForSelector('.dialog [role=alert]');
    expect(await page.textContent('.dialog [role=alert]')).toMatch(/PIN/i);
    await page.fill('input[name=pin]', MANAGER_PIN);
    await page.press('input[name=pin]', 'Enter'); // the focused PIN field disappears with the answer
    await page.waitForSelector('[data-testid=refund-done]', { timeout: 30_000 });
    await shot(page, 'refund-done-en');
    await page.click('.dialog button:has-text("Close")');
    await page.waitForSelector('[data-testid=refunded]:has-text("¥20.50")');
    await page.click('a:has-text("Back")');
    await page.waitForSelector('[data-testid=totals]:has-text("¥67.50")');

    // Capture is back on once no text field has focus: the next sale is scanned as usual.
    await page.click('nav a:has-text("Checkout")');
    await page.click('button:has-text("Next sale")');
    await page.click('.keypad button:text-is("5")');
    await wedgeScan(page, makeTestCode('success'));
    await waitForStatus(page, 'result', 'succeeded');
    await context.close();
  });

  it('shows the paired terminal, the server in simulator mode, the scanner setup and the diagnostics of a scan', async () => {
    const terminal = await e2e.pos.addTerminal('counter-2');
    const { context, page } = await newTablet(e2e.browser, { lang: 'zh' });
    await signIn(context, page, e2e.pos, terminal);
    await page.click('nav a:has-text("设置")');
    await page.waitForSelector('[data-testid=server-status]');
    expect(await page.textContent('[data-testid=terminal-name]')).toContain('counter-2');
    expect(await page.textContent('.settings')).toContain('模拟器模式');
    await shot(page, 'settings-zh');
    await page.setViewportSize(PORTRAIT);
    await shot(page, 'settings-zh-portrait');
    await page.setViewportSize(LANDSCAPE);
    await page.click('a:has-text("扫码诊断")');
    await page.waitForSelector('.diagnostics');
    await wedgeScan(page, '6901234567892', 5);
    await page.waitForSelector('[data-testid=recent-scans] td:has-text("6901234567892")');
    expect(await page.textContent('[data-testid=recent-scans]')).toContain('键盘模式');
    await shot(page, 'diagnostics-zh');
    await page.click('a:has-text("返回")');
    await page.click('button:has-text("English")');
    await page.waitForSelector('h1:has-text("Settings")');
    await shot(page, 'settings-en');
    await context.close();
  });

  it('pairs a new tablet from the pairing link and forgets it when unpaired', async () => {
    const terminal = await e2e.pos.addTerminal('counter-3');
    const { context, page } = await newTablet(e2e.browser, { lang: 'zh' });
    await page.goto(`${e2e.pos.url}/#/`);
    await page.waitForSelector('.pairing');
    await shot(page, 'pairing-zh');
    await pairTablet(page, e2e.pos, terminal);
    expect(await page.evaluate(() => localStorage.getItem('pos.token'))).toBeTruthy();
    expect(await page.evaluate(() => location.hash)).toBe('#/');
    await page.click('nav a:has-text("设置")');
    // Unpairing asks for the manager PIN (POST /api/terminal/unpair).
    await page.click('button:has-text("解除配对")');
    await page.fill('input[name=unpair-pin]', MANAGER_PIN);
    await page.click('.unpair button[type=submit]');
    await page.waitForSelector('.pairing');
    expect(await page.evaluate(() => localStorage.getItem('pos.token'))).toBeNull();
    await page.fill('input[name=code]', 'not-a-real-code');
    await page.click('.pairing button[type=submit]');
    await page.waitForSelector('.pairing [role=alert]');
    await shot(page, 'pairing-error-zh');
    await context.close();
  });

  it('loads from the service worker cache while the server is down and says so in a banner', async () => {
    const terminal = await e2e.pos.addTerminal('counter-4');
    const { context, page } = await newTablet(e2e.browser, { lang: 'zh', serviceWorkers: 'allow' });
    await signIn(context, page, e2e.pos, terminal);
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    // Wait until the shell is precached (the worker has activated and claimed nothing yet matters).
    await page.waitForFunction(async () => (await caches.keys()).length > 0 && (await caches.open((await caches.keys())[0]!).then((c) => c.keys())).length > 3, undefined, { timeout: 30_000 });
    await e2e.pos.stop();
    await page.reload();
    await page.waitForSelector('[data-testid=amount]', { timeout: 30_000 });
    await page.waitForSelector('.banner[role=alert]', { timeout: 30_000 });
    expect(await page.textContent('.banner[role=alert]')).toContain('无法连接收银服务器');
    await shot(page, 'offline-banner-zh');
    await context.close();
    await e2e.pos.start();
  });
});
