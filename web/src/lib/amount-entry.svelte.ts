/**
 * The amount as the cashier keys it: a short decimal text ("12.5"), never a float. Keys come from
 * the on-screen keypad or the hardware keyboard (via the scanner's onHumanKey), never from a text field.
 */
import { formatYuan, parseYuan } from '../../../shared/money.ts';

/** ¥999,999.99: far above any till sale; the server applies the shop's own maximum. */
const MAX_INTEGER_DIGITS = 6;

export class AmountEntry {
  #text = $state('');

  get text(): string {
    return this.#text;
  }

  /** Amount in fen; 0 while empty or incomplete ("." alone). */
  get fen(): number {
    return this.#text === '' ? 0 : (parseYuan(this.#text.endsWith('.') ? this.#text + '0' : this.#text) ?? 0);
  }

  /** Applies one key; returns false when the key is not an amount key or would make it invalid. */
  press(key: string): boolean {
    if (key === 'Backspace') {
      this.#text = this.#text.slice(0, -1);
      return true;
    }
    if (key === 'Escape' || key === 'Delete' || key === 'Clear') {
      this.#text = '';
      return true;
    }
    if (key === '.' || key === ',') return this.#put(this.#text.includes('.') ? null : this.#text === '' ? '0.' : this.#text + '.');
    if (key === '00') return this.press('0') && this.press('0');
    if (!/^\d$/.test(key)) return false;
    const next = this.#text === '0' ? key : this.#text + key;
    const [int = '', dec] = next.split('.');
    if (int.length > MAX_INTEGER_DIGITS || (dec !== undefined && dec.length > 2)) return false;
    return this.#put(next);
  }

  set(fen: number): void {
    this.#text = fen > 0 ? (fen % 100 === 0 ? String(fen / 100) : formatYuan(fen)) : '';
  }

  clear(): void {
    this.#text = '';
  }

  #put(next: string | null): boolean {
    if (next === null) return false;
    this.#text = next;
    return true;
  }
}
