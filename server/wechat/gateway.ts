/**
 * What the payment flow needs from WeChat Pay, as an interface: the real client implements it
 * over HTTP, tests pass fakes. Amounts are integer fen. Transport-level uncertainty (timeout,
 * network error, unverifiable or malformed answer) is thrown as `GatewayError`: it means
 * "outcome unknown", never "failed". A verified business answer is returned, never thrown.
 */

export type GatewayErrorKind = 'timeout' | 'network' | 'bad_signature' | 'bad_response';

export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  constructor(
    readonly kind: GatewayErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * A request that cannot be built (a field holds a character XML cannot carry): nothing was sent,
 * and the same request can never be sent. Not an unknown outcome: the call simply did not happen.
 */
export class GatewayRequestError extends Error {
  override readonly name = 'GatewayRequestError';
}

/** Configuration that makes a call impossible (e.g. no client certificate for /secapi/, the payment's wallet switched off). */
export class GatewayConfigError extends Error {
  override readonly name = 'GatewayConfigError';
  constructor(readonly code: 'CERT_MISSING' | 'CERT_UNREADABLE' | 'WALLET_OFF', message: string) {
    super(message);
  }
}

/**
 * A verified answer: `ok` with typed data, `business_error` (return_code=SUCCESS,
 * result_code=FAIL: err_code, classed in shared/error-catalogue.ts), or `rejected` (return_code=FAIL: the
 * gateway did not process the request, e.g. a signature or parameter format error; unsigned).
 */
export type Outcome<T> =
  | { kind: 'ok'; value: T; fields: Record<string, string> }
  | { kind: 'business_error'; code: string; description: string; fields: Record<string, string> }
  | { kind: 'rejected'; message: string; fields: Record<string, string> };

/**
 * Service-provider (服务商) mode: the sub-merchant one request is for, the shop's. Absent: the
 * client's configured sub-merchant (WECHAT_SUB_MCH_ID), if any. Every call of one payment names
 * the same sub-merchant: WeChat finds an order only under the merchant it was paid to.
 */
export interface ForMerchant {
  merchant?: { sub_mch_id: string; sub_appid?: string };
}

export interface MicropayRequest extends ForMerchant {
  out_trade_no: string;
  total_fee: number;
  auth_code: string;
  body: string;
  device_info?: string;
  attach?: string;
  /** Beijing `yyyyMMddHHmmss` (server/wechat/beijing-time.ts), whatever the shop's zone. */
  time_start?: string;
  time_expire?: string;
  spbill_create_ip?: string;
}

export interface PaidOrder {
  transaction_id: string;
  out_trade_no: string;
  total_fee: number;
  cash_fee?: number;
  /** Part of total_fee paid with coupons (fen): coupon_fee, or the promotions' sum when only promotion_detail came. */
  coupon_fee?: number;
  /** What the shop is settled: total_fee less the shop-funded (NO_CASH) coupons. */
  settlement_total_fee?: number;
  /** The coupons used, rebuilt from coupon_count and the flat coupon_type_$n/coupon_id_$n/coupon_fee_$n fields. */
  coupons?: Coupon[];
  time_end?: string;
  /** time_end read as Beijing time (epoch ms). */
  paid_at?: number;
  openid?: string;
  bank_type?: string;
}

export interface Coupon {
  id: string;
  /** CASH (funded) or NO_CASH, when WeChat says. */
  type?: string;
  fee: number;
}

export type TradeState = 'SUCCESS' | 'REFUND' | 'NOTPAY' | 'CLOSED' | 'REVOKED' | 'USERPAYING' | 'PAYERROR' | 'ACCEPT';

export interface OrderState {
  trade_state: TradeState;
  trade_state_desc?: string;
  /** Present when trade_state is SUCCESS or REFUND. */
  paid?: PaidOrder;
}

export interface ReverseResult {
  /** true: WeChat asks to call reverse again. */
  recall: boolean;
}

export interface RefundRequest extends ForMerchant {
  out_trade_no: string;
  out_refund_no: string;
  total_fee: number;
  refund_fee: number;
  refund_desc?: string;
}

export interface RefundAccepted {
  refund_id: string;
  out_refund_no: string;
  refund_fee: number;
}

export type RefundStatus = 'SUCCESS' | 'REFUNDCLOSE' | 'PROCESSING' | 'CHANGE';

export interface RefundState {
  out_refund_no: string;
  refund_id?: string;
  /** refund_success_time_$n read as Beijing time (epoch ms), once the refund succeeded. */
  succeeded_at?: number;
  refund_fee: number;
  refund_status: RefundStatus;
}

export interface Gateway {
  micropay(req: MicropayRequest): Promise<Outcome<PaidOrder>>;
  orderQuery(q: { out_trade_no: string } & ForMerchant): Promise<Outcome<OrderState>>;
  reverse(q: { out_trade_no: string } & ForMerchant): Promise<Outcome<ReverseResult>>;
  refund(req: RefundRequest): Promise<Outcome<RefundAccepted>>;
  refundQuery(q: { out_refund_no: string } & ForMerchant): Promise<Outcome<RefundState>>;
}
