/**
 * The shop's local time (SHOP_TIMEZONE, default Asia/Shanghai): days, "today", reports. Intl's
 * zone data, correct across DST for zones that have it. Times sent to or read from WeChat are
 * Beijing time whatever this zone is: server/wechat/beijing-time.ts.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The zone's wall clock at instant `ms`, read through Intl (a few microseconds: see localParts). */
function intlParts(ms: number, timeZone: string): LocalParts {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour!, minute: parts.minute!, second: parts.second! };
}

/** How far the zone's wall clock is ahead of UTC at instant `ms`, through Intl. */
function intlOffset(ms: number, timeZone: string): number {
  const p = intlParts(ms, timeZone);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return wall - Math.floor(ms / 1000) * 1000;
}

const HOUR = 3_600_000;
/** "<zone> <UTC hour>" → the offset that holds through all that hour (null: it changes inside). */
const hourOffsets = new Map<string, number | null>();

/**
 * The zone's offset at `ms`. Intl's formatToParts costs microseconds and a payment needs three
 * local times, so the offset is kept per UTC hour, only when the zone has the same offset at the
 * hour's first and last second (zones change offset at most once an hour; an hour with a change
 * is always asked of Intl).
 */
function offsetAt(ms: number, timeZone: string): number {
  const hour = Math.floor(ms / HOUR);
  const key = `${timeZone} ${hour}`;
  let offset = hourOffsets.get(key);
  if (offset === undefined) {
    const first = intlOffset(hour * HOUR, timeZone);
    offset = first === intlOffset(hour * HOUR + HOUR - 1000, timeZone) ? first : null;
    if (hourOffsets.size >= 256) hourOffsets.clear(); // day lists jump around in time: stay small
    hourOffsets.set(key, offset);
  }
  return offset ?? intlOffset(ms, timeZone);
}

export function localParts(ms: number, timeZone: string): LocalParts {
  const wall = new Date(Math.floor(ms / 1000) * 1000 + offsetAt(ms, timeZone));
  return {
    year: wall.getUTCFullYear(),
    month: wall.getUTCMonth() + 1,
    day: wall.getUTCDate(),
    hour: wall.getUTCHours(),
    minute: wall.getUTCMinutes(),
    second: wall.getUTCSeconds(),
  };
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `yyyyMMddHHmmss` on the shop's wall clock (our own order numbers; never a time for WeChat). */
export function localStamp(ms: number, timeZone: string): string {
  const p = localParts(ms, timeZone);
  return `${pad(p.year, 4)}${pad(p.month)}${pad(p.day)}${pad(p.hour)}${pad(p.minute)}${pad(p.second)}`;
}

/** The shop-local calendar date (YYYY-MM-DD) of an instant. */
export function localDate(ms: number, timeZone: string): string {
  const p = localParts(ms, timeZone);
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether `date` is a real calendar date written YYYY-MM-DD. */
export function isCalendarDate(date: string): boolean {
  const m = DATE.exec(date);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/** The instant the shop-local wall clock shows 00:00 on `date`. */
function localMidnight(year: number, month: number, day: number, timeZone: string): number {
  const wall = Date.UTC(year, month - 1, day);
  let guess = wall - offsetAt(wall, timeZone);
  guess = wall - offsetAt(guess, timeZone); // second pass settles a DST change near midnight
  return guess;
}

/** [start, end) in epoch ms of the shop-local day `date` (YYYY-MM-DD). */
export function localDayRange(date: string, timeZone: string): { from: number; to: number } {
  const m = DATE.exec(date);
  if (!m || !isCalendarDate(date)) throw new RangeError(`not a calendar date: ${date}`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const next = new Date(Date.UTC(y, mo - 1, d + 1));
  return {
    from: localMidnight(y, mo, d, timeZone),
    to: localMidnight(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), timeZone),
  };
}
