import type { Shop } from '../shops/shops.ts';
import type { DayBill, WalletBills } from './wallet-bills.ts';

/**
 * A wallet's day bill read once for every shop on its account. The daily job goes through a
 * chain's shops back to back, and shops on one merchant account read one and the same bill: a
 * chain of 20 shops downloaded and parsed one 50,000-line bill 20 times. A bill read is handed
 * to the next shop asking for it within `reuseMs`; a missing bill or a failure is never kept, so
 * the next try asks the wallet again. Bills of past days do not change once published, and only
 * the daily job's pass uses this: a run on demand reads the wallet anew.
 */
export const BILL_REUSE_MS = 5 * 60_000;

export class SharedBills {
  readonly #read = new Map<string, { at: number; bill: Promise<DayBill> }>();
  readonly #now: () => number;
  readonly #reuseMs: number;

  constructor(now: () => number, reuseMs = BILL_REUSE_MS) {
    this.#now = now;
    this.#reuseMs = reuseMs;
  }

  day(bills: WalletBills, date: string, shop: Shop | undefined, options: { paidOnly?: boolean } = {}): Promise<DayBill> {
    const now = this.#now();
    for (const [key, read] of this.#read) if (now - read.at >= this.#reuseMs) this.#read.delete(key);
    const key = `${bills.wallet} ${bills.account(shop)} ${date}${options.paidOnly ? ' paid' : ''}`;
    const kept = this.#read.get(key);
    if (kept) return kept.bill;
    const bill = bills.day(date, shop, options);
    const entry = { at: now, bill };
    this.#read.set(key, entry);
    const forget = () => {
      if (this.#read.get(key) === entry) this.#read.delete(key);
    };
    bill.then((b) => b.kind === 'ok' || forget(), forget);
    return bill;
  }
}
