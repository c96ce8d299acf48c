import { describe, expect, it } from 'vitest';
import { addDays, comparedWith, daysOf, periodOf } from '../../../server/reports/periods.ts';

describe('report periods', () => {
  it.each([
    ['day', '2026-11-28', '2026-11-28', '2026-11-28', '2026-11-21', '2026-11-21'],
    // 2026-11-28 is a Saturday: its week runs Monday 23 to Sunday 29.
    ['week', '2026-11-28', '2026-11-23', '2026-11-29', '2026-11-16', '2026-11-22'],
    ['week', '2026-11-23', '2026-11-23', '2026-11-29', '2026-11-16', '2026-11-22'],
    ['week', '2026-11-29', '2026-11-23', '2026-11-29', '2026-11-16', '2026-11-22'],
    ['week', '2027-01-01', '2026-12-28', '2027-01-03', '2026-12-21', '2026-12-27'],
    ['month', '2026-11-28', '2026-11-01', '2026-11-30', '2026-10-01', '2026-10-31'],
    ['month', '2028-03-15', '2028-03-01', '2028-03-31', '2028-02-01', '2028-02-29'],
    ['month', '2027-01-31', '2027-01-01', '2027-01-31', '2026-12-01', '2026-12-31'],
  ] as const)('a %s around %s runs %s to %s and is compared with %s to %s', (period, date, from, to, cFrom, cTo) => {
    const range = periodOf(period, date);
    expect(range).toEqual({ from, to });
    expect(comparedWith(period, range)).toEqual({ from: cFrom, to: cTo });
  });

  it('lists every day of a range, across a month end and a leap day', () => {
    expect(daysOf({ from: '2028-02-27', to: '2028-03-01' })).toEqual(['2028-02-27', '2028-02-28', '2028-02-29', '2028-03-01']);
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
  });
});
