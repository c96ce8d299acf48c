import type { PaymentRow, RefundRow } from '../types.ts';

/* Rows as PostgreSQL stores them and as the journal reads them. */

/** A row or a set of column values, as the driver reads and serialises them. */
export type Row = Record<string, any>;

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

/**
 * A condition that is always true and makes the statement's transaction commit without waiting
 * for the WAL flush (SET LOCAL synchronous_commit = off, from inside the one statement). In the
 * WHERE clause of the row written: a row is only written once the condition was evaluated.
 */
export const ASYNC_COMMIT = "set_config('synchronous_commit', 'off', true) = 'off'";
export const REFUNDED = "(SELECT COALESCE(SUM(r.amount_fen), 0)::bigint FROM refunds r WHERE r.payment_id = p.id AND r.status = 'succeeded') AS refunded_fen";
export const UNFINISHED_PAYMENT = "p.step NOT IN ('done', 'manual')";

/** A payments row as the flow sees it: the internal version taken out. */
export function paymentFromDb(r: Row): { row: PaymentRow; version: number } {
  const { version, ...row } = r;
  return { row: row as unknown as PaymentRow, version: version as number };
}

export const refundFromDb = (r: Row): RefundRow => r as unknown as RefundRow;

export const isUniqueViolation = (e: unknown): boolean => e instanceof Error && (e as { code?: string }).code === '23505';

/** The columns a patch sets (unknown keys ignored), undefined stored as NULL. */
export function patchValues(patch: object, known: ReadonlySet<string>): { columns: string[]; values: Row } {
  const values: Row = {};
  const columns: string[] = [];
  for (const [c, v] of Object.entries(patch)) {
    if (!known.has(c)) continue;
    columns.push(c);
    values[c] = v ?? null;
  }
  return { columns, values };
}
