import type { ChronologicalPage, JournalScope, PaymentGroupRow, PaymentRow, RefundGroupRow, RefundWithPayment } from '../types.ts';
import { OPEN_STATUSES, pageParams, QUARTER_MS, WALLET_SQL } from '../columns.ts';
import type { PgContext } from './context.ts';
import { paymentFromDb, REFUNDED, refundFromDb } from './rows.ts';

/** The journal read for shifts, exports and reports: quarter-hour groups and chronological pages (server/shifts/, server/exports/, server/reports/). */
export function pgJournal(ctx: PgContext) {
  const { sql } = ctx;

  return {
    async paymentGroups(scope: JournalScope): Promise<PaymentGroupRow[]> {
      const where =
        'shiftId' in scope
          ? sql`shift_id = ${scope.shiftId}`
          : sql`created_at >= ${scope.fromMs} AND created_at < ${scope.toMs} ${scope.shopId === undefined ? sql`` : sql`AND shop_id = ${scope.shopId}`}`;
      const rows = await sql`
        SELECT (created_at / ${QUARTER_MS}) * ${QUARTER_MS} AS quarter, terminal_id, cashier, ${sql.unsafe(WALLET_SQL)} AS wallet, COUNT(*) AS count,
          COUNT(*) FILTER (WHERE status = 'succeeded') AS succeeded_count,
          COALESCE(SUM(amount_fen) FILTER (WHERE status = 'succeeded'), 0)::bigint AS succeeded_fen,
          COUNT(*) FILTER (WHERE status IN ${sql.unsafe(OPEN_STATUSES)}) AS open_count,
          COALESCE(SUM(amount_fen) FILTER (WHERE status IN ${sql.unsafe(OPEN_STATUSES)}), 0)::bigint AS open_fen
        FROM payments WHERE ${where} GROUP BY 1, 2, 3, 4`;
      return rows as unknown as PaymentGroupRow[];
    },

    async refundGroups(scope: JournalScope): Promise<RefundGroupRow[]> {
      const where =
        'shiftId' in scope
          ? sql`r.shift_id = ${scope.shiftId}`
          : sql`r.created_at >= ${scope.fromMs} AND r.created_at < ${scope.toMs} ${scope.shopId === undefined ? sql`` : sql`AND p.shop_id = ${scope.shopId}`}`;
      // Failed refunds returned nothing: only succeeded and still-processing ones are summed.
      const rows = await sql`
        SELECT (r.created_at / ${QUARTER_MS}) * ${QUARTER_MS} AS quarter, p.terminal_id AS terminal_id, r.cashier AS cashier, p.${sql.unsafe(WALLET_SQL)} AS wallet,
          COUNT(*) FILTER (WHERE r.status = 'succeeded') AS count,
          COALESCE(SUM(r.amount_fen) FILTER (WHERE r.status = 'succeeded'), 0)::bigint AS refunded_fen,
          COUNT(*) FILTER (WHERE r.status = 'processing') AS processing_count,
          COALESCE(SUM(r.amount_fen) FILTER (WHERE r.status = 'processing'), 0)::bigint AS processing_fen
        FROM refunds r JOIN payments p ON p.id = r.payment_id
        WHERE ${where} AND r.status <> 'failed' GROUP BY 1, 2, 3, 4`;
      return rows as unknown as RefundGroupRow[];
    },

    async openPaymentsOfShift(shiftId: string): Promise<PaymentRow[]> {
      const rows = await sql`
        SELECT p.*, ${sql.unsafe(REFUNDED)} FROM payments p
        WHERE p.shift_id = ${shiftId} AND p.status IN ${sql.unsafe(OPEN_STATUSES)} ORDER BY p.created_at, p.id`;
      return rows.map((r) => paymentFromDb(r).row);
    },

    async paymentsChronological(page: ChronologicalPage): Promise<PaymentRow[]> {
      const { from, to, afterAt, afterId, limit } = pageParams(page);
      const rows = await sql`
        SELECT p.*, ${sql.unsafe(REFUNDED)} FROM payments p
        WHERE p.created_at >= ${from} AND p.created_at < ${to} AND (p.created_at, p.id) > (${afterAt}::bigint, ${afterId}::text)
          ${page.shopId === undefined ? sql`` : sql`AND p.shop_id = ${page.shopId}`}
        ORDER BY p.created_at, p.id LIMIT ${limit}`;
      return rows.map((r) => paymentFromDb(r).row);
    },

    async refundsChronological(page: ChronologicalPage): Promise<RefundWithPayment[]> {
      const { from, to, afterAt, afterId, limit } = pageParams(page);
      const refunds = (
        await sql`
          SELECT r.* FROM refunds r
          ${page.shopId === undefined ? sql`` : sql`JOIN payments p ON p.id = r.payment_id AND p.shop_id = ${page.shopId}`}
          WHERE r.created_at >= ${from} AND r.created_at < ${to} AND (r.created_at, r.id) > (${afterAt}::bigint, ${afterId}::text)
          ORDER BY r.created_at, r.id LIMIT ${limit}`
      ).map(refundFromDb);
      if (refunds.length === 0) return [];
      const ids = [...new Set(refunds.map((r) => r.payment_id))];
      const payments = new Map(
        (await sql`SELECT p.*, ${sql.unsafe(REFUNDED)} FROM payments p WHERE p.id IN ${sql(ids)}`).map((r) => {
          const { row } = paymentFromDb(r);
          return [row.id, row] as const;
        }),
      );
      return refunds.map((r) => ({ ...r, payment: payments.get(r.payment_id)! }));
    },
  };
}
