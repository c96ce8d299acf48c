/**
 * Prints a receipt the way this tablet is set up: ESC/POS straight to its USB printer when one
 * was chosen in Settings, else the browser's print dialog. Loaded on first use (the "Print
 * receipt" button, auto-print, the printer card); the GB18030 table loads only for a USB print.
 */
import { isTrainingSale, type Payment, type Refund } from '../../../../shared/api.ts';
import type { Api, TerminalDetails } from '../api.ts';
import type { Lang } from '../i18n.svelte.ts';
import { escposReceipt } from './escpos.ts';
import { COLUMNS, layoutReceipt } from './layout.ts';
import { printInDialog } from './print-dialog.ts';
import { loadPrinterSettings, type PrinterSettings } from './printer-settings.ts';
import { buildReceipt, ReceiptError, testReceipt, type Receipt } from './receipt.ts';
import { receiptText } from './texts.ts';
import { findPrinter, PrinterError, usbOf, writeToPrinter } from './usb-printer.ts';
import type { UsbLike } from './usb-types.ts';

export { receiptText } from './texts.ts';

export interface PrintContext {
  /** GET /api/terminal: shop name, time zone, simulator or live, this terminal. */
  details: TerminalDetails;
  lang: Lang;
  settings?: PrinterSettings;
  usb?: UsbLike;
}

export type PrintedVia = 'usb' | 'dialog';

let lastDetails: TerminalDetails | undefined;

/**
 * GET /api/terminal, fresh for each print (the shop's name or mode may have changed), or the last
 * answer when the server cannot be reached: a reprint should not need the network.
 */
export async function terminalDetails(api: Pick<Api, 'terminal'>): Promise<TerminalDetails> {
  try {
    lastDetails = await api.terminal();
  } catch (error) {
    if (!lastDetails) throw error;
  }
  return lastDetails;
}

export interface PaymentReceiptOptions {
  reprint?: boolean;
  refunds?: readonly Refund[];
  /** 'dialog' prints with the browser even when a USB printer is set up (its fallback). */
  via?: 'dialog';
  now?: Date;
}

export function paymentReceipt(payment: Payment, ctx: PrintContext, o: PaymentReceiptOptions = {}): Receipt {
  const { details } = ctx;
  const own = payment.terminal === undefined || payment.terminal === details.terminal.id;
  return buildReceipt({
    payment,
    shopName: details.shop_name ?? '',
    // Another terminal's payment (a reprint from the shop's history) shows that terminal's id: GET /api/terminal names only this one.
    terminalName: own ? details.terminal.name : payment.terminal!,
    cashier: payment.cashier ?? null,
    ...(o.refunds ? { refunds: o.refunds } : {}),
    training: isTrainingSale(details, payment.wallet),
    timeZone: details.time_zone,
    lang: ctx.lang,
    ...(o.reprint ? { reprintedAt: o.now ?? new Date() } : {}),
  });
}

export async function printPaymentReceipt(payment: Payment, ctx: PrintContext, o: PaymentReceiptOptions = {}): Promise<PrintedVia> {
  return output(paymentReceipt(payment, ctx, o), ctx, o.via);
}

export async function printTestPage(ctx: PrintContext, via?: 'dialog'): Promise<PrintedVia> {
  const settings = ctx.settings ?? loadPrinterSettings();
  const receipt = testReceipt({ shopName: ctx.details.shop_name ?? '', lang: ctx.lang, paper: settings.paper, columns: COLUMNS[settings.paper], at: new Date(), timeZone: ctx.details.time_zone });
  return output(receipt, { ...ctx, settings }, via);
}

/** Any receipt-shaped paper (the shift hand-over report) through this tablet's printer, like a sale's receipt. */
export function printReceipt(receipt: Receipt, ctx: PrintContext, via?: 'dialog'): Promise<PrintedVia> {
  return output(receipt, ctx, via);
}

/** The ESC/POS bytes of a receipt for a paper width (what a USB print sends). */
export async function receiptBytes(receipt: Receipt, paper: PrinterSettings['paper']): Promise<Uint8Array> {
  const { encodeGb18030 } = await import('./gb18030.ts');
  return escposReceipt(layoutReceipt(receipt, paper), encodeGb18030);
}

async function output(receipt: Receipt, ctx: PrintContext, via: 'dialog' | undefined): Promise<PrintedVia> {
  const settings = ctx.settings ?? loadPrinterSettings();
  if (via === 'dialog' || !settings.usb) {
    printInDialog(receipt, settings.paper);
    return 'dialog';
  }
  const usb = ctx.usb ?? usbOf();
  if (!usb) throw new PrinterError('UNSUPPORTED');
  const device = await findPrinter(usb, settings.usb);
  if (!device) throw new PrinterError('NOT_CONNECTED');
  await writeToPrinter(device, await receiptBytes(receipt, settings.paper));
  return 'usb';
}

/** A USB failure, after which the print dialog is worth offering. */
export const isPrinterError = (error: unknown): boolean => error instanceof PrinterError && error.code !== 'CANCELED';

/** What went wrong, in the cashier's language. */
export function printErrorText(error: unknown, lang: Lang): string {
  if (error instanceof PrinterError || error instanceof ReceiptError) return receiptText(lang, `error.${error.code}`);
  return receiptText(lang, 'error.UNKNOWN', { detail: error instanceof Error ? error.message : String(error) });
}
