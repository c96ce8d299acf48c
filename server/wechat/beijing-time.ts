/**
 * WeChat Pay reads and writes every time as Beijing time (UTC+8; China has had no daylight saving
 * since 1991): time_start, time_expire and time_end as `yyyyMMddHHmmss`, refund_success_time and
 * bill lines as `yyyy-MM-dd HH:mm:ss`, bill_date as `yyyyMMdd`. Whatever the shop's zone
 * (SHOP_TIMEZONE) and the machine's TZ, these helpers are the only way times cross to WeChat: a
 * time_expire written in New York time reaches WeChat 12 or 13 hours in the past.
 */
const BEIJING_OFFSET_MS = 8 * 3_600_000;

interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

function wall(ms: number): Wall {
  const b = new Date(Math.floor(ms / 1000) * 1000 + BEIJING_OFFSET_MS);
  return { year: b.getUTCFullYear(), month: b.getUTCMonth() + 1, day: b.getUTCDate(), hour: b.getUTCHours(), minute: b.getUTCMinutes(), second: b.getUTCSeconds() };
}

/** `yyyyMMddHHmmss` in Beijing time (time_start, time_expire). */
export function beijingStamp(ms: number): string {
  const w = wall(ms);
  return `${pad(w.year, 4)}${pad(w.month)}${pad(w.day)}${pad(w.hour)}${pad(w.minute)}${pad(w.second)}`;
}

/** `yyyyMMdd` in Beijing time (bill_date). */
export function beijingDay(ms: number): string {
  return beijingStamp(ms).slice(0, 8);
}

/** `yyyy-MM-dd HH:mm:ss` in Beijing time (refund_success_time, bill lines). */
export function beijingDateTime(ms: number): string {
  const w = wall(ms);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}`;
}

/** The instant of a Beijing wall-clock time; undefined when the fields are not a real time (2026-02-30, 24:00). */
function instant(y: number, mo: number, d: number, h: number, mi: number, s: number): number | undefined {
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return undefined;
  return ms - BEIJING_OFFSET_MS;
}

/**
 * The instant `days` working days (Monday to Friday on Beijing's calendar) after `ms`, at the same
 * Beijing time of day. Public holidays are not known here: a refund pending over one is flagged a
 * little early, never late.
 */
export function beijingWorkingDaysLater(ms: number, days: number): number {
  const DAY = 86_400_000;
  let at = ms;
  let left = days;
  while (left > 0) {
    at += DAY;
    const weekday = new Date(at + BEIJING_OFFSET_MS).getUTCDay();
    if (weekday !== 0 && weekday !== 6) left -= 1;
  }
  return at;
}

const STAMP = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/** Epoch ms of a Beijing `yyyyMMddHHmmss` (time_end) or `yyyy-MM-dd HH:mm:ss` (refund_success_time, bills); undefined when it is neither. */
export function parseBeijingTime(text: string): number | undefined {
  const m = STAMP.exec(text) ?? DATE_TIME.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  return instant(y, mo, d, h, mi, s);
}
