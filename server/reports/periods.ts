import type { ReportPeriod } from '../../shared/shop-day.ts';

/**
 * Report periods as shop-local calendar days (YYYY-MM-DD, inclusive): a day, its week (Monday to
 * Sunday, as calendars in China count), its month; and the period each is compared with: the
 * same weekday a week earlier, the week before, the month before.
 */

export interface DayRange {
  from: string;
  to: string;
}

const toDate = (day: string): Date => new Date(`${day}T00:00:00Z`);
const toDay = (d: Date): string => d.toISOString().slice(0, 10);

export function addDays(day: string, days: number): string {
  const d = toDate(day);
  d.setUTCDate(d.getUTCDate() + days);
  return toDay(d);
}

export function periodOf(period: ReportPeriod, date: string): DayRange {
  switch (period) {
    case 'day':
      return { from: date, to: date };
    case 'week': {
      const monday = addDays(date, -((toDate(date).getUTCDay() + 6) % 7));
      return { from: monday, to: addDays(monday, 6) };
    }
    case 'month': {
      const d = toDate(date);
      const first = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
      const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0));
      return { from: toDay(first), to: toDay(last) };
    }
  }
}

export function comparedWith(period: ReportPeriod, range: DayRange): DayRange {
  if (period === 'month') return periodOf('month', addDays(range.from, -1));
  return { from: addDays(range.from, -7), to: addDays(range.to, -7) };
}

/** Every day of the range, in order. */
export function daysOf(range: DayRange): string[] {
  const days: string[] = [];
  for (let d = range.from; d <= range.to; d = addDays(d, 1)) days.push(d);
  return days;
}
