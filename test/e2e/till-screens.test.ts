import { describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { makeTestCode } from '../../server/simulator/test-codes.ts';
import type { Payment } from '../../shared/api.ts';
import { usePosAndBrowser } from './support/use-pos.ts';
import { MANAGER_PIN, type Terminal } from './support/pos-server.ts';
import { expectAccessible } from './support/axe.ts';
import { DEVICE_STUBS } from './support/stubs.ts';
import { LANDSCAPE, PORTRAIT, newTablet, signIn, shot, waitForStatus, wedgeScan } from './support/browser.ts';

/**
 * The cashier's screens read from across the counter (issue 11, points 5–8 and 10–13): the
 * success takeover with its voice, recent sales, the history a page at a time, the language,
 * the refund dialog, contrast and landmarks, the settings, and how the app travels. axe-core on
 * every screen; screenshots in Chinese and English.
 */
const e2e = usePosAndBrowser();
let counter = 0;

interface Till {
  page: Page;
  context: BrowserContext;
  terminal: Terminal;
  close: () => Promise<void>;
}

async function till(lang: 'zh' | 'en', portrait = false, name = `screens-${++counter}`): Promise<Till> {
  const terminal = await e2e.pos.addTerminal(name);
  const { context, page } = await newTablet(e2e.browser, { lang, portrait });
  await context.addInitScript(DEVICE_STUBS);
  await signIn(context, page, e2e.pos, terminal);
  return { page, context, terminal, close: () => context.close() };
}

async function sale(page: Page, amount: string, behaviour: Parameters<typeof makeTestCode>[0] = 'success') {
  for (const k of amount) await page.click(`.keypad button:text-is("${k}")`);
  await page.waitForSelector(`[data-testid=amount]:has-text("${amount}")`);
  await wedgeScan(page, makeTestCode(behaviour));
  if (behaviour === 'success') {
    await waitForStatus(page, 'result', 'succeeded');
    await page.click('.takeover button.primary');
    await page.waitForSelector('.keypad');
  }
}

/** Pays directly through the API (the history needs many payments quickly). */
async function paid(t: Terminal, amount_fen: number): Promise<Payment> {
  const id = `e2e${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  return e2e.pos.api<Payment>(t.token, '/api/payments', { method: 'POST', body: JSON.stringify({ id, amount_fen, auth_code: makeTestCode('success') }) });
}

const fontPx = (page: Page, selector: string) => page.$eval(selector, (el) => parseFloat(getComputedStyle(el).fontSize));

describe('success takeover', { timeout: 120_000 }, () => {
  it.each([
    ['zh', false],
    ['zh', true],
    ['en', false],
    ['en', true],
  ] as const)('fills the screen readable from 2 m and says the amount aloud (%s, portrait %s)', async (lang, portrait) => {
    const { page, close } = await till(lang, portrait);
    for (const k of '25.8') await page.click(`.keypad button:text-is("${k}")`);
    await page.waitForSelector('[data-testid=amount]:has-text("25.8")');
    await wedgeScan(page, makeTestCode('success'));
    await waitForStatus(page, 'result', 'succeeded');
    expect(await page.textContent('#success-title')).toMatch(lang === 'zh' ? /收款成功\s*¥25\.80/ : /Payment received\s*¥25\.80/);
    expect(await fontPx(page, '#success-title')).toBeGreaterThanOrEqual(48);
    expect(await fontPx(page, '[data-testid=success-amount]')).toBeGreaterThanOrEqual(48);
    const box = (await page.locator('.takeover').boundingBox())!;
    expect(box.width).toBeGreaterThan((portrait ? PORTRAIT : LANDSCAPE).width * 0.9);
    await page.waitForFunction(() => (window as unknown as { __spoken: unknown[] }).__spoken.length > 0);
    expect(await page.evaluate(() => (window as unknown as { __spoken: unknown[] }).__spoken)).toEqual([
      lang === 'zh' ? { text: '微信收款 25.80 元', lang: 'zh-CN' } : { text: 'WeChat Pay received 25.80 yuan', lang: 'en-US' },
    ]);
    await page.click('[data-testid=print-receipt]');
    await page.waitForFunction(() => (window as unknown as { __printed: number }).__printed === 1);
    await shot(page, `success-${lang}-${portrait ? 'portrait' : 'landscape'}`);
    await expectAccessible(page, 'success');
    await close();
  });
});

describe('what the customer paid', { timeout: 60_000 }, () => {
  it.each(['zh', 'en'] as const)('shows the cash paid, the coupon and the bank by name when WeChat says them (%s)', async (lang) => {
    const { page, close } = await till(lang);
    // The payment's cash_fen, coupon_fen and bank_type (contract fields the flow journals from WeChat's answer), as the API gives them.
    await page.route(/\/api\/payments(\/[^/?]+)?$/, async (route) => {
      const response = await route.fetch();
      const body = await response.json();
      const paid = body.status === 'succeeded' ? { cash_fen: body.amount_fen - 500, coupon_fen: 500, settlement_fen: body.amount_fen, bank_type: 'CMB_DEBIT' } : {};
      await route.fulfill({ response, json: { ...body, ...paid } });
    });
    for (const k of '25.8') await page.click(`.keypad button:text-is("${k}")`);
    await page.waitForSelector('[data-testid=amount]:has-text("25.8")');
    await wedgeScan(page, makeTestCode('success'));
    await waitForStatus(page, 'result', 'succeeded');
    expect(await page.textContent('[data-testid=cash]')).toBe('¥20.80');
    expect(await page.textContent('[data-testid=coupon]')).toBe('−¥5.00');
    expect(await page.textContent('[data-testid=bank]')).toBe(lang === 'zh' ? '招商银行借记卡' : 'China Merchants Bank debit card');
    await shot(page, `success-paid-with-${lang}`);
    await expectAccessible(page, 'success with cash, coupon and bank');
    await close();
  });
});

describe('recent sales and history', { timeout: 180_000 }, () => {
  it.each(['zh', 'en'] as const)('lists the last sales beside the checkout, newest first with their status, and opens one (%s)', async (lang) => {
    const { page, close } = await till(lang);
    await sale(page, '11');
    await sale(page, '22');
    await page.waitForSelector('[data-testid=recent] li:nth-child(2)');
    const rows = await page.$$eval('[data-testid=recent] [data-testid=payment-row]', (els) => els.map((e) => e.textContent ?? ''));
    expect(rows[0]).toMatch(/¥22\.00/);
    expect(rows[1]).toMatch(/¥11\.00/);
    expect(rows[0]).toMatch(lang === 'zh' ? /成功/ : /Paid/);
    await shot(page, `recent-sales-${lang}`);
    await expectAccessible(page, 'checkout with recent sales');
    await page.click('[data-testid=recent] [data-testid=payment-row] >> nth=0');
    await page.waitForSelector('.detail .big:has-text("¥22.00")');
    await close();
  });

  it('pages through a busy day, filters by terminal, finds by amount and number tail, and keeps the whole day’s totals', async () => {
    const a = await e2e.pos.addTerminal('history-a');
    const b = await e2e.pos.addTerminal('history-b');
    const made: Payment[] = [];
    for (let i = 0; i < 56; i++) made.push(await paid(a, 100 + i));
    await paid(b, 123_456);
    const day = await e2e.pos.api<{ totals: { count: number } }>(a.token, '/api/payments?limit=1');
    expect(day.totals.count).toBeGreaterThanOrEqual(57);
    const wholeDay = new RegExp(`\\b${day.totals.count}\\b`);
    const { page, close } = await till('en', false, 'history-viewer');
    await page.goto(`${e2e.pos.url}/#/history`);
    await page.waitForSelector('[data-testid=payments] li');
    // Newest first, one page (50) at a time.
    expect(await page.$$eval('[data-testid=payments] li', (els) => els.length)).toBe(50);
    expect(await page.textContent('[data-testid=payments] li >> nth=0')).toContain('¥1234.56');
    expect(await page.textContent('[data-testid=totals]')).toMatch(wholeDay); // the whole day, not the page
    await page.click('[data-testid=more]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=payments] li').length >= 57);
    await shot(page, 'history-paged-en');
    await expectAccessible(page, 'history');

    await page.selectOption('[data-testid=terminal-filter]', { label: 'history-b' });
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=payments] li').length === 1);
    expect(await page.textContent('[data-testid=totals]')).toMatch(wholeDay);
    await page.selectOption('[data-testid=terminal-filter]', { label: 'All terminals' });

    await page.fill('input[name=q]', '1234.56');
    await page.press('input[name=q]', 'Enter');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=payments] li').length === 1);
    expect(await page.textContent('[data-testid=payments]')).toContain('¥1234.56');
    await page.fill('input[name=q]', made[3]!.out_trade_no.slice(-6));
    await page.press('input[name=q]', 'Enter');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=payments] li').length === 1);
    expect(await page.textContent('[data-testid=payments]')).toContain('¥1.03');
    await page.fill('input[name=q]', made[7]!.transaction_id!.slice(-8));
    await page.press('input[name=q]', 'Enter');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=payments] li').length === 1);
    expect(await page.textContent('[data-testid=payments]')).toContain('¥1.07');
    await shot(page, 'history-search-en');
    await close();
  });

  it.each(['zh', 'en'] as const)('badges a partly refunded payment, lists its refunds with when, who and why, and says a past day is past (%s)', async (lang) => {
    const { page, terminal, close } = await till(lang);
    const p = await paid(terminal, 5000);
    await e2e.pos.api(terminal.token, `/api/payments/${p.id}/refunds`, { method: 'POST', headers: { 'X-Manager-Pin': MANAGER_PIN }, body: JSON.stringify({ id: `r${p.id}`.slice(0, 32), amount_fen: 1250, reason: 'broken cup' }) });
    await page.goto(`${e2e.pos.url}/#/history`);
    await page.waitForSelector('[data-testid=refund-badge]');
    expect(await page.textContent('[data-testid=refund-badge]')).toMatch(lang === 'zh' ? /部分退款 −¥12\.50/ : /Partly refunded −¥12\.50/);
    await page.click(`[data-testid=payments] a[href$="${p.id}"]`);
    await page.waitForSelector('[data-testid=refunds] tbody tr');
    const row = await page.textContent('[data-testid=refunds] tbody tr');
    expect(row).toContain('¥12.50');
    expect(row).toContain('broken cup');
    expect(row).toContain(terminal.name);
    await shot(page, `payment-refunds-${lang}`);
    await expectAccessible(page, 'payment detail');
    await page.goto(`${e2e.pos.url}/#/history`);
    await page.click(`button[aria-label="${lang === 'zh' ? '前一天' : 'Previous day'}"]`);
    await page.waitForSelector('[data-testid=past-day]');
    expect(await page.textContent('.history')).not.toMatch(/today yet|今天还没有/);
    expect(await page.textContent('h1')).toMatch(lang === 'zh' ? /\d{4}-\d{2}-\d{2} 的流水/ : /Payments of \d{4}-\d{2}-\d{2}/);
    await shot(page, `history-past-day-${lang}`);
    await expectAccessible(page, 'past day');
    await close();
  });

  it('keeps the list it has, marked stale, while the server is away', async () => {
    const { page, terminal, close } = await till('zh');
    await paid(terminal, 321);
    await page.goto(`${e2e.pos.url}/#/history`);
    await page.waitForSelector('[data-testid=payments] li');
    await e2e.pos.stop();
    await page.click('button:has-text("刷新")');
    await page.waitForSelector('[data-testid=stale]', { timeout: 20_000 });
    expect(await page.textContent('[data-testid=payments]')).toContain('¥3.21');
    await shot(page, 'history-stale-zh');
    await expectAccessible(page, 'history offline');
    await e2e.pos.start();
    await close();
  });
});

describe('language', { timeout: 120_000 }, () => {
  it.each(['zh', 'en'] as const)('shows no raw API or developer text, translates every aria-label, and tells time in the shop’s zone (%s)', async (lang) => {
    const { page, close } = await till(lang);
    const screens = ['#/', '#/history', '#/settings', '#/settings/diagnostics'];
    for (const hash of screens) {
      await page.goto(`${e2e.pos.url}/${hash}`);
      await page.waitForSelector('h1');
      await page.waitForLoadState('networkidle');
      const text = await page.textContent('body');
      expect(text, hash).not.toMatch(/amount_fen|Failed to fetch|wedge|npm run|undefined|NaN/);
      const labels = await page.$$eval('[aria-label]', (els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
      for (const label of labels) expect(label, `${hash} aria-label`).toMatch(lang === 'zh' ? /[\u4e00-\u9fff]/ : /^[A-Z][a-z]/);
      expect(await page.$$eval('h1', (els) => els.length), `${hash}: one h1`).toBe(1);
      await expectAccessible(page, hash);
    }
    // Diagnostics in shop time (Asia/Shanghai, UTC+8), whatever the machine's zone.
    await page.goto(`${e2e.pos.url}/#/settings/diagnostics`);
    await wedgeScan(page, '6901234567892', 5);
    await page.waitForSelector('[data-testid=recent-scans] td');
    const shown = await page.textContent('[data-testid=recent-scans] tbody td');
    const shanghai = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hour12: false }).format(new Date());
    expect(shown).toContain(shanghai.slice(0, 2));
    expect(await page.textContent('[data-testid=recent-scans]')).toContain(lang === 'zh' ? '键盘模式' : 'Keyboard mode');
    await shot(page, `diagnostics-${lang}`);
    await close();
  });
});

describe('refund dialog', { timeout: 120_000 }, () => {
  it.each(['zh', 'en'] as const)('says the most that can be refunded, takes focus, closes with Esc and the backdrop, and stays usable with the keyboard up (%s)', async (lang) => {
    const { page, terminal, close } = await till(lang);
    const p = await paid(terminal, 8800);
    await page.goto(`${e2e.pos.url}/#/history/${p.id}`);
    const refund = lang === 'zh' ? '退款' : 'Refund';
    await page.click(`button.danger:has-text("${refund}")`);
    await page.waitForSelector('[role=dialog]');
    expect(await page.textContent('[data-testid=refund-max]')).toContain('¥88.00');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('amount');
    await shot(page, `refund-dialog-${lang}`);
    await expectAccessible(page, 'refund dialog');
    await page.keyboard.press('Escape');
    await page.waitForSelector('[role=dialog]', { state: 'detached' });
    await page.click(`button.danger:has-text("${refund}")`);
    await page.mouse.click(5, 790); // the backdrop
    await page.waitForSelector('[role=dialog]', { state: 'detached' });

    // The on-screen keyboard takes half the screen: every field and the button stay reachable.
    await page.setViewportSize({ width: 1280, height: 360 });
    await page.click(`button.danger:has-text("${refund}")`);
    await page.fill('input[name=amount]', '8');
    await page.fill('input[name=pin]', '0000');
    await page.locator('.dialog button[type=submit]').scrollIntoViewIfNeeded();
    expect(await page.locator('.dialog button[type=submit]').isVisible()).toBe(true);
    await shot(page, `refund-dialog-keyboard-${lang}`);
    await page.click('.dialog button[type=submit]');
    await page.waitForSelector('.dialog [role=alert]');
    expect(await page.textContent('.dialog [role=alert]')).toMatch(lang === 'zh' ? /店长密码错误/ : /manager PIN is wrong/);
    expect(await page.textContent('[data-testid=attempts-left]')).toMatch(lang === 'zh' ? /还可以再试 \d+ 次/ : /\d+ more tries before a lock-out/);
    await shot(page, `refund-wrong-pin-${lang}`);
    await page.setViewportSize(LANDSCAPE);
    await close();
  });

  it('updates the payment when the refund settles, even when the dialog was closed first', async () => {
    const { page, terminal, close } = await till('en');
    const p = await paid(terminal, 3000);
    await page.goto(`${e2e.pos.url}/#/history/${p.id}`);
    await page.click('button.danger:has-text("Refund")');
    await page.fill('input[name=amount]', '10');
    await page.fill('input[name=pin]', MANAGER_PIN);
    await page.click('.dialog button[type=submit]');
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid=refunded]:has-text("¥10.00")', { timeout: 30_000 });
    await page.waitForSelector('[data-testid=refunds] tr[data-status=succeeded]');
    await close();
  });
});

describe('contrast, semantics and settings', { timeout: 120_000 }, () => {
  it('shows a visible focus ring on the keypad and white button text on a dark enough green', async () => {
    const { page, close } = await till('zh');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(outline).toBe('solid');
    const [fg, bg] = await page.$eval('.key.charge', (el) => [getComputedStyle(el).color, getComputedStyle(el).backgroundColor]);
    expect(fg).toBe('rgb(255, 255, 255)');
    expect(bg).toBe('rgb(6, 122, 64)'); // 5.4:1 with white (WeChat's #07c160 is 2.4:1)
    await close();
  });

  it.each(['zh', 'en'] as const)('turns the beeps and the voice on and off with a test each, and keeps the screen on by default (%s)', async (lang) => {
    const { page, close } = await till(lang);
    await page.waitForFunction(() => (window as unknown as { __wake: { held: boolean } }).__wake.held);
    await page.goto(`${e2e.pos.url}/#/settings`);
    await page.waitForSelector('[data-testid=voice-toggle]');
    expect(await page.isChecked('[data-testid=voice-toggle]')).toBe(true);
    expect(await page.isChecked('[data-testid=tones-toggle]')).toBe(true);
    expect(await page.isChecked('[data-testid=wake-toggle]')).toBe(true);
    await page.click('[data-testid=voice-test]');
    expect(await page.evaluate(() => (window as unknown as { __spoken: { text: string }[] }).__spoken.map((s) => s.text))).toEqual([
      lang === 'zh' ? '微信收款 25.80 元' : 'WeChat Pay received 25.80 yuan',
    ]);
    await shot(page, `settings-sound-${lang}`);
    await expectAccessible(page, 'settings');
    await page.click('[data-testid=wake-toggle]');
    await page.waitForFunction(() => !(window as unknown as { __wake: { held: boolean } }).__wake.held);
    await page.click('[data-testid=voice-toggle]');
    await page.goto(`${e2e.pos.url}/#/`);
    await sale(page, '5');
    expect(await page.evaluate(() => (window as unknown as { __spoken: unknown[] }).__spoken)).toHaveLength(1); // the test's only
    await page.reload();
    await page.waitForSelector('[data-testid=amount]');
    expect(await page.evaluate(() => (window as unknown as { __wake: { requests: number } }).__wake.requests)).toBe(0); // kept off
    await close();
  });

  it('asks for the manager PIN to unpair, refuses a wrong one with the tries left, and forgets the pairing with the right one', async () => {
    const { page, terminal, close } = await till('zh');
    await page.goto(`${e2e.pos.url}/#/settings`);
    await page.click('button:has-text("解除配对")');
    await page.fill('input[name=unpair-pin]', '0000');
    await page.click('.unpair button[type=submit]');
    await page.waitForSelector('.unpair [role=alert]');
    expect(await page.textContent('.unpair [role=alert]')).toMatch(/店长密码错误.*还可以再试 \d+ 次/);
    expect(await page.evaluate(() => localStorage.getItem('pos.token'))).toBeTruthy();
    await shot(page, 'settings-unpair-pin-zh');
    await expectAccessible(page, 'unpair');
    await page.fill('input[name=unpair-pin]', MANAGER_PIN);
    await page.click('.unpair button[type=submit]');
    await page.waitForSelector('.pairing');
    expect(await page.evaluate(() => localStorage.getItem('pos.token'))).toBeNull();
    // The server revoked the token at once: it opens nothing any more.
    const res = await fetch(`${e2e.pos.url}/api/terminal`, { headers: { Authorization: `Bearer ${terminal.token}` } });
    expect(res.status).toBe(401);
    await close();
  });
});

describe('transfer', { timeout: 60_000 }, () => {
  it('gets the app’s scripts and styles compressed and cached for a year', async () => {
    const { context, page } = await newTablet(e2e.browser, { lang: 'en' });
    const assets: { url: string; encoding?: string; cache?: string; bytes: Promise<number> }[] = [];
    page.on('response', (res) => {
      if (/\/assets\/.+\.(js|css)$/.test(res.url())) {
        assets.push({ url: res.url(), encoding: res.headers()['content-encoding'], cache: res.headers()['cache-control'], bytes: res.body().then((b) => b.length) });
      }
    });
    await page.goto(`${e2e.pos.url}/#/`);
    await page.waitForSelector('.pairing');
    expect(assets.length).toBeGreaterThan(1);
    for (const a of assets) {
      // Files of a few hundred bytes are not worth compressing (the build skips them).
      if ((await a.bytes) >= 512) expect(a.encoding, a.url).toBe('br');
      expect(a.cache, a.url).toBe('public, max-age=31536000, immutable');
    }
    expect(assets.filter((a) => a.encoding === 'br').length).toBeGreaterThan(1);
    await context.close();
  });
});
