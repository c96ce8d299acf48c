import { DEFAULT_SHOP_ID, type CashierRow, type CloseShiftResult, type OpenShiftResult, type ShiftRow, type ShiftStatus } from '../types.ts';
import type { PgContext } from './context.ts';
import { isUniqueViolation, paymentFromDb, REFUNDED, type Row } from './rows.ts';

const cashierFromDb = (r: Row): CashierRow => ({ id: r.id, name: r.name, pin_hash: r.pin_hash, created_at: r.created_at, removed_at: r.removed_at, shop_id: r.shop_id });
export const shiftFromDb = (r: Row): ShiftRow => ({
  id: r.id,
  terminal_id: r.terminal_id,
  shop_id: r.shop_id,
  cashier_id: r.cashier_id,
  cashier_name: r.cashier_name,
  opened_at: r.opened_at,
  closed_at: r.closed_at,
  closed_by: r.closed_by,
});

/** Cashiers and their shifts (server/shifts/). */
export function pgShifts(ctx: PgContext) {
  const { sql } = ctx;

  async function openShiftOf(terminalId: string): Promise<ShiftRow | undefined> {
    const [r] = await sql`SELECT * FROM shifts WHERE terminal_id = ${terminalId} AND closed_at IS NULL`;
    return r && shiftFromDb(r);
  }

  return {
    openShiftOf,
    async shiftStatus(terminalId: string, shopId: string): Promise<ShiftStatus> {
      const [r] = await sql`
        SELECT s.*, EXISTS (SELECT 1 FROM cashiers WHERE removed_at IS NULL AND shop_id = ${shopId}) AS has_cashiers
        FROM (SELECT 1) one LEFT JOIN shifts s ON s.terminal_id = ${terminalId} AND s.closed_at IS NULL`;
      return { open: r!.id === null ? undefined : shiftFromDb(r!), hasCashiers: r!.has_cashiers === true };
    },
    async createCashier(cashier: CashierRow): Promise<boolean> {
      const wanted = cashier.name.toLowerCase();
      const shopId = cashier.shop_id ?? DEFAULT_SHOP_ID;
      try {
        return await sql.begin(async (tx) => {
          // Names are compared here (lower() in SQL may fold ASCII only); creations take turns so two
          // cashiers named alike cannot both pass the comparison. The unique index is the backstop.
          await tx`LOCK TABLE cashiers IN SHARE ROW EXCLUSIVE MODE`;
          const active = await tx`SELECT name FROM cashiers WHERE removed_at IS NULL AND shop_id = ${shopId}`;
          if (active.some((r) => (r.name as string).toLowerCase() === wanted)) return false;
          await tx`INSERT INTO cashiers (id, name, pin_hash, created_at, removed_at, shop_id)
                   VALUES (${cashier.id}, ${cashier.name}, ${cashier.pin_hash}, ${cashier.created_at}, ${cashier.removed_at}, ${shopId})`;
          return true;
        });
      } catch (error) {
        if (isUniqueViolation(error)) return false;
        throw error;
      }
    },

    async cashiers(shopId?: string): Promise<CashierRow[]> {
      const shop = shopId === undefined ? sql`` : sql`AND shop_id = ${shopId}`;
      return (await sql`SELECT * FROM cashiers WHERE removed_at IS NULL ${shop} ORDER BY created_at, id`).map(cashierFromDb);
    },

    async cashier(id: string): Promise<CashierRow | undefined> {
      const [r] = await sql`SELECT * FROM cashiers WHERE id = ${id}`;
      return r && cashierFromDb(r);
    },

    async removeCashier(id: string, at: number): Promise<boolean> {
      return (await sql`UPDATE cashiers SET removed_at = ${at} WHERE id = ${id} AND removed_at IS NULL`).count === 1;
    },

    async hasCashiers(shopId?: string): Promise<boolean> {
      const shop = shopId === undefined ? sql`` : sql`AND shop_id = ${shopId}`;
      const [r] = await sql`SELECT EXISTS (SELECT 1 FROM cashiers WHERE removed_at IS NULL ${shop}) AS any`;
      return r!.any === true;
    },

    async openShift(shift: Omit<ShiftRow, 'closed_at' | 'closed_by'>): Promise<OpenShiftResult> {
      for (let attempt = 0; attempt < 3; attempt++) {
        // One open shift per terminal is the partial unique index's rule: a second insert does nothing.
        const shopId = shift.shop_id ?? DEFAULT_SHOP_ID;
        const [opened] = await sql`
          INSERT INTO shifts (id, terminal_id, cashier_id, cashier_name, opened_at, shop_id)
          VALUES (${shift.id}, ${shift.terminal_id}, ${shift.cashier_id}, ${shift.cashier_name}, ${shift.opened_at}, ${shopId})
          ON CONFLICT DO NOTHING RETURNING id`;
        if (opened) return { kind: 'opened', shift: { ...shift, shop_id: shopId, closed_at: null, closed_by: null } };
        const existing = await openShiftOf(shift.terminal_id);
        if (existing) return { kind: 'terminal_has_shift', shift: existing };
        // The shift in the way closed between the insert and the read: try again.
      }
      throw new Error(`shift ${shift.id} was not opened: its id is taken`);
    },

    async shift(id: string): Promise<ShiftRow | undefined> {
      const [r] = await sql`SELECT * FROM shifts WHERE id = ${id}`;
      return r && shiftFromDb(r);
    },

    async closeShift(id: string, at: number, closedBy: string): Promise<CloseShiftResult> {
      return sql.begin(async (tx): Promise<CloseShiftResult> => {
        // Locked for update: a payment being inserted into this shift (FOR SHARE) finishes first and is seen below.
        const [r] = await tx`SELECT * FROM shifts WHERE id = ${id} FOR UPDATE`;
        if (!r) return { kind: 'not_found' };
        const shift = shiftFromDb(r);
        if (shift.closed_at !== null) return { kind: 'already_closed', shift };
        const [active] = await tx`
          SELECT p.*, ${tx.unsafe(REFUNDED)} FROM payments p
          WHERE p.terminal_id = ${shift.terminal_id} AND p.status IN ('processing', 'user_paying') ORDER BY p.created_at LIMIT 1`;
        if (active) return { kind: 'payment_in_progress', active: paymentFromDb(active).row };
        await tx`UPDATE shifts SET closed_at = ${at}, closed_by = ${closedBy} WHERE id = ${id}`;
        return { kind: 'closed', shift: { ...shift, closed_at: at, closed_by: closedBy } };
      });
    },

    async shiftsOpenedBetween(fromMs: number, toMs: number, shopId?: string): Promise<ShiftRow[]> {
      const shop = shopId === undefined ? sql`` : sql`AND shop_id = ${shopId}`;
      return (await sql`SELECT * FROM shifts WHERE opened_at >= ${fromMs} AND opened_at < ${toMs} ${shop} ORDER BY opened_at, id`).map(shiftFromDb);
    },
  };
}
