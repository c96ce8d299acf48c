import type { PaymentStatus, RefundStatus } from '../../shared/api.ts';
import { formatYuan } from '../../shared/money.ts';
import { walletOf, WALLET_NAMES } from '../../shared/shop-day.ts';
import { localDate, localParts } from '../payments/shop-time.ts';
import type { PaymentRow, RefundWithPayment } from '../store/types.ts';

/**
 * The columns a bookkeeper needs, in Chinese or English. Amounts are yuan with two decimals
 * (text made from integer fen, never floating point); days and times are the shop's.
 */

export type Lang = 'zh' | 'en';

/** What WeChat's paid answer says the payment is made of; absent until the journal records it. */
type PaidParts = Partial<{ cash_fen: number | null; coupon_fen: number | null; settlement_fen: number | null; bank_type: string | null; wallet: string | null }>;

export interface ExportContext {
  lang: Lang;
  timeZone: string;
  terminalNames: ReadonlyMap<string, string>;
}

export interface Column<T> {
  header: Record<Lang, string>;
  value: (row: T, ctx: ExportContext) => string;
}

const PAYMENT_STATUS: Record<PaymentStatus, string> = {
  processing: '处理中',
  user_paying: '等待密码',
  succeeded: '支付成功',
  failed: '支付失败',
  canceled: '已撤销',
  needs_attention: '待确认',
};
const REFUND_STATUS: Record<RefundStatus, string> = { processing: '退款中', succeeded: '退款成功', failed: '退款失败' };

const yuan = (fen: number | null | undefined): string => (fen === null || fen === undefined ? '' : formatYuan(fen));
const pad = (n: number): string => String(n).padStart(2, '0');
const day = (ms: number, ctx: ExportContext): string => localDate(ms, ctx.timeZone);
const time = (ms: number, ctx: ExportContext): string => {
  const p = localParts(ms, ctx.timeZone);
  return `${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
};
const wallet = (p: PaymentRow & PaidParts, ctx: ExportContext): string => {
  const w = walletOf(p);
  return ctx.lang === 'zh' ? (WALLET_NAMES[w]?.zh ?? w) : w;
};
const terminal = (id: string, ctx: ExportContext): string => ctx.terminalNames.get(id) ?? id;

export const PAYMENT_COLUMNS: readonly Column<PaymentRow & PaidParts>[] = [
  { header: { zh: '营业日', en: 'shop_day' }, value: (p, c) => day(p.created_at, c) },
  { header: { zh: '时间', en: 'time' }, value: (p, c) => time(p.created_at, c) },
  { header: { zh: '商户订单号', en: 'out_trade_no' }, value: (p) => p.out_trade_no },
  { header: { zh: '支付单号', en: 'transaction_id' }, value: (p) => p.transaction_id ?? '' },
  { header: { zh: '钱包', en: 'wallet' }, value: wallet },
  { header: { zh: '状态', en: 'status' }, value: (p, c) => (c.lang === 'zh' ? PAYMENT_STATUS[p.status] : p.status) },
  { header: { zh: '金额(元)', en: 'amount' }, value: (p) => yuan(p.amount_fen) },
  { header: { zh: '用户支付(元)', en: 'cash' }, value: (p) => yuan(p.cash_fen) },
  { header: { zh: '代金券(元)', en: 'coupon' }, value: (p) => yuan(p.coupon_fen) },
  { header: { zh: '应结金额(元)', en: 'settlement' }, value: (p) => yuan(p.settlement_fen) },
  { header: { zh: '已退款(元)', en: 'refunded' }, value: (p) => yuan(p.refunded_fen) },
  { header: { zh: '付款银行', en: 'bank_type' }, value: (p) => p.bank_type ?? '' },
  { header: { zh: '终端', en: 'terminal' }, value: (p, c) => terminal(p.terminal_id, c) },
  { header: { zh: '收银员', en: 'cashier' }, value: (p) => p.cashier ?? '' },
  { header: { zh: '备注', en: 'description' }, value: (p) => p.description ?? '' },
  { header: { zh: '错误码', en: 'error_code' }, value: (p) => p.error_code ?? '' },
  { header: { zh: '收银单号', en: 'payment_id' }, value: (p) => p.id },
];

type RefundExportRow = RefundWithPayment & { payment: PaymentRow & PaidParts };

export const REFUND_COLUMNS: readonly Column<RefundExportRow>[] = [
  { header: { zh: '营业日', en: 'shop_day' }, value: (r, c) => day(r.created_at, c) },
  { header: { zh: '时间', en: 'time' }, value: (r, c) => time(r.created_at, c) },
  { header: { zh: '商户退款单号', en: 'out_refund_no' }, value: (r) => r.id },
  { header: { zh: '退款单号', en: 'refund_id' }, value: (r) => r.refund_id ?? '' },
  { header: { zh: '商户订单号', en: 'out_trade_no' }, value: (r) => r.payment.out_trade_no },
  { header: { zh: '支付单号', en: 'transaction_id' }, value: (r) => r.payment.transaction_id ?? '' },
  { header: { zh: '钱包', en: 'wallet' }, value: (r, c) => wallet(r.payment, c) },
  { header: { zh: '状态', en: 'status' }, value: (r, c) => (c.lang === 'zh' ? REFUND_STATUS[r.status] : r.status) },
  { header: { zh: '退款金额(元)', en: 'amount' }, value: (r) => yuan(r.amount_fen) },
  { header: { zh: '原支付金额(元)', en: 'payment_amount' }, value: (r) => yuan(r.payment.amount_fen) },
  { header: { zh: '原支付营业日', en: 'payment_shop_day' }, value: (r, c) => day(r.payment.created_at, c) },
  { header: { zh: '退款原因', en: 'reason' }, value: (r) => r.reason ?? '' },
  { header: { zh: '终端', en: 'terminal' }, value: (r, c) => terminal(r.payment.terminal_id, c) },
  { header: { zh: '收银员', en: 'cashier' }, value: (r) => r.cashier ?? '' },
  { header: { zh: '错误码', en: 'error_code' }, value: (r) => r.error_code ?? '' },
];
