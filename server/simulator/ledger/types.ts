import type { MicropayRequest } from '../../wechat/gateway.ts';
import type { LedgerStore } from '../ledger-store.ts';
import type { Behaviour } from '../test-codes.ts';

/* The shapes of the simulated gateway's books, shared by its orders, refunds and bills parts. */

export type SimTradeState = 'SUCCESS' | 'REFUND' | 'NOTPAY' | 'CLOSED' | 'REVOKED' | 'USERPAYING' | 'PAYERROR' | 'ACCEPT';
export type SimRefundStatus = 'PROCESSING' | 'SUCCESS';

export interface SimRefund {
  out_refund_no: string;
  refund_id: string;
  refund_fee: number;
  refund_status: SimRefundStatus;
}

/** What GET /control/orders shows (server/simulator/README.md). */
export interface SimOrder {
  out_trade_no: string;
  transaction_id: string;
  total_fee: number;
  trade_state: SimTradeState;
  auth_code_masked: string;
  device_info?: string;
  refunds: SimRefund[];
  reverse_calls: number;
  micropay_calls: number;
  created_at: string;
  paid_at?: string;
  /** Extra: which test behaviour the order's code chose. */
  behaviour?: Behaviour;
}

export interface RefundRecord {
  out_refund_no: string;
  refund_id: string;
  refund_fee: number;
  accepted_at: Date;
}

export interface Order {
  out_trade_no: string;
  transaction_id: string;
  total_fee: number;
  trade_state: SimTradeState;
  auth_code: string;
  behaviour?: Behaviour;
  device_info?: string;
  attach?: string;
  /** Service-provider mode: the sub-merchant the order was paid to (its bill is that sub-merchant's). */
  sub_mch_id?: string;
  body: string;
  openid: string;
  created_at: Date;
  paid_at?: Date;
  revoked_at?: Date;
  /** The order was paid when it was reversed: the money went back (a REVOKED bill line). */
  reversed_after_payment: boolean;
  refunds: RefundRecord[];
  reverse_calls: number;
  micropay_calls: number;
  /** The business error a retried micropay answers again while the order is unpaid. */
  last_error?: { code: string; des: string };
  /** orderquery calls so far (query_systemerror answers SYSTEMERROR to the first few). */
  query_calls: number;
  /** reverse_recall: the first reverse was answered recall=Y. */
  recall_answered?: boolean;
  /** The simulated coupon's id (coupon and promotion behaviours). */
  coupon_id?: string;
}


export interface LedgerOptions {
  now: () => Date;
  /** Where the books are kept between restarts (default: memory only). */
  store?: LedgerStore;
  /** An order nobody paid (the customer never confirmed) is revoked this long after creation (WeChat: 45 s). */
  unpaidRevokeMs?: number;
  /** How many orderquery calls of a query_systemerror order answer SYSTEMERROR before the truth (default 3). */
  querySystemErrors?: number;
  /** At most this many orders are kept, the oldest dropped first (default LEDGER_MAX_ORDERS). */
  maxOrders?: number;
  slowMs: number;
  passwordDeclineMs: number;
  /** How long an accepted refund stays PROCESSING before it is SUCCESS (0: at once). */
  refundSettleMs: number;
  /** How long a code handed out by issueCode() can be charged (WeChat: about a minute). */
  codeTtlMs: number;
}

/** The micropay fields the ledger acts on: the same WeChat fields the client sends. */
export type MicropayInput = Pick<MicropayRequest, 'out_trade_no' | 'total_fee' | 'auth_code' | 'body' | 'device_info' | 'attach'> & { sub_mch_id?: string };

export interface RefundInput {
  order: { out_trade_no?: string; transaction_id?: string };
  out_refund_no: string;
  total_fee: number;
  refund_fee: number;
}

export interface BillRecord {
  time: Date;
  kind: 'SUCCESS' | 'REFUND' | 'REVOKED';
  transaction_id: string;
  out_trade_no: string;
  openid: string;
  device_info?: string;
  /** The order's sub-merchant (特约商户号), when it was paid to one. */
  sub_mch_id?: string;
  body: string;
  attach?: string;
  total_fee: number;
  refund_id?: string;
  out_refund_no?: string;
  refund_fee?: number;
  /** The order's coupon or discount in fen (0: none). */
  discount_fee: number;
  /** settlement_total_fee: total_fee less a no-cash (merchant-funded) coupon. */
  settlement_fee: number;
  /** Refund and REVOKED lines: when the money back was asked for, and when it went (absent while PROCESSING). */
  refund_status?: SimRefundStatus;
  refund_requested_at?: Date;
  refund_succeeded_at?: Date;
}
