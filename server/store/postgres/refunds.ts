import type { InsertRefundResult, NewRefund, RefundPatch, RefundRow } from '../types.ts';
import { REFUND_COLUMN_SET, REFUND_COLUMNS } from '../columns.ts';
import type { PgContext } from './context.ts';
import { patchValues, paymentFromDb, REFUNDED, refundFromDb, type Row } from './rows.ts';

/** The refunds table: the insert that reserves the amount under the payment's row lock, reads, transitions, and the leases of the recovery sweep. */
export function pgRefunds(ctx: PgContext) {
  const { sql } = ctx;

  return {
    async insertRefund(r: NewRefund): Promise<InsertRefundResult> {
      const values: Row = {};
      for (const c of REFUND_COLUMNS) values[c] = (r as unknown as Row)[c] ?? null;
      return sql.begin(async (tx): Promise<InsertRefundResult> => {
        // The payment's row lock makes refunds of one payment take turns: what is left is read after the previous one committed.
        const [locked] = await tx`SELECT p.*, ${tx.unsafe(REFUNDED)} FROM payments p WHERE p.id = ${r.payment_id} FOR UPDATE`;
        const [existing] = await tx`SELECT * FROM refunds WHERE id = ${r.id}`;
        if (existing) return { kind: 'exists', refund: refundFromDb(existing) };
        if (!locked) return { kind: 'payment_not_found' };
        const payment = paymentFromDb(locked).row;
        if (payment.status !== 'succeeded') return { kind: 'not_allowed', payment };
        const [reserved] = await tx`
          SELECT COALESCE(SUM(amount_fen), 0)::bigint AS fen FROM refunds WHERE payment_id = ${r.payment_id} AND status IN ('processing', 'succeeded')`;
        const remaining = payment.amount_fen - (reserved!.fen as number);
        if (r.amount_fen > remaining) return { kind: 'too_large', remaining_fen: Math.max(0, remaining) };
        values.wallet = payment.wallet;
        const [created] = await tx`INSERT INTO refunds ${tx(values, REFUND_COLUMNS)} RETURNING *`;
        return { kind: 'created', refund: refundFromDb(created!) };
      });
    },

    async refund(id: string): Promise<RefundRow | undefined> {
      const [r] = await sql`SELECT * FROM refunds WHERE id = ${id}`;
      return r && refundFromDb(r);
    },

    async refundsOf(paymentId: string): Promise<RefundRow[]> {
      const rows = await sql`SELECT * FROM refunds WHERE payment_id = ${paymentId} ORDER BY created_at, id`;
      return rows.map(refundFromDb);
    },

    async transitionRefund(id: string, decide: (current: RefundRow) => RefundPatch | undefined): Promise<RefundRow | undefined> {
      return sql.begin(async (tx) => {
        const [r] = await tx`SELECT * FROM refunds WHERE id = ${id} FOR UPDATE`;
        if (!r) return undefined;
        const before = refundFromDb(r);
        const patch = decide(before);
        const { columns, values } = patch ? patchValues(patch, REFUND_COLUMN_SET) : { columns: [], values: {} };
        if (columns.length === 0) return before;
        const [after] = await tx`UPDATE refunds SET ${tx(values, columns)} WHERE id = ${id} RETURNING *`;
        return refundFromDb(after!);
      });
    },

    async claimRefunds(owner: string, now: number, leaseMs: number, dueBy: number, limit: number): Promise<RefundRow[]> {
      const rows = await sql`
        UPDATE refunds SET lease_owner = ${owner}, lease_until = ${now + leaseMs}
        WHERE id IN (
          SELECT id FROM refunds
          WHERE step <> 'done' AND next_at <= ${dueBy} AND (lease_owner IS NULL OR lease_until < ${now} OR lease_owner = ${owner})
          ORDER BY next_at LIMIT ${limit}
          FOR UPDATE SKIP LOCKED)
        RETURNING *`;
      return rows.map(refundFromDb).sort((a, b) => a.next_at - b.next_at);
    },
  };
}
