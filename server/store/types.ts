import type { PaymentStatus, RefundStatus } from '../../shared/api.ts';

/**
 * The one storage seam (design.md "Scale"): SQLite for a shop today (server/store/sqlite.ts), a
 * PostgreSQL implementation for a chain later. Every method is async so a network database can
 * fill it; every mutation is one transaction. Times are epoch milliseconds (integers), money is
 * integer fen. No SQL leaks out of an implementation.
 *
 * Concurrency rules an implementation must keep:
 * - `insertPayment` is atomic: the id is unique, and at most one payment per terminal is in
 *   progress (processing / user_paying), enforced by the database, not by timing.
 * - `transitionPayment` is a read-modify-write under a row lock: `decide` sees the current row
 *   and returns a patch (or nothing). `decide` must be synchronous and pure.
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
  /** Reverse acknowledged: one more query confirms nothing was paid meanwhile. */
  | 'confirm'
  /** Only a person can settle it (e.g. the paid amount differs from the asked amount). */
  | 'manual'
  /** Final. */
  | 'done';

export type ReverseReason = 'deadline' | 'cancel' | 'not_found';

export interface PaymentRow {
  id: string;
  out_trade_no: string;
  terminal_id: string;
  amount_fen: number;
  description: string | null;
  /** First and last 4 digits only; the full code never reaches storage. */
  auth_code_masked: string;
  /** SHA-256 of the code, to recognise an idempotent retry without keeping the code. */
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
}

/** What `transitionPayment`'s `decide` may change. */
export type PaymentPatch = Partial<
  Omit<PaymentRow, 'id' | 'out_trade_no' | 'terminal_id' | 'amount_fen' | 'description' | 'auth_code_masked' | 'auth_code_hash' | 'refunded_fen' | 'created_at'>
> & {
  /** Not a column: journal an event with this code even when neither status nor step changes (e.g. why an outcome is unknown). */
  event_code?: string;
};

export type NewPayment = Omit<PaymentRow, 'refunded_fen' | 'lease_owner' | 'lease_until'> & {
  lease_owner?: string | null;
  lease_until?: number | null;
};

export type InsertPaymentResult =
  | { kind: 'created'; payment: PaymentRow }
  /** A payment with this id exists already (idempotent retry or conflict: the caller compares). */
  | { kind: 'exists'; payment: PaymentRow }
  /** The terminal has another payment in progress. */
  | { kind: 'terminal_busy'; active: PaymentRow };

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

export type RefundStep = 'send' | 'query' | 'done';

export interface RefundRow {
  /** The client's refund id = out_refund_no at WeChat. */
  id: string;
  payment_id: string;
  amount_fen: number;
  reason: string | null;
  status: RefundStatus;
  step: RefundStep;
  error_code: string | null;
  error_message: string | null;
  /** WeChat's refund_id once accepted. */
  refund_id: string | null;
  attempts: number;
  next_at: number;
  lease_owner: string | null;
  lease_until: number | null;
  created_at: number;
  updated_at: number;
}

export type RefundPatch = Partial<Pick<RefundRow, 'status' | 'step' | 'error_code' | 'error_message' | 'refund_id' | 'attempts' | 'next_at' | 'lease_owner' | 'lease_until' | 'updated_at'>>;

export type NewRefund = Omit<RefundRow, 'lease_owner' | 'lease_until'> & { lease_owner?: string | null; lease_until?: number | null };

export type InsertRefundResult =
  | { kind: 'created'; refund: RefundRow }
  | { kind: 'exists'; refund: RefundRow }
  | { kind: 'payment_not_found' }
  /** Only succeeded payments can be refunded. */
  | { kind: 'not_allowed'; payment: PaymentRow }
  /** amount > paid − (succeeded + processing refunds). */
  | { kind: 'too_large'; remaining_fen: number };

export interface TerminalRow {
  id: string;
  name: string;
  created_at: number;
  /** When a device last paired with a link; null: never, or unpaired since. */
  paired_at: number | null;
}

/** One bearer token of a terminal, stored as its SHA-256 only (the token itself is random and never stored). */
export interface TerminalTokenRow {
  token_hash: string;
  terminal_id: string;
  created_at: number;
}

export interface PairingCodeRow {
  code_hash: string;
  terminal_id: string;
  expires_at: number;
}

export interface Store {
  // Payments
  insertPayment(payment: NewPayment): Promise<InsertPaymentResult>;
  payment(id: string): Promise<PaymentRow | undefined>;
  /** The terminal's payment in progress (processing / user_paying), if any. */
  activePayment(terminalId: string): Promise<PaymentRow | undefined>;
  /** Payments created in [fromMs, toMs), oldest first. */
  paymentsCreatedBetween(fromMs: number, toMs: number): Promise<PaymentRow[]>;
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
  listTerminals(): Promise<TerminalRow[]>;
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

  close(): Promise<void>;
}
