import { describe, expect, it } from 'vitest';
import type { Payment } from '../../shared/api.ts';
import { SIMULATOR_DEFAULTS } from '../../server/simulator/app.ts';
import { createAlipayClient } from '../../server/alipay/client.ts';
import { ALIPAY_SIMULATOR_DEFAULTS } from '../../server/simulator/alipay/app.ts';
import { simulatorKey } from '../../server/simulator/alipay/keys.ts';
import { makeAlipayTestCode, makeTestCode } from '../../server/simulator/test-codes.ts';
import { createWechatClient } from '../../server/wechat/client.ts';
import { expectAccessible } from './support/axe.ts';
import { newTablet, shot, signIn } from './support/browser.ts';
import { MANAGER_PIN } from './support/pos-server.ts';
import { usePosAndBrowser } from './support/use-pos.ts';

/** The manager's reconciliation screen in Chromium: behind the PIN, every difference with its action, in zh and en. */
const e2e = usePosAndBrowser();
const beijingToday = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);

describe('reconciliation screen', { timeout: 180_000 }, () => {
  it.each(['zh', 'en'] as const)('asks for the manager PIN, reconciles a day and shows each difference with what to do (%s)', async (lang) => {
    const terminal = await e2e.pos.addTerminal(`recon-${lang}`);
    // A sale through the till, and a charge at WeChat the till never journaled.
    const sale = await e2e.pos.api<Payment>(terminal.token, '/api/payments', { method: 'POST', body: JSON.stringify({ id: `e2e-recon-${lang}`, amount_fen: 1_250, auth_code: makeTestCode('success') }) });
    expect(sale.amount_fen).toBe(1_250);
    const wechat = createWechatClient({ ...SIMULATOR_DEFAULTS, signType: 'MD5', apiBase: `${e2e.pos.url}/simulator`, timeoutMs: 5_000 });
    const stray = `STRAY${lang}${Date.now()}`;
    expect((await wechat.micropay({ out_trade_no: stray, total_fee: 3_300, auth_code: makeTestCode('success'), body: 'Shop-POS' })).kind).toBe('ok');
    wechat.close();
    // And one at Alipay: its row names Alipay, and each wallet gets its line of totals.
    const alipay = createAlipayClient({ appId: ALIPAY_SIMULATOR_DEFAULTS.appId, privateKey: simulatorKey('appPrivateKey'), alipayPublicKey: simulatorKey('alipayPublicKey'), gateway: `${e2e.pos.url}/simulator/alipay/gateway.do`, timeoutMs: 5_000 });
    const alipayStray = `ASTRAY${lang}${Date.now()}`;
    expect((await alipay.pay({ out_trade_no: alipayStray, amount_fen: 4_400, auth_code: makeAlipayTestCode('success'), subject: 'Shop-POS' })).kind).toBe('ok');
    alipay.close();

    const { context, page } = await newTablet(e2e.browser, { lang });
    await signIn(context, page, e2e.pos, terminal);
    await page.goto(`${e2e.pos.url}/#/settings`);
    await page.click('[data-testid=open-reconciliation]');
    await page.waitForSelector('input[name=reconciliation-pin]');
    await expectAccessible(page, `reconciliation PIN (${lang})`);

    await page.fill('input[name=reconciliation-pin]', '0000');
    await page.press('input[name=reconciliation-pin]', 'Enter');
    await page.waitForSelector('[data-testid=reconciliation] [role=alert]');
    await page.fill('input[name=reconciliation-pin]', MANAGER_PIN);
    await page.press('input[name=reconciliation-pin]', 'Enter');
    await page.fill('input[name=bill-date]', beijingToday());
    // The first language's run found nothing stored for today; the second sees that run until it reconciles again.
    await page.waitForSelector(lang === 'zh' ? '[data-testid=reconcile-none]' : '[data-testid=reconcile-status]');
    await page.click('[data-testid=reconcile-run]');
    await page.waitForSelector('[data-testid=reconcile-status][data-status=differences]');
    const row = page.locator(`[data-testid=reconcile-differences] tr[data-kind=missing_in_journal]:has-text("${stray}")`);
    await row.waitFor();
    expect(await row.textContent()).toContain(lang === 'zh' ? '退款或补记' : 'refund it or record the sale');
    expect(await row.textContent()).toContain('¥33.00');
    expect(await page.isVisible(`[data-testid=reconcile-differences] tr:has-text("${sale.out_trade_no}")`)).toBe(false);
    const alipayRow = page.locator(`[data-testid=reconcile-differences] tr[data-wallet=alipay]:has-text("${alipayStray}")`);
    expect(await alipayRow.textContent()).toContain(lang === 'zh' ? '支付宝已收款' : 'Paid at Alipay');
    expect(await page.locator('[data-testid=reconcile-wallets] li[data-wallet=alipay]').textContent()).toContain(lang === 'zh' ? '支付宝' : 'Alipay');
    await shot(page, `reconciliation-${lang}`);
    await expectAccessible(page, `reconciliation result (${lang})`);

    await page.click('[data-testid=reconcile-csv]');
    await page.waitForSelector('[data-testid=reconciliation] [role=status]');
    await context.close();
  });
});
