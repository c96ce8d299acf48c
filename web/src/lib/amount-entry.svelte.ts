/**
 * The amount as the cashier keys it: a short decimal text ("12.5"), never a float. Keys come from
 * the on-screen keypad or the hardware keyboard (via the scanner's onHumanKey), never from a text
 * field. A digit that would go above the shop's maximum (GET /api/terminal max_amount_fen) is
 * refused, so what is shown can always be charged.
 */
import { formatYuan, parseYuan } from '../../../shared/money.ts';

/** The server's default maximum (MAX_AMOUNT_FEN, ¥100,000.00) until the terminal's own is known. */
export const DEFAULT_MAX_FEN = 10_000_000;

export class AmountEntry {
  #text = $state('');
  #maxFen = $state(DEFAULT_MAX_FEN);

  get text(): string {
    return this.#text;
  }

  /** The text with thousands separators, as shown ("12,345.6"). */
  get display(): string {
    return groupThousands(this.#text);
  }

  get maxFen(): number {
    return this.#maxFen;
  }

  setMax(fen: number): void {
    if (Number.isSafeInteger(fen) && fen > 0) this.#maxFen = fen;
  }

  /** Amount in fen; 0 while empty or incomplete ("." alone). */
  get fen(): number {
    return toFen(this.#text);
  }

  /** Applies one key; returns false when the key is not an amount key or would make it invalid or too large. */
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
    const dec = next.split('.')[1];
    if (dec !== undefined && dec.length > 2) return false;
    if (toFen(next) > this.#maxFen) return false;
    return this.#put(next);
  }

  /** Whether `key` is a digit refused only because the amount would pass the maximum. */
  tooLarge(key: string): boolean {
    if (!/^\d$|^00$/.test(key)) return false;
    const next = (this.#text === '0' ? '' : this.#text) + key;
    return toFen(next) > this.#maxFen && (next.split('.')[1]?.length ?? 0) <= 2;
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

function toFen(text: string): number {
  return text === '' ? 0 : (parseYuan(text.endsWith('.') ? text + '0' : text) ?? Number.MAX_SAFE_INTEGER);
}

/** "1234567.8" → "1,234,567.8": the integer part grouped, the rest as typed. */
export function groupThousands(text: string): string {
  const [int = '', ...rest] = text.split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return rest.length ? `${grouped}.${rest.join('.')}` : grouped;
}
