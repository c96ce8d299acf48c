/**
 * WeChat's bill days are Beijing days (UTC+8, no daylight saving), whatever SHOP_TIMEZONE and
 * the machine's TZ: a bill of 2026-11-28 holds what happened from 2026-11-27T16:00Z to
 * 2026-11-28T16:00Z. Dates are YYYY-MM-DD here, yyyyMMdd on the wire.
 */
const BEIJING_OFFSET_MS = 8 * 3600_000;
const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The Beijing day (YYYY-MM-DD) an instant falls on. */
export function beijingDate(ms: number): string {
  return new Date(ms + BEIJING_OFFSET_MS).toISOString().slice(0, 10);
}

/** The Beijing hour (0–23) of an instant. */
export function beijingHour(ms: number): number {
  return new Date(ms + BEIJING_OFFSET_MS).getUTCHours();
}

/** Whether `date` is a real calendar date written YYYY-MM-DD. */
export function isBillDate(date: string): boolean {
  const m = DATE.exec(date);
  if (!m) return false;
  const back = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return back.toISOString().slice(0, 10) === date;
}

/** The instants of a Beijing day: [fromMs, toMs). */
export function beijingDayRange(date: string): { fromMs: number; toMs: number } {
  const fromMs = Date.parse(`${date}T00:00:00Z`) - BEIJING_OFFSET_MS;
  return { fromMs, toMs: fromMs + DAY_MS };
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The same day `months` calendar months earlier (clamped to the month's end: 05-31 → 02-28). */
export function monthsBefore(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const first = new Date(Date.UTC(y, m - 1 - months, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  first.setUTCDate(Math.min(d, last));
  return first.toISOString().slice(0, 10);
}

/** yyyyMMdd, as downloadbill's bill_date. */
export const wireDate = (date: string): string => date.replaceAll('-', '');
