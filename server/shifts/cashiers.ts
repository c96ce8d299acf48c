import { randomBytes } from 'node:crypto';
import { CASHIER_NAME, CASHIER_PIN, type Cashier } from '../../shared/shop-day.ts';
import { DEFAULT_SHOP_ID, type CashierRow, type Store } from '../store/types.ts';
import { hashPin, verifyPin } from '../terminals/pin.ts';

/**
 * Cashiers: a name and a 4–6 digit PIN, stored as the manager PIN is (salted scrypt). A cashier
 * signs in with the PIN alone, so PINs are unique among cashiers and differ from the manager
 * PIN (a cashier who knew it could refund). Removing a cashier keeps the row: past shifts and
 * payments keep their name.
 */

export type CashierStore = Pick<Store, 'createCashier' | 'cashiers' | 'cashier' | 'removeCashier' | 'hasCashiers'>;

export class CashierError extends Error {
  override readonly name = 'CashierError';
  constructor(
    readonly code: 'INVALID_CASHIER' | 'INVALID_PIN' | 'CASHIER_EXISTS' | 'NOT_FOUND',
    message: string,
  ) {
    super(message);
  }
}

export interface CashiersOptions {
  store: CashierStore;
  /** Whether `pin` is the manager PIN (false when none is set). */
  isManagerPin: (pin: string) => Promise<boolean>;
  /** The shop whose cashiers these are (default: the default shop); names and PINs are unique per shop. */
  shopId?: string;
  now?: () => number;
}

export const cashierView = (row: CashierRow): Cashier => ({ id: row.id, name: row.name, created_at: new Date(row.created_at).toISOString() });

export class Cashiers {
  readonly #store: CashierStore;
  readonly #isManagerPin: (pin: string) => Promise<boolean>;
  readonly #now: () => number;
  readonly #shopId: string;

  constructor(options: CashiersOptions) {
    this.#store = options.store;
    this.#isManagerPin = options.isManagerPin;
    this.#shopId = options.shopId ?? DEFAULT_SHOP_ID;
    this.#now = options.now ?? Date.now;
  }

  async add(name: string, pin: string): Promise<Cashier> {
    const clean = name.trim();
    if (!CASHIER_NAME.test(clean)) throw new CashierError('INVALID_CASHIER', `"${name}" is not a cashier name: 1 to 20 letters, digits, spaces, ".", "_" or "-", starting with a letter or digit.`);
    if (!CASHIER_PIN.test(pin)) throw new CashierError('INVALID_PIN', 'A cashier PIN is 4 to 6 digits.');
    if (await this.#isManagerPin(pin)) throw new CashierError('INVALID_PIN', 'This PIN is the manager PIN: a cashier needs a PIN of their own.');
    if (await this.identify(pin)) throw new CashierError('INVALID_PIN', 'Another cashier has this PIN: choose another one (cashiers sign in with the PIN alone).');
    const row: CashierRow = { id: `c-${randomBytes(6).toString('hex')}`, name: clean, pin_hash: await hashPin(pin), created_at: this.#now(), removed_at: null, shop_id: this.#shopId };
    if (!(await this.#store.createCashier(row))) throw new CashierError('CASHIER_EXISTS', `A cashier named "${clean}" exists already.`);
    return cashierView(row);
  }

  async list(): Promise<Cashier[]> {
    return (await this.#store.cashiers(this.#shopId)).map(cashierView);
  }

  /** By id, or by name (case-insensitive) for the command line. */
  async find(idOrName: string): Promise<Cashier | undefined> {
    const wanted = idOrName.trim().toLowerCase();
    const row = (await this.#store.cashiers(this.#shopId)).find((c) => c.id === idOrName || c.name.toLowerCase() === wanted);
    return row && cashierView(row);
  }

  async remove(id: string): Promise<Cashier> {
    const row = await this.#store.cashier(id);
    if (!row || (row.shop_id ?? DEFAULT_SHOP_ID) !== this.#shopId || row.removed_at !== null || !(await this.#store.removeCashier(id, this.#now()))) throw new CashierError('NOT_FOUND', `No cashier ${id}.`);
    return cashierView(row);
  }

  exist(): Promise<boolean> {
    return this.#store.hasCashiers(this.#shopId);
  }

  /**
   * The cashier whose PIN this is. Every cashier's hash is checked (in parallel, on the thread
   * pool): a shop has a handful of cashiers, and the guesses are rate-limited by the caller.
   */
  async identify(pin: string): Promise<CashierRow | undefined> {
    if (!CASHIER_PIN.test(pin)) return undefined;
    const cashiers = await this.#store.cashiers(this.#shopId);
    const matches = await Promise.all(cashiers.map((c) => verifyPin(pin, c.pin_hash)));
    return cashiers.find((_, i) => matches[i]);
  }
}
