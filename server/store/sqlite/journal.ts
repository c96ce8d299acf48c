import type Database from 'better-sqlite3';
import type { ChronologicalPage, JournalScope, PaymentGroupRow, PaymentRow, RefundGroupRow, RefundWithPayment } from '../types.ts';
import { OPEN_STATUSES, pageParams, QUARTER_MS, WALLET_SQL } from '../columns.ts';
import type { SqliteContext } from './context.ts';
import { num, optStr, paymentFromDb, refundFromDb, str, type DbRow } from './rows.ts';

const paymentGroupFromDb = (r: DbRow): PaymentGroupRow => ({
  quarter: num(r.quarter),
  terminal_id: str(r.terminal_id),
  cashier: optStr(r.cashier),
  wallet: str(r.wallet),
  count: num(r.count),
  succeeded_count: num(r.succeeded_count),
  succeeded_fen: num(r.succeeded_fen),
  open_count: num(r.open_count),
  open_fen: num(r.open_fen),
});

const refundGroupFromDb = (r: DbRow): RefundGroupRow => ({
  quarter: num(r.quarter),
  terminal_id: str(r.terminal_id),
  cashier: optStr(r.cashier),
  wallet: str(r.wallet),
  count: num(r.count),
  refunded_fen: num(r.refunded_fen),
  processing_count: num(r.processing_count),
  processing_fen: num(r.processing_fen),
});

/** The journal read for shifts, exports and reports: quarter-hour groups and chronological pages (server/shifts/, server/exports/, server/reports/). */
export function sqliteJournal(ctx: SqliteContext) {
  const { db, paymentNow } = ctx;
  const quarter = (ms: string) => `(${ms} / ${QUARTER_MS}) * ${QUARTER_MS}`;
  const paymentGroups = (where: string) =>
    db.prepare(
      `SELECT ${quarter('created_at')} AS quarter, terminal_id, cashier, ${WALLET_SQL} AS wallet, COUNT(*) AS count,
         SUM(status = 'succeeded') AS succeeded_count,
         COALESCE(SUM(CASE WHEN status = 'succeeded' THEN amount_fen END), 0) AS succeeded_fen,
         SUM(status IN ${OPEN_STATUSES}) AS open_count,
         COALESCE(SUM(CASE WHEN status IN ${OPEN_STATUSES} THEN amount_fen END), 0) AS open_fen
       FROM payments WHERE ${where} GROUP BY 1, 2, 3, 4`,
    );
  // Failed refunds returned nothing: only succeeded and still-processing ones are summed.
  const refundGroups = (where: string) =>
    db.prepare(
      `SELECT ${quarter('r.created_at')} AS quarter, p.terminal_id AS terminal_id, r.cashier AS cashier, p.${WALLET_SQL} AS wallet,
         SUM(r.status = 'succeeded') AS count,
         COALESCE(SUM(CASE WHEN r.status = 'succeeded' THEN r.amount_fen END), 0) AS refunded_fen,
         SUM(r.status = 'processing') AS processing_count,
         COALESCE(SUM(CASE WHEN r.status = 'processing' THEN r.amount_fen END), 0) AS processing_fen
       FROM refunds r JOIN payments p ON p.id = r.payment_id
       WHERE ${where} AND r.status != 'failed' GROUP BY 1, 2, 3, 4`,
    );
  const page = 'created_at >= @from AND created_at < @to AND (created_at, id) > (@afterAt, @afterId) ORDER BY created_at, id LIMIT @limit';
  const shopPage = 'shop_id = @shop AND created_at >= @from AND created_at < @to AND (created_at, id) > (@afterAt, @afterId) ORDER BY created_at, id LIMIT @limit';
  const refundPage = page.replace(/\b(created_at|id)\b/g, 'r.$1');
  const q = {
    paymentGroupsBetween: paymentGroups('created_at >= ? AND created_at < ?'),
    shopPaymentGroupsBetween: paymentGroups('shop_id = ? AND created_at >= ? AND created_at < ?'),
    shopRefundGroupsBetween: refundGroups('p.shop_id = ? AND r.created_at >= ? AND r.created_at < ?'),
    paymentGroupsOfShift: paymentGroups('shift_id = ?'),
    refundGroupsBetween: refundGroups('r.created_at >= ? AND r.created_at < ?'),
    refundGroupsOfShift: refundGroups('r.shift_id = ?'),
    openPaymentsOfShift: db.prepare(`SELECT * FROM payments_v WHERE shift_id = ? AND status IN ${OPEN_STATUSES} ORDER BY created_at, id`),
    paymentsChronological: db.prepare(`SELECT * FROM payments_v WHERE ${page}`),
    refundsChronological: db.prepare(`SELECT * FROM refunds WHERE ${page}`),
    shopPaymentsChronological: db.prepare(`SELECT * FROM payments_v WHERE ${shopPage}`),
    shopRefundsChronological: db.prepare(
      `SELECT r.* FROM refunds r JOIN payments p ON p.id = r.payment_id WHERE p.shop_id = @shop AND ${refundPage}`,
    ),
  };

  /** The groups of a report's scope: one shift, or a time range (of one shop, when given). */
  const groupsOf = (scope: JournalScope, ofShift: Database.Statement, between: Database.Statement, shopBetween: Database.Statement): DbRow[] =>
    ('shiftId' in scope
      ? ofShift.all(scope.shiftId)
      : scope.shopId === undefined
        ? between.all(scope.fromMs, scope.toMs)
        : shopBetween.all(scope.shopId, scope.fromMs, scope.toMs)) as DbRow[];

  return {
    async paymentGroups(scope: JournalScope): Promise<PaymentGroupRow[]> {
      return groupsOf(scope, q.paymentGroupsOfShift, q.paymentGroupsBetween, q.shopPaymentGroupsBetween).map(paymentGroupFromDb);
    },

    async refundGroups(scope: JournalScope): Promise<RefundGroupRow[]> {
      return groupsOf(scope, q.refundGroupsOfShift, q.refundGroupsBetween, q.shopRefundGroupsBetween).map(refundGroupFromDb);
    },

    async openPaymentsOfShift(shiftId: string): Promise<PaymentRow[]> {
      return (q.openPaymentsOfShift.all(shiftId) as DbRow[]).map(paymentFromDb);
    },

    async paymentsChronological(page: ChronologicalPage): Promise<PaymentRow[]> {
      const rows = page.shopId === undefined ? q.paymentsChronological.all(pageParams(page)) : q.shopPaymentsChronological.all({ ...pageParams(page), shop: page.shopId });
      return (rows as DbRow[]).map(paymentFromDb);
    },

    async refundsChronological(page: ChronologicalPage): Promise<RefundWithPayment[]> {
      const rows = page.shopId === undefined ? q.refundsChronological.all(pageParams(page)) : q.shopRefundsChronological.all({ ...pageParams(page), shop: page.shopId });
      const refunds = (rows as DbRow[]).map(refundFromDb);
      return refunds.map((r) => ({ ...r, payment: paymentNow(r.payment_id)! }));
    },
  };
}
