/** Money is an integer number of fen (1 yuan = 100 fen) everywhere; yuan exist only as text. */

export function isFen(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** 1234 → "12.34"; -5 → "-0.05". Throws on anything but a safe integer. */
export function formatYuan(fen: number): string {
  if (!Number.isSafeInteger(fen)) throw new RangeError(`not an integer amount of fen: ${fen}`);
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  const yuan = Math.floor(abs / 100);
  const cents = String(abs % 100).padStart(2, '0');
  return `${sign}${yuan}.${cents}`;
}

/** "¥12.34" */
export function formatYuanSigned(fen: number): string {
  return `¥${formatYuan(fen)}`;
}

const YUAN_TEXT = /^(\d{1,13})(?:\.(\d{1,2}))?$/;

/**
 * "12.34" → 1234, "12.3" → 1230, "12" → 1200. Exact decimal parsing, never floating point.
 * Returns null for anything else (negative, three decimals, exponent, blank).
 */
export function parseYuan(text: string): number | null {
  const match = YUAN_TEXT.exec(text.trim());
  if (!match) return null;
  const yuan = Number(match[1]);
  const cents = Number((match[2] ?? '').padEnd(2, '0'));
  const fen = yuan * 100 + cents;
  return Number.isSafeInteger(fen) ? fen : null;
}

/** Parses a fen field that travels as text ("1234"); null unless it is a plain non-negative integer. */
export function parseFenText(text: string | undefined): number | null {
  if (text === undefined || !/^\d{1,15}$/.test(text)) return null;
  return Number(text);
}
