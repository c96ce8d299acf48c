import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { makeTestCode } from '../../server/simulator/test-codes.ts';
import { usePosAndBrowser } from './support/use-pos.ts';
import { azertyKey, imeKey, newTablet, shot, signIn, waitForStatus, wedgeScan } from './support/browser.ts';
import { FAKE_HID_SCRIPT } from './support/fake-hid.ts';

/** Every way a code reaches the checkout: HID POS reports, and wedge keys under AZERTY and a Chinese IME. */
const e2e = usePosAndBrowser();
let n = 0;

async function till(hid = false) {
  const terminal = await e2e.pos.addTerminal(`scan-${++n}`);
  const { context, page } = await newTablet(e2e.browser, { lang: 'en' });
  if (hid) await context.addInitScript(FAKE_HID_SCRIPT);
  await signIn(context, page, e2e.pos, terminal);
  return { page, terminal, close: () => context.close() };
}

async function amount(page: Page, keys: string) {
  for (const k of keys) await page.click(`.keypad button:text-is("${k}")`);
}

async function paidAmounts(token: string): Promise<number[]> {
  const list = await e2e.pos.api<{ payments: { amount_fen: number; status: string; terminal?: string }[] }>(token, '/api/payments');
  return list.payments.filter((p) => p.status === 'succeeded').map((p) => p.amount_fen);
}

describe('scanner input in Chromium', { timeout: 90_000 }, () => {
  it('pays with a HID POS scan whose code spans two Honeywell reports, from a scanner reconnected by getDevices()', async () => {
    const { page, terminal, close } = await till(true);
    await amount(page, '6.6');
    const code = makeTestCode('success');
    await page.evaluate((c) => (window as unknown as { __hidScan: (c: string) => void }).__hidScan(c), code);
    await waitForStatus(page, 'result', 'succeeded');
    expect(await paidAmounts(terminal.token)).toContain(660);
    await page.click('nav a:has-text("Settings")');
    await page.waitForSelector('[data-testid=devices]');
    expect(await page.textContent('[data-testid=devices]')).toContain('Honeywell');
    await shot(page, 'settings-hid-device-en');
    await page.click('a:has-text("Scan diagnostics")');
    await page.waitForSelector('[data-testid=recent-scans]');
    const diag = await page.textContent('[data-testid=recent-scans]');
    expect(diag).toContain('HID');
    expect(diag).toContain(']C0');
    await shot(page, 'diagnostics-hid-en');
    await close();
  });

  it('reads a wedge scan typed under an AZERTY layout (code Digit1, key &) by physical key', async () => {
    const { page, terminal, close } = await till();
    await amount(page, '7.7');
    await wedgeScan(page, makeTestCode('success'), 8, azertyKey);
    await waitForStatus(page, 'result', 'succeeded');
    expect(await paidAmounts(terminal.token)).toContain(770);
    await close();
  });

  it('reads a wedge scan that a Chinese IME turns into keyCode 229 / Process events', async () => {
    const { page, terminal, close } = await till();
    await amount(page, '9.9');
    await wedgeScan(page, makeTestCode('success'), 8, imeKey);
    await waitForStatus(page, 'result', 'succeeded');
    expect(await paidAmounts(terminal.token)).toContain(990);
    await close();
  });

  it('takes a slow Bluetooth-speed scan (90 ms a key) as a scan, not as typing', async () => {
    const { page, terminal, close } = await till();
    await amount(page, '1.1');
    await wedgeScan(page, makeTestCode('success'), 90);
    await waitForStatus(page, 'result', 'succeeded');
    expect(await paidAmounts(terminal.token)).toContain(110);
    await close();
  });
});
