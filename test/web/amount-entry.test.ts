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

  it('refuses more than six digits of yuan', () => {
    const a = entry(['9', '9', '9', '9', '9', '9']);
    expect(a.press('9')).toBe(false);
    expect(a.fen).toBe(99_999_900);
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
