/**
 * A receipt as content, independent of paper and output: blocks that the column layout
 * (layout.ts → ESC/POS) and the print view (receipt-sheet.svelte → print dialog) both render.
 */
import type { Payment, Refund } from '../../../../shared/api.ts';
import { formatYuan } from '../../../../shared/money.ts';
import type { Lang } from '../i18n.svelte.ts';
import { receiptText, type ReceiptTextKey } from './texts.ts';

export type ReceiptBlock =
  /** The shop's name: centred, bold, double size. */
  | { kind: 'title'; text: string }
  /** Must not be missed (training mode, reprint): centred, bold, double height. */
  | { kind: 'banner'; text: string }
  /** Centred plain text. */
  | { kind: 'center'; text: string }
  /** A label on the left, its value on the right; `big` prints it bold and double height; `code` marks an order number (smaller, fixed-width on the print view, so it stays on one line). */
  | { kind: 'row'; label: string; value: string; big?: boolean; code?: boolean }
  /** Free text from the left margin, wrapped. */
  | { kind: 'text'; text: string }
  | { kind: 'rule' };

export interface Receipt {
  blocks: ReceiptBlock[];
}

export interface ReceiptInput {
  payment: Payment;
  shopName: string;
  terminalName: string;
  /** The cashier's name, or null when the shop has no cashiers set up (the line is left out). */
  cashier: string | null;
  /** The payment's refunds, when known; without them the receipt shows the refunded total only. */
  refunds?: readonly Refund[];
  /** Simulator mode: no real money moved, and the receipt must say so. */
  training: boolean;
  /** The shop's time zone (GET /api/terminal's time_zone): times as the shop's clock shows them. */
  timeZone: string;
  lang: Lang;
  /** Set for a reprint: the copy is marked so it cannot pass for a second sale. */
  reprintedAt?: Date;
}

export class ReceiptError extends Error {
  override readonly name = 'ReceiptError';
  constructor(readonly code: 'NOT_SUCCEEDED') {
    super(code === 'NOT_SUCCEEDED' ? 'Only a succeeded payment has a receipt.' : code);
  }
}

/**
 * "￥25.80". The full-width yuan sign, not "¥" (U+00A5): the latter is a four-byte GB18030
 * sequence that GBK-only printers print as garbage; "￥" is the two-byte A3A4 every Chinese printer has.
 */
export const receiptMoney = (fen: number): string => `${fen < 0 ? '-' : ''}￥${formatYuan(Math.abs(fen))}`;

/** "2026-11-28 10:00:05" on the shop's clock, whatever the tablet's own time zone. */
export function receiptTime(at: Date | string, timeZone: string): string {
  const date = typeof at === 'string' ? new Date(at) : at;
  if (Number.isNaN(date.getTime())) return String(at);
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
}

export function buildReceipt(input: ReceiptInput): Receipt {
  const { payment: p, lang } = input;
  if (p.status !== 'succeeded') throw new ReceiptError('NOT_SUCCEEDED');
  const tx = (key: ReceiptTextKey) => receiptText(lang, key);
  const blocks: ReceiptBlock[] = input.shopName.trim() ? [{ kind: 'title', text: input.shopName.trim() }] : [];
  if (input.training) blocks.push({ kind: 'banner', text: tx('training') }, { kind: 'center', text: tx('trainingNote') });
  if (input.reprintedAt) blocks.push({ kind: 'banner', text: tx('reprint') });
  blocks.push({ kind: 'center', text: tx('heading') }, { kind: 'rule' });

  blocks.push({ kind: 'row', label: tx('time'), value: receiptTime(p.created_at, input.timeZone) });
  blocks.push({ kind: 'row', label: tx('amount'), value: receiptMoney(p.amount_fen), big: true });
  if (typeof p.cash_fen === 'number') blocks.push({ kind: 'row', label: tx('paid'), value: receiptMoney(p.cash_fen) });
  if (typeof p.coupon_fen === 'number' && p.coupon_fen > 0) blocks.push({ kind: 'row', label: tx('coupon'), value: receiptMoney(p.coupon_fen) });
  const wallet = tx(p.wallet === 'alipay' ? 'alipay' : 'wechat');
  blocks.push({ kind: 'row', label: tx('wallet'), value: p.bank_type ? `${wallet} ${p.bank_type}` : wallet });
  blocks.push({ kind: 'row', label: tx('outTradeNo'), value: p.out_trade_no, code: true });
  if (p.transaction_id) blocks.push({ kind: 'row', label: tx('transactionId'), value: p.transaction_id, code: true });
  if (p.description) blocks.push({ kind: 'row', label: tx('note'), value: p.description });
  if (input.cashier) blocks.push({ kind: 'row', label: tx('cashier'), value: input.cashier });
  blocks.push({ kind: 'row', label: tx('terminal'), value: input.terminalName });

  const refunds = (input.refunds ?? []).filter((r) => r.status !== 'failed');
  if (refunds.length > 0 || p.refunded_fen > 0) {
    blocks.push({ kind: 'rule' });
    for (const r of refunds) {
      const when = r.created_at ? ` ${receiptTime(r.created_at, input.timeZone)}` : '';
      blocks.push({ kind: 'row', label: `${tx(r.status === 'succeeded' ? 'refund' : 'refundPending')}${when}`, value: receiptMoney(-r.amount_fen) });
    }
    blocks.push({ kind: 'row', label: tx('refunded'), value: receiptMoney(p.refunded_fen) });
    blocks.push({ kind: 'row', label: tx('net'), value: receiptMoney(p.amount_fen - p.refunded_fen) });
  }

  blocks.push({ kind: 'rule' });
  if (input.reprintedAt) blocks.push({ kind: 'row', label: tx('printedAt'), value: receiptTime(input.reprintedAt, input.timeZone) });
  blocks.push({ kind: 'center', text: tx('thanks') });
  return { blocks };
}

/** Paper widths the printers take, in millimetres. */
export type Paper = 58 | 80;

/** A page that shows the printer's width, Chinese text and the cut: what "Print a test page" prints. */
export function testReceipt(input: { shopName: string; lang: Lang; paper: Paper; columns: number; at: Date; timeZone: string }): Receipt {
  const tx = (key: ReceiptTextKey, params?: Record<string, string | number>) => receiptText(input.lang, key, params);
  const ruler = Array.from({ length: input.columns }, (_, i) => String((i + 1) % 10)).join('');
  return {
    blocks: [
      { kind: 'title', text: input.shopName },
      { kind: 'banner', text: tx('testTitle') },
      { kind: 'rule' },
      { kind: 'text', text: tx('testPaper', { mm: input.paper, cols: input.columns }) },
      { kind: 'text', text: ruler },
      { kind: 'row', label: tx('testCjk'), value: '汉字' },
      { kind: 'row', label: tx('time'), value: receiptTime(input.at, input.timeZone) },
      { kind: 'rule' },
      { kind: 'center', text: tx('testOk') },
    ],
  };
}
