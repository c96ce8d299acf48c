import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatYuan, formatYuanSigned, isFen, parseFenText, parseYuan } from '../../shared/money.ts';

describe('formatYuan', () => {
  it.each([
    [0, '0.00'],
    [1, '0.01'],
    [10, '0.10'],
    [1234, '12.34'],
    [100_000, '1000.00'],
    [-5, '-0.05'],
    [-1234, '-12.34'],
  ])('writes %i fen as "%s"', (fen, text) => {
    expect(formatYuan(fen)).toBe(text);
  });

  it('refuses anything but a safe integer', () => {
    expect(() => formatYuan(1.5)).toThrow(RangeError);
    expect(() => formatYuan(Number.NaN)).toThrow(RangeError);
    expect(() => formatYuan(2 ** 53)).toThrow(RangeError);
  });

  it('prefixes the yuan sign', () => {
    expect(formatYuanSigned(1234)).toBe('¥12.34');
  });
});

describe('parseYuan', () => {
  it.each([
    ['12.34', 1234],
    ['12.3', 1230],
    ['12', 1200],
    ['0.01', 1],
    ['007.50', 750],
    [' 1.00 ', 100],
    ['9999999999999.99', 999_999_999_999_999],
  ])('reads "%s" as %i fen, exactly', (text, fen) => {
    expect(parseYuan(text)).toBe(fen);
  });

  it.each(['', ' ', '-1', '+1', '1.234', '1.', '.5', '1e3', '1,000', '１２', 'NaN', 'Infinity', '0x10', '10000000000000'])(
    'refuses "%s"',
    (text) => {
      expect(parseYuan(text)).toBeNull();
    },
  );

  it('never loses a fen where floating point would (0.07 + 0.29 and the like)', () => {
    expect(parseYuan('0.29')).toBe(29);
    expect(parseYuan('1.15')).toBe(115);
    expect(parseYuan('4.35')).toBe(435);
  });

  it('reads back whatever formatYuan writes (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999_999_999_999_999 }), (fen) => {
        expect(parseYuan(formatYuan(fen))).toBe(fen);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('parseFenText', () => {
  it('reads plain non-negative integers only', () => {
    expect(parseFenText('1234')).toBe(1234);
    expect(parseFenText('0')).toBe(0);
    expect(parseFenText('000123')).toBe(123);
    for (const bad of [undefined, '', '-1', '1.0', '1e2', ' 1', '1 ', '0x1', '1234567890123456']) expect(parseFenText(bad)).toBeNull();
  });
});

describe('isFen', () => {
  it('accepts non-negative safe integers only', () => {
    expect(isFen(0)).toBe(true);
    expect(isFen(1234)).toBe(true);
    for (const bad of [-1, 1.5, Number.NaN, Infinity, 2 ** 53, '12', null]) expect(isFen(bad)).toBe(false);
  });
});
