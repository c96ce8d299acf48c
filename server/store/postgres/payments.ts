import type postgres from 'postgres';
import { sumTotals } from '../totals.ts';
import { DEFAULT_SHOP_ID, type InsertPaymentResult, type NewPayment, type PaymentEvent, type PaymentPageQuery, type PaymentPatch, type PaymentRow, type PaymentTotalsRow, type Transition } from '../types.ts';
import { PAYMENT_COLUMN_SET, PAYMENT_COLUMNS } from '../columns.ts';
import type { PgContext } from './context.ts';
import { ASYNC_COMMIT, patchValues, paymentFromDb, REFUNDED, UNFINISHED_PAYMENT, type Row } from './rows.ts';

/** The pool, or one transaction's connection. */
type Query = postgres.Sql | postgres.TransactionSql;
/** A compare-and-set that keeps losing means something writes the row in a loop: stop, loudly. */
const MAX_RACES = 50;

/** The payments table: inserts, reads, compare-and-set transitions with their events, totals, pages, and the leases of the recovery sweep. */
export function pgPayments(ctx: PgContext) {
  const { sql, known, paymentVersioned, remember } = ctx;

  async function insertPaymentIn(q: Query, p: NewPayment, values: Row, shiftClosed = false): Promise<InsertPaymentResult> {
    for (let attempt = 0; attempt < 3; attempt++) {
      if (!shiftClosed) {
        // Row and first journal event in one statement; a taken id or a busy terminal inserts nothing.
        const inserted = await q`
          WITH ins AS (INSERT INTO payments ${q(values, PAYMENT_COLUMNS)} ON CONFLICT DO NOTHING RETURNING id)
          INSERT INTO payment_events (payment_id, at, from_status, to_status, from_step, to_step, error_code)
          SELECT id, ${p.created_at}::bigint, NULL, ${p.status}::text, NULL, ${p.step}::text, ${p.error_code ?? null}::text FROM ins
          RETURNING payment_id`;
        if (inserted.length === 1) {
          const payment = { ...(values as unknown as PaymentRow), refunded_fen: 0 };
          remember({ row: payment, version: 0 });
          return { kind: 'created', payment };
        }
      }
      const [existing] = await q`SELECT p.*, ${q.unsafe(REFUNDED)} FROM payments p WHERE p.id = ${p.id}`;
      if (existing) return { kind: 'exists', payment: paymentFromDb(existing).row };
      const [active] = await q`
        SELECT p.*, ${q.unsafe(REFUNDED)} FROM payments p
        WHERE p.terminal_id = ${p.terminal_id} AND p.status IN ('processing', 'user_paying') ORDER BY p.created_at LIMIT 1`;
      if (active) return { kind: 'terminal_busy', active: paymentFromDb(active).row };
      if (shiftClosed) return { kind: 'shift_closed' };
      // The payment in the way finished between the insert and these reads: try again.
    }
    throw new Error(`payment ${p.id} was not inserted: its out_trade_no ${p.out_trade_no} is taken`);
  }

  return {
    async insertPayment(p: NewPayment): Promise<InsertPaymentResult> {
      const values: Row = {};
      for (const c of PAYMENT_COLUMNS) values[c] = (p as unknown as Row)[c] ?? null;
      values.wallet ??= 'wechat';
      values.shop_id ??= DEFAULT_SHOP_ID;
      const shiftId = p.shift_id;
      if (!shiftId) return insertPaymentIn(sql, p, values);
      return sql.begin(async (tx) => {
        // The shift's row lock puts this insert and a close of the shift (closeShift locks it for
        // update) one after the other: a payment never lands in a shift that closed meanwhile.
        const [shift] = await tx`SELECT closed_at FROM shifts WHERE id = ${shiftId} FOR SHARE`;
        const closed = !shift || shift.closed_at !== null;
        return insertPaymentIn(tx, p, values, closed);
      });
    },

    async payment(id: string): Promise<PaymentRow | undefined> {
      return (await paymentVersioned(id))?.row;
    },

    async activePayment(terminalId: string): Promise<PaymentRow | undefined> {
      const [r] = await sql`
        SELECT p.*, ${sql.unsafe(REFUNDED)} FROM payments p
        WHERE p.terminal_id = ${terminalId} AND p.status IN ('processing', 'user_paying') ORDER BY p.created_at LIMIT 1`;
      return r && paymentFromDb(r).row;
    },

    async paymentsCreatedBetween(fromMs: number, toMs: number, shopId?: string): Promise<PaymentRow[]> {
      const rows = await sql`
        SELECT p.*, ${sql.unsafe(REFUNDED)} FROM payments p
        WHERE ${shopId === undefined ? sql`TRUE` : sql`p.shop_id = ${shopId}`} AND p.created_at >= ${fromMs} AND p.created_at < ${toMs} ORDER BY p.created_at, p.id`;
      return rows.map((r) => paymentFromDb(r).row);
    },

    async paymentsPage(q: PaymentPageQuery): Promise<PaymentRow[]> {
      // The index range ends at the cursor's time (earlier pages are not read again); the row value breaks ties by id.
      const toMs = q.after ? Math.min(q.toMs, q.after.created_at + 1) : q.toMs;
      const match = [
        ...(q.amountFen !== undefined ? [sql`p.amount_fen = ${q.amountFen}`] : []),
        ...(q.tail !== undefined ? [sql`p.out_trade_no ILIKE ${`%${q.tail}`}`, sql`p.transaction_id ILIKE ${`%${q.tail}`}`] : []),
      ];
      const rows = await sql`
        SELECT p.*, ${sql.unsafe(REFUNDED)} FROM payments p
        WHERE p.created_at >= ${q.fromMs} AND p.created_at < ${toMs}
          ${q.shopId !== undefined ? sql`AND p.shop_id = ${q.shopId}` : sql``}
          ${q.terminalId !== undefined ? sql`AND p.terminal_id = ${q.terminalId}` : sql``}
          ${q.after ? sql`AND (p.created_at, p.id) < (${q.after.created_at}, ${q.after.id})` : sql``}
          ${match.length ? sql`AND (${match.reduce((all, one) => sql`${all} OR ${one}`)})` : sql``}
        ORDER BY p.created_at DESC, p.id DESC LIMIT ${q.limit}`;
      return rows.map((r) => paymentFromDb(r).row);
    },

    async paymentTotals(fromMs: number, toMs: number, shopId?: string): Promise<PaymentTotalsRow> {
      const shop = shopId === undefined ? sql`` : sql`AND p.shop_id = ${shopId}`;
      const payments = await sql`
        SELECT p.wallet AS wallet, COUNT(*)::bigint AS count, COUNT(*) FILTER (WHERE p.status = 'succeeded')::bigint AS succeeded_count,
               COALESCE(SUM(p.amount_fen) FILTER (WHERE p.status = 'succeeded'), 0)::bigint AS succeeded_fen,
               COALESCE(SUM(COALESCE(p.coupon_fen, 0)) FILTER (WHERE p.status = 'succeeded'), 0)::bigint AS coupon_fen,
               COALESCE(SUM(COALESCE(p.settlement_fen, p.amount_fen)) FILTER (WHERE p.status = 'succeeded'), 0)::bigint AS settlement_fen
        FROM payments p WHERE p.created_at >= ${fromMs} AND p.created_at < ${toMs} ${shop} GROUP BY p.wallet`;
      const refunds = await sql`
        SELECT p.wallet AS wallet, COALESCE(SUM(r.amount_fen), 0)::bigint AS refunded_fen FROM refunds r JOIN payments p ON p.id = r.payment_id
        WHERE r.status = 'succeeded' AND p.created_at >= ${fromMs} AND p.created_at < ${toMs} ${shop} GROUP BY p.wallet`;
      const n = (v: unknown): number => Number(v);
      return sumTotals(
        payments.map((t) => ({ wallet: String(t.wallet), count: n(t.count), succeeded_count: n(t.succeeded_count), succeeded_fen: n(t.succeeded_fen), coupon_fen: n(t.coupon_fen), settlement_fen: n(t.settlement_fen) })),
        refunds.map((r) => ({ wallet: String(r.wallet), refunded_fen: n(r.refunded_fen) })),
      );
    },

    async transitionPayment(id: string, decide: (current: PaymentRow) => PaymentPatch | undefined): Promise<Transition | undefined> {
      let current = known.get(id);
      let fresh = current === undefined;
      for (let race = 0; race < MAX_RACES; race++) {
        current ??= await paymentVersioned(id);
        if (!current) return undefined;
        const before = current.row;
        const patch = decide(before);
        const { columns, values } = patch ? patchValues(patch, PAYMENT_COLUMN_SET) : { columns: [], values: {} };
        if (columns.length === 0) {
          if (fresh) return { before, after: before, changed: false };
          // Nothing to do by a remembered row: make sure by the stored one.
          current = undefined;
          fresh = true;
          continue;
        }
        const after = { ...before, ...values } as PaymentRow;
        const eventCode = patch?.event_code;
        // Written only over the version decided on; another writer in between → read and decide again.
        const written =
          after.status !== before.status || after.step !== before.step || eventCode !== undefined
            ? await sql`
                WITH u AS (UPDATE payments SET ${sql(values, columns)}, version = version + 1 WHERE id = ${id} AND version = ${current.version} AND ${sql.unsafe(ASYNC_COMMIT)} RETURNING id)
                INSERT INTO payment_events (payment_id, at, from_status, to_status, from_step, to_step, error_code)
                SELECT id, ${after.updated_at}::bigint, ${before.status}::text, ${after.status}::text, ${before.step}::text, ${after.step}::text, ${eventCode ?? after.error_code}::text FROM u
                RETURNING payment_id`
            : await sql`UPDATE payments SET ${sql(values, columns)}, version = version + 1 WHERE id = ${id} AND version = ${current.version} AND ${sql.unsafe(ASYNC_COMMIT)} RETURNING id`;
        if (written.length === 1) {
          remember({ row: after, version: current.version + 1 });
          return { before, after, changed: true };
        }
        known.delete(id);
        current = undefined;
        fresh = true;
      }
      throw new Error(`payment ${id} kept changing under ${MAX_RACES} transitions in a row`);
    },

    async paymentEvents(id: string): Promise<PaymentEvent[]> {
      const rows = await sql`
        SELECT payment_id, at, from_status, to_status, from_step, to_step, error_code FROM payment_events WHERE payment_id = ${id} ORDER BY seq`;
      return rows as unknown as PaymentEvent[];
    },

    async claimPayments(owner: string, now: number, leaseMs: number, dueBy: number, limit: number): Promise<PaymentRow[]> {
      // Rows another instance is claiming right now are skipped, not waited for.
      const rows = await sql`
        UPDATE payments p SET lease_owner = ${owner}, lease_until = ${now + leaseMs}, version = p.version + 1
        WHERE p.id IN (
          SELECT id FROM payments p
          WHERE ${sql.unsafe(UNFINISHED_PAYMENT)} AND p.next_at <= ${dueBy}
            AND (p.lease_owner IS NULL OR p.lease_until < ${now} OR p.lease_owner = ${owner})
          ORDER BY p.next_at LIMIT ${limit}
          FOR UPDATE SKIP LOCKED)
        RETURNING p.*, ${sql.unsafe(REFUNDED)}`;
      return rows
        .map((r) => {
          const v = paymentFromDb(r);
          remember(v);
          return v.row;
        })
        .sort((a, b) => a.next_at - b.next_at);
    },

    async claimPayment(id: string, owner: string, now: number, leaseMs: number): Promise<PaymentRow | undefined> {
      const [r] = await sql`
        UPDATE payments p SET lease_owner = ${owner}, lease_until = ${now + leaseMs}, version = p.version + 1
        WHERE p.id = ${id} AND ${sql.unsafe(UNFINISHED_PAYMENT)}
          AND (p.lease_owner IS NULL OR p.lease_until < ${now} OR p.lease_owner = ${owner})
        RETURNING p.*, ${sql.unsafe(REFUNDED)}`;
      if (!r) return undefined;
      const v = paymentFromDb(r);
      remember(v);
      return v.row;
    },

    async releasePayment(id: string, owner: string): Promise<void> {
      known.delete(id);
      await sql`UPDATE payments SET lease_owner = NULL, lease_until = NULL, version = version + 1 WHERE id = ${id} AND lease_owner = ${owner}`;
    },

    async paymentsByOutTradeNo(outTradeNos: readonly string[]): Promise<PaymentRow[]> {
      const found: PaymentRow[] = [];
      for (let i = 0; i < outTradeNos.length; i += 1000) {
        const chunk = outTradeNos.slice(i, i + 1000);
        const rows = await sql`SELECT p.*, ${sql.unsafe(REFUNDED)} FROM payments p WHERE p.out_trade_no IN ${sql(chunk)}`;
        found.push(...rows.map((r) => paymentFromDb(r).row));
      }
      return found;
    },
  };
}
