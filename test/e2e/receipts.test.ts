import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Payment, PaymentList } from '../../shared/api.ts';
import { makeTestCode } from '../../server/simulator/test-codes.ts';
import { usePosAndBrowser } from './support/use-pos.ts';
import type { Terminal } from './support/pos-server.ts';
import { FAKE_USB_SCRIPT } from './support/fake-usb.ts';
import { LANDSCAPE, SHOTS, newTablet, shot, signIn, waitForStatus, wedgeScan } from './support/browser.ts';
import { printedColumns, readEscPos } from '../web/receipt/escpos-reader.ts';

/** Receipts after a sale and from the history: ESC/POS to a (fake) USB printer, and the browser's print dialog. */
const SHOP = '张记小吃店';
const e2e = usePosAndBrowser({ SHOP_NAME: SHOP });

const hex = (text: string) => Buffer.from(text, 'hex');
const written = async (page: Page) => Uint8Array.from(await page.evaluate(() => (window as unknown as { __usbWritten: number[] }).__usbWritten));
const clearWritten = (page: Page) => page.evaluate(() => void ((window as unknown as { __usbWritten: number[] }).__usbWritten.length = 0));
/** Waits until a whole receipt has arrived: the last command is the cut. */
const waitForCut = (page: Page) =>
  page.waitForFunction(() => {
    const w = (window as unknown as { __usbWritten: number[] }).__usbWritten;
    return w.length > 3 && w[w.length - 3] === 0x1d && w[w.length - 2] === 0x56;
  }, undefined, { timeout: 30_000 });

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  return Buffer.from(haystack).includes(Buffer.from(needle));
}

async function sell(page: Page, keys: string): Promise<void> {
  for (const k of keys) await page.click(`.keypad button:text-is("${k}")`);
  await page.waitForSelector(`[data-testid=amount]:has-text("${keys}")`);
  await wedgeScan(page, makeTestCode('success'));
  await waitForStatus(page, 'result', 'succeeded');
}

/** This terminal's latest succeeded payment (the day's list holds every terminal's). */
async function lastPayment(terminal: Terminal): Promise<Payment> {
  const { terminal: me } = await e2e.pos.api<{ terminal: { id: string } }>(terminal.token, '/api/terminal');
  const list = await e2e.pos.api<PaymentList>(terminal.token, '/api/payments');
  const mine = list.payments.filter((p) => p.terminal === me.id && p.status === 'succeeded');
  return mine.sort((a, b) => b.created_at.localeCompare(a.created_at))[0]!;
}

/** The PDF Chromium prints for the page: its page count and the first page's size in points. */
function pdfPages(pdf: Buffer): { pages: number; width: number; height: number } {
  const text = pdf.toString('latin1');
  const boxes = [...text.matchAll(/\/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]/g)];
  const pages = /\/Type\s*\/Pages\b[^>]*?\/Count\s+(\d+)/s.exec(text) ?? /\/Count\s+(\d+)/.exec(text);
  return { pages: Number(pages?.[1]), width: Number(boxes[0]?.[1]), height: Number(boxes[0]?.[2]) };
}
const MM_TO_PT = 72 / 25.4;

describe('receipts in Chromium', { timeout: 120_000 }, () => {
  it('prints a receipt after a sale on the USB printer chosen in Settings: ESC/POS with GB18030 text and a cut, by itself and again on demand, and a marked reprint from the history', async () => {
    const terminal = await e2e.pos.addTerminal('counter-1');
    const { context, page } = await newTablet(e2e.browser, { lang: 'zh' });
    await context.addInitScript(FAKE_USB_SCRIPT);
    await signIn(context, page, e2e.pos, terminal);

    await page.click('nav a:has-text("设置")');
    await page.waitForSelector('[data-testid=printer-card]');
    expect(await page.textContent('[data-testid=printer-card]')).toContain('未选择 USB 打印机');
    await page.click('[data-testid=printer-card] button:has-text("选择 USB 打印机")');
    await page.waitForSelector('[data-testid=printer-status]:has-text("已连接")');
    expect(await page.textContent('[data-testid=printer-name]')).toContain('Winbond POS-58 Thermal Printer');

    // Test page: 32 columns on the default 58 mm paper.
    await page.click('[data-testid=printer-card] button:has-text("打印测试页")');
    await waitForCut(page);
    const test = readEscPos(await written(page));
    expect(test.commands.slice(0, 2)).toEqual(['init', 'chinese']);
    expect(test.lines.map((l) => l.text)).toContain('12345678901234567890123456789012');
    expect(await page.textContent('[data-testid=printer-message]')).toContain('已发送到打印机');
    await clearWritten(page);

    await page.check('input[name=auto-print]');
    await page.locator('[data-testid=printer-card]').scrollIntoViewIfNeeded();
    await shot(page, 'settings-printer-zh');

    // A sale: the receipt prints by itself once the success screen shows.
    await page.click('nav a:has-text("收款")');
    await sell(page, '25.8');
    await waitForCut(page);
    const bytes = await written(page);
    const payment = await lastPayment(terminal);
    expect(Array.from(bytes.subarray(0, 4))).toEqual([0x1b, 0x40, 0x1c, 0x26]); // ESC @, FS &
    expect(Array.from(bytes.subarray(-6))).toEqual([0x1b, 0x64, 0x04, 0x1d, 0x56, 0x01]); // feed 4, partial cut
    expect(contains(bytes, hex('d5c5bcc7d0a1b3d4b5ea'))).toBe(true); // 张记小吃店 in GB18030
    expect(contains(bytes, hex('d1b5c1b7c4a3cabd'))).toBe(true); // 训练模式
    expect(contains(bytes, hex('a3a432352e3830'))).toBe(true); // ￥25.80
    const receipt = readEscPos(bytes);
    const lines = receipt.lines.map((l) => l.text);
    expect(receipt.lines[0]).toEqual({ text: SHOP, align: 'center', bold: true, size: [2, 2] });
    expect(receipt.lines[1]).toMatchObject({ text: '训练模式 / TRAINING', align: 'center', bold: true });
    expect(lines).toContain('金额                     ￥25.80');
    expect(lines).toContain(`${' '.repeat(32 - payment.out_trade_no.length)}${payment.out_trade_no}`);
    expect(lines).toContain(`${' '.repeat(32 - payment.transaction_id!.length)}${payment.transaction_id}`);
    expect(lines).toContain(`收银台${' '.repeat(32 - 6 - 'counter-1'.length)}counter-1`);
    for (const raw of receipt.rawLines) expect(printedColumns(raw)).toBeLessThanOrEqual(32);
    await shot(page, 'checkout-success-receipt-zh');

    // The button prints the same receipt again; coming back to the result screen does not auto-print twice.
    await clearWritten(page);
    await page.click('[data-testid=print-receipt]');
    await waitForCut(page);
    expect(Buffer.from(await written(page)).equals(Buffer.from(bytes))).toBe(true);
    await clearWritten(page);
    await page.click('nav a:has-text("今日流水")');
    await page.waitForSelector('[data-testid=payments] li');
    await page.click('nav a:has-text("收款")');
    // Print once by hand: prints are queued, so a second auto-print would have been sent before this one ends.
    await page.click('[data-testid=print-receipt]');
    await waitForCut(page);
    expect(Buffer.from(await written(page)).equals(Buffer.from(bytes))).toBe(true);
    await clearWritten(page);

    // A reprint from the payment's detail says so.
    await page.goto(`${e2e.pos.url}/#/history/${payment.id}`);
    await page.click('[data-testid=print-receipt]');
    await waitForCut(page);
    const reprint = readEscPos(await written(page)).lines.map((l) => l.text);
    expect(reprint).toContain('重打小票');
    expect(reprint).toContain('金额                     ￥25.80');
    await shot(page, 'payment-detail-receipt-zh');

    // Unplugged: the cashier is told, and can print with the browser instead.
    await page.evaluate(() => { (window as unknown as { print: () => void }).print = () => ((window as unknown as { __printed: number }).__printed = 1); });
    await page.evaluate(() => (window as unknown as { __usbUnplug: () => void }).__usbUnplug());
    await page.click('[data-testid=print-receipt]');
    await page.waitForSelector('[data-testid=print-error]');
    expect(await page.textContent('[data-testid=print-error]')).toContain('打印机未连接');
    await page.click('[data-testid=print-error] button:has-text("改用浏览器打印")');
    await page.waitForFunction(() => (window as unknown as { __printed?: number }).__printed === 1);
    await context.close();
  });

  it('prints through the browser’s print dialog with print CSS: only the receipt, on a page 58 or 80 mm wide and as long as the receipt', async () => {
    const terminal = await e2e.pos.addTerminal('counter-2');
    const { context, page } = await newTablet(e2e.browser, { lang: 'zh' });
    // The dialog itself cannot be driven headless: count the calls and look at the page it would print.
    await context.addInitScript(() => {
      window.print = () => void ((window as unknown as { __printCalls: number }).__printCalls = ((window as unknown as { __printCalls?: number }).__printCalls ?? 0) + 1);
    });
    await signIn(context, page, e2e.pos, terminal);
    await sell(page, '25.8');
    const payment = await lastPayment(terminal);

    for (const paper of [58, 80] as const) {
      if (paper === 80) {
        await page.evaluate(() => localStorage.setItem('pos.printer', JSON.stringify({ paper: 80, autoPrint: false })));
      }
      await page.click('[data-testid=print-receipt]');
      await page.waitForFunction((n) => (window as unknown as { __printCalls?: number }).__printCalls === n, paper === 58 ? 1 : 2);
      // A constructed sheet (the Content-Security-Policy refuses inline <style> elements).
      const pageRule = await page.evaluate(() => document.adoptedStyleSheets.flatMap((s) => [...s.cssRules].map((r) => r.cssText)).find((t) => t.startsWith('@page')));
      expect(pageRule).toContain(`size: ${paper}mm`);
      const sheet = page.locator('#receipt-print [data-testid=receipt-sheet]');
      expect(await sheet.textContent()).toContain(payment.out_trade_no);
      expect(await sheet.textContent()).toContain('训练模式 / TRAINING');

      await page.emulateMedia({ media: 'print' });
      // The viewport as wide as the paper (96 CSS px to the inch).
      await page.setViewportSize({ width: Math.ceil((paper / 25.4) * 96), height: 200 });
      // The success screen (a full-width takeover since issue 11) is not printed.
      expect(await page.isVisible('[data-testid=result]')).toBe(false);
      expect(await page.isVisible('nav')).toBe(false);
      expect(await sheet.isVisible()).toBe(true);
      expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBeLessThanOrEqual(Math.ceil((await sheet.boundingBox())!.height) + 1);
      const box = (await sheet.boundingBox())!;
      expect(box.x).toBe(0);
      expect(Math.round(box.width)).toBe(Math.round((paper / 25.4) * 96));
      await page.screenshot({ path: `${SHOTS}/receipt-print-${paper}mm-zh.png`, fullPage: true });

      const pdf = pdfPages(await page.pdf({ path: `${SHOTS}/receipt-print-${paper}mm-zh.pdf`, preferCSSPageSize: true, printBackground: true }));
      expect(pdf.pages).toBe(1);
      // Chromium rounds the page to its device pixels: within a third of a millimetre.
      expect(Math.abs(pdf.width - paper * MM_TO_PT)).toBeLessThan(1);
      // As long as the receipt, rounded up to the next millimetre plus one: no blank tail, nothing cut off.
      expect(pdf.height).toBeGreaterThanOrEqual((box.height / 96) * 72);
      expect(pdf.height).toBeLessThanOrEqual((box.height / 96) * 72 + 2 * MM_TO_PT + 0.1);

      // Printing ends with afterprint: the print view goes, the page prints as itself again.
      await page.waitForSelector('#receipt-print', { state: 'detached' });
      expect(await page.evaluate(() => document.documentElement.classList.contains('printing-receipt'))).toBe(false);
      expect(await page.isVisible('[data-testid=result]')).toBe(true);
      await page.emulateMedia({ media: 'screen' });
      await page.setViewportSize(LANDSCAPE);
    }
    await context.close();
  });
});
