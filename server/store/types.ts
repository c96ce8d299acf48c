import type { PaymentStatus, RefundStatus } from '../../shared/api.ts';
import type { Wallet } from '../../shared/payment-code.ts';

/**
 * The one storage seam: SQLite for a shop (server/store/sqlite.ts), PostgreSQL for a chain of
 * several server instances on one database (server/store/postgres.ts). Every method is async so a network database can
 * fill it; every mutation is one transaction. Times are epoch milliseconds (integers), money is
 * integer fen. No SQL leaks out of an implementation.
 *
 * Concurrency rules an implementation must keep:
 * - `insertPayment` is atomic: the id is unique, and at most one payment per terminal is in
 *   progress (processing / user_paying), enforced by the database, not by timing.
 * - `transitionPayment` is a read-modify-write of the current row: `decide` sees it and returns a
 *   patch (or nothing), and the patch is written only over the row it was decided on (SQLite: a
 *   write transaction; PostgreSQL: a compare-and-set on the row's version, deciding again when
 *   another instance wrote in between). `decide` must be synchronous and pure.
 * - Leases (`lease_owner` + `lease_until`) let several server instances share the recovery work:
 *   an instance acts on an unfinished payment only while it holds the lease.
 */

/** Where the payment flow stands, beyond the public status (what to do next on resume). */
export type FlowStep =
  /** Journaled; micropay not sent yet. */
  | 'send'
  /** Micropay sent (or possibly sent): the outcome is settled by orderquery. */
  | 'query'
  /** Reverse decided (journaled before any reverse call). */
  | 'reverse'
  /**
   * Reverse acknowledged: one more query confirms nothing was paid meanwhile. With a final status
   * (failed, canceled) the cashier already has the answer and the flow keeps checking in the
   * background until the payment code can no longer be charged (FlowConfig.lateChargeWatchMs).
   */
  | 'confirm'
  /** Only a person can settle it (e.g. the paid amount differs from the asked amount). */
  | 'manual'
  /** Final. */
  | 'done';

/**
 * Why a reverse was decided: the deadline, the cashier's cancel, an order WeChat did not know;
 * `close`: the micropay failed for the customer and the order is closed at WeChat (SUCCESS,
 * CLOSED or REVOKED is the only end WeChat accepts); `late_charge`: a charge arrived after the
 * cashier was told the payment did not go through, and is given back.
 */
export type ReverseReason = 'deadline' | 'cancel' | 'not_found' | 'close' | 'late_charge';

export interface PaymentRow {
  id: string;
  /** Which wallet's gateway charges it (chosen by the payment code). */
  wallet: Wallet;
  out_trade_no: string;
  terminal_id: string;
  amount_fen: number;
  description: string | null;
  /** First and last 4 digits only; the full code never reaches storage. */
  auth_code_masked: string;
  /** HMAC-SHA256 of the code with a server secret (payments/ids.ts codeFingerprint): recognises an idempotent retry without keeping the code. */
  auth_code_hash: string;
  status: PaymentStatus;
  step: FlowStep;
  error_code: string | null;
  error_message: string | null;
  transaction_id: string | null;
  /** Sum of succeeded refunds (derived by the store). */
  refunded_fen: number;
  late_payment: boolean;
  cancel_requested: boolean;
  /** The micropay was answered with return_code=FAIL (not processed, to be confirmed by query). */
  send_rejected: boolean;
  /** When the micropay send was journaled; null = never sent. */
  sent_at: number | null;
  reverse_decided_at: number | null;
  reverse_reason: ReverseReason | null;
  reverse_attempts: number;
  /** Alipay's answer to our cancel: 'close' (it was unpaid) or 'refund' (it was paid and the money goes back); null otherwise. */
  cancel_action: 'close' | 'refund' | null;
  /** Reverse if the outcome is still open at this time (submission + deadline). */
  deadline_at: number;
  /** Never reverse before this time (submission + reverse minimum age). */
  reverse_after: number;
  /** When the flow should act next. */
  next_at: number;
  lease_owner: string | null;
  lease_until: number | null;
  created_at: number;
  updated_at: number;
  /** The cashier's shift the payment was taken in, and the cashier's name then (null: no cashiers). */
  shift_id: string | null;
  cashier: string | null;
  /**
   * A paid order's facts from WeChat (null when it sent none): what the customer paid from the
   * wallet (cash_fee), what coupons covered (coupon_fee), what the shop is settled
   * (settlement_total_fee: the amount less the shop-funded coupons) and the bank (bank_type).
   */
  cash_fen: number | null;
  coupon_fen: number | null;
  settlement_fen: number | null;
  bank_type: string | null;
  /** The shop the payment was taken in (its terminal's shop then). */
  shop_id: string;
}

/** What `transitionPayment`'s `decide` may change. */
export type PaymentPatch = Partial<
  Omit<
    PaymentRow,
    'id' | 'wallet' | 'out_trade_no' | 'terminal_id' | 'amount_fen' | 'description' | 'auth_code_masked' | 'auth_code_hash' | 'refunded_fen' | 'created_at' | 'shift_id' | 'cashier' | 'shop_id'
  >
> & {
  /** Not a column: journal an event with this code even when neither status nor step changes (e.g. why an outcome is unknown). */
  event_code?: string;
};

export type NewPayment = Omit<
  PaymentRow,
  'refunded_fen' | 'lease_owner' | 'lease_until' | 'shift_id' | 'cashier' | 'cash_fen' | 'coupon_fen' | 'settlement_fen' | 'bank_type' | 'wallet' | 'cancel_action' | 'shop_id'
> & {
  /** Default 'wechat'. */
  wallet?: Wallet;
  cancel_action?: 'close' | 'refund' | null;
  /** Absent: the default shop. */
  shop_id?: string;
  lease_owner?: string | null;
  lease_until?: number | null;
  /** Given when cashiers are set up: the insert is refused if this shift has been closed meanwhile. */
  shift_id?: string | null;
  cashier?: string | null;
};

export type InsertPaymentResult =
  | { kind: 'created'; payment: PaymentRow }
  /** A payment with this id exists already (idempotent retry or conflict: the caller compares). */
  | { kind: 'exists'; payment: PaymentRow }
  /** The terminal has another payment in progress. */
  | { kind: 'terminal_busy'; active: PaymentRow }
  /** The payment's shift was closed before it could be inserted. */
  | { kind: 'shift_closed' };

export interface PaymentEvent {
  payment_id: string;
  at: number;
  from_status: PaymentStatus | null;
  to_status: PaymentStatus;
  from_step: FlowStep | null;
  to_step: FlowStep;
  error_code: string | null;
}

export interface Transition {
  before: PaymentRow;
  after: PaymentRow;
  /** false when `decide` returned nothing. */
  changed: boolean;
}

/** One page of a shop day's payments, newest first (created_at, then id, descending). */
export interface PaymentPageQuery {
  /** The day: created in [fromMs, toMs). */
  fromMs: number;
  toMs: number;
  limit: number;
  /** Continue after this payment (the last one of the previous page). */
  after?: { created_at: number; id: string };
  terminalId?: string;
  /** Only this shop's payments (absent: every shop's). */
  shopId?: string;
  /** A search: payments of this amount, or whose out_trade_no or transaction_id ends with this text (ASCII case ignored). */
  amountFen?: number;
  tail?: string;
}

/** Sums over every payment of a day, whatever page is shown. */
export interface PaymentTotalsRow extends WalletTotalsRow {
  /** The same sums per wallet, only wallets with payments that day, in WALLETS order. */
  by_wallet: (WalletTotalsRow & { wallet: Wallet })[];
}

export interface WalletTotalsRow {
  count: number;
  succeeded_count: number;
  succeeded_fen: number;
  /** What coupons covered of the succeeded payments. */
  coupon_fen: number;
  /** What the shop is settled for them: settlement_fen where WeChat sent it, the amount otherwise. */
  settlement_fen: number;
  /** Succeeded refunds of the day's payments. */
  refunded_fen: number;
}

export type RefundStep = 'send' | 'query' | 'done';

export interface RefundRow {
  /** The client's refund id = out_refund_no at WeChat, out_request_no at Alipay. */
  id: string;
  payment_id: string;
  /** The payment's wallet (the store copies it from the payment). */
  wallet: Wallet;
  amount_fen: number;
  reason: string | null;
  status: RefundStatus;
  step: RefundStep;
  error_code: string | null;
  error_message: string | null;
  /** WeChat's refund_id once accepted (Alipay has none: its trade_no). */
  refund_id: string | null;
  /** The terminal that asked for the refund (null for refunds journaled before it was recorded). */
  terminal_id: string | null;
  attempts: number;
  next_at: number;
  lease_owner: string | null;
  lease_until: number | null;
  created_at: number;
  updated_at: number;
  /** The shift open on the terminal that made the refund, and its cashier's name (null: none). */
  shift_id: string | null;
  cashier: string | null;
}

export type RefundPatch = Partial<Pick<RefundRow, 'status' | 'step' | 'error_code' | 'error_message' | 'refund_id' | 'attempts' | 'next_at' | 'lease_owner' | 'lease_until' | 'updated_at'>>;

export type NewRefund = Omit<RefundRow, 'lease_owner' | 'lease_until' | 'shift_id' | 'cashier' | 'terminal_id' | 'wallet'> & {
  lease_owner?: string | null;
  lease_until?: number | null;
  shift_id?: string | null;
  cashier?: string | null;
  terminal_id?: string | null;
};

export type InsertRefundResult =
  | { kind: 'created'; refund: RefundRow }
  | { kind: 'exists'; refund: RefundRow }
  | { kind: 'payment_not_found' }
  /** Only succeeded payments can be refunded. */
  | { kind: 'not_allowed'; payment: PaymentRow }
  /** amount > paid − (succeeded + processing refunds). */
  | { kind: 'too_large'; remaining_fen: number };

/**
 * 'till' takes payments; 'owner' is a read-only device (the owner's report link) of its shop;
 * 'operator' belongs to the chain, not to a shop: it reads the chain-wide summary only.
 */
export type TerminalRole = 'till' | 'owner' | 'operator';

/** The shop every journal has from its first start (a single shop never needs another). */
export const DEFAULT_SHOP_ID = 'default';

export interface TerminalRow {
  id: string;
  name: string;
  created_at: number;
  /** When a device last paired with a link; null: never, or unpaired since. */
  paired_at: number | null;
  /** Absent: 'till'. */
  role?: TerminalRole;
  /** Absent: the default shop. */
  shop_id?: string;
}

/** The shop a terminal belongs to. */
export const shopOf = (t: Pick<TerminalRow, 'shop_id'>): string => t.shop_id ?? DEFAULT_SHOP_ID;

/**
 * A shop of a chain, or a sub-merchant of a service provider. The default shop's null fields
 * follow the server's configuration (SHOP_NAME, TIME_ZONE, WECHAT_SUB_MCH_ID, MANAGER_PIN), so a
 * single shop behaves as it always did; another shop's null time zone is the server's too.
 */
export interface ShopRow {
  id: string;
  name: string | null;
  /** IANA zone of the shop's days (reports, history, exports); null: the server's TIME_ZONE. */
  time_zone: string | null;
  /** Service-provider mode: sent on each of the shop's payments, refunds, queries, reverses and bills. */
  sub_mch_id: string | null;
  sub_appid: string | null;
  /** scrypt hash of the shop's manager PIN (the default shop keeps MANAGER_PIN / the settings). */
  manager_pin_hash: string | null;
  created_at: number;
}

/** One bearer token of a terminal, stored as its SHA-256 only (the token itself is random and never stored). */
export interface TerminalTokenRow {
  token_hash: string;
  terminal_id: string;
  created_at: number;
}

export interface CashierRow {
  id: string;
  name: string;
  /** scrypt hash (server/terminals/pin.ts). */
  pin_hash: string;
  created_at: number;
  removed_at: number | null;
  /** The shop the cashier works in (absent: the default shop); names and PINs are unique per shop. */
  shop_id?: string;
}

export interface ShiftRow {
  id: string;
  terminal_id: string;
  /** Its terminal's shop (absent: the default shop). */
  shop_id?: string;
  cashier_id: string;
  /** The cashier's name when the shift opened. */
  cashier_name: string;
  opened_at: number;
  closed_at: number | null;
  /** The terminal that closed it (another one only with the manager PIN). */
  closed_by: string | null;
}

/** What a payment needs to know of shifts: the terminal's open shift, and whether its shop has cashiers. */
export interface ShiftStatus {
  open: ShiftRow | undefined;
  hasCashiers: boolean;
}

export type OpenShiftResult =
  | { kind: 'opened'; shift: ShiftRow }
  /** The terminal has an open shift already (this cashier's or another's). */
  | { kind: 'terminal_has_shift'; shift: ShiftRow };

export type CloseShiftResult =
  | { kind: 'closed'; shift: ShiftRow }
  | { kind: 'already_closed'; shift: ShiftRow }
  | { kind: 'not_found' }
  /** The shift's terminal has a payment in progress: the hand-over waits for its outcome. */
  | { kind: 'payment_in_progress'; active: PaymentRow };

/** Where a group of payments or refunds lies: a time range or one shift. */
export type JournalScope = { fromMs: number; toMs: number; /** Absent: every shop. */ shopId?: string } | { shiftId: string };

/**
 * Payments summed by the database, one row per (quarter hour, terminal, cashier, wallet):
 * every time zone's hours and days are whole quarter hours, so a report cuts them anywhere.
 */
export interface PaymentGroupRow {
  /** Start of the quarter hour (epoch ms) the payments were created in. */
  quarter: number;
  terminal_id: string;
  cashier: string | null;
  wallet: string;
  count: number;
  succeeded_count: number;
  succeeded_fen: number;
  /** Payments not settled yet (processing, user_paying, needs_attention). */
  open_count: number;
  open_fen: number;
}

/** Succeeded refunds summed by (quarter hour they were made, the payment's terminal and wallet, the refund's cashier). */
export interface RefundGroupRow {
  quarter: number;
  terminal_id: string;
  cashier: string | null;
  wallet: string;
  count: number;
  refunded_fen: number;
  /** Refunds still being processed (not in refunded_fen). */
  processing_count: number;
  processing_fen: number;
}

/** A refund with the payment it returns, for exports and reports. */
export interface RefundWithPayment extends RefundRow {
  payment: PaymentRow;
}

/** Keyset paging in time order: rows created in [fromMs, toMs) after `after`, oldest first. */
export interface ChronologicalPage {
  fromMs: number;
  toMs: number;
  /** Only this shop's payments, or refunds of its payments (absent: every shop's). */
  shopId?: string;
  after?: { created_at: number; id: string };
  limit: number;
}

export interface PairingCodeRow {
  code_hash: string;
  terminal_id: string;
  expires_at: number;
}

export type ReconciliationStatus = 'matched' | 'differences' | 'no_bill' | 'error';

/** One comparison of a shop's journal with one wallet's bill of a Beijing day (server/reconciliation/). */
export interface ReconciliationRunRow {
  id: string;
  /** The bill's day, YYYY-MM-DD, Beijing time. */
  bill_date: string;
  shop_id: string;
  wallet: Wallet;
  status: ReconciliationStatus;
  run_at: number;
  /** Succeeded journal payments compared, orders paid on the bill, and those that agree. */
  journal_count: number;
  bill_count: number;
  matched_count: number;
  /** Why it is no_bill or error. */
  error: string | null;
}

export interface ReconciliationDifferenceRow {
  kind: 'missing_in_journal' | 'missing_at_wechat' | 'missing_at_alipay' | 'amount_mismatch' | 'status_mismatch' | 'refund_mismatch';
  out_trade_no: string;
  out_refund_no: string | null;
  payment_id: string | null;
  transaction_id: string | null;
  journal_fen: number | null;
  bill_fen: number | null;
  journal_status: string | null;
  bill_status: string | null;
}

export interface StoredReconciliation {
  run: ReconciliationRunRow;
  /** In the order they were found. */
  differences: ReconciliationDifferenceRow[];
}

export interface Store {
  // Payments
  insertPayment(payment: NewPayment): Promise<InsertPaymentResult>;
  payment(id: string): Promise<PaymentRow | undefined>;
  /** The terminal's payment in progress (processing / user_paying), if any. */
  activePayment(terminalId: string): Promise<PaymentRow | undefined>;
  /** Payments created in [fromMs, toMs), oldest first; with `shopId`, that shop's only (read through its index, not the chain's day). */
  paymentsCreatedBetween(fromMs: number, toMs: number, shopId?: string): Promise<PaymentRow[]>;
  /** The payments with these out_trade_no (any day), in no particular order; unknown numbers are left out. */
  paymentsByOutTradeNo(outTradeNos: readonly string[]): Promise<PaymentRow[]>;
  /** At most `limit` payments of a day, newest first, read through an index: never the whole day. */
  paymentsPage(query: PaymentPageQuery): Promise<PaymentRow[]>;
  /** Totals of the payments created in [fromMs, toMs) (of one shop, when given), summed by the database. */
  paymentTotals(fromMs: number, toMs: number, shopId?: string): Promise<PaymentTotalsRow>;
  /** Read-modify-write of one payment in one transaction; appends a journal event when status or step changes, or the patch has an event_code. */
  transitionPayment(id: string, decide: (current: PaymentRow) => PaymentPatch | undefined): Promise<Transition | undefined>;
  paymentEvents(id: string): Promise<PaymentEvent[]>;
  /**
   * Takes the lease of up to `limit` unfinished payments (step not done/manual) whose lease is free,
   * expired or already `owner`'s, and whose next_at ≤ `dueBy`. Returns the claimed rows.
   */
  claimPayments(owner: string, now: number, leaseMs: number, dueBy: number, limit: number): Promise<PaymentRow[]>;
  /** Takes or renews the lease of one payment; undefined if another owner holds a live lease or it is finished. */
  claimPayment(id: string, owner: string, now: number, leaseMs: number): Promise<PaymentRow | undefined>;
  releasePayment(id: string, owner: string): Promise<void>;

  // Refunds
  /** Atomic: checks the payment is succeeded and the amount fits what is left, then inserts. */
  insertRefund(refund: NewRefund): Promise<InsertRefundResult>;
  refund(id: string): Promise<RefundRow | undefined>;
  refundsOf(paymentId: string): Promise<RefundRow[]>;
  transitionRefund(id: string, decide: (current: RefundRow) => RefundPatch | undefined): Promise<RefundRow | undefined>;
  /** Like claimPayments, for refunds not yet settled. */
  claimRefunds(owner: string, now: number, leaseMs: number, dueBy: number, limit: number): Promise<RefundRow[]>;

  // Terminals, pairing, settings (server/terminals/ and the API)
  /** A new terminal with its first token and pairing code, in one transaction. */
  createTerminal(terminal: TerminalRow, token: TerminalTokenRow, code: PairingCodeRow): Promise<void>;
  terminal(id: string): Promise<TerminalRow | undefined>;
  /** The terminal a (hashed) token belongs to, while the token is not revoked. */
  terminalByTokenHash(tokenHash: string): Promise<TerminalRow | undefined>;
  /**
   * terminalByTokenHash and the shiftStatus of that terminal in its own shop, in one read: taking
   * a payment asks both, one after the other (one database round trip instead of two).
   */
  terminalWithShiftByTokenHash(tokenHash: string): Promise<{ terminal: TerminalRow; shift: ShiftStatus } | undefined>;
  /** Every terminal, or one shop's. */
  listTerminals(shopId?: string): Promise<TerminalRow[]>;
  /** Revokes every token and unused pairing code of the terminal and gives it `token` and `code`, in one transaction; false for an unknown terminal. */
  rotateTerminal(terminalId: string, token: TerminalTokenRow, code: PairingCodeRow): Promise<boolean>;
  /**
   * One-time and atomic: the first caller before `expires_at` uses the code up, and the terminal
   * gets `token` (terminal_id filled in here) and paired_at = now; every other caller gets undefined.
   */
  redeemPairingCode(codeHash: string, now: number, token: Omit<TerminalTokenRow, 'terminal_id'>): Promise<TerminalRow | undefined>;
  /** Revokes every token of the terminal at once (unpairing; pairing links still unused stay valid); the count revoked. */
  revokeTokens(terminalId: string): Promise<number>;
  /** Deletes the terminal with its tokens and pairing codes; its payments stay in the journal. */
  removeTerminal(terminalId: string): Promise<boolean>;
  setting(key: string): Promise<string | undefined>;
  setSetting(key: string, value: string): Promise<void>;
  /** Stores `value` unless `key` has one already; returns the value that is stored (atomic: concurrent first starts agree). */
  initSetting(key: string, value: string): Promise<string>;

  /** A small durable write now (committed and flushed to disk); throws why the journal cannot be written. */
  checkWritable(): Promise<void>;

  // Cashiers and shifts (server/shifts/), exports and reports (server/exports/, server/reports/)
  /** Refused (false) when an active cashier of the same shop has the same name (case-insensitive). */
  createCashier(cashier: CashierRow): Promise<boolean>;
  /** Cashiers not removed, oldest first: every shop's, or one shop's. */
  cashiers(shopId?: string): Promise<CashierRow[]>;
  cashier(id: string): Promise<CashierRow | undefined>;
  /** Marks the cashier removed (their open shifts stay open until closed); false if unknown or removed already. */
  removeCashier(id: string, at: number): Promise<boolean>;
  /** Whether any cashier is set up (in the shop, when given): then its terminals need an open shift to take payments. */
  hasCashiers(shopId?: string): Promise<boolean>;
  /** Atomic: opens the shift unless the terminal has one open already. */
  openShift(shift: Omit<ShiftRow, 'closed_at' | 'closed_by'>): Promise<OpenShiftResult>;
  /** The terminal's open shift, if any. */
  openShiftOf(terminalId: string): Promise<ShiftRow | undefined>;
  /**
   * One read for what every payment asks: the terminal's open shift, and whether its shop has
   * cashiers (openShiftOf and hasCashiers together).
   */
  shiftStatus(terminalId: string, shopId: string): Promise<ShiftStatus>;
  shift(id: string): Promise<ShiftRow | undefined>;
  /** Atomic: closes the shift unless its terminal has a payment in progress. */
  closeShift(id: string, at: number, closedBy: string): Promise<CloseShiftResult>;
  /** Shifts opened in [fromMs, toMs) (in one shop, when given), oldest first. */
  shiftsOpenedBetween(fromMs: number, toMs: number, shopId?: string): Promise<ShiftRow[]>;
  /** Payments of a time range or a shift, summed per quarter hour, terminal, cashier and wallet. */
  paymentGroups(scope: JournalScope): Promise<PaymentGroupRow[]>;
  /** Refunds made in a time range or a shift, summed likewise. */
  refundGroups(scope: JournalScope): Promise<RefundGroupRow[]>;
  /** Payments of a shift that are not settled yet (processing, user_paying, needs_attention). */
  openPaymentsOfShift(shiftId: string): Promise<PaymentRow[]>;
  /** One page of payments created in a range, oldest first (exports read a month page by page). */
  paymentsChronological(page: ChronologicalPage): Promise<PaymentRow[]>;
  /** One page of refunds made in a range, oldest first, each with its payment. */
  refundsChronological(page: ChronologicalPage): Promise<RefundWithPayment[]>;

  // Reconciliation (server/reconciliation/)
  /** Stores a run with its differences in one transaction (every run is kept). */
  saveReconciliation(result: StoredReconciliation): Promise<void>;
  /** The latest run of a day for one shop and wallet (default: the default shop's WeChat bill). */
  latestReconciliation(billDate: string, shopId?: string, wallet?: Wallet): Promise<StoredReconciliation | undefined>;
  /**
   * Takes the lease on reconciling a shop's day until `until` (ms): true when there was none, it
   * had lapsed (`until` of the holder <= now) or `owner` already held it; false while another
   * instance holds it. Atomic across instances (the daily job on a chain).
   */
  claimReconciliation(billDate: string, shopId: string, owner: string, now: number, until: number): Promise<boolean>;
  // Shops (server/shops/)
  /** Refused (false) when a shop has the same name (case-insensitive) or id. */
  createShop(shop: ShopRow): Promise<boolean>;
  shop(id: string): Promise<ShopRow | undefined>;
  /** Every shop, the default one first, then oldest first. */
  listShops(): Promise<ShopRow[]>;
  /** Sets (or clears, with null) a shop's manager PIN hash; false for an unknown shop. */
  setShopPin(id: string, pinHash: string | null): Promise<boolean>;

  /**
   * Cross-instance wake-up (stores shared by several server instances): tells every instance that
   * payment `id` changed in a way its lease holder must act on now (a cancel). Absent when one
   * process is the only one (SQLite): the flow wakes its own loop directly.
   */
  signalPayment?(id: string): Promise<void>;
  /** Calls `listener` with each signalled payment id, from any instance; resolves once listening, to the unsubscribe. */
  onPaymentSignal?(listener: (id: string) => void): Promise<() => Promise<void>>;

  close(): Promise<void>;
}
