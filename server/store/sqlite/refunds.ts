import type { InsertRefundResult, NewRefund, RefundPatch, RefundRow } from '../types.ts';
import { REFUND_COLUMN_SET, REFUND_COLUMNS } from '../columns.ts';
import type { SqliteContext } from './context.ts';
import { refundFromDb, toSql, type DbRow, type SqlValue } from './rows.ts';

/** The refunds table: the insert that reserves the amount, reads, transitions, and the leases of the recovery sweep. */
export function sqliteRefunds(ctx: SqliteContext) {
  const { db, durable, update, paymentNow, refundNow, claimDue } = ctx;
  const q = {
    refundsOf: db.prepare('SELECT * FROM refunds WHERE payment_id = ? ORDER BY created_at, id'),
    reservedRefunds: db.prepare("SELECT COALESCE(SUM(amount_fen), 0) FROM refunds WHERE payment_id = ? AND status IN ('processing', 'succeeded')").pluck(),
    insertRefund: db.prepare(
      `INSERT INTO refunds (${REFUND_COLUMNS.join(', ')}) VALUES (${REFUND_COLUMNS.map((c) => '@' + c).join(', ')})`,
    ),
    dueRefundIds: db.prepare(
      `SELECT id FROM refunds WHERE step != 'done' AND next_at <= @dueBy
         AND (lease_owner IS NULL OR lease_until < @now OR lease_owner = @owner) ORDER BY next_at LIMIT @limit`,
    ),
    leaseRefund: db.prepare(
      `UPDATE refunds SET lease_owner = @owner, lease_until = @until WHERE id = @id AND step != 'done'
         AND (lease_owner IS NULL OR lease_until < @now OR lease_owner = @owner)`,
    ),
  };

  return {
    async insertRefund(r: NewRefund): Promise<InsertRefundResult> {
      const insert = db.transaction((): InsertRefundResult => {
        const existing = refundNow(r.id);
        if (existing) return { kind: 'exists', refund: existing };
        const payment = paymentNow(r.payment_id);
        if (!payment) return { kind: 'payment_not_found' };
        if (payment.status !== 'succeeded') return { kind: 'not_allowed', payment };
        const remaining = payment.amount_fen - Number(q.reservedRefunds.get(r.payment_id));
        if (r.amount_fen > remaining) return { kind: 'too_large', remaining_fen: Math.max(0, remaining) };
        const values: Record<string, SqlValue> = {};
        for (const c of REFUND_COLUMNS) values[c] = toSql(c, (r as Record<string, unknown>)[c]);
        values.wallet = payment.wallet;
        q.insertRefund.run(values);
        return { kind: 'created', refund: refundNow(r.id)! };
      });
      return durable(insert.immediate());
    },

    async refund(id: string): Promise<RefundRow | undefined> {
      return refundNow(id);
    },

    async refundsOf(paymentId: string): Promise<RefundRow[]> {
      return (q.refundsOf.all(paymentId) as DbRow[]).map(refundFromDb);
    },

    async transitionRefund(id: string, decide: (current: RefundRow) => RefundPatch | undefined): Promise<RefundRow | undefined> {
      return db
        .transaction(() => {
          const before = refundNow(id);
          if (!before) return undefined;
          const patch = decide(before);
          if (!patch) return before;
          const columns = Object.keys(patch).filter((c) => REFUND_COLUMN_SET.has(c));
          if (columns.length === 0) return before;
          const values: Record<string, SqlValue> = { id };
          for (const c of columns) values[c] = toSql(c, (patch as Record<string, unknown>)[c]);
          update('refunds', columns).run(values);
          return refundNow(id);
        })
        .immediate();
    },

    async claimRefunds(owner: string, now: number, leaseMs: number, dueBy: number, limit: number): Promise<RefundRow[]> {
      return claimDue(q.dueRefundIds, q.leaseRefund, (id) => refundNow(id)!, { owner, now, leaseMs, dueBy, limit });
    },
  };
}
