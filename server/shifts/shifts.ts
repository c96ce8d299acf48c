import { randomBytes } from 'node:crypto';
import type { CurrentShift, ShiftReport } from '../../shared/shop-day.ts';
import { Refusal } from '../payments/errors.ts';
import type { Attribution } from '../payments/service.ts';
import { localDayRange } from '../payments/shop-time.ts';
import { paymentView } from '../payments/view.ts';
import { totalsOf, walletLines } from '../reports/fold.ts';
import { DEFAULT_SHOP_ID, type CashierRow, type ShiftRow, type ShiftStatus, type Store } from '../store/types.ts';

/**
 * Shifts (交班): a cashier opens one on a terminal with their PIN; while cashiers exist a
 * terminal takes payments only inside an open shift, and each payment and refund records it.
 *
 * Decisions (README "Cashiers and shifts"):
 * - A shift is a terminal's: one open shift per terminal. The same cashier may hold shifts on two
 *   tablets at once (a counter and a window); each tablet hands over its own shift.
 * - A shift does not close while its terminal has a payment in progress (the customer may be
 *   entering their password): 409 PAYMENT_IN_PROGRESS, and the cashier waits for the outcome or
 *   cancels. Payments still unsettled after that (needs attention) are listed in the hand-over as
 *   open, and their outcome lands in the shift that took them.
 * - Figures are read from the journal whenever asked, so a hand-over read later includes outcomes
 *   that were still open when it closed; the paper printed at close is that moment's picture.
 * - Refunds count in the shift during which they are made, whichever shift took the payment.
 */

export type ShiftStore = Pick<
  Store,
  'openShift' | 'openShiftOf' | 'shiftStatus' | 'shift' | 'closeShift' | 'shiftsOpenedBetween' | 'hasCashiers' | 'paymentGroups' | 'refundGroups' | 'openPaymentsOfShift' | 'listTerminals'
>;

export interface ShiftsOptions {
  store: ShiftStore;
  timeZone: string;
  /** The shop whose shifts these are (default: the default shop): its terminals, cashiers and days. */
  shopId?: string;
  now?: () => number;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export class Shifts {
  readonly #store: ShiftStore;
  readonly #timeZone: string;
  readonly #shopId: string;
  readonly #now: () => number;

  constructor(options: ShiftsOptions) {
    this.#store = options.store;
    this.#timeZone = options.timeZone;
    this.#shopId = options.shopId ?? DEFAULT_SHOP_ID;
    this.#now = options.now ?? Date.now;
  }

  /** Opens `cashier`'s shift on the terminal; the same cashier again gets the shift already open. */
  async open(terminalId: string, cashier: CashierRow): Promise<ShiftReport> {
    const result = await this.#store.openShift({
      id: `s-${randomBytes(8).toString('hex')}`,
      terminal_id: terminalId,
      cashier_id: cashier.id,
      cashier_name: cashier.name,
      opened_at: this.#now(),
      shop_id: this.#shopId,
    });
    if (result.kind === 'terminal_has_shift' && result.shift.cashier_id !== cashier.id) {
      throw new Refusal('SHIFT_OPEN', `${result.shift.cashier_name}'s shift is open on this terminal: close it (hand-over) before the next cashier signs in.`);
    }
    return this.report(result.shift);
  }

  async current(terminalId: string): Promise<CurrentShift> {
    const [open, required] = await Promise.all([this.#store.openShiftOf(terminalId), this.#store.hasCashiers(this.#shopId)]);
    return { cashiers_required: required, shift: open ? await this.report(open) : null };
  }

  /**
   * Who takes a payment on this terminal now: its open shift's cashier; nobody when the shop has
   * no cashiers (the till works as it always did); 409 SHIFT_REQUIRED when it has cashiers but no
   * shift is open here. `known`: the status as the request's authentication just read it, in the
   * same query as the token (one read per payment fewer; the insert still checks the shift is open).
   */
  async attribution(terminalId: string, known?: ShiftStatus): Promise<Attribution | undefined> {
    // One read per payment (the shift and the shop's cashiers together): it is on every payment's path.
    const { open, hasCashiers } = known ?? (await this.#store.shiftStatus(terminalId, this.#shopId));
    if (open) return { shift_id: open.id, cashier: open.cashier_name };
    if (hasCashiers) throw new Refusal('SHIFT_REQUIRED', 'No shift is open on this terminal: a cashier signs in with their PIN first.');
    return undefined;
  }

  /** The terminal's open shift as an attribution, if one is open (refunds record it; they need no shift). */
  async onShift(terminalId: string): Promise<Attribution | undefined> {
    const open = await this.#store.openShiftOf(terminalId);
    return open ? { shift_id: open.id, cashier: open.cashier_name } : undefined;
  }

  /** The shift, if it exists in this shop (the route checks who may close it). */
  async shift(id: string): Promise<ShiftRow | undefined> {
    const shift = await this.#store.shift(id);
    return shift && (shift.shop_id ?? DEFAULT_SHOP_ID) === this.#shopId ? shift : undefined;
  }

  /** Closes the shift and answers its hand-over report; closing a closed shift answers the same report. */
  async close(id: string, closedBy: string): Promise<ShiftReport> {
    const result = await this.#store.closeShift(id, this.#now(), closedBy);
    switch (result.kind) {
      case 'not_found':
        throw new Refusal('NOT_FOUND', `No shift ${id}.`);
      case 'payment_in_progress':
        throw new Refusal('PAYMENT_IN_PROGRESS',
          `Payment ${result.active.id} (${result.active.amount_fen} fen) is still in progress on this terminal: wait for its outcome or cancel it, then close the shift.`,
        );
      case 'closed':
      case 'already_closed':
        return this.report(result.shift);
    }
  }

  /** Shifts opened on a shop day (any terminal), oldest first, each with its figures. */
  async list(date: string): Promise<ShiftReport[]> {
    const { from, to } = localDayRange(date, this.#timeZone);
    const shifts = await this.#store.shiftsOpenedBetween(from, to, this.#shopId);
    const names = await this.#terminalNames();
    return Promise.all(shifts.map((s) => this.report(s, names)));
  }

  async report(shift: ShiftRow, names?: Map<string, string>): Promise<ShiftReport> {
    const scope = { shiftId: shift.id };
    const [payments, refunds, open, terminalNames] = await Promise.all([
      this.#store.paymentGroups(scope),
      this.#store.refundGroups(scope),
      this.#store.openPaymentsOfShift(shift.id),
      names ?? this.#terminalNames(),
    ]);
    const t = totalsOf(payments, refunds);
    return {
      id: shift.id,
      cashier: shift.cashier_name,
      cashier_id: shift.cashier_id,
      terminal: shift.terminal_id,
      terminal_name: terminalNames.get(shift.terminal_id) ?? shift.terminal_id,
      opened_at: iso(shift.opened_at),
      closed_at: shift.closed_at === null ? null : iso(shift.closed_at),
      totals: {
        count: t.count,
        succeeded_count: t.succeeded_count,
        succeeded_fen: t.succeeded_fen,
        refunded_fen: t.refunded_fen,
        refund_count: t.refund_count,
        net_fen: t.net_fen,
      },
      by_wallet: walletLines(payments, refunds),
      open_payments: open.map(paymentView),
      processing_refunds: {
        count: refunds.reduce((n, g) => n + g.processing_count, 0),
        amount_fen: refunds.reduce((n, g) => n + g.processing_fen, 0),
      },
    };
  }

  async #terminalNames(): Promise<Map<string, string>> {
    return new Map((await this.#store.listTerminals(this.#shopId)).map((t) => [t.id, t.name]));
  }
}
