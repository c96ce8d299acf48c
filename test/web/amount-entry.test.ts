import { describe, expect, it } from 'vitest';
import { AmountEntry } from '../../web/src/lib/amount-entry.svelte.ts';

function entry(keys: string[]) {
  const a = new AmountEntry();
  for (const k of keys) a.press(k);
  return a;
}

describe('AmountEntry', () => {
  it.each([
    [['1', '2', '.', '3', '4'], '12.34', 1234],
    [['0', '.', '1'], '0.1', 10],
    [['.', '5'], '0.5', 50],
    [['0', '7'], '7', 700],
    [['1', '00'], '100', 10000],
    [['1', '2', '.'], '12.', 1200],
  ])('turns keys %j into %s = %i fen', (keys, text, fen) => {
    const a = entry(keys);
    expect(a.text).toBe(text);
    expect(a.fen).toBe(fen);
  });

  it('refuses a third decimal and a second point', () => {
    const a = entry(['1', '.', '2', '3']);
    expect(a.press('4')).toBe(false);
    expect(a.press('.')).toBe(false);
    expect(a.text).toBe('1.23');
  });

  it('takes every digit up to the shop’s maximum and refuses the one beyond it', () => {
    const a = entry(['1', '0', '0', '0', '0', '0']);
    expect(a.fen).toBe(10_000_000); // ¥100,000.00, the default maximum
    expect(a.tooLarge('0')).toBe(true);
    expect(a.press('0')).toBe(false);
    expect(a.text).toBe('100000');
    a.setMax(50_000_000_00);
    expect(a.press('0')).toBe(true);
    expect(a.display).toBe('1,000,000');
    expect(a.press('.')).toBe(true);
    expect(a.press('5')).toBe(true);
    expect(a.display).toBe('1,000,000.5');
  });

  it('refuses a decimal that would pass a small maximum', () => {
    const a = new AmountEntry();
    a.setMax(1_050);
    for (const k of ['1', '0', '.', '5']) expect(a.press(k)).toBe(true);
    expect(a.press('1')).toBe(false);
    expect(a.fen).toBe(1_050);
  });

  it.each([
    ['', ''],
    ['0.5', '0.5'],
    ['1234', '1,234'],
    ['12345.', '12,345.'],
    ['123456789.01', '123,456,789.01'],
  ])('shows %s with thousands separators as %s', (text, shown) => {
    const a = new AmountEntry();
    a.setMax(Number.MAX_SAFE_INTEGER);
    for (const k of text) a.press(k);
    expect(a.display).toBe(shown);
  });

  it('erases with Backspace and clears with Escape', () => {
    const a = entry(['4', '5', 'Backspace']);
    expect(a.text).toBe('4');
    a.press('Escape');
    expect(a.fen).toBe(0);
  });

  it('ignores keys that are not part of an amount', () => {
    const a = new AmountEntry();
    expect(a.press('a')).toBe(false);
    expect(a.press('Tab')).toBe(false);
    expect(a.text).toBe('');
  });

  it('shows a stored amount back as the cashier would have typed it', () => {
    const a = new AmountEntry();
    a.set(1250);
    expect(a.text).toBe('12.50');
    a.set(300);
    expect(a.text).toBe('3');
  });
});
