import { formatYuan, parseYuan } from '../../shared/money.ts';
import {
  GatewayError,
  type AlipayAnswer,
  type BillUrl,
  type BillUrlQuery,
  type CancelResult,
  type FundChannel,
  type PaidTrade,
  type RefundResult,
  type RefundState,
  type TradePayRequest,
  type TradeRefundRequest,
  type TradeState,
  type TradeStatus,
  type WaitingTrade,
} from './gateway.ts';

/**
 * Each call's method name and biz_content, and how a verified answer reads as a typed result.
 * Amounts travel as yuan text ("12.34") and are integer fen here. An answer that lacks a field
 * the call guarantees, or holds an amount that is not exact yuan, is a `bad_response`
 * GatewayError: the outcome is unknown, never guessed.
 */

/**
 * `resend`: may be sent once more when a reused keep-alive connection is reset before any answer
 * (the request most likely never arrived). Not trade.pay: a copy could charge or answer for a
 * used code; its unknown outcome is settled by trade.query. The others are reads or idempotent
 * by out_trade_no / out_request_no. Nothing else is ever sent twice by the client.
 */
export const METHODS = {
  pay: { method: 'alipay.trade.pay', resend: false },
  query: { method: 'alipay.trade.query', resend: true },
  cancel: { method: 'alipay.trade.cancel', resend: true },
  refund: { method: 'alipay.trade.refund', resend: true },
  refundQuery: { method: 'alipay.trade.fastpay.refund.query', resend: true },
  billUrl: { method: 'alipay.data.dataservice.bill.downloadurl.query', resend: true },
} as const;

export type Method = (typeof METHODS)[keyof typeof METHODS];

/** `alipay.trade.pay` → `alipay_trade_pay_response`. */
export function responseKey(method: string): string {
  return `${method.replaceAll('.', '_')}_response`;
}

export type BizContent = Record<string, string | undefined>;

// ---- requests --------------------------------------------------------------------------------

export function payContent(req: TradePayRequest): BizContent {
  if (!/^\d{16,24}$/.test(req.auth_code)) throw new RangeError('auth_code must be 16–24 digits (an Alipay payment code)');
  return {
    out_trade_no: req.out_trade_no,
    scene: 'bar_code',
    auth_code: req.auth_code,
    product_code: 'FACE_TO_FACE_PAYMENT',
    subject: req.subject,
    total_amount: yuan(req.amount_fen, 'amount_fen'),
    store_id: req.store_id,
    terminal_id: req.terminal_id,
    operator_id: req.operator_id,
    timeout_express: req.timeout_express,
  };
}

export function byOutTradeNo(q: { out_trade_no: string }): BizContent {
  return { out_trade_no: q.out_trade_no };
}

export function refundContent(req: TradeRefundRequest): BizContent {
  return {
    out_trade_no: req.out_trade_no,
    refund_amount: yuan(req.refund_fen, 'refund_fen'),
    out_request_no: req.out_request_no,
    refund_reason: req.refund_reason,
  };
}

export function refundQueryContent(q: { out_trade_no: string; out_request_no: string }): BizContent {
  return { out_trade_no: q.out_trade_no, out_request_no: q.out_request_no };
}

export function billUrlContent(q: BillUrlQuery): BizContent {
  if (!/^\d{4}-\d{2}(-\d{2})?$/.test(q.bill_date)) throw new RangeError('bill_date must be yyyy-MM-dd or yyyy-MM');
  return { bill_type: q.bill_type, bill_date: q.bill_date };
}

/** biz_content as JSON without the absent fields. */
export function bizJson(content: BizContent): string {
  const present: Record<string, string> = {};
  for (const [name, value] of Object.entries(content)) if (value !== undefined && value !== '') present[name] = value;
  return JSON.stringify(present);
}

/** Nothing is sent with an amount that is not a positive integer of fen: that is a caller's bug. */
function yuan(fen: number, name: string): string {
  if (!Number.isSafeInteger(fen) || fen <= 0) throw new RangeError(`${name} must be a positive integer number of fen, got ${fen}`);
  return formatYuan(fen);
}

// ---- answers ---------------------------------------------------------------------------------

export function readPaidTrade(answer: AlipayAnswer, out_trade_no: string): PaidTrade {
  sameOrder(answer, out_trade_no);
  const trade: PaidTrade = { trade_no: text(answer, 'trade_no'), out_trade_no, total_fen: fen(answer, 'total_amount') };
  const optional: Array<[keyof PaidTrade, string]> = [
    ['receipt_fen', 'receipt_amount'],
    ['buyer_pay_fen', 'buyer_pay_amount'],
    ['point_fen', 'point_amount'],
    ['discount_fen', 'discount_amount'],
    ['mdiscount_fen', 'mdiscount_amount'],
  ];
  for (const [field, name] of optional) {
    const value = optionalFen(answer, name);
    if (value !== undefined) (trade as unknown as Record<string, number>)[field] = value;
  }
  const paidAt = optionalText(answer, 'gmt_payment') ?? optionalText(answer, 'send_pay_date');
  if (paidAt) trade.paid_at = paidAt;
  const logon = optionalText(answer, 'buyer_logon_id');
  if (logon) trade.buyer_logon_id = logon;
  const user = optionalText(answer, 'buyer_user_id');
  if (user) trade.buyer_user_id = user;
  const channels = readFundChannels(answer);
  if (channels) trade.fund_channels = channels;
  return trade;
}

export function readWaiting(answer: AlipayAnswer, out_trade_no: string): WaitingTrade {
  // A 10003 answer may omit out_trade_no; if it names one, it must be ours.
  const answered = optionalText(answer, 'out_trade_no');
  if (answered !== undefined && answered !== out_trade_no) throw badResponse(`the answer is about order ${answered}, not ${out_trade_no}`);
  const waiting: WaitingTrade = { out_trade_no };
  const tradeNo = optionalText(answer, 'trade_no');
  if (tradeNo) waiting.trade_no = tradeNo;
  return waiting;
}

const TRADE_STATUSES: readonly TradeStatus[] = ['WAIT_BUYER_PAY', 'TRADE_CLOSED', 'TRADE_SUCCESS', 'TRADE_FINISHED'];

export function readTradeState(answer: AlipayAnswer, out_trade_no: string): TradeState {
  sameOrder(answer, out_trade_no);
  const status = text(answer, 'trade_status');
  if (!(TRADE_STATUSES as readonly string[]).includes(status)) throw badResponse(`unknown trade_status "${status}"`);
  const state: TradeState = { trade_status: status as TradeStatus, out_trade_no };
  const tradeNo = optionalText(answer, 'trade_no');
  if (tradeNo) state.trade_no = tradeNo;
  const total = optionalFen(answer, 'total_amount');
  if (total !== undefined) state.total_fen = total;
  if (status === 'TRADE_SUCCESS' || status === 'TRADE_FINISHED') state.paid = readPaidTrade(answer, out_trade_no);
  return state;
}

export function readCancel(answer: AlipayAnswer): CancelResult {
  const flag = text(answer, 'retry_flag');
  if (flag !== 'Y' && flag !== 'N') throw badResponse(`retry_flag must be Y or N, got "${flag}"`);
  const result: CancelResult = { retry: flag === 'Y' };
  const action = optionalText(answer, 'action');
  if (action !== undefined) {
    if (action !== 'close' && action !== 'refund') throw badResponse(`unknown cancel action "${action}"`);
    result.action = action;
  }
  const tradeNo = optionalText(answer, 'trade_no');
  if (tradeNo) result.trade_no = tradeNo;
  return result;
}

export function readRefund(answer: AlipayAnswer, req: TradeRefundRequest): RefundResult {
  sameOrder(answer, req.out_trade_no);
  const change = text(answer, 'fund_change');
  if (change !== 'Y' && change !== 'N') throw badResponse(`fund_change must be Y or N, got "${change}"`);
  const result: RefundResult = {
    trade_no: text(answer, 'trade_no'),
    out_trade_no: req.out_trade_no,
    refunded_total_fen: fen(answer, 'refund_fee'),
    fund_change: change === 'Y',
  };
  const at = optionalText(answer, 'gmt_refund_pay');
  if (at) result.gmt_refund_pay = at;
  return result;
}

const REFUND_STATUSES = ['REFUND_SUCCESS', 'REFUND_PROCESSING', 'REFUND_FAIL'] as const;

export function readRefundState(answer: AlipayAnswer, q: { out_trade_no: string; out_request_no: string }): RefundState {
  const status = optionalText(answer, 'refund_status');
  const state: RefundState = { out_trade_no: q.out_trade_no, out_request_no: q.out_request_no, refund_status: 'NONE' };
  if (status === undefined) {
    // Not received (or failed): Alipay answers 10000 with the refund fields absent.
    return state;
  }
  if (!(REFUND_STATUSES as readonly string[]).includes(status)) throw badResponse(`unknown refund_status "${status}"`);
  const requestNo = optionalText(answer, 'out_request_no');
  if (requestNo !== undefined && requestNo !== q.out_request_no) throw badResponse(`the answer is about refund ${requestNo}, not ${q.out_request_no}`);
  sameOrder(answer, q.out_trade_no);
  if (status !== 'REFUND_SUCCESS') throw badResponse(`refund_status "${status}" belongs to asynchronous refunds, which this client does not send`);
  state.refund_status = 'REFUND_SUCCESS';
  state.refund_fen = fen(answer, 'refund_amount');
  const total = optionalFen(answer, 'total_amount');
  if (total !== undefined) state.total_fen = total;
  return state;
}

export function readBillUrl(answer: AlipayAnswer): BillUrl {
  const url = text(answer, 'bill_download_url');
  if (!/^https?:\/\//.test(url)) throw badResponse(`bill_download_url is not an http(s) URL: "${url}"`);
  return { bill_download_url: url };
}

function readFundChannels(answer: AlipayAnswer): FundChannel[] | undefined {
  const list = answer.fund_bill_list;
  if (list === undefined) return undefined;
  if (!Array.isArray(list)) throw badResponse('fund_bill_list is not a list');
  return list.map((item, n) => {
    if (typeof item !== 'object' || item === null) throw badResponse(`fund_bill_list[${n}] is not an object`);
    const entry = item as AlipayAnswer;
    return { fund_channel: text(entry, 'fund_channel'), amount_fen: fen(entry, 'amount') };
  });
}

// ---- field readers ---------------------------------------------------------------------------

export function badResponse(message: string): GatewayError {
  return new GatewayError('bad_response', `malformed answer: ${message}`);
}

function sameOrder(answer: AlipayAnswer, out_trade_no: string): void {
  const answered = text(answer, 'out_trade_no');
  if (answered !== out_trade_no) throw badResponse(`the answer is about order ${answered}, not ${out_trade_no}`);
}

export function optionalText(answer: AlipayAnswer, name: string): string | undefined {
  const value = answer[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw badResponse(`${name} is not text`);
  return value;
}

function text(answer: AlipayAnswer, name: string): string {
  const value = optionalText(answer, name);
  if (value === undefined) throw badResponse(`${name} is missing`);
  return value;
}

/** Yuan as text ("88.88", as the gateway sends them) or as a JSON number with at most two decimals. */
function optionalFen(answer: AlipayAnswer, name: string): number | undefined {
  const value = answer[name];
  if (value === undefined || value === null || value === '') return undefined;
  const asText = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  const parsed = typeof asText === 'string' ? parseYuan(asText) : null;
  if (parsed === null) throw badResponse(`${name} is not an amount in yuan: ${JSON.stringify(value)}`);
  return parsed;
}

function fen(answer: AlipayAnswer, name: string): number {
  const value = optionalFen(answer, name);
  if (value === undefined) throw badResponse(`${name} is missing`);
  return value;
}
