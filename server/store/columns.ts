import type { ChronologicalPage } from './types.ts';

/*
 * What the SQLite and PostgreSQL journals (sqlite/, postgres/) agree on: the columns of a
 * payment and a refund row, the quarter-hour groups of the shift and day reports, the statuses
 * still open, and the cursor of a chronological page.
 */

export const PAYMENT_COLUMNS = [
  'id', 'out_trade_no', 'terminal_id', 'amount_fen', 'description', 'auth_code_masked', 'auth_code_hash', 'status', 'step',
  'error_code', 'error_message', 'transaction_id', 'late_payment', 'cancel_requested', 'send_rejected', 'sent_at',
  'reverse_decided_at', 'reverse_reason', 'reverse_attempts', 'deadline_at', 'reverse_after', 'next_at', 'lease_owner',
  'lease_until', 'created_at', 'updated_at', 'shift_id', 'cashier', 'wallet', 'cancel_action', 'cash_fen', 'coupon_fen', 'settlement_fen', 'bank_type',
  'shop_id',
] as const;
export const PAYMENT_COLUMN_SET: ReadonlySet<string> = new Set(PAYMENT_COLUMNS);

export const REFUND_COLUMNS = [
  'id', 'payment_id', 'amount_fen', 'reason', 'status', 'step', 'error_code', 'error_message', 'refund_id', 'terminal_id', 'attempts',
  'next_at', 'lease_owner', 'lease_until', 'created_at', 'updated_at', 'shift_id', 'cashier', 'wallet',
] as const;
export const REFUND_COLUMN_SET: ReadonlySet<string> = new Set(REFUND_COLUMNS);

/** The wallet of a group: the payment's (a refund's group is its payment's). */
export const WALLET_SQL = 'wallet';
export const QUARTER_MS = 15 * 60_000;
export const OPEN_STATUSES = "('processing', 'user_paying', 'needs_attention')";

/** No `after`: start at the range's first millisecond (every id sorts after ''). */
export const pageParams = (p: ChronologicalPage) => ({
  from: p.fromMs,
  to: p.toMs,
  afterAt: p.after?.created_at ?? p.fromMs,
  afterId: p.after?.id ?? '',
  limit: p.limit,
});
