/**
 * The shift hand-over report as a receipt (receipt/receipt.ts blocks), so it prints on the
 * tablet's USB receipt printer or through the print dialog exactly like a sale's receipt.
 */
import { WALLET_NAMES, type ShiftReport } from '../../../shared/shop-day.ts';
import type { Lang } from './i18n.svelte.ts';
import { receiptMoney, receiptTime, type Receipt, type ReceiptBlock } from './receipt/receipt.ts';
import { receiptText } from './receipt/texts.ts';
import { SHOP_DAY_TEXTS, type ShopDayKey } from './shop-day-texts.ts';

export interface HandoverInput {
  report: ShiftReport;
  shopName: string;
  training: boolean;
  timeZone: string;
  lang: Lang;
  printedAt: Date;
}

export function handoverReceipt(input: HandoverInput): Receipt {
  const { report: r, lang, timeZone } = input;
  const t = (key: ShopDayKey, params?: Record<string, string | number>) => {
    let text: string = SHOP_DAY_TEXTS[key][lang];
    for (const [k, v] of Object.entries(params ?? {})) text = text.replace(`{${k}}`, String(v));
    return text;
  };
  const blocks: ReceiptBlock[] = input.shopName.trim() ? [{ kind: 'title', text: input.shopName.trim() }] : [];
  if (input.training) blocks.push({ kind: 'banner', text: receiptText(lang, 'training') });
  blocks.push({ kind: 'banner', text: t('shift.reportTitle') }, { kind: 'rule' });
  blocks.push({ kind: 'row', label: t('shift.cashier'), value: r.cashier });
  blocks.push({ kind: 'row', label: t('shift.terminal'), value: r.terminal_name });
  blocks.push({ kind: 'row', label: t('shift.opened'), value: receiptTime(r.opened_at, timeZone) });
  blocks.push({ kind: 'row', label: t('shift.closed'), value: r.closed_at ? receiptTime(r.closed_at, timeZone) : t('shift.stillOpen') });
  blocks.push({ kind: 'rule' });
  blocks.push({ kind: 'row', label: t('shift.count'), value: t('shift.countValue', { n: r.totals.count, ok: r.totals.succeeded_count }) });
  blocks.push({ kind: 'row', label: t('shift.received'), value: receiptMoney(r.totals.succeeded_fen) });
  blocks.push({ kind: 'row', label: t('shift.refunded'), value: receiptMoney(-r.totals.refunded_fen) });
  blocks.push({ kind: 'row', label: t('shift.net'), value: receiptMoney(r.totals.net_fen), big: true });
  if (r.by_wallet.length > 0) {
    blocks.push({ kind: 'rule' }, { kind: 'text', text: t('shift.byWallet') });
    for (const w of r.by_wallet) {
      const name = WALLET_NAMES[w.wallet]?.[lang] ?? w.wallet;
      blocks.push({ kind: 'row', label: `${name} ${t('shift.received')} ×${w.succeeded_count}`, value: receiptMoney(w.succeeded_fen) });
      if (w.refunded_fen > 0) blocks.push({ kind: 'row', label: `${name} ${t('shift.refunded')}`, value: receiptMoney(-w.refunded_fen) });
    }
  }
  blocks.push({ kind: 'rule' }, { kind: 'text', text: t('shift.openPayments') });
  if (r.open_payments.length === 0) blocks.push({ kind: 'row', label: '', value: t('shift.none') });
  for (const p of r.open_payments) blocks.push({ kind: 'row', label: `${receiptTime(p.created_at, timeZone).slice(11)} ${p.out_trade_no}`, value: receiptMoney(p.amount_fen) });
  if (r.processing_refunds.count > 0) blocks.push({ kind: 'text', text: t('shift.processingRefunds', { n: r.processing_refunds.count, amount: receiptMoney(r.processing_refunds.amount_fen) }) });
  blocks.push({ kind: 'rule' }, { kind: 'row', label: receiptText(lang, 'printedAt'), value: receiptTime(input.printedAt, timeZone) });
  return { blocks };
}
