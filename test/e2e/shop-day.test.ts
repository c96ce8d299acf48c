import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { PaymentList } from '../../shared/api.ts';
import type { ShiftReport } from '../../shared/shop-day.ts';
import { makeTestCode } from '../../server/simulator/test-codes.ts';
import { localDate, localDayRange } from '../../server/payments/shop-time.ts';
import { addDays } from '../../server/reports/periods.ts';
import { usePosAndBrowser } from './support/use-pos.ts';
import { MANAGER_PIN, type Terminal } from './support/pos-server.ts';
import { FAKE_USB_SCRIPT } from './support/fake-usb.ts';
import { LANDSCAPE, SHOTS, newTablet, shot, waitForStatus, wedgeScan } from './support/browser.ts';
import { printedColumns, readEscPos } from '../web/receipt/escpos-reader.ts';

/** The shop's day in Chromium: two cashiers hand over a till, the owner's report, the CSV export. */
const SHOP = '张记小吃店';
const TZ = 'Asia/Shanghai';
const PHONE = { width: 390, height: 844 };
const e2e = usePosAndBrowser({ SHOP_NAME: SHOP });

const written = async (page: Page) => Uint8Array.from(await page.evaluate(() => (window as unknown as { __usbWritten: number[] }).__usbWritten));
const clearWritten = (page: Page) => page.evaluate(() => void ((window as unknown as { __usbWritten: number[] }).__usbWritten.length = 0));
const waitForCut = (page: Page) =>
  page.waitForFunction(() => {
    const w = (window as unknown as { __usbWritten: number[] }).__usbWritten;
    return w.length > 3 && w[w.length - 3] === 0x1d && w[w.length - 2] === 0x56;
  }, undefined, { timeout: 30_000 });

/**
 * Opens the POS with the terminal's token, as a paired tablet would, and waits for `selector`.
 * Every Content-Security-Policy violation on the page is recorded (see `violations`).
 */
async function open(page: Page, terminal: Terminal, selector: string, hash = '#/'): Promise<void> {
  await page.context().addInitScript((token) => {
    if (!localStorage.getItem('pos.token')) localStorage.setItem('pos.token', token);
    const seen: string[] = ((globalThis as { __violations?: string[] }).__violations ??= []);
    document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
  }, terminal.token);
  await page.goto(`${e2e.pos.url}/${hash}`);
  await page.waitForSelector(selector, { timeout: 30_000 });
}

const violations = (page: Page) => page.evaluate(() => (globalThis as { __violations?: string[] }).__violations ?? []);

async function sell(page: Page, keys: string, next: string): Promise<void> {
  if (await page.isVisible('[data-testid=result]')) await page.click(`button:has-text("${next}")`);
  for (const k of keys) await page.click(`.keypad button:text-is("${k}")`);
  await page.waitForSelector(`[data-testid=amount]:has-text("${keys}")`);
  await wedgeScan(page, makeTestCode('success'));
  await waitForStatus(page, 'result', 'succeeded');
}

async function signInCashier(page: Page, pin: string): Promise<void> {
  await page.fill('input[name=cashier-pin]', pin);
  await page.press('input[name=cashier-pin]', 'Enter');
}

describe('cashiers and the shift hand-over in Chromium', { timeout: 180_000 }, () => {
  it('without cashiers sells as before; with two, each signs in, sells, hands over with a report on screen and on the USB printer, and the next signs in', async () => {
    const terminal = await e2e.pos.addTerminal('counter-1');
    const { context, page } = await newTablet(e2e.browser, { lang: 'zh' });
    await context.addInitScript(FAKE_USB_SCRIPT);
    await open(page, terminal, '[data-testid=amount]');
    await sell(page, '5', '下一笔');
    expect(await page.isVisible('[data-testid=on-shift]')).toBe(false);

    // The printer this till hands over on.
    await page.click('nav a:has-text("设置")');
    await page.click('[data-testid=printer-card] button:has-text("选择 USB 打印机")');
    await page.waitForSelector('[data-testid=printer-status]:has-text("已连接")');

    await e2e.pos.addCashier('王芳', '1357');
    await e2e.pos.addCashier('Li Lei', '8642');
    await page.click('nav a:has-text("收款")');
    await page.waitForSelector('[data-testid=shift-sign-in]');
    await shot(page, 'shift-sign-in-zh');
    await signInCashier(page, '0000');
    await page.waitForSelector('[data-testid=shift-sign-in] [role=alert]');
    expect(await page.textContent('[data-testid=shift-sign-in] [role=alert]')).toContain('没有收银员使用这个密码');
    await signInCashier(page, '1357');
    await page.waitForSelector('[data-testid=amount]');
    expect(await page.textContent('[data-testid=on-shift]')).toBe('王芳 · 交班');
    await sell(page, '25.8', '下一笔');
    await sell(page, '10', '下一笔');

    await page.click('[data-testid=on-shift]');
    await page.waitForSelector('[data-testid=handover]');
    expect(await page.textContent('[data-testid=handover-totals]')).toContain('¥35.80');
    await shot(page, 'shift-current-zh');
    await page.click('[data-testid=close-shift]');
    await page.click('[data-testid=confirm-close]');
    await page.waitForSelector('[data-testid=handover-closed]');
    expect(await page.textContent('[data-testid=handover-cashier]')).toBe('王芳');
    expect(await page.textContent('[data-testid=handover-net]')).toBe('¥35.80');
    expect(await page.textContent('[data-testid=handover-open]')).toBe('无');
    await shot(page, 'shift-handover-zh');

    // The hand-over report on paper: ESC/POS through the till's USB printer, 32 columns on 58 mm.
    await clearWritten(page);
    await page.click('[data-testid=print-handover]');
    await waitForCut(page);
    const paper = readEscPos(await written(page));
    const lines = paper.lines.map((l) => l.text);
    expect(paper.lines[0]).toMatchObject({ text: SHOP, align: 'center', bold: true });
    expect(lines).toContain('训练模式 / TRAINING');
    expect(lines).toContain('交班报告');
    expect(lines).toContain(`收银员${' '.repeat(32 - 6 - 4)}王芳`);
    expect(lines).toContain(`收银台${' '.repeat(32 - 6 - 'counter-1'.length)}counter-1`);
    expect(lines).toContain(`收款${' '.repeat(32 - 4 - 7)}￥35.80`);
    expect(lines).toContain(`净额${' '.repeat(32 - 4 - 7)}￥35.80`);
    for (const raw of paper.rawLines) expect(printedColumns(raw)).toBeLessThanOrEqual(32);

    await page.click('[data-testid=next-cashier]');
    await page.waitForSelector('[data-testid=shift-sign-in]');
    await signInCashier(page, '8642');
    await page.waitForSelector('[data-testid=amount]');
    expect(await page.textContent('[data-testid=on-shift]')).toBe('Li Lei · 交班');
    await sell(page, '7', '下一笔');

    const { shifts } = await e2e.pos.api<{ shifts: ShiftReport[] }>(terminal.token, '/api/shifts');
    expect(shifts.map((s) => [s.cashier, s.totals.count, s.totals.net_fen, s.closed_at === null])).toEqual([
      ['王芳', 2, 3580, false],
      ['Li Lei', 1, 700, true],
    ]);
    const day = await e2e.pos.api<PaymentList>(terminal.token, '/api/payments');
    expect(day.payments.map((p) => [p.amount_fen, p.cashier]).sort()).toEqual([
      [1000, '王芳'],
      [2580, '王芳'],
      [500, null],
      [700, 'Li Lei'],
    ].sort());

    // The server out of reach: the shift screen shows the figures last read, saying so.
    await page.route('**/api/shifts/current', (route) => route.abort());
    await page.click('[data-testid=on-shift]');
    await page.waitForSelector('[data-testid=shift-last-known]');
    expect(await page.textContent('[data-testid=handover-cashier]')).toBe('Li Lei');
    await shot(page, 'shift-last-known-zh');
    await page.unroute('**/api/shifts/current');
    await page.click('nav a:has-text("收款")');
    await page.waitForSelector('[data-testid=on-shift]');

    // Li Lei hands over through the print dialog on 80 mm paper: the print view holds only the report.
    await page.evaluate(() => {
      localStorage.setItem('pos.printer', JSON.stringify({ paper: 80, autoPrint: false }));
      window.print = () => void ((window as unknown as { __printed: number }).__printed = 1);
    });
    await page.click('[data-testid=on-shift]');
    await page.click('[data-testid=close-shift]');
    await page.click('[data-testid=confirm-close]');
    await page.waitForSelector('[data-testid=handover-closed]');
    await page.click('[data-testid=print-handover]');
    await page.waitForFunction(() => (window as unknown as { __printed?: number }).__printed === 1);
    const sheet = page.locator('#receipt-print [data-testid=receipt-sheet]');
    expect(await sheet.textContent()).toContain('交班报告');
    expect(await sheet.textContent()).toContain('Li Lei');
    await page.emulateMedia({ media: 'print' });
    await page.setViewportSize({ width: Math.ceil((80 / 25.4) * 96), height: 200 });
    expect(await page.isVisible('nav')).toBe(false);
    await page.screenshot({ path: `${SHOTS}/shift-handover-print-80mm-zh.png`, fullPage: true });
    await page.emulateMedia({ media: 'screen' });
    await page.setViewportSize(LANDSCAPE);
    expect(await violations(page)).toEqual([]);
    await context.close();
  });
});

/** Payments and refunds written straight into the journal for days gone by, so the report has a shape to show. */
function seedJournal(dataDir: string, counter: string, window: string, days: { day: string; scale: number }[]): void {
  const db = new Database(join(dataDir, 'micropay.sqlite'));
  db.pragma('busy_timeout = 5000');
  const pay = db.prepare(
    `INSERT INTO payments (id, out_trade_no, terminal_id, amount_fen, auth_code_masked, auth_code_hash, status, step, transaction_id,
       deadline_at, reverse_after, next_at, created_at, updated_at, cashier)
     VALUES (@id, @id, @terminal, @amount, '1300**********0000', @id, @status, 'done', @tx, @at, @at, @at, @at, @at, @cashier)`,
  );
  const refund = db.prepare(
    `INSERT INTO refunds (id, payment_id, amount_fen, status, step, attempts, next_at, created_at, updated_at, cashier)
     VALUES (@id, @payment, @amount, 'succeeded', 'done', 1, @at, @at, @at, @cashier)`,
  );
  const busy = [0, 0, 0, 0, 0, 0, 0, 1, 3, 4, 3, 6, 9, 7, 4, 3, 4, 6, 8, 7, 4, 2, 1, 0];
  db.transaction(() => {
    for (const { day, scale } of days) {
      const start = localDayRange(day, TZ).from;
      busy.forEach((count, hour) => {
        for (let i = 0; i < Math.round(count * scale); i++) {
          const id = `seed-${day}-${hour}-${i}`;
          const at = start + hour * 3_600_000 + i * 397_000;
          const cashier = hour < 14 ? '王芳' : hour < 20 ? 'Li Lei' : null;
          const amount = 800 + ((hour * 37 + i * 211) % 40) * 150;
          const failed = i === 2 && hour % 5 === 0;
          pay.run({ id, terminal: i % 3 === 0 ? window : counter, amount, status: failed ? 'failed' : 'succeeded', tx: failed ? null : `42${id}`, at, cashier });
          if (!failed && i === 1 && hour % 4 === 1) refund.run({ id: `r-${id}`, payment: id, amount: 500, at: at + 600_000, cashier });
        }
      });
    }
  })();
  db.close();
}

describe('the owner’s report in Chromium', { timeout: 180_000 }, () => {
  it('shows a day, a week and a month on a till behind the manager PIN, in Chinese and English, and on the owner’s phone link without one', async () => {
    const counter = await e2e.pos.addTerminal('counter-r');
    const window = await e2e.pos.addTerminal('window-r');
    const ids = await Promise.all([counter, window].map(async (t) => (await e2e.pos.api<{ terminal: { id: string } }>(t.token, '/api/terminal')).terminal.id));
    const yesterday = addDays(localDate(Date.now(), TZ), -1);
    seedJournal(e2e.pos.dataDir, ids[0]!, ids[1]!, [
      { day: yesterday, scale: 1 },
      { day: addDays(yesterday, -7), scale: 0.8 },
      ...[-1, -2, -3, -4, -5, -6, -8, -9, -10, -11, -12, -13, -14].map((d, i) => ({ day: addDays(yesterday, d), scale: 0.5 + (i % 4) * 0.15 })),
    ]);

    const { context, page } = await newTablet(e2e.browser, { lang: 'zh' });
    await open(page, counter, 'nav a:has-text("报表")');
    await page.click('nav a:has-text("报表")');
    await page.waitForSelector('input[name=report-pin]');
    await shot(page, 'report-pin-zh');
    await page.fill('input[name=report-pin]', MANAGER_PIN);
    await page.press('input[name=report-pin]', 'Enter');
    await page.waitForSelector('[data-testid=report-totals]');
    await page.click('button[aria-label=上一期]');
    await page.waitForSelector(`[data-testid=chart-hours]`);
    await page.waitForFunction(() => !document.querySelector('[data-testid=report-totals]')?.textContent?.includes('¥0.00 ·'));
    const totals = await page.textContent('[data-testid=report-totals]');
    expect(totals).toMatch(/收款\s*¥\d+\.\d\d/);
    expect(await page.textContent('[data-testid=report]')).toContain('王芳');
    expect(await page.locator('[data-testid=chart-hours] rect').count()).toBe(24);
    await shot(page, 'report-day-zh');
    await page.click('button[role=tab]:has-text("周")');
    await page.waitForSelector('[data-testid=chart-days]');
    expect(await page.locator('[data-testid=chart-days] rect').count()).toBe(7);
    await shot(page, 'report-week-zh');
    await page.click('button[role=tab]:has-text("月")');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=chart-days] rect').length >= 28);
    await page.screenshot({ path: `${SHOTS}/report-month-zh.png`, fullPage: true });
    expect(await violations(page)).toEqual([]);
    await context.close();

    const en = await newTablet(e2e.browser, { lang: 'en' });
    await open(en.page, counter, 'input[name=report-pin]', '#/report');
    await en.page.fill('input[name=report-pin]', MANAGER_PIN);
    await en.page.press('input[name=report-pin]', 'Enter');
    await en.page.waitForSelector('[data-testid=report-totals]');
    await en.page.click('button[aria-label=previous]');
    await en.page.waitForFunction(() => document.querySelector('[data-testid=report]')?.textContent?.includes('Li Lei'));
    await en.page.screenshot({ path: `${SHOTS}/report-day-en.png`, fullPage: true });
    await en.context.close();

    // The owner's phone: the report is the home screen, no PIN, no checkout.
    const owner = await e2e.pos.addTerminal('Boss phone', 'owner');
    for (const lang of ['zh', 'en'] as const) {
      const phone = await newTablet(e2e.browser, { lang, portrait: true });
      await phone.page.setViewportSize(PHONE);
      await open(phone.page, owner, '[data-testid=report-totals]');
      expect(await phone.page.isVisible('input[name=report-pin]')).toBe(false);
      expect(await phone.page.locator('nav a').allTextContents()).toEqual(lang === 'zh' ? ['报表', '今日流水', '设置'] : ['Report', 'History', 'Settings']);
      await phone.page.click(`button[aria-label=${lang === 'zh' ? '上一期' : 'previous'}]`);
      await phone.page.waitForFunction(() => document.querySelector('[data-testid=report]')?.textContent?.includes('王芳'));
      await phone.page.screenshot({ path: `${SHOTS}/report-owner-phone-${lang}.png`, fullPage: true });
      // Nothing wider than the phone: no sideways scrolling.
      expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
      await phone.context.close();
    }
  });
});

describe('the CSV export from History in Chromium', { timeout: 120_000 }, () => {
  it('downloads the day’s payments with the manager PIN, as UTF-8 with a BOM, one row per payment of the day', async () => {
    const terminal = await e2e.pos.addTerminal('counter-x');
    const { context, page } = await newTablet(e2e.browser, { lang: 'en' });
    // Whether a cashier must sign in depends on the tests before this one: ask the server as the app
    // does, and wait for that screen (the checkout shows until the app's own answer arrives).
    const current = await e2e.pos.api<{ cashiers_required: boolean }>(terminal.token, '/api/shifts/current');
    if (current.cashiers_required) {
      await open(page, terminal, '[data-testid=shift-sign-in]');
      await signInCashier(page, '1357');
      await page.waitForSelector('[data-testid=amount]');
    } else {
      await open(page, terminal, '[data-testid=amount]');
    }
    await sell(page, '12.5', 'Next sale');
    await page.click('nav a:has-text("History")');
    await page.waitForSelector('[data-testid=payments] li');
    await page.click('[data-testid=export]');
    await page.waitForSelector('[data-testid=export-dialog]');
    await page.fill('input[name=export-pin]', MANAGER_PIN);
    await shot(page, 'export-dialog-en');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-dialog] button[type=submit]')]);
    await page.waitForSelector('[data-testid=export-done]');
    const today = localDate(Date.now(), TZ);
    expect(download.suggestedFilename()).toBe(`payments_${today}_${today}.csv`);
    const bytes = readFileSync((await download.path())!);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parse(bytes.toString('utf8'), { bom: true, columns: true }) as Record<string, string>[];
    const day = await e2e.pos.api<PaymentList>(terminal.token, '/api/payments');
    expect(rows.map((r) => r.out_trade_no).sort()).toEqual(day.payments.map((p) => p.out_trade_no).sort());
    expect(rows.find((r) => r.amount === '12.50')).toMatchObject({ terminal: 'counter-x', status: 'succeeded', cashier: '王芳' });
    expect(await violations(page)).toEqual([]);
    await context.close();
  });
});

describe('cashiers in Settings in Chromium', { timeout: 120_000 }, () => {
  it('lists, adds and removes cashiers behind the manager PIN, and the new cashier signs in', async () => {
    const terminal = await e2e.pos.addTerminal('counter-s');
    const { context, page } = await newTablet(e2e.browser, { lang: 'en' });
    await open(page, terminal, '[data-testid=cashiers-card]', '#/settings');
    await page.fill('input[name=cashiers-manager-pin]', '0000');
    await page.click('[data-testid=cashiers-card] button:has-text("Manage cashiers")');
    await page.waitForSelector('[data-testid=cashiers-card] [role=alert]');
    expect(await page.textContent('[data-testid=cashiers-card] [role=alert]')).toContain('manager PIN is wrong');
    await page.fill('input[name=cashiers-manager-pin]', MANAGER_PIN);
    await page.click('[data-testid=cashiers-card] button:has-text("Manage cashiers")');
    await page.waitForSelector('[data-testid=cashier-list]');
    expect(await page.locator('[data-testid=cashier-list] li span').allTextContents()).toEqual(['王芳', 'Li Lei']);
    await page.fill('input[name=cashier-name]', 'Zhou Min');
    await page.fill('input[name=cashier-new-pin]', '1357');
    await page.click('[data-testid=cashiers-card] button:has-text("Add cashier")');
    await page.waitForSelector('[data-testid=cashiers-card] [role=alert]');
    expect(await page.textContent('[data-testid=cashiers-card] [role=alert]')).toContain('must differ from every other cashier’s');
    await page.fill('input[name=cashier-new-pin]', '2580');
    await page.click('[data-testid=cashiers-card] button:has-text("Add cashier")');
    await page.waitForSelector('[data-testid=cashier-list] li:has-text("Zhou Min")');
    await page.locator('[data-testid=cashiers-card]').scrollIntoViewIfNeeded();
    await shot(page, 'settings-cashiers-en');

    await page.click('nav a:has-text("Checkout")');
    await signInCashier(page, '2580');
    await page.waitForSelector('[data-testid=on-shift]:has-text("Zhou Min")');
    const shift = (await e2e.pos.api<{ shift: ShiftReport }>(terminal.token, '/api/shifts/current')).shift;
    await e2e.pos.api(terminal.token, `/api/shifts/${shift.id}/close`, { method: 'POST' });

    await page.click('nav a:has-text("Settings")');
    await page.fill('input[name=cashiers-manager-pin]', MANAGER_PIN);
    await page.click('[data-testid=cashiers-card] button:has-text("Manage cashiers")');
    page.once('dialog', (d) => void d.accept());
    await page.click('[data-testid=cashier-list] li:has-text("Zhou Min") button');
    await page.waitForSelector('[data-testid=cashier-list] li:has-text("Zhou Min")', { state: 'detached' });
    const { cashiers } = await e2e.pos.api<{ cashiers: { name: string }[] }>(terminal.token, '/api/cashiers', { headers: { 'X-Manager-Pin': MANAGER_PIN } });
    expect(cashiers.map((c) => c.name)).toEqual(['王芳', 'Li Lei']);
    expect(await violations(page)).toEqual([]);
    await context.close();
  });
});
