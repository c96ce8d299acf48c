import { DEFAULT_SHOP_ID, type CashierRow, type CloseShiftResult, type OpenShiftResult, type ShiftRow, type ShiftStatus } from '../types.ts';
import type { SqliteContext } from './context.ts';
import { isUniqueViolation, num, optNum, optStr, paymentFromDb, str, type DbRow } from './rows.ts';

const cashierFromDb = (r: DbRow): CashierRow => ({
  id: str(r.id),
  name: str(r.name),
  pin_hash: str(r.pin_hash),
  created_at: num(r.created_at),
  removed_at: optNum(r.removed_at),
  shop_id: str(r.shop_id ?? DEFAULT_SHOP_ID),
});

export const shiftFromDb = (r: DbRow): ShiftRow => ({
  id: str(r.id),
  terminal_id: str(r.terminal_id),
  shop_id: str(r.shop_id ?? DEFAULT_SHOP_ID),
  cashier_id: str(r.cashier_id),
  cashier_name: str(r.cashier_name),
  opened_at: num(r.opened_at),
  closed_at: optNum(r.closed_at),
  closed_by: optStr(r.closed_by),
});

/** Cashiers and their shifts (server/shifts/). */
export function sqliteShifts(ctx: SqliteContext) {
  const { db, shared, insertUnlessTaken } = ctx;
  const q = {
    insertCashier: db.prepare(
      'INSERT INTO cashiers (id, name, pin_hash, created_at, removed_at, shop_id) VALUES (@id, @name, @pin_hash, @created_at, @removed_at, @shop_id)',
    ),
    cashiers: db.prepare('SELECT * FROM cashiers WHERE removed_at IS NULL ORDER BY created_at, id'),
    shopCashiers: db.prepare('SELECT * FROM cashiers WHERE removed_at IS NULL AND shop_id = ? ORDER BY created_at, id'),
    hasShopCashiers: db.prepare('SELECT EXISTS (SELECT 1 FROM cashiers WHERE removed_at IS NULL AND shop_id = ?)').pluck(),
    cashier: db.prepare('SELECT * FROM cashiers WHERE id = ?'),
    removeCashier: db.prepare('UPDATE cashiers SET removed_at = ? WHERE id = ? AND removed_at IS NULL'),
    hasCashiers: db.prepare('SELECT EXISTS (SELECT 1 FROM cashiers WHERE removed_at IS NULL)').pluck(),
    insertShift: db.prepare(
      'INSERT INTO shifts (id, terminal_id, cashier_id, cashier_name, opened_at, shop_id) VALUES (@id, @terminal_id, @cashier_id, @cashier_name, @opened_at, @shop_id)',
    ),
    openShiftOf: db.prepare('SELECT * FROM shifts WHERE terminal_id = ? AND closed_at IS NULL'),
    shiftStatus: db.prepare(
      `SELECT s.*, EXISTS (SELECT 1 FROM cashiers WHERE removed_at IS NULL AND shop_id = @shopId) AS has_cashiers
       FROM (SELECT 1) LEFT JOIN shifts s ON s.terminal_id = @terminalId AND s.closed_at IS NULL`,
    ),
    shift: db.prepare('SELECT * FROM shifts WHERE id = ?'),
    closeShift: db.prepare('UPDATE shifts SET closed_at = ?, closed_by = ? WHERE id = ? AND closed_at IS NULL'),
    shiftsOpenedBetween: db.prepare('SELECT * FROM shifts WHERE opened_at >= ? AND opened_at < ? ORDER BY opened_at, id'),
    shopShiftsOpenedBetween: db.prepare('SELECT * FROM shifts WHERE shop_id = ? AND opened_at >= ? AND opened_at < ? ORDER BY opened_at, id'),
  };

  return {
    async createCashier(cashier: CashierRow): Promise<boolean> {
      const wanted = cashier.name.toLowerCase();
      const shopId = cashier.shop_id ?? DEFAULT_SHOP_ID;
      return insertUnlessTaken(
        () => (q.shopCashiers.all(shopId) as DbRow[]).some((r) => str(r.name).toLowerCase() === wanted),
        () => q.insertCashier.run({ ...cashier, shop_id: shopId }),
      );
    },

    async cashiers(shopId?: string): Promise<CashierRow[]> {
      return ((shopId === undefined ? q.cashiers.all() : q.shopCashiers.all(shopId)) as DbRow[]).map(cashierFromDb);
    },

    async cashier(id: string): Promise<CashierRow | undefined> {
      const r = q.cashier.get(id) as DbRow | undefined;
      return r && cashierFromDb(r);
    },

    async removeCashier(id: string, at: number): Promise<boolean> {
      return q.removeCashier.run(at, id).changes === 1;
    },

    async hasCashiers(shopId?: string): Promise<boolean> {
      return (shopId === undefined ? q.hasCashiers.get() : q.hasShopCashiers.get(shopId)) === 1;
    },

    async openShift(shift: Omit<ShiftRow, 'closed_at' | 'closed_by'>): Promise<OpenShiftResult> {
      const open = db.transaction((): OpenShiftResult => {
        const existing = q.openShiftOf.get(shift.terminal_id) as DbRow | undefined;
        if (existing) return { kind: 'terminal_has_shift', shift: shiftFromDb(existing) };
        const row = { ...shift, shop_id: shift.shop_id ?? DEFAULT_SHOP_ID };
        q.insertShift.run(row);
        return { kind: 'opened', shift: { ...row, closed_at: null, closed_by: null } };
      });
      try {
        return open.immediate();
      } catch (e) {
        // Another process opened one between our read and our insert: the unique index said no.
        if (!isUniqueViolation(e)) throw e;
        return open.immediate();
      }
    },

    async openShiftOf(terminalId: string): Promise<ShiftRow | undefined> {
      const r = q.openShiftOf.get(terminalId) as DbRow | undefined;
      return r && shiftFromDb(r);
    },

    async shiftStatus(terminalId: string, shopId: string): Promise<ShiftStatus> {
      const r = q.shiftStatus.get({ terminalId, shopId }) as DbRow;
      return { open: r.id === null ? undefined : shiftFromDb(r), hasCashiers: r.has_cashiers === 1 };
    },

    async shift(id: string): Promise<ShiftRow | undefined> {
      const r = q.shift.get(id) as DbRow | undefined;
      return r && shiftFromDb(r);
    },

    async closeShift(id: string, at: number, closedBy: string): Promise<CloseShiftResult> {
      return db
        .transaction((): CloseShiftResult => {
          const r = q.shift.get(id) as DbRow | undefined;
          if (!r) return { kind: 'not_found' };
          const shift = shiftFromDb(r);
          if (shift.closed_at !== null) return { kind: 'already_closed', shift };
          const active = shared.active.get(shift.terminal_id) as DbRow | undefined;
          if (active) return { kind: 'payment_in_progress', active: paymentFromDb(active) };
          q.closeShift.run(at, closedBy, id);
          return { kind: 'closed', shift: { ...shift, closed_at: at, closed_by: closedBy } };
        })
        .immediate();
    },

    async shiftsOpenedBetween(fromMs: number, toMs: number, shopId?: string): Promise<ShiftRow[]> {
      const rows = shopId === undefined ? q.shiftsOpenedBetween.all(fromMs, toMs) : q.shopShiftsOpenedBetween.all(shopId, fromMs, toMs);
      return (rows as DbRow[]).map(shiftFromDb);
    },
  };
}
