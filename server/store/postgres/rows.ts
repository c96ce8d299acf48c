import type { PaymentRow, RefundRow } from '../types.ts';

/* Rows as PostgreSQL stores them and as the journal reads them. */

/** A row or a set of column values, as the driver reads and serialises them. */
export type Row = Record<string, any>;

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
