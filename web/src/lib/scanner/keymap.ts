/**
 * Decodes a key event the way a keyboard-wedge scanner meant it. A scanner in its default (US)
 * keyboard mode sends physical key positions, so `event.code` (+ Shift) read through a US table
 * gives the scanned character on any host layout: AZERTY reports key '&' for code 'Digit1', and a
 * Chinese IME reports key 'Process' (keyCode 229) while still giving the code on keydown.
 */
import type { KeyInput } from './types.ts';

const SHIFTED_DIGITS = ')!@#$%^&*(';

/** [unshifted, shifted] for the US punctuation keys. */
const PUNCTUATION: Record<string, readonly [string, string]> = {
  Minus: ['-', '_'],
  Equal: ['=', '+'],
  BracketLeft: ['[', '{'],
  BracketRight: [']', '}'],
  Backslash: ['\\', '|'],
  Semicolon: [';', ':'],
  Quote: ["'", '"'],
  Backquote: ['`', '~'],
  Comma: [',', '<'],
  Period: ['.', '>'],
  Slash: ['/', '?'],
  Space: [' ', ' '],
};

/** Numpad keys give the same character whatever Shift or NumLock say (scanners in numpad mode). */
const NUMPAD: Record<string, string> = {
  NumpadDecimal: '.',
  NumpadAdd: '+',
  NumpadSubtract: '-',
  NumpadMultiply: '*',
  NumpadDivide: '/',
  NumpadComma: ',',
  NumpadEqual: '=',
};

/** The character a US-layout keyboard produces for this physical key, or null for non-printing keys. */
export function usCharacter(code: string, shift: boolean, capsLock = false): string | null {
  if (code.length === 4 && code.startsWith('Key')) {
    const letter = code.charAt(3);
    if (letter < 'A' || letter > 'Z') return null;
    return shift !== capsLock ? letter : letter.toLowerCase();
  }
  if (code.length === 6 && code.startsWith('Digit')) {
    const d = code.charCodeAt(5) - 48;
    if (d < 0 || d > 9) return null;
    return shift ? SHIFTED_DIGITS.charAt(d) : String(d);
  }
  if (code.length === 7 && code.startsWith('Numpad')) {
    const d = code.charCodeAt(6) - 48;
    if (d >= 0 && d <= 9) return String(d);
  }
  const pair = PUNCTUATION[code];
  if (pair) return shift ? pair[1] : pair[0];
  return NUMPAD[code] ?? null;
}

/** The scanned character of a keydown, or null if the key cannot be part of a scan. */
export function scanCharacter(e: KeyInput): string | null {
  if (e.ctrlKey || e.altKey || e.metaKey) return null;
  const caps = e.getModifierState?.('CapsLock') ?? false;
  return usCharacter(e.code, e.shiftKey ?? false, caps);
}

/**
 * Enter, NumpadEnter and Tab end a scan; so do CR and LF sent as Ctrl+M / Ctrl+J by scanners
 * configured for control-character output.
 */
export function isTerminator(e: KeyInput): boolean {
  if (e.altKey || e.metaKey) return false;
  if (e.ctrlKey) return e.code === 'KeyM' || e.code === 'KeyJ';
  return e.code === 'Enter' || e.code === 'NumpadEnter' || e.code === 'Tab' || e.key === 'Enter' || e.key === 'Tab';
}

const MODIFIERS = new Set(['Shift', 'Control', 'Alt', 'AltGraph', 'Meta', 'CapsLock', 'NumLock', 'Fn', 'OS']);

/** Modifier keys alone (a scanner presses Shift for capitals): neither scan nor typing. */
export function isModifierOnly(e: KeyInput): boolean {
  return MODIFIERS.has(e.key) || /^(Shift|Control|Alt|Meta|OS)(Left|Right)$/.test(e.code) || e.code === 'CapsLock';
}

/**
 * The character a person meant: the layout's own `key` (AZERTY Shift+Digit1 is '1'), except under
 * an IME that hides it ('Process' / 'Unidentified'), where the US reading of the code is the best guess.
 */
export function humanKeyValue(e: KeyInput): string {
  if (e.key && e.key !== 'Process' && e.key !== 'Unidentified' && e.key !== 'Dead') return e.key;
  return usCharacter(e.code, e.shiftKey ?? false) ?? (e.code || e.key || 'Unidentified');
}
