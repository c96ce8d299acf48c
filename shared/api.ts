/** The HTTP API's shapes (design.md "Contract"): one definition for the server and the web app. */

export const PAYMENT_STATUSES = ['processing', 'user_paying', 'succeeded', 'failed', 'canceled', 'needs_attention'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];
export const FINAL_STATUSES: readonly PaymentStatus[] = ['succeeded', 'failed', 'canceled'];
export const isFinal = (status: PaymentStatus): boolean => FINAL_STATUSES.includes(status);

export interface ApiErrorBody {
  code: string;
  message: string;
  /** PIN_WRONG only: wrong tries left before the terminal must wait (429 TOO_MANY_ATTEMPTS). */
  attempts_left?: number;
}

export interface Payment {
  id: string;
  out_trade_no: string;
  amount_fen: number;
  status: PaymentStatus;
  error?: ApiErrorBody;
  transaction_id?: string;
  refunded_fen: number;
  created_at: string;
  updated_at: string;
  /** Extra, beyond the contract's minimum: what the web app shows. */
  description?: string;
  terminal?: string;
  auth_code_masked?: string;
  /** When the customer must confirm by (user_paying), ISO time. */
  deadline_at?: string;
  /** Set when the payment landed after a reverse was decided. */
  late_payment?: boolean;
  cancel_requested?: boolean;
  /** What the customer paid from the wallet and what a coupon covered (WeChat's cash_fee / coupon_fee); null when WeChat sent none, absent until the server reports them. */
  cash_fen?: number | null;
  coupon_fen?: number | null;
  settlement_fen?: number | null;
  /** The customer's bank or balance as WeChat names it ("CFT", "CMB_DEBIT"…). */
  bank_type?: string | null;
  /** Who took the payment: the cashier's name when it was taken, null with no cashiers set up. Always sent by the server. */
  cashier?: string | null;
  /** Absent means WeChat Pay. */
  wallet?: 'wechat' | 'alipay';
}

export type RefundStatus = 'processing' | 'succeeded' | 'failed';
export interface Refund {
  id: string;
  payment_id?: string;
  amount_fen: number;
  status: RefundStatus;
  error?: ApiErrorBody;
  created_at?: string;
  /** The cashier on shift at the terminal that made the refund (null: none). */
  cashier?: string | null;
}

export interface PaymentList {
  date: string;
  payments: Payment[];
  totals: { count: number; succeeded_count: number; succeeded_fen: number; refunded_fen: number; net_fen: number };
}

export interface CreatePaymentRequest {
  id: string;
  amount_fen: number;
  auth_code: string;
  description?: string;
}

export const PAYMENT_ID = /^[A-Za-z0-9_-]{1,32}$/;

/** Error codes the API answers with (besides the WeChat err_codes carried in payment.error). */
export type ApiErrorCode =
  | 'UNAUTHORIZED'
  | 'INVALID_JSON'
  | 'INVALID_ID'
  | 'INVALID_AMOUNT'
  | 'AMOUNT_TOO_LARGE'
  | 'INVALID_AUTH_CODE'
  | 'NOT_WECHAT_CODE'
  | 'INVALID_DESCRIPTION'
  | 'ID_CONFLICT'
  | 'PAYMENT_IN_PROGRESS'
  | 'NOT_FOUND'
  | 'NOT_CANCELABLE'
  | 'PIN_REQUIRED'
  | 'PIN_WRONG'
  | 'TOO_MANY_ATTEMPTS'
  | 'REFUND_NOT_ALLOWED'
  | 'REFUND_TOO_LARGE'
  | 'INVALID_PAIRING_CODE'
  | 'UNKNOWN_TERMINAL'
  | 'BODY_TOO_LARGE'
  | 'INVALID_DATE'
  | 'INVALID_REASON'
  | 'NOT_YOUR_PAYMENT'
  | 'HTTPS_REQUIRED'
  | 'JOURNAL_UNAVAILABLE'
  | 'SHIFT_REQUIRED'
  | 'SHIFT_OPEN'
  | 'NO_CASHIERS'
  | 'INVALID_CASHIER'
  | 'CASHIER_EXISTS'
  | 'INVALID_PIN'
  | 'NOT_YOUR_SHIFT'
  | 'READ_ONLY_TERMINAL'
  | 'INVALID_PERIOD'
  | 'INVALID_RANGE';
