import { describe, expect, it } from 'vitest';
import { isCalendarDate, localDate, localDayRange, localStamp } from '../../../server/payments/shop-time.ts';

describe('shop-local time', () => {
  it('formats our order numbers\' timestamps in the shop zone', () => {
    const t = Date.UTC(2026, 10, 28, 16, 30, 5); // 00:30:05 next day in Shanghai
    expect(localStamp(t, 'Asia/Shanghai')).toBe('20261129003005');
    expect(localStamp(t, 'UTC')).toBe('20261128163005');
    expect(localDate(t, 'Asia/Shanghai')).toBe('2026-11-29');
  });

  it('gives a Shanghai day as [16:00 UTC the day before, 16:00 UTC)', () => {
    expect(localDayRange('2026-11-28', 'Asia/Shanghai')).toEqual({ from: Date.UTC(2026, 10, 27, 16), to: Date.UTC(2026, 10, 28, 16) });
  });

  it('handles days of 23 and 25 hours where the zone changes clocks', () => {
    const spring = localDayRange('2026-03-08', 'America/New_York');
    expect(spring.to - spring.from).toBe(23 * 3600_000);
    expect(spring.from).toBe(Date.UTC(2026, 2, 8, 5));
    const autumn = localDayRange('2026-11-01', 'America/New_York');
    expect(autumn.to - autumn.from).toBe(25 * 3600_000);
  });

  it('accepts only real calendar dates', () => {
    expect(isCalendarDate('2028-02-29')).toBe(true);
    expect(isCalendarDate('2026-02-29')).toBe(false);
    expect(isCalendarDate('2026-1-05')).toBe(false);
    expect(() => localDayRange('2026-13-01', 'UTC')).toThrow(RangeError);
  });
});
