import type Database from 'better-sqlite3';
import { sumTotals } from '../totals.ts';
import { DEFAULT_SHOP_ID, type FlowStep, type InsertPaymentResult, type NewPayment, type PaymentEvent, type PaymentPageQuery, type PaymentPatch, type PaymentRow, type PaymentTotalsRow, type Transition } from '../types.ts';
import type { PaymentStatus } from '../../../shared/api.ts';
import { PAYMENT_COLUMN_SET, PAYMENT_COLUMNS } from '../columns.ts';
import type { SqliteContext } from './context.ts';
import { BOOLEAN_COLUMNS, isUniqueViolation, num, optStr, paymentFromDb, str, toSql, type DbRow, type SqlValue } from './rows.ts';

/** A day's sums per wallet, for the whole journal (`totals`) or one shop (`shopTotals`). */
const DAY_SUMS = `SELECT wallet, COUNT(*) AS count, COALESCE(SUM(status = 'succeeded'), 0) AS succeeded_count,
    COALESCE(SUM(CASE WHEN status = 'succeeded' THEN amount_fen ELSE 0 END), 0) AS succeeded_fen,
    COALESCE(SUM(CASE WHEN status = 'succeeded' THEN COALESCE(coupon_fen, 0) ELSE 0 END), 0) AS coupon_fen,
    COALESCE(SUM(CASE WHEN status = 'succeeded' THEN COALESCE(settlement_fen, amount_fen) ELSE 0 END), 0) AS settlement_fen
  FROM payments`;
const UNFINISHED_PAYMENT = "step NOT IN ('done', 'manual')";

/** The payments table: inserts, reads, transitions with their events, totals, pages, and the leases of the recovery sweep. */
export function sqlitePayments(ctx: SqliteContext) {
  const { db, shared, durable, update, paymentNow, claimDue, writes } = ctx;
  const paymentSelect = 'SELECT * FROM payments_v';
  const q = {
    createdBetween: db.prepare(`${paymentSelect} WHERE created_at >= ? AND created_at < ? ORDER BY created_at, id`),
    shopCreatedBetween: db.prepare(`${paymentSelect} WHERE shop_id = ? AND created_at >= ? AND created_at < ? ORDER BY created_at, id`),
    totals: db.prepare(`${DAY_SUMS} WHERE created_at >= ? AND created_at < ? GROUP BY wallet`),
    refundedTotal: db.prepare(
      `SELECT p.wallet AS wallet, COALESCE(SUM(r.amount_fen), 0) AS refunded_fen FROM refunds r JOIN payments p ON p.id = r.payment_id
       WHERE r.status = 'succeeded' AND p.created_at >= ? AND p.created_at < ? GROUP BY p.wallet`,
    ),
    shopTotals: db.prepare(`${DAY_SUMS} WHERE shop_id = ? AND created_at >= ? AND created_at < ? GROUP BY wallet`),
    shopRefundedTotal: db.prepare(
      `SELECT p.wallet AS wallet, COALESCE(SUM(r.amount_fen), 0) AS refunded_fen FROM refunds r JOIN payments p ON p.id = r.payment_id
       WHERE r.status = 'succeeded' AND p.shop_id = ? AND p.created_at >= ? AND p.created_at < ? GROUP BY p.wallet`,
    ),
    insertPayment: db.prepare(
      `INSERT INTO payments (${PAYMENT_COLUMNS.join(', ')}) VALUES (${PAYMENT_COLUMNS.map((c) => '@' + c).join(', ')}) ON CONFLICT DO NOTHING`,
    ),
    insertEvent: db.prepare(
      'INSERT INTO payment_events (payment_id, at, from_status, to_status, from_step, to_step, error_code) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    events: db.prepare('SELECT * FROM payment_events WHERE payment_id = ? ORDER BY seq'),
    dueIds: db.prepare(
      `SELECT id FROM payments WHERE ${UNFINISHED_PAYMENT} AND next_at <= @dueBy
         AND (lease_owner IS NULL OR lease_until < @now OR lease_owner = @owner) ORDER BY next_at LIMIT @limit`,
    ),
    lease: db.prepare(
      `UPDATE payments SET lease_owner = @owner, lease_until = @until WHERE id = @id AND ${UNFINISHED_PAYMENT}
         AND (lease_owner IS NULL OR lease_until < @now OR lease_owner = @owner)`,
    ),
    release: db.prepare('UPDATE payments SET lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?'),
    shiftClosedAt: db.prepare('SELECT closed_at FROM shifts WHERE id = ?').pluck(),
  };
  /** Page queries by the filters they use (a dozen shapes), prepared once each. */
  const pages = new Map<string, Database.Statement>();
  /** The hot transactions, wrapped once (better-sqlite3 builds several functions per wrap). */
  const tx = {
    claimPayment: db.transaction((id: string, owner: string, now: number, leaseMs: number) =>
      q.lease.run({ id, owner, now, until: now + leaseMs }).changes === 1 ? paymentNow(id) : undefined,
    ),
  };

  function insertPaymentNow(p: NewPayment): InsertPaymentResult {
    if (p.shift_id) {
      // A retry is answered as journaled even when its shift has closed since; a shift closed
      // between the route's look-up and this insert must not get the new payment.
      const existing = paymentNow(p.id);
      if (existing) return { kind: 'exists', payment: existing };
      if (q.shiftClosedAt.get(p.shift_id) !== null) return { kind: 'shift_closed' };
    }
    const values: Record<string, SqlValue> = {};
    for (const c of PAYMENT_COLUMNS) values[c] = toSql(c, (p as Record<string, unknown>)[c]);
    values.wallet ??= 'wechat';
    values.shop_id ??= DEFAULT_SHOP_ID;
    // Inserted first, read only when a unique index says no (a taken id, a busy terminal): the
    // usual new payment costs no read, inside the same IMMEDIATE transaction as before.
    if (q.insertPayment.run(values).changes === 0) {
      const existing = paymentNow(p.id);
      if (existing) return { kind: 'exists', payment: existing };
      const active = shared.active.get(p.terminal_id) as DbRow | undefined;
      if (active) return { kind: 'terminal_busy', active: paymentFromDb(active) };
      throw new Error(`payment ${p.id} was not inserted: its out_trade_no ${p.out_trade_no} is taken`);
    }
    q.insertEvent.run(p.id, p.created_at, null, p.status, null, p.step, p.error_code ?? null);
    // The row is exactly what was written (a new payment has no refunds): no need to read it back.
    return { kind: 'created', payment: paymentFromDb({ ...values, refunded_fen: 0 }) };
  }

  function transitionPaymentNow(id: string, decide: (current: PaymentRow) => PaymentPatch | undefined): Transition | undefined {
    const before = paymentNow(id);
    if (!before) return undefined;
    const patch = decide(before);
    const columns = patch ? Object.keys(patch).filter((c) => PAYMENT_COLUMN_SET.has(c)) : [];
    if (columns.length === 0) return { before, after: before, changed: false };
    const values: Record<string, SqlValue> = { id };
    for (const c of columns) values[c] = toSql(c, (patch as Record<string, unknown>)[c]);
    update('payments', columns).run(values);
    // The row after the update is the row before with the patch's stored values (refunds are
    // not touched here): built in memory instead of read back.
    const after = { ...before };
    for (const c of columns) (after as Record<string, unknown>)[c] = BOOLEAN_COLUMNS.has(c) ? values[c] === 1 : values[c];
    if (after.status !== before.status || after.step !== before.step || patch?.event_code !== undefined) {
      q.insertEvent.run(id, after.updated_at, before.status, after.status, before.step, after.step, patch?.event_code ?? after.error_code);
    }
    return { before, after, changed: true };
  }

  return {
    async insertPayment(p: NewPayment): Promise<InsertPaymentResult> {
      let result: InsertPaymentResult;
      // Committed with the other payments' writes of this event-loop turn (write-batch.ts).
      try {
        result = await writes.run(() => insertPaymentNow(p));
      } catch (e) {
        // Another process won the race between our read and our insert: the unique indexes said no.
        if (!isUniqueViolation(e)) throw e;
        result = await writes.run(() => insertPaymentNow(p));
      }
      // Also for 'exists': the row we answer about may be another request's commit still in flight.
      return durable(result);
    },

    async payment(id: string): Promise<PaymentRow | undefined> {
      return paymentNow(id);
    },

    async activePayment(terminalId: string): Promise<PaymentRow | undefined> {
      const r = shared.active.get(terminalId) as DbRow | undefined;
      return r && paymentFromDb(r);
    },

    async paymentsCreatedBetween(fromMs: number, toMs: number, shopId?: string): Promise<PaymentRow[]> {
      const rows = shopId === undefined ? q.createdBetween.all(fromMs, toMs) : q.shopCreatedBetween.all(shopId, fromMs, toMs);
      return (rows as DbRow[]).map(paymentFromDb);
    },

    async paymentsPage(query: PaymentPageQuery): Promise<PaymentRow[]> {
      const { fromMs, toMs, limit, after, terminalId, shopId, amountFen, tail } = query;
      const where = ['created_at >= @fromMs', 'created_at < @toMs'];
      const params: Record<string, SqlValue> = { fromMs, toMs, limit };
      if (shopId !== undefined) {
        where.unshift('shop_id = @shopId');
        params.shopId = shopId;
      }
      if (terminalId !== undefined) {
        where.push('terminal_id = @terminalId');
        params.terminalId = terminalId;
      }
      if (after) {
        // The index range ends at the cursor's time (so earlier pages are not read again); the row value breaks ties by id.
        params.toMs = Math.min(toMs, after.created_at + 1);
        where.push('(created_at, id) < (@afterAt, @afterId)');
        params.afterAt = after.created_at;
        params.afterId = after.id;
      }
      const match: string[] = [];
      if (amountFen !== undefined) {
        match.push('amount_fen = @amountFen');
        params.amountFen = amountFen;
      }
      if (tail !== undefined) {
        match.push("out_trade_no LIKE '%' || @tail", "transaction_id LIKE '%' || @tail");
        params.tail = tail;
      }
      if (match.length) where.push(`(${match.join(' OR ')})`);
      const sql = `SELECT * FROM payments_v WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT @limit`;
      let statement = pages.get(sql);
      if (!statement) {
        statement = db.prepare(sql);
        pages.set(sql, statement);
      }
      return (statement.all(params) as DbRow[]).map(paymentFromDb);
    },

    async paymentTotals(fromMs: number, toMs: number, shopId?: string): Promise<PaymentTotalsRow> {
      const args = shopId === undefined ? [fromMs, toMs] : [shopId, fromMs, toMs];
      const totals = (shopId === undefined ? q.totals : q.shopTotals).all(...args) as DbRow[];
      const refunded = (shopId === undefined ? q.refundedTotal : q.shopRefundedTotal).all(...args) as DbRow[];
      const payments = totals.map((r) => ({
        wallet: str(r.wallet),
        count: num(r.count),
        succeeded_count: num(r.succeeded_count),
        succeeded_fen: num(r.succeeded_fen),
        coupon_fen: num(r.coupon_fen),
        settlement_fen: num(r.settlement_fen),
      }));
      const refunds = refunded.map((r) => ({ wallet: str(r.wallet), refunded_fen: num(r.refunded_fen) }));
      return sumTotals(payments, refunds);
    },

    async transitionPayment(id: string, decide: (current: PaymentRow) => PaymentPatch | undefined): Promise<Transition | undefined> {
      return writes.run(() => transitionPaymentNow(id, decide));
    },

    async paymentEvents(id: string): Promise<PaymentEvent[]> {
      return (q.events.all(id) as DbRow[]).map((r) => ({
        payment_id: str(r.payment_id),
        at: num(r.at),
        from_status: optStr(r.from_status) as PaymentStatus | null,
        to_status: str(r.to_status) as PaymentStatus,
        from_step: optStr(r.from_step) as FlowStep | null,
        to_step: str(r.to_step) as FlowStep,
        error_code: optStr(r.error_code),
      }));
    },

    async claimPayments(owner: string, now: number, leaseMs: number, dueBy: number, limit: number): Promise<PaymentRow[]> {
      return claimDue(q.dueIds, q.lease, (id) => paymentNow(id)!, { owner, now, leaseMs, dueBy, limit });
    },

    async claimPayment(id: string, owner: string, now: number, leaseMs: number): Promise<PaymentRow | undefined> {
      return tx.claimPayment.immediate(id, owner, now, leaseMs);
    },

    async releasePayment(id: string, owner: string): Promise<void> {
      q.release.run(id, owner);
    },

    async paymentsByOutTradeNo(outTradeNos: readonly string[]): Promise<PaymentRow[]> {
      const found: PaymentRow[] = [];
      // Bound parameters come in chunks well under SQLite's limit of 32,766 per statement.
      for (let i = 0; i < outTradeNos.length; i += 500) {
        const chunk = outTradeNos.slice(i, i + 500);
        const rows = db.prepare(`SELECT * FROM payments_v WHERE out_trade_no IN (${chunk.map(() => '?').join(', ')})`).all(...chunk) as DbRow[];
        found.push(...rows.map(paymentFromDb));
      }
      return found;
    },
  };
}
