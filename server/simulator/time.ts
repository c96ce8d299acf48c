/**
 * WeChat's time fields are Beijing time (UTC+8, no daylight saving), whatever the server's zone.
 */
const BEIJING_OFFSET_MS = 8 * 3600_000;

function parts(date: Date) {
  const b = new Date(date.getTime() + BEIJING_OFFSET_MS);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return {
    y: p(b.getUTCFullYear(), 4),
    mo: p(b.getUTCMonth() + 1),
    d: p(b.getUTCDate()),
    h: p(b.getUTCHours()),
    mi: p(b.getUTCMinutes()),
    s: p(b.getUTCSeconds()),
  };
}

/** `yyyyMMddHHmmss` (time_end, time_start). */
export function beijingStamp(date: Date): string {
  const t = parts(date);
  return `${t.y}${t.mo}${t.d}${t.h}${t.mi}${t.s}`;
}

/** `yyyy-MM-dd HH:mm:ss` (bills, refund_success_time). */
export function beijingDateTime(date: Date): string {
  const t = parts(date);
  return `${t.y}-${t.mo}-${t.d} ${t.h}:${t.mi}:${t.s}`;
}

/** `yyyyMMdd` (bill_date). */
export function beijingDay(date: Date): string {
  return beijingStamp(date).slice(0, 8);
}

/** Parses a `yyyyMMddHHmmss` Beijing stamp; undefined when it is not a real time. */
export function parseBeijingStamp(text: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(ms);
  // Date.UTC rolls 20261332 over into the next year: a rolled-over date is not a real one.
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return undefined;
  return new Date(ms - BEIJING_OFFSET_MS);
}
