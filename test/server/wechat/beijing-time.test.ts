import { afterEach, describe, expect, it } from 'vitest';
import { beijingDateTime, beijingDay, beijingStamp, beijingWorkingDaysLater, parseBeijingTime } from '../../../server/wechat/beijing-time.ts';

const originalTz = process.env.TZ;
afterEach(() => {
  if (originalTz === undefined) delete process.env.TZ;
  else process.env.TZ = originalTz;
});

describe('Beijing time for WeChat', () => {
  // 2026-11-28 02:00:05 UTC is 10:00:05 in Beijing, 21:00:05 the day before in New York.
  const instant = Date.UTC(2026, 10, 28, 2, 0, 5);

  it.each(['America/New_York', 'Europe/Berlin', 'Asia/Shanghai', 'UTC', 'Pacific/Kiritimati'])(
    'writes the same Beijing wall clock whatever the machine zone (TZ=%s)',
    (tz) => {
      process.env.TZ = tz;
      expect(beijingStamp(instant)).toBe('20261128100005');
      expect(beijingDay(instant)).toBe('20261128');
      expect(beijingDateTime(instant)).toBe('2026-11-28 10:00:05');
    },
  );

  it('crosses midnight in Beijing before UTC does', () => {
    expect(beijingDay(Date.UTC(2026, 11, 31, 16, 0, 0))).toBe('20270101');
    expect(beijingDay(Date.UTC(2026, 11, 31, 15, 59, 59))).toBe('20261231');
  });

  it('ignores daylight saving: a summer instant is still UTC+8', () => {
    process.env.TZ = 'Europe/Berlin';
    expect(beijingStamp(Date.UTC(2026, 6, 1, 12, 0, 0))).toBe('20260701200000');
  });

  it('reads both of WeChat\'s layouts back to the same instant', () => {
    expect(parseBeijingTime('20261128100005')).toBe(instant);
    expect(parseBeijingTime('2026-11-28 10:00:05')).toBe(instant);
    expect(parseBeijingTime(beijingStamp(instant))).toBe(instant);
  });

  it.each(['20260230100000', '20261128240000', '2026-11-28T10:00:05', '', '2026112810000'])('refuses %j as a time', (text) => {
    expect(parseBeijingTime(text)).toBeUndefined();
  });
});

describe('working days on Beijing\'s calendar', () => {
  const at = (iso: string) => Date.parse(iso);
  it.each([
    // Friday 20:00 UTC is already Saturday 04:00 in Beijing: Monday, Tuesday, Wednesday 04:00.
    ['2026-11-27T20:00:00Z', '2026-12-01T20:00:00Z'],
    ['2026-11-30T02:00:00Z', '2026-12-03T02:00:00Z'], // Monday → Thursday
    ['2026-12-03T02:00:00Z', '2026-12-08T02:00:00Z'], // Thursday → Tuesday, over the weekend
  ])('3 working days after %s end at %s', (from, to) => {
    expect(beijingWorkingDaysLater(at(from), 3)).toBe(at(to));
  });
});
