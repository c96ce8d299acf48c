import { describe, expect, it } from 'vitest';
import type { TerminalDetails } from '../../../web/src/lib/api.ts';
import { paymentReceipt, printErrorText, printPaymentReceipt, printTestPage, terminalDetails } from '../../../web/src/lib/receipt/print.ts';
import { DEFAULT_PRINTER_SETTINGS, loadPrinterSettings, PRINTER_KEY, savePrinterSettings } from '../../../web/src/lib/receipt/printer-settings.ts';
import { describePrinter, PrinterError } from '../../../web/src/lib/receipt/usb-printer.ts';
import { MemoryStorage } from '../support/fake-server.ts';
import { readEscPos } from './escpos-reader.ts';
import { FakeUsb, FakeUsbDevice } from './fake-usb.ts';
import { paidPayment } from './fixtures.ts';

const details: TerminalDetails = {
  terminal: { id: 't-counter1', name: 'counter-1' },
  mode: 'simulator',
  shop_name: '张记小吃店',
  time_zone: 'Asia/Shanghai',
  max_amount_fen: 10_000_000,
  pin_configured: true,
};

describe('printing a payment’s receipt', () => {
  it('sends it as ESC/POS to the chosen USB printer, laid out for its paper', async () => {
    const printer = new FakeUsbDevice();
    const usb = new FakeUsb([printer]);
    const via = await printPaymentReceipt(paidPayment(), { details, lang: 'zh', usb, settings: { paper: 80, autoPrint: false, usb: describePrinter(printer) } });
    expect(via).toBe('usb');
    const read = readEscPos(Uint8Array.from(printer.written));
    expect(read.commands.slice(0, 2)).toEqual(['init', 'chinese']);
    expect(read.commands.at(-1)).toBe('cut partial');
    const text = read.lines.map((l) => l.text);
    expect(text.slice(0, 2)).toEqual(['张记小吃店', '训练模式 / TRAINING']);
    expect(text).toContain('商户单号             P20261128100005a1b2c3d4e5f6');
    expect(text).toContain('收银台                                 counter-1');
  });

  it('says the printer is not connected when it is unplugged, and does not fall back on its own', async () => {
    const usb = new FakeUsb([]);
    const settings = { paper: 58 as const, autoPrint: true, usb: { vendorId: 0x0416, productId: 0x5011, name: 'POS58' } };
    const error = await printPaymentReceipt(paidPayment(), { details, lang: 'en', usb, settings }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'NOT_CONNECTED' });
    expect(printErrorText(error, 'en')).toMatch(/not connected/);
    expect(printErrorText(error, 'zh')).toMatch(/打印机未连接/);
  });

  it('says WebUSB is missing when a USB printer is set up in a browser without it', async () => {
    const settings = { paper: 58 as const, autoPrint: false, usb: { vendorId: 1, productId: 2, name: 'x' } };
    await expect(printPaymentReceipt(paidPayment(), { details, lang: 'en', settings })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });

  it('prints a test page with the paper’s ruler', async () => {
    const printer = new FakeUsbDevice();
    await printTestPage({ details, lang: 'en', usb: new FakeUsb([printer]), settings: { paper: 58, autoPrint: false, usb: describePrinter(printer) } });
    const text = readEscPos(Uint8Array.from(printer.written)).lines.map((l) => l.text);
    expect(text).toContain('12345678901234567890123456789012');
    expect(text).toContain('Printer test');
  });

  it('names another terminal’s payment by its terminal id, this terminal by its name, and says training only in simulator mode', () => {
    const rowValue = (r: ReturnType<typeof paymentReceipt>, label: string) => r.blocks.find((b) => b.kind === 'row' && b.label === label);
    expect(rowValue(paymentReceipt(paidPayment(), { details, lang: 'zh' }), '收银台')).toMatchObject({ value: 'counter-1' });
    expect(rowValue(paymentReceipt(paidPayment({ terminal: 't-other' }), { details, lang: 'zh' }), '收银台')).toMatchObject({ value: 't-other' });
    const live = paymentReceipt(paidPayment(), { details: { ...details, mode: 'live' }, lang: 'zh' });
    expect(live.blocks.some((b) => b.kind === 'banner')).toBe(false);
    const reprint = paymentReceipt(paidPayment(), { details, lang: 'en' }, { reprint: true, now: new Date('2026-11-29T00:00:00Z') });
    expect(reprint.blocks).toContainEqual({ kind: 'banner', text: 'REPRINT' });
  });

  it('uses the last known shop details when the server cannot be reached, and fails only if it never answered', async () => {
    let up = true;
    const api = { terminal: async () => { if (!up) throw new Error('offline'); return details; } };
    expect(await terminalDetails(api)).toEqual(details);
    up = false;
    expect(await terminalDetails(api)).toEqual(details);
  });

  it('words a failure the cashier can act on, whatever it was', () => {
    expect(printErrorText(new PrinterError('BUSY'), 'en')).toMatch(/WinUSB/);
    expect(printErrorText(new Error('boom'), 'en')).toBe('Printing failed: boom');
  });
});

describe('the tablet’s printer settings', () => {
  it('start at 58 mm, no auto-print and the print dialog', () => {
    expect(loadPrinterSettings(new MemoryStorage())).toEqual(DEFAULT_PRINTER_SETTINGS);
  });

  it('come back as saved', () => {
    const store = new MemoryStorage();
    const settings = { paper: 80 as const, autoPrint: true, usb: { vendorId: 0x0416, productId: 0x5011, serialNumber: 'SN', name: 'POS80' } };
    expect(savePrinterSettings(settings, store)).toBe(true);
    expect(loadPrinterSettings(store)).toEqual(settings);
  });

  it('ignore what they cannot read instead of failing a sale', () => {
    const store = new MemoryStorage();
    store.setItem(PRINTER_KEY, '{"paper": 76, "autoPrint": "yes", "usb": {"vendorId": "x"}}');
    expect(loadPrinterSettings(store)).toEqual(DEFAULT_PRINTER_SETTINGS);
    store.setItem(PRINTER_KEY, 'not json');
    expect(loadPrinterSettings(store)).toEqual(DEFAULT_PRINTER_SETTINGS);
  });
});
