import { parseFenText } from '../../shared/money.ts';
import { parseBeijingTime } from './beijing-time.ts';
import {
  GatewayError,
  type Coupon,
  type MicropayRequest,
  type OrderState,
  type PaidOrder,
  type RefundAccepted,
  type RefundRequest,
  type RefundState,
  type RefundStatus,
  type ReverseResult,
  type TradeState,
} from './gateway.ts';
import type { XmlFields } from './xml.ts';

/**
 * What each call sends (its business fields; the client adds ids, nonce and signature) and how
 * a verified SUCCESS answer reads as a typed result. Amounts are integer fen. An answer that
 * lacks a field the call guarantees, or holds an amount that is not an integer, is a
 * `bad_response` GatewayError: the outcome is unknown, never guessed.
 */

export type RequestFields = Record<string, string | undefined>;

// ---- requests --------------------------------------------------------------------------------

export function micropayFields(req: MicropayRequest, defaultIp: string): RequestFields {
  return {
    body: req.body,
    out_trade_no: req.out_trade_no,
    total_fee: fenText(req.total_fee, 'total_fee'),
    spbill_create_ip: req.spbill_create_ip || defaultIp,
    auth_code: req.auth_code,
    device_info: req.device_info,
    attach: req.attach,
    time_start: req.time_start,
    time_expire: req.time_expire,
  };
}

export function byOutTradeNo(q: { out_trade_no: string }): RequestFields {
  return { out_trade_no: q.out_trade_no };
}

export function refundFields(req: RefundRequest): RequestFields {
  if (req.refund_fee > req.total_fee) throw new RangeError(`refund_fee ${req.refund_fee} is more than total_fee ${req.total_fee}`);
  return {
    out_trade_no: req.out_trade_no,
    out_refund_no: req.out_refund_no,
    total_fee: fenText(req.total_fee, 'total_fee'),
    refund_fee: fenText(req.refund_fee, 'refund_fee'),
    refund_desc: req.refund_desc,
  };
}

export function refundQueryFields(q: { out_refund_no: string }): RequestFields {
  return { out_refund_no: q.out_refund_no };
}

/** Nothing is sent with an amount that is not a positive integer of fen: that is a caller's bug. */
function fenText(fen: number, name: string): string {
  if (!Number.isSafeInteger(fen) || fen <= 0) throw new RangeError(`${name} must be a positive integer number of fen, got ${fen}`);
  return String(fen);
}

// ---- answers ---------------------------------------------------------------------------------

/**
 * A verified paid answer. Only what proves the payment is required (out_trade_no, transaction_id,
 * total_fee); the rest is read leniently: a coupon field WeChat left out or wrote in another
 * shape (promotion_detail instead of coupon_*, no coupon_id_$n) is left out here, never a reason
 * to call a paid answer unknown.
 */
export function readPaidOrder(fields: XmlFields, out_trade_no: string): PaidOrder {
  const answered = required(fields, 'out_trade_no');
  if (answered !== out_trade_no) throw badResponse(`the answer is about order ${answered}, not ${out_trade_no}`);
  const order: PaidOrder = {
    transaction_id: required(fields, 'transaction_id'),
    out_trade_no: answered,
    total_fee: fen(fields, 'total_fee'),
  };
  const cashFee = lenientFen(fields, 'cash_fee');
  if (cashFee !== undefined) order.cash_fee = cashFee;
  const settlement = lenientFen(fields, 'settlement_total_fee');
  if (settlement !== undefined) order.settlement_total_fee = settlement;
  const coupons = readCoupons(fields);
  if (coupons) order.coupons = coupons;
  const couponFee = lenientFen(fields, 'coupon_fee') ?? promotionsFen(fields.promotion_detail);
  if (couponFee !== undefined) order.coupon_fee = couponFee;
  if (fields.time_end) {
    order.time_end = fields.time_end;
    const paidAt = parseBeijingTime(fields.time_end);
    if (paidAt !== undefined) order.paid_at = paidAt;
  }
  if (fields.openid) order.openid = fields.openid;
  if (fields.bank_type) order.bank_type = fields.bank_type;
  return order;
}

/**
 * The sum of promotion_detail's amounts (JSON `{"promotion_detail":[{"amount":100,…}]}`, the
 * single-product discounts that replace coupon_* on some answers); undefined when absent or not
 * in that shape.
 */
export function promotionsFen(text: string | undefined): number | undefined {
  if (!text) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const list = (parsed as { promotion_detail?: unknown })?.promotion_detail ?? parsed;
  if (!Array.isArray(list) || list.length === 0) return undefined;
  let sum = 0;
  for (const item of list) {
    const amount = (item as { amount?: unknown })?.amount;
    const fen = typeof amount === 'number' ? amount : typeof amount === 'string' ? parseFenText(amount) : null;
    if (fen === null || !Number.isSafeInteger(fen) || fen < 0) return undefined;
    sum += fen;
  }
  return sum;
}

const TRADE_STATES: readonly TradeState[] = ['SUCCESS', 'REFUND', 'NOTPAY', 'CLOSED', 'REVOKED', 'USERPAYING', 'PAYERROR', 'ACCEPT'];

export function readOrderState(fields: XmlFields, out_trade_no: string): OrderState {
  const state = required(fields, 'trade_state');
  if (!(TRADE_STATES as readonly string[]).includes(state)) throw badResponse(`unknown trade_state "${state}"`);
  const trade_state = state as TradeState;
  const result: OrderState = { trade_state };
  if (fields.trade_state_desc) result.trade_state_desc = fields.trade_state_desc;
  // Paid (or paid, then refunded): the payment's facts are part of the answer.
  if (trade_state === 'SUCCESS' || trade_state === 'REFUND') result.paid = readPaidOrder(fields, out_trade_no);
  return result;
}

export function readReverse(fields: XmlFields): ReverseResult {
  const recall = required(fields, 'recall');
  if (recall !== 'Y' && recall !== 'N') throw badResponse(`recall must be Y or N, got "${recall}"`);
  return { recall: recall === 'Y' };
}

export function readRefundAccepted(fields: XmlFields, req: RefundRequest): RefundAccepted {
  const out_refund_no = required(fields, 'out_refund_no');
  if (out_refund_no !== req.out_refund_no) throw badResponse(`the answer is about refund ${out_refund_no}, not ${req.out_refund_no}`);
  return { refund_id: required(fields, 'refund_id'), out_refund_no, refund_fee: fen(fields, 'refund_fee') };
}

const REFUND_STATUSES: readonly RefundStatus[] = ['SUCCESS', 'REFUNDCLOSE', 'PROCESSING', 'CHANGE'];

/** refundquery lists refunds as flat fields out_refund_no_$n, refund_status_$n, …: pick the one asked for. */
export function readRefundState(fields: XmlFields, out_refund_no: string): RefundState {
  const count = readCount(fields, 'refund_count');
  for (let n = 0; n < count; n++) {
    if (fields[`out_refund_no_${n}`] !== out_refund_no) continue;
    const status = required(fields, `refund_status_${n}`);
    if (!(REFUND_STATUSES as readonly string[]).includes(status)) throw badResponse(`unknown refund_status_${n} "${status}"`);
    const state: RefundState = { out_refund_no, refund_fee: fen(fields, `refund_fee_${n}`), refund_status: status as RefundStatus };
    const refundId = fields[`refund_id_${n}`];
    if (refundId) state.refund_id = refundId;
    const succeededAt = parseBeijingTime(fields[`refund_success_time_${n}`] ?? '');
    if (succeededAt !== undefined) state.succeeded_at = succeededAt;
    return state;
  }
  throw badResponse(`the answer lists no refund ${out_refund_no}`);
}

/**
 * Rebuilds coupons from coupon_count and the indexed coupon_id_$n / coupon_fee_$n / coupon_type_$n
 * fields, leniently: a coupon without a readable fee is skipped, a missing id left empty, a count
 * that is not a small number ignored (these fields never decide whether the order was paid).
 */
export function readCoupons(fields: XmlFields): Coupon[] | undefined {
  const countText = fields.coupon_count;
  if (countText === undefined || !/^\d{1,3}$/.test(countText)) return undefined;
  const coupons: Coupon[] = [];
  for (let n = 0; n < Number(countText); n++) {
    const fee = lenientFen(fields, `coupon_fee_${n}`);
    if (fee === undefined) continue;
    const coupon: Coupon = { id: fields[`coupon_id_${n}`] ?? '', fee };
    const type = fields[`coupon_type_${n}`];
    if (type) coupon.type = type;
    coupons.push(coupon);
  }
  return coupons;
}

// ---- field readers ---------------------------------------------------------------------------

export function badResponse(message: string): GatewayError {
  return new GatewayError('bad_response', `malformed answer: ${message}`);
}

function required(fields: XmlFields, name: string): string {
  const value = fields[name];
  if (value === undefined || value === '') throw badResponse(`${name} is missing`);
  return value;
}

function fen(fields: XmlFields, name: string): number {
  const value = parseFenText(required(fields, name));
  if (value === null) throw badResponse(`${name} is not an integer amount of fen: "${fields[name]}"`);
  return value;
}

/** An optional amount: undefined when absent or not an integer of fen (never a reason to doubt the answer). */
function lenientFen(fields: XmlFields, name: string): number | undefined {
  const text = fields[name];
  if (text === undefined || text === '') return undefined;
  return parseFenText(text) ?? undefined;
}

// A list count bounds a loop over indexed fields: refuse anything but a small integer.
function readCount(fields: XmlFields, name: string): number {
  const text = required(fields, name);
  if (!/^\d{1,3}$/.test(text)) throw badResponse(`${name} is not a count: "${text}"`);
  return Number(text);
}
