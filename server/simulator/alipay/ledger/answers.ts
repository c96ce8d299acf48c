import type { SimAnswer } from './types.ts';

/** Alipay's time windows and the shapes of its answers, shared by the ledger's parts. */
/** A paid trade can be cancelled (money back) only the day it was paid. */
export const CANCEL_WINDOW_MS = 24 * 3600_000;
/** Face-to-face trades can be refunded for three months; then they are TRADE_FINISHED. */
export const REFUND_WINDOW_MS = 92 * 24 * 3600_000;

export const ok = (fields: Record<string, unknown>, extra: Partial<SimAnswer> = {}): SimAnswer => ({ code: '10000', msg: 'Success', fields, ...extra });
export const failure = (sub_code: string, sub_msg: string, fields: Record<string, unknown> = {}): SimAnswer => ({ code: '40004', msg: 'Business Failed', sub_code, sub_msg, fields });
export const zeroAmounts = { buyer_pay_amount: '0.00', invoice_amount: '0.00', point_amount: '0.00', receipt_amount: '0.00' };
export const UNKNOWN_ERROR: Pick<SimAnswer, 'code' | 'msg' | 'sub_code' | 'sub_msg'> = { code: '20000', msg: 'Service Currently Unavailable', sub_code: 'isp.unknow-error', sub_msg: '系统繁忙' };
