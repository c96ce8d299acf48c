import { GatewayConfigError, GatewayError, type GatewayErrorKind } from '../wechat/gateway.ts';

/**
 * What the payment flow needs from Alipay, shaped like the WeChat side (server/wechat/gateway.ts)
 * so one flow can drive both. Amounts are integer fen. Transport-level uncertainty (timeout,
 * network error, an answer whose signature fails or that is malformed) is thrown as the same
 * `GatewayError`: it means "outcome unknown", never "failed". A verified answer is returned:
 *
 * - `ok`: code 10000 (a cancel answered with retry_flag=Y is `ok` with `retry: true` whatever its
 *   code, as WeChat's reverse with recall=Y: send the same cancel again);
 * - `waiting`: trade.pay code 10003, the customer confirms on the phone → poll trade.query;
 * - `unknown`: code 20000, sub_code ACQ.SYSTEM_ERROR, or a code Alipay does not document for
 *   the call → outcome unknown, query;
 * - `business_error`: code 40004 with its sub_code (ACQ.*), a definite answer;
 * - `rejected`: the gateway refused the request before the business (40001 missing argument,
 *   40002 invalid argument or signature, 40003, 40006 permissions, 20001 auth token): not
 *   processed. Like WeChat's return_code=FAIL, only a query proves no trade exists.
 *
 * `answer` is the verified `<method>_response` object as sent.
 */
export { GatewayConfigError, GatewayError, type GatewayErrorKind };

export type AlipayAnswer = Readonly<Record<string, unknown>>;

export type AlipayOutcome<T> =
  | { kind: 'ok'; value: T; answer: AlipayAnswer }
  | { kind: 'waiting'; value: WaitingTrade; answer: AlipayAnswer }
  | { kind: 'unknown'; code: string; description: string; answer: AlipayAnswer }
  | { kind: 'business_error'; code: string; description: string; answer: AlipayAnswer }
  | { kind: 'rejected'; code: string; message: string; answer: AlipayAnswer };

export interface TradePayRequest {
  out_trade_no: string;
  amount_fen: number;
  /** The customer's payment code: 16–24 digits starting 25–30. */
  auth_code: string;
  /** The order title (≤ 256 characters). */
  subject: string;
  store_id?: string;
  terminal_id?: string;
  operator_id?: string;
  /** Latest time to pay, e.g. "2m" (1m–15d); Alipay closes the trade after it. */
  timeout_express?: string;
}

/** A paid trade as Alipay reports it (trade.pay 10000, trade.query TRADE_SUCCESS/TRADE_FINISHED). */
export interface PaidTrade {
  trade_no: string;
  out_trade_no: string;
  /** total_amount: what the order asked. */
  total_fen: number;
  /** receipt_amount: what the merchant receives (total minus Alipay-funded discounts). */
  receipt_fen?: number;
  /** buyer_pay_amount: what the customer paid. */
  buyer_pay_fen?: number;
  /** point_amount: paid with 集分宝 points. */
  point_fen?: number;
  /** discount_amount (platform) and mdiscount_amount (merchant-funded) discounts. */
  discount_fen?: number;
  mdiscount_fen?: number;
  /** gmt_payment (pay) or send_pay_date (query): Beijing time `yyyy-MM-dd HH:mm:ss`. */
  paid_at?: string;
  /** Masked login, e.g. "159****5620". */
  buyer_logon_id?: string;
  buyer_user_id?: string;
  /** The funding channels (fund_bill_list). */
  fund_channels?: FundChannel[];
}

export interface FundChannel {
  fund_channel: string;
  amount_fen: number;
}

/** trade.pay answered 10003: the trade exists and waits for the customer. */
export interface WaitingTrade {
  out_trade_no: string;
  trade_no?: string;
}

export type TradeStatus = 'WAIT_BUYER_PAY' | 'TRADE_CLOSED' | 'TRADE_SUCCESS' | 'TRADE_FINISHED';

export interface TradeState {
  trade_status: TradeStatus;
  out_trade_no: string;
  trade_no?: string;
  total_fen?: number;
  /** Present when trade_status is TRADE_SUCCESS or TRADE_FINISHED. */
  paid?: PaidTrade;
}

export interface CancelResult {
  /** retry_flag=Y: Alipay asks for the same cancel again. */
  retry: boolean;
  /** close: the trade was unpaid and is closed; refund: it was paid and the money goes back; absent: no such trade (or retry). */
  action?: 'close' | 'refund';
  trade_no?: string;
}

export interface TradeRefundRequest {
  out_trade_no: string;
  /** Idempotency key of this refund: the same number again is the same refund, never paid twice. */
  out_request_no: string;
  refund_fen: number;
  refund_reason?: string;
}

export interface RefundResult {
  trade_no: string;
  out_trade_no: string;
  /** refund_fee: everything refunded on this trade so far, this refund included. */
  refunded_total_fen: number;
  /** fund_change: Y when this call moved money; N when it was a repeat of an earlier refund. */
  fund_change: boolean;
  gmt_refund_pay?: string;
}

export interface RefundState {
  out_trade_no: string;
  out_request_no: string;
  /**
   * REFUND_SUCCESS, or NONE when Alipay returned no refund_status: the refund was not received
   * or failed (Alipay: a query soon after the refund may not see it yet).
   */
  refund_status: 'REFUND_SUCCESS' | 'NONE';
  refund_fen?: number;
  total_fen?: number;
}

export interface BillUrlQuery {
  /** trade (business bill) or signcustomer (account bill). */
  bill_type: 'trade' | 'signcustomer';
  /** A day `yyyy-MM-dd` or a month `yyyy-MM`. */
  bill_date: string;
}

export interface BillUrl {
  /** Valid for 30 seconds at Alipay. */
  bill_download_url: string;
}

export interface CallOptions {
  /** This call's deadline (default: the client's timeoutMs). */
  timeoutMs?: number;
}

export interface AlipayGateway {
  pay(req: TradePayRequest, options?: CallOptions): Promise<AlipayOutcome<PaidTrade>>;
  query(q: { out_trade_no: string }, options?: CallOptions): Promise<AlipayOutcome<TradeState>>;
  cancel(q: { out_trade_no: string }, options?: CallOptions): Promise<AlipayOutcome<CancelResult>>;
  refund(req: TradeRefundRequest, options?: CallOptions): Promise<AlipayOutcome<RefundResult>>;
  refundQuery(q: { out_trade_no: string; out_request_no: string }, options?: CallOptions): Promise<AlipayOutcome<RefundState>>;
}
