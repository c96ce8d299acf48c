import type { LedgerStore } from '../../ledger-store.ts';
import type { AlipayBehaviour } from '../../test-codes.ts';

export type SimAlipayStatus = 'WAIT_BUYER_PAY' | 'TRADE_CLOSED' | 'TRADE_SUCCESS' | 'TRADE_FINISHED';

/** An answer before the envelope: the fields of `<method>_response` after code and msg. */
export interface SimAnswer {
  code: '10000' | '10003' | '20000' | '40004';
  msg: string;
  sub_code?: string;
  sub_msg?: string;
  fields: Record<string, unknown>;
  /** Signed with a key that is not Alipay's (the forged_signature behaviour). */
  forged?: boolean;
  /** Held back this long before it is sent (the slow behaviour). */
  delayMs?: number;
}

/** What GET /control/alipay/orders shows. A cancel tombstone has total_fen 0 and no code. */
export interface SimAlipayTrade {
  out_trade_no: string;
  trade_no: string;
  total_fen: number;
  trade_status: SimAlipayStatus;
  auth_code_masked: string;
  subject: string;
  store_id?: string;
  terminal_id?: string;
  refunds: Array<{ out_request_no: string; refund_fen: number }>;
  pay_calls: number;
  cancel_calls: number;
  /** close or refund, once a cancel acted on the trade. */
  cancel_action?: 'close' | 'refund';
  created_at: string;
  paid_at?: string;
  behaviour?: AlipayBehaviour;
}

export interface Refund {
  out_request_no: string;
  refund_fen: number;
  at: Date;
  reason?: string;
}

export interface Trade {
  out_trade_no: string;
  trade_no: string;
  total_fen: number;
  status: SimAlipayStatus;
  auth_code: string;
  behaviour?: AlipayBehaviour;
  subject: string;
  store_id?: string;
  terminal_id?: string;
  operator_id?: string;
  buyer_logon_id: string;
  buyer_user_id: string;
  created_at: Date;
  paid_at?: Date;
  closed_at?: Date;
  cancel_action?: 'close' | 'refund';
  refunds: Refund[];
  pay_calls: number;
  cancel_calls: number;
  /** A cancel for an out_trade_no nobody paid with: blocks a late pay with that number. */
  tombstone: boolean;
  /** The refusal a retried pay answers again. */
  refusal?: { sub_code: string; sub_msg: string };
}

export interface PayInput {
  out_trade_no: string;
  total_fen: number;
  auth_code: string;
  subject: string;
  store_id?: string;
  terminal_id?: string;
  operator_id?: string;
}

export interface AlipayLedgerOptions {
  now: () => Date;
  slowMs: number;
  passwordDeclineMs: number;
  /** How long after trade.refund the refund query sees it (Alipay: query ≥ 10 s later to be sure). */
  refundSettleMs: number;
  codeTtlMs: number;
  /** Where trades outlive a restart (default: in memory only). */
  store?: LedgerStore;
}

export interface BillLine {
  time: Date;
  kind: 'payment' | 'refund';
  trade: Readonly<Trade>;
  amount_fen: number;
  out_request_no?: string;
}
