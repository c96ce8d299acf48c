import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { makeAlipayTestCode } from '../../server/simulator/test-codes.ts';
import { usePosAndBrowser } from './support/use-pos.ts';
import type { Terminal } from './support/pos-server.ts';
import { newTablet, signIn, shot, waitForStatus, wedgeScan } from './support/browser.ts';

/** One scan, both wallets: sales paid with Alipay test codes at the till, in headless Chromium against the real server and its simulator. */
const e2e = usePosAndBrowser();
let counter = 0;

async function till(lang: 'zh' | 'en'): Promise<{ page: Page; terminal: Terminal; close: () => Promise<void> }> {
  const terminal = await e2e.pos.addTerminal(`alipay-${++counter}`);
  const { context, page } = await newTablet(e2e.browser, { lang });
  await signIn(context, page, e2e.pos, terminal);
  return { page, terminal, close: () => context.close() };
}

async function keyAmount(page: Page, keys: string) {
  for (const k of keys) await page.click(`.keypad button:text-is("${k}")`);
}

describe('Alipay at the till in Chromium', { timeout: 90_000 }, () => {
  it('sells with an Alipay code scanned like any other, shows Alipay on the result, in the history and in the day’s totals', async () => {
    const { page, close } = await till('en');
    await keyAmount(page, '25.8');
    await wedgeScan(page, makeAlipayTestCode('success'));
    await waitForStatus(page, 'result', 'succeeded');
    expect(await page.textContent('[data-testid=result]')).toContain('¥25.80');
    expect(await page.textContent('[data-testid=wallet]')).toBe('Alipay');
    expect(await page.textContent('[data-testid=transaction]')).toMatch(/^\d{20,}$/);
    await shot(page, 'checkout-success-alipay-en');

    await page.click('nav a:has-text("History")');
    await page.waitForSelector('[data-testid=payments] li');
    expect(await page.textContent('[data-testid=payments] [data-testid=row-wallet]')).toBe('Alipay');
    expect(await page.textContent('[data-testid=totals-alipay]')).toContain('¥25.80');
    await shot(page, 'history-alipay-en');
    await close();
  });

  it('waits while the customer confirms in Alipay, then shows 支付宝 on the success', async () => {
    const { page, terminal, close } = await till('zh');
    await keyAmount(page, '12');
    await wedgeScan(page, makeAlipayTestCode('password'));
    await waitForStatus(page, 'progress', 'user_paying');
    const active = (await e2e.pos.activePayment(terminal.token))!;
    expect(active).toMatchObject({ status: 'user_paying', wallet: 'alipay' });
    const res = await fetch(`${e2e.pos.url}/simulator/control/alipay/orders/${active.out_trade_no}/confirm`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(200);
    await waitForStatus(page, 'result', 'succeeded');
    expect(await page.textContent('[data-testid=wallet]')).toBe('支付宝');
    await shot(page, 'checkout-success-alipay-zh');
    await close();
  });

  it('refuses a UnionPay code as not accepted here, before anything is sent', async () => {
    const { page, terminal, close } = await till('en');
    await keyAmount(page, '5');
    await wedgeScan(page, '6212345678901234567');
    await page.waitForSelector('text=not accepted here');
    expect(await e2e.pos.activePayment(terminal.token)).toBeNull();
    await close();
  });
});
