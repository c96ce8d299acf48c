/**
 * The payment this terminal is charging, written to localStorage BEFORE the POST leaves, so a
 * network error, a reload or a second tab finds the same id and never starts a second charge.
 * The payment code (a one-minute secret) is kept only until the server has acknowledged the
 * payment: it is needed to repeat a POST that may not have arrived, and for nothing else.
 */
import { KEYS, readJson, writeJson, type KeyValue } from './local-store.ts';

export interface PendingPayment {
  id: string;
  amount_fen: number;
  /** Present until the server has answered the POST once. */
  auth_code?: string;
  started_at: number;
}

export class PendingPaymentStore {
  constructor(private readonly store: KeyValue | undefined) {}

  load(): PendingPayment | undefined {
    const p = readJson<PendingPayment>(this.store, KEYS.pending);
    return p && typeof p.id === 'string' && Number.isSafeInteger(p.amount_fen) ? p : undefined;
  }

  save(p: PendingPayment): boolean {
    return writeJson(this.store, KEYS.pending, p);
  }

  /** The server has the payment: drop the code, keep following the id. */
  acknowledged(id: string): void {
    const p = this.load();
    if (p?.id === id && p.auth_code !== undefined) {
      const { auth_code: _dropped, ...rest } = p;
      this.save(rest);
    }
  }

  clear(id?: string): void {
    if (id === undefined || this.load()?.id === id) this.store?.removeItem(KEYS.pending);
  }
}
