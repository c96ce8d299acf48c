/**
 * The shop's day beyond single payments: cashiers and their shifts, the hand-over report, the
 * owner's report (README "Cashiers and shifts", "The owner's report"). One definition for the
 * server and the web app. Money is integer fen; times are ISO strings; days are shop-local
 * YYYY-MM-DD.
 */
import type { Payment } from './api.ts';

/** Every payment is WeChat's until payments carry a `wallet` (Alipay is coming). */
export type Wallet = 'wechat' | 'alipay' | (string & {});
export const walletOf = (payment: { wallet?: string | null }): Wallet => payment.wallet ?? 'wechat';
export const WALLET_NAMES: Record<string, { zh: string; en: string }> = {
  wechat: { zh: '微信支付', en: 'WeChat Pay' },
  alipay: { zh: '支付宝', en: 'Alipay' },
};

export const CASHIER_PIN = /^\d{4,6}$/;
/** 1 to 20 letters (any script), digits, spaces, ".", "_" or "-", starting with a letter or digit. */
export const CASHIER_NAME = /^[\p{L}\p{N}][\p{L}\p{N} ._-]{0,19}$/u;

export interface Cashier {
  id: string;
  name: string;
  created_at: string;
}

export interface Shift {
  id: string;
  /** The cashier's name when the shift opened. */
  cashier: string;
  cashier_id: string;
  /** The terminal's id and name. */
  terminal: string;
  terminal_name: string;
  opened_at: string;
  /** null while the shift is open. */
  closed_at: string | null;
}

export interface ShiftTotals {
  /** Payments taken in the shift, whatever their outcome. */
  count: number;
  succeeded_count: number;
  succeeded_fen: number;
  /** Succeeded refunds made during the shift (on any payment). */
  refunded_fen: number;
  refund_count: number;
  net_fen: number;
}

export interface WalletLine {
  wallet: Wallet;
  succeeded_count: number;
  succeeded_fen: number;
  refunded_fen: number;
  net_fen: number;
}

/** A shift with its hand-over report (answered by close, the current shift and the list). */
export interface ShiftReport extends Shift {
  totals: ShiftTotals;
  by_wallet: WalletLine[];
  /** Payments of the shift not settled yet (in progress or waiting for attention): their outcome lands in this shift. */
  open_payments: Payment[];
  /** Refunds made in the shift still being processed by the wallet. */
  processing_refunds: { count: number; amount_fen: number };
}

export interface CurrentShift {
  /** Whether this terminal needs an open shift to take payments (the shop has cashiers). */
  cashiers_required: boolean;
  shift: ShiftReport | null;
}

export const REPORT_PERIODS = ['day', 'week', 'month'] as const;
export type ReportPeriod = (typeof REPORT_PERIODS)[number];

export interface Takings {
  count: number;
  succeeded_count: number;
  succeeded_fen: number;
  refund_count: number;
  refunded_fen: number;
  net_fen: number;
  /** Payments of the period not settled yet. */
  open_count: number;
  open_fen: number;
}

export interface Bucket {
  /** Hour of the day (0–23) or a day (YYYY-MM-DD). */
  key: string;
  succeeded_count: number;
  succeeded_fen: number;
  refunded_fen: number;
}

export interface GroupLine extends Takings {
  /** Terminal id, cashier name (null: no cashier), or wallet. */
  key: string | null;
  /** What people read: the terminal's name, the cashier's name, the wallet. */
  name: string | null;
}

export interface ReportRefund {
  id: string;
  payment_id: string;
  out_trade_no: string;
  amount_fen: number;
  status: 'processing' | 'succeeded';
  created_at: string;
  cashier: string | null;
  terminal_name: string | null;
}

export interface PeriodFigures {
  /** First and last shop day of the period (inclusive). */
  from: string;
  to: string;
  totals: Takings;
  /** 24 hours, 00–23 shop time, summed over the period's days. */
  by_hour: Bucket[];
  /** One bucket per day of the period. */
  by_day: Bucket[];
}

export interface Report extends PeriodFigures {
  period: ReportPeriod;
  date: string;
  time_zone: string;
  by_wallet: GroupLine[];
  by_terminal: GroupLine[];
  by_cashier: GroupLine[];
  /** Refunds made in the period (the first 50, oldest first) and how many there are. */
  refunds: { count: number; items: ReportRefund[] };
  /**
   * The same period one week earlier for a day (the same weekday) and a week, the month before
   * for a month.
   */
  compare: PeriodFigures;
}
