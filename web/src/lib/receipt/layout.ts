/**
 * A receipt laid out in the printer's character columns. Font A on a thermal printer is 12×24
 * dots: 32 columns on 58 mm paper (384 dots), 48 on 80 mm (576 dots). In Chinese mode a
 * character sent as GB18030 multi-byte prints as one 24×24 cell, two columns, and an ASCII byte
 * as one: so width is counted by that, not by Unicode's East Asian Width ("·" or "—" are full
 * cells on these printers).
 */
import type { Paper, Receipt } from './receipt.ts';

export const COLUMNS: Record<Paper, number> = { 58: 32, 80: 48 };

/** normal; tall = double height (same columns); double = double width and height (half the columns). */
export type CharSize = 'normal' | 'tall' | 'double';

export interface PrintLine {
  text: string;
  align: 'left' | 'center';
  bold: boolean;
  size: CharSize;
}

/** Control characters in a shop name or a note would reach the printer as commands: they print as spaces. */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ');
}

/** Printer columns a text takes: 1 per ASCII character, 2 per any other. */
export function columns(text: string): number {
  let n = 0;
  for (const ch of text) n += ch.codePointAt(0)! < 0x80 ? 1 : 2;
  return n;
}

/**
 * Splits text into lines of at most `width` columns: at spaces between ASCII words, anywhere
 * between Chinese characters, and inside a word only when the word alone is wider than a line
 * (order numbers). Never splits a double-width character.
 */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  let used = 0;
  let space = '';
  const breakLine = () => {
    lines.push(line);
    line = '';
    used = 0;
    space = '';
  };
  const place = (piece: string, w: number) => {
    if (used > 0 && used + space.length + w > width) breakLine();
    if (used > 0) {
      line += space;
      used += space.length;
    }
    space = '';
    line += piece;
    used += w;
  };
  for (const token of printable(text).match(/ +|[\x21-\x7e]+|[^\x00-\x7f]/gu) ?? []) {
    if (token.startsWith(' ')) {
      space = token;
      continue;
    }
    const w = columns(token);
    if (w <= width) {
      place(token, w);
      continue;
    }
    // A word wider than a line (only ASCII runs can be): fill the current line, then carry on character by character.
    for (const ch of token) place(ch, 1);
  }
  if (line || lines.length === 0) lines.push(line);
  return lines;
}

const pad = (n: number) => ' '.repeat(Math.max(0, n));

/** Label left, value right on one line when both fit with a space between; else the label, then the value right-aligned below. */
export function rowLines(label: string, value: string, width: number): string[] {
  const l = printable(label);
  const v = printable(value);
  const lw = columns(l);
  const vw = columns(v);
  if (lw + 1 + vw <= width) return [l + pad(width - lw - vw) + v];
  return [...wrap(l, width), ...wrap(v, width).map((line) => pad(width - columns(line)) + line)];
}

export function layoutReceipt(receipt: Receipt, paper: Paper): PrintLine[] {
  const cols = COLUMNS[paper];
  const out: PrintLine[] = [];
  const add = (texts: string[], align: PrintLine['align'], bold: boolean, size: CharSize) => {
    for (const text of texts) out.push({ text, align, bold, size });
  };
  for (const block of receipt.blocks) {
    switch (block.kind) {
      case 'title':
        add(wrap(block.text, Math.floor(cols / 2)), 'center', true, 'double');
        break;
      case 'banner':
        add(wrap(block.text, cols), 'center', true, 'tall');
        break;
      case 'center':
        add(wrap(block.text, cols), 'center', false, 'normal');
        break;
      case 'text':
        add(wrap(block.text, cols), 'left', false, 'normal');
        break;
      case 'row':
        add(rowLines(block.label, block.value, cols), 'left', block.big === true, block.big ? 'tall' : 'normal');
        break;
      case 'rule':
        add(['-'.repeat(cols)], 'left', false, 'normal');
        break;
    }
  }
  return out;
}
