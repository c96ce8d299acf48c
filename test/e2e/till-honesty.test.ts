import { describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { makeAlipayTestCode, makeTestCode } from '../../server/simulator/test-codes.ts';
import type { Payment } from '../../shared/api.ts';
import { usePosAndBrowser } from './support/use-pos.ts';
import type { Terminal } from './support/pos-server.ts';
import { expectAccessible } from './support/axe.ts';
import { DEVICE_STUBS } from './support/stubs.ts';
import { newTablet, signIn, shot, waitForStatus, wedgeScan } from './support/browser.ts';

/**
 * The till never lies (issue 11, points 1–4 and 9): training mode is unmistakable, nothing is
 * charged behind the cashier's back while the server is away, the "do not charge twice" notice
 * clears, every in-progress state says why and for how long, and the amount is never cut off.
 * Every screen is checked with axe-core and photographed in Chinese and English.
 */
const e2e = usePosAndBrowser();
let counter = 0;

interface Till {
  page: Page;
  context: BrowserContext;
  terminal: Terminal;
  close: () => Promise<void>;
}

async function till(lang: 'zh' | 'en', portrait = false): Promise<Till> {
  const terminal = await e2e.pos.addTerminal(`honest-${++counter}`);
  const { context, page } = await newTablet(e2e.browser, { lang, portrait });
  await context.addInitScript(DEVICE_STUBS);
  await signIn(context, page, e2e.pos, terminal);
  return { page, context, terminal, close: () => context.close() };
}

async function keyAmount(page: Page, keys: string) {
  for (const k of keys) await page.click(`.keypad button:text-is("${k}")`);
  await page.waitForSelector(`[data-testid=amount]:has-text("${keys.replace(/^0+(?=\d)/, '')}")`);
}

/** This terminal's payments today, from the server. */
async function payments(t: Terminal): Promise<{ payments: Payment[] }> {
  const { terminal } = await e2e.pos.api<{ terminal: { id: string } }>(t.token, '/api/terminal');
  return e2e.pos.api<{ payments: Payment[] }>(t.token, `/api/payments?limit=200&terminal=${terminal.id}`);
}

describe('training mode', { timeout: 120_000 }, () => {
  it.each(['zh', 'en'] as const)('marks every screen and the success as training, and refuses a real customer’s code (%s)', async (lang) => {
    const { page, terminal, close } = await till(lang);
    const banner = lang === 'zh' ? '训练模式 · 不会真实扣款' : 'Training mode · no real money';
    await page.waitForSelector(`[data-testid=training-banner]:has-text("${banner}")`);
    await expectAccessible(page, 'checkout');
    for (const [hash, ready] of [['#/history', '[data-testid=totals]'], ['#/settings', '[data-testid=server-status]'], ['#/settings/diagnostics', '.diagnostics']] as const) {
      await page.goto(`${e2e.pos.url}/${hash}`);
      await page.waitForSelector(ready);
      expect(await page.textContent('[data-testid=training-banner]')).toContain(banner);
    }
    await page.goto(`${e2e.pos.url}/#/`);
    await keyAmount(page, '25.8');
    // A real customer's WeChat code (not a simulator test code) is refused: nothing moves, nothing is stored.
    await wedgeScan(page, '134567890123456789');
    const notice = await page.waitForSelector('[data-testid=notice]');
    expect(await notice.textContent()).toMatch(lang === 'zh' ? /训练模式.*测试付款码/ : /Training mode.*test payment codes/);
    expect(await payments(terminal)).toMatchObject({ payments: [] });
    await shot(page, `training-refused-${lang}`);
    await expectAccessible(page, 'checkout with a refusal');

    await wedgeScan(page, makeTestCode('success'));
    await waitForStatus(page, 'result', 'succeeded');
    expect(await page.getAttribute('[data-testid=watermark]', 'data-text')).toBe(lang === 'zh' ? '训练 · 未扣款' : 'TRAINING · NO MONEY');
    await shot(page, `training-success-${lang}`);
    await expectAccessible(page, 'success');
    await close();
  });

  it('names the wallet that trains when the other is live, and marks only that wallet’s sale as training', async () => {
    const { page, close } = await till('zh');
    // The server here simulates both wallets; the app is told WeChat Pay is live, as a shop trying Alipay before going live would see.
    const liveWeChat = { mode: 'live', wallets: { wechat: 'live', alipay: 'simulator' } };
    await page.route(/\/api\/(health|terminal)$/, async (route) => {
      const answer = await route.fetch();
      await route.fulfill({ response: answer, json: { ...(await answer.json()), ...liveWeChat } });
    });
    await page.reload();
    const banner = await page.waitForSelector('[data-testid=training-banner][data-wallets=alipay]');
    expect(await banner.textContent()).toContain('支付宝为训练模式 · 不会真实扣款');
    await shot(page, 'training-alipay-only-zh');
    await expectAccessible(page, 'checkout with one wallet training');

    await keyAmount(page, '6');
    await wedgeScan(page, makeTestCode('success'));
    await waitForStatus(page, 'result', 'succeeded');
    expect(await page.$('[data-testid=watermark]')).toBeNull();
    await page.click('text=下一笔');
    await keyAmount(page, '7');
    await wedgeScan(page, makeAlipayTestCode('success'));
    await waitForStatus(page, 'result', 'succeeded');
    expect(await page.getAttribute('[data-testid=wallet]', 'data-wallet')).toBe('alipay');
    expect(await page.getAttribute('[data-testid=watermark]', 'data-text')).toBe('训练 · 未扣款');
    await close();
  });

  it('shows the training banner on the pairing screen too', async () => {
    const { context, page } = await newTablet(e2e.browser, { lang: 'zh' });
    await page.goto(`${e2e.pos.url}/#/`);
    await page.waitForSelector('.pairing');
    await page.waitForSelector('[data-testid=training-banner]');
    await expectAccessible(page, 'pairing');
    await shot(page, 'pairing-training-zh');
    await context.close();
  });
});

describe('offline: never charged behind the cashier’s back', { timeout: 180_000 }, () => {
  it('disables Charge and refuses a scan while the server is down, sends nothing when it returns, and charges again after', async () => {
    const { page, terminal, close } = await till('zh');
    await keyAmount(page, '12');
    await e2e.pos.stop();
    await page.waitForSelector('[data-testid=offline-banner]', { timeout: 20_000 });
    expect(await page.isDisabled('.key.charge')).toBe(true);
    // A code scanned while the server is away is refused with the reason and kept nowhere.
    await wedgeScan(page, makeTestCode('success'));
    expect(await page.textContent('[data-testid=notice]')).toContain('无法连接收银服务器');
    expect(await page.evaluate(() => localStorage.getItem('pos.pending-payment'))).toBeNull();
    await shot(page, 'offline-refused-zh');
    await expectAccessible(page, 'checkout offline');
    await e2e.pos.start();
    await page.waitForSelector('[data-testid=offline-banner]', { state: 'detached', timeout: 20_000 });
    expect(await page.isDisabled('.key.charge')).toBe(false);
    expect((await payments(terminal)).payments).toEqual([]);
    await wedgeScan(page, makeTestCode('success'));
    await waitForStatus(page, 'result', 'succeeded');
    expect((await payments(terminal)).payments).toHaveLength(1);
    await close();
  });

  it.each(['en', 'zh'] as const)('holds a payment the server never received for the cashier: “send now” charges it once (%s)', async (lang) => {
    const { page, terminal, close } = await till(lang);
    await keyAmount(page, '7');
    // The POST dies on the way (the connection drops): the server never sees it.
    await page.route('**/api/payments', (route) => (route.request().method() === 'POST' ? route.abort('connectionreset') : route.continue()), { times: 1 });
    await wedgeScan(page, makeTestCode('success'));
    await page.waitForSelector('[data-testid=unsent][data-absent=true]', { timeout: 20_000 });
    expect(await page.textContent('[data-testid=unsent]')).toMatch(lang === 'zh' ? /服务器没有收到这笔收款/ : /never received this payment/);
    expect((await payments(terminal)).payments).toEqual([]);
    await shot(page, `unsent-ask-${lang}`);
    await expectAccessible(page, 'unsent payment');
    await page.click(`button:has-text("${lang === 'zh' ? '立即发送' : 'Send now'}")`);
    await waitForStatus(page, 'result', 'succeeded');
    expect((await payments(terminal)).payments).toHaveLength(1);
    await close();
  });

  it('discards a payment the server never received: nothing was sent, and the next scan is a new payment', async () => {
    const { page, terminal, close } = await till('en');
    await keyAmount(page, '9');
    await page.route('**/api/payments', (route) => (route.request().method() === 'POST' ? route.abort('connectionreset') : route.continue()), { times: 1 });
    await wedgeScan(page, makeTestCode('success'));
    await page.waitForSelector('[data-testid=unsent][data-absent=true]', { timeout: 20_000 });
    await page.click('button:has-text("Discard (nothing was sent)")');
    await page.waitForSelector('[data-testid=notice]:has-text("never sent")');
    expect((await payments(terminal)).payments).toEqual([]);
    await shot(page, 'unsent-discarded-en');
    await close();
  });

  it('never sends a code older than 60 s found after a reload: only “discard” is offered', async () => {
    const { page, terminal, context, close } = await till('zh');
    await context.addInitScript((code) => {
      if (!sessionStorage.getItem('seeded')) {
        sessionStorage.setItem('seeded', '1');
        localStorage.setItem('pos.pending-payment', JSON.stringify({ id: 'p-old-unsent', amount_fen: 1500, auth_code: code, started_at: Date.now() - 90_000 }));
      }
    }, makeTestCode('success'));
    await page.reload();
    await page.waitForSelector('[data-testid=unsent][data-absent=true]', { timeout: 20_000 });
    expect(await page.textContent('[data-testid=code-age]')).toContain('超过 60 秒');
    expect(await page.isVisible('button:has-text("立即发送")')).toBe(false);
    await shot(page, 'unsent-expired-zh');
    await page.click('button:has-text("放弃（未发送）")');
    await page.waitForSelector('[data-testid=notice]');
    expect((await payments(terminal)).payments).toEqual([]);
    await close();
  });
});

describe('in-progress states say why and for how long', { timeout: 120_000 }, () => {
  it('clears “a payment is in progress – do not charge twice” when the payment ends', async () => {
    const { page, terminal, close } = await till('en');
    await keyAmount(page, '4');
    await wedgeScan(page, makeTestCode('password'));
    await waitForStatus(page, 'progress', 'user_paying');
    await wedgeScan(page, makeTestCode('success'));
    await page.waitForSelector('[data-testid=notice]:has-text("in progress")');
    const active = (await e2e.pos.activePayment(terminal.token))!;
    await e2e.pos.customer('confirm', active.out_trade_no);
    await waitForStatus(page, 'result', 'succeeded');
    await page.click('button:has-text("Next sale")');
    await page.waitForSelector('.keypad');
    expect(await page.$('[data-testid=notice]')).toBeNull();
    await close();
  });

  it.each(['zh', 'en'] as const)('says Sending with the time waited and offers Cancel after a few seconds (%s)', async (lang) => {
    const { page, terminal, close } = await till(lang);
    await keyAmount(page, '3');
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await page.route('**/api/payments', async (route) => {
      if (route.request().method() === 'POST') await held;
      await route.continue();
    });
    await wedgeScan(page, makeTestCode('password'));
    await page.waitForSelector('[data-testid=progress][data-state=submitting]');
    await page.waitForSelector('[data-testid=progress] button.danger', { timeout: 10_000 });
    expect(await page.textContent('[data-testid=waited]')).toMatch(/[3-9]/);
    await shot(page, `sending-${lang}`);
    await expectAccessible(page, 'sending');
    // Cancel before the server has it: the payment is cancelled as soon as it arrives.
    await page.click('[data-testid=progress] button.danger');
    await page.waitForSelector('[data-testid=progress][data-state=cancelling]');
    release();
    await waitForStatus(page, 'result', 'canceled', 30_000);
    const [p] = (await payments(terminal)).payments;
    expect(p).toMatchObject({ status: 'canceled', cancel_requested: true });
    await close();
  });

  it.each(['zh', 'en'] as const)('says why it is checking (a bank problem) with the deadline countdown (%s)', async (lang) => {
    const { page, close } = await till(lang);
    await keyAmount(page, '6');
    await wedgeScan(page, makeTestCode('bankerror'));
    await page.waitForSelector('[data-testid=checking-reason]', { timeout: 20_000 });
    expect(await page.textContent('[data-testid=checking-reason]')).toMatch(lang === 'zh' ? /银行系统异常/ : /The bank had a problem/);
    expect(await page.textContent('[data-testid=countdown]')).toMatch(/\d+/);
    await shot(page, `checking-bank-${lang}`);
    await expectAccessible(page, 'checking');
    await page.click('[data-testid=progress] button.danger');
    await waitForStatus(page, 'result', 'canceled', 30_000);
    await close();
  });

  it.each(['zh', 'en'] as const)('says Cancelling – the customer must not enter the password – until the reverse is done (%s)', async (lang) => {
    const { page, close } = await till(lang);
    await keyAmount(page, '8');
    // The simulator's first reverse of this code answers recall=Y: the reverse takes a second round.
    await wedgeScan(page, makeTestCode('reverse_recall'));
    await waitForStatus(page, 'progress', 'user_paying');
    await page.click('[data-testid=progress] button.danger');
    await page.waitForSelector('[data-testid=progress][data-state=cancelling]');
    expect(await page.textContent('[data-testid=progress]')).toMatch(lang === 'zh' ? /正在撤销，请顾客不要输入密码/ : /Cancelling: the customer must not enter the password/);
    await shot(page, `cancelling-${lang}`);
    await expectAccessible(page, 'cancelling');
    await waitForStatus(page, 'result', 'canceled', 30_000);
    await shot(page, `canceled-${lang}`);
    await expectAccessible(page, 'canceled');
    await close();
  });
});

describe('amount entry', { timeout: 60_000 }, () => {
  it.each([
    ['zh', false],
    ['en', true],
  ] as const)('shows the largest amount whole with thousands separators and refuses a digit beyond the maximum (%s, portrait %s)', async (lang, portrait) => {
    const { page, close } = await till(lang, portrait);
    for (const k of '100000') await page.click(`.keypad button:text-is("${k}")`);
    await page.waitForSelector('[data-testid=amount]:has-text("100,000")');
    await page.click('.keypad button:text-is("0")');
    await page.waitForSelector('[data-testid=notice]');
    expect(await page.textContent('[data-testid=amount]')).toMatch(/¥\s*100,000$/);
    // Never cut off: the number fits its box.
    const fits = await page.$eval('[data-testid=amount]', (el) => el.scrollWidth <= el.clientWidth);
    expect(fits).toBe(true);
    await shot(page, `amount-max-${lang}-${portrait ? 'portrait' : 'landscape'}`);
    await expectAccessible(page, 'amount at the maximum');
    await close();
  });
});
