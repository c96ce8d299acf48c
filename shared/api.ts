/** The HTTP API's shapes (README "HTTP API"): one definition for the server and the web app. */
import type { Wallet } from './payment-code.ts';

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
  /** A reverse was decided (deadline, cancel or an order WeChat did not know): the flow is closing the order. */
  reversing?: boolean;
  /** What the customer paid from the wallet and what a coupon covered (WeChat's cash_fee / coupon_fee); null when WeChat sent none, absent until the server reports them. */
  cash_fen?: number | null;
  coupon_fen?: number | null;
  settlement_fen?: number | null;
  /** The customer's bank or balance as WeChat names it ("CFT", "CMB_DEBIT"…). */
  bank_type?: string | null;
  /** Who took the payment: the cashier's name when it was taken, null with no cashiers set up. Always sent by the server. */
  cashier?: string | null;
  /** Which wallet charged it (the server always sends it). */
  wallet: 'wechat' | 'alipay';
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
  updated_at?: string;
  reason?: string;
  /** The terminal that asked for it (id). */
  terminal?: string;
}

/** POST /api/payments/:id/refunds (with the X-Manager-Pin header). */
export interface RefundRequest {
  id: string;
  amount_fen: number;
  reason?: string;
}

/** Totals of the whole shop day, whatever page or filter the list shows. */
export interface DayTotals {
  count: number;
  succeeded_count: number;
  succeeded_fen: number;
  refunded_fen: number;
  /** settlement_fen − refunded_fen. */
  net_fen: number;
  /** What coupons covered of the succeeded payments (shown apart). */
  coupon_fen?: number;
  /** What WeChat settles to the shop for them: each payment's settlement_fen, or its amount when WeChat sent none. */
  settlement_fen?: number;
  /** The same sums per wallet (only wallets with payments that day). */
  by_wallet?: WalletTotals[];
}

export interface WalletTotals {
  wallet: 'wechat' | 'alipay';
  count: number;
  succeeded_count: number;
  succeeded_fen: number;
  refunded_fen: number;
  net_fen: number;
}

/** GET /api/payments?date=&limit=&cursor=&terminal=&q= */
export interface PaymentList {
  date: string;
  /** Newest first. */
  payments: Payment[];
  totals: DayTotals;
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  next_cursor: string | null;
}

/** GET /api/payments's query parameters, checked for shape by the API. */
export interface PaymentListQuery {
  /** The shop-local day, YYYY-MM-DD. */
  date: string;
  /** 1..200, default 50. */
  limit?: number;
  /** next_cursor of the previous page. */
  cursor?: string;
  terminal?: string;
  /** An amount in yuan ("25.8", "¥25.80") or the last 4+ characters of out_trade_no / transaction_id. */
  q?: string;
}

/** GET /api/payments/active: this terminal's payment in progress. */
export interface ActivePayment {
  payment: Payment | null;
}

/** GET /api/payments/:id/refunds, oldest first. */
export interface RefundList {
  refunds: Refund[];
}

export const PAGE_LIMIT_DEFAULT = 50;
export const PAGE_LIMIT_MAX = 200;

/** How a wallet is reached: a real gateway, a simulator (training: no money moves), or not at all. */
export type WalletMode = 'live' | 'simulator' | 'off';

export type WalletModes = { wechat: WalletMode; alipay: WalletMode };

type WalletSetup = { mode: 'simulator' | 'live'; wallets?: WalletModes | undefined };

/** Each wallet's mode, also from an older server that reported WeChat Pay's alone in `mode`. */
function walletModes(setup: WalletSetup): WalletModes {
  return setup.wallets ?? { wechat: setup.mode, alipay: 'off' };
}

/** Whether a sale through `wallet` moved no money (that wallet is simulated), whatever the other wallet is. */
export function isTrainingSale(setup: WalletSetup, wallet: 'wechat' | 'alipay' = 'wechat'): boolean {
  return walletModes(setup)[wallet] === 'simulator';
}

/**
 * The wallets that take payments but move no money (simulated), and whether that is all of them.
 * One wallet can be live while the other trains: the till must then say which one trains, not
 * call itself live or training as a whole.
 */
export function trainingWallets(setup: WalletSetup): { wallets: ('wechat' | 'alipay')[]; all: boolean } {
  const modes = walletModes(setup);
  const on = (['wechat', 'alipay'] as const).filter((w) => modes[w] !== 'off');
  const wallets = on.filter((w) => modes[w] === 'simulator');
  return { wallets, all: wallets.length > 0 && wallets.length === on.length };
}

export interface Health {
  ok: boolean;
  /** WeChat Pay's mode (as before wallets were reported). */
  mode: 'simulator' | 'live';
  wallets: WalletModes;
  /** Why not ok (503: the journal cannot take a durable write). */
  reason?: string;
}

export interface TerminalInfo {
  id: string;
  name: string;
}

/** GET /api/terminal: this device and the shop's setup. */
export interface TerminalDetails {
  terminal: TerminalInfo;
  mode: 'simulator' | 'live';
  /** Each wallet's mode (absent from older servers: WeChat Pay in `mode`, no Alipay). */
  wallets?: WalletModes;
  shop_name?: string;
  time_zone: string;
  max_amount_fen: number;
  pin_configured: boolean;
  /** 'owner': the owner's read-only device (the report link); 'operator': the chain's summary token; absent means a till. */
  role?: 'till' | 'owner' | 'operator';
  /** The shop this terminal belongs to ('default' for a single shop). */
  shop_id?: string;
}

/** One shop's day in the chain-wide summary. */
export interface ShopSummary {
  id: string;
  name: string;
  time_zone: string;
  /** Service-provider mode: the shop's sub-merchant, if it has one of its own. */
  sub_mch_id: string | null;
  terminals: number;
  totals: DayTotals;
}

/** GET /api/operator/summary?date=YYYY-MM-DD (operator token): every shop's own day, in its own time zone, and the chain's sums. */
export interface ChainSummary {
  date: string;
  shops: ShopSummary[];
  totals: DayTotals;
}

/** GET /api/terminals */
export interface TerminalList {
  terminals: TerminalInfo[];
}

/** POST /api/pair */
export interface PairResult {
  token: string;
  terminal: TerminalInfo;
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
  | 'CODE_NOT_ACCEPTED'
  | 'WALLET_OFF'
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
  | 'INVALID_RANGE'
  | 'INVALID_LIMIT'
  | 'INVALID_CURSOR'
  | 'INVALID_QUERY'
  | 'TRAINING_MODE'
  | 'WRONG_ROLE';

/** Reconciliation: a shop's journal against each wallet's bill of one Beijing day (README "Reconciliation"). */
export const RECONCILIATION_KINDS = ['missing_in_journal', 'missing_at_wechat', 'missing_at_alipay', 'amount_mismatch', 'status_mismatch', 'refund_mismatch'] as const;
export type ReconciliationKind = (typeof RECONCILIATION_KINDS)[number];
export type ReconciliationStatus = 'matched' | 'differences' | 'no_bill' | 'error';

export interface ReconciliationDifference {
  kind: ReconciliationKind;
  /** Whose bill shows (or lacks) it. */
  wallet?: Wallet;
  out_trade_no: string;
  /** refund_mismatch: the refund's number (our refund id). */
  out_refund_no?: string;
  /** Our payment id, when the journal has the payment. */
  payment_id?: string;
  transaction_id?: string;
  /** The amounts each side shows (fen; null: that side has none) and each side's status. */
  journal_fen?: number | null;
  bill_fen?: number | null;
  journal_status?: string | null;
  bill_status?: string | null;
}

/** One wallet's part of a reconciliation: its bill against the shop's payments in that wallet. */
export interface WalletReconciliation {
  wallet: Wallet;
  status: ReconciliationStatus;
  counts: { journal: number; bill: number; matched: number };
  /** Its differences (also in the result's list). */
  differences: number;
  /** When this wallet's bill was last compared (ISO); why it is no_bill or error. */
  run_at: string;
  error?: string;
}

/** POST /api/reconciliations {date}, GET /api/reconciliations?date= and `npm run reconcile`'s last line. */
export interface ReconciliationResult {
  /** The bill's day, YYYY-MM-DD, Beijing time. */
  date: string;
  /** The shop whose journal was compared (absent on refusals before any run). */
  shop?: string;
  /** The day as a whole: differences when any wallet has some, else error, no_bill or matched (see docs/operations.md). */
  status: ReconciliationStatus;
  /** Summed over the wallets. */
  counts: { journal: number; bill: number; matched: number };
  differences: ReconciliationDifference[];
  /** Each enabled wallet's own status and totals (WeChat first). */
  wallets?: WalletReconciliation[];
  /** When it ran (ISO); why it is no_bill or error. */
  run_at?: string;
  error?: string;
}
