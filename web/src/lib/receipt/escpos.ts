/**
 * ESC/POS bytes for laid-out lines: the command subset every USB receipt printer sold in China
 * understands (Epson TM, Xprinter, GPrinter, Sunmi…). Text is sent as GB18030 in the printer's
 * Chinese character mode; ASCII stays single-byte there.
 */
import { printable, type CharSize, type PrintLine } from './layout.ts';

const ESC = 0x1b;
const GS = 0x1d;
const FS = 0x1c;
const LF = 0x0a;

export const ESCPOS = {
  /** ESC @: clear the buffer and every mode, back to power-on settings. */
  init: [ESC, 0x40],
  /** FS &: Chinese (Kanji) character mode, double-byte codes print as Hanzi. */
  chineseMode: [FS, 0x26],
  /** ESC a n: 0 left, 1 centre. */
  align: (align: PrintLine['align']) => [ESC, 0x61, align === 'center' ? 1 : 0],
  /** ESC E n: emphasised (bold) on or off. */
  bold: (on: boolean) => [ESC, 0x45, on ? 1 : 0],
  /** GS ! n: character size, width multiplier in the high nibble, height in the low one; applies to Hanzi too. */
  size: (size: CharSize) => [GS, 0x21, size === 'double' ? 0x11 : size === 'tall' ? 0x01 : 0x00],
  /** ESC d n: print and feed n lines, so the last line clears the tear bar and the cutter. */
  feed: (lines: number) => [ESC, 0x64, lines],
  /** GS V 1: partial cut (leaves a hinge, the receipt does not drop to the floor). Printers without a cutter ignore it. */
  cut: [GS, 0x56, 0x01],
} as const;

/** Lines the cutter sits above the print head on common 58/80 mm mechanisms (≈ 15 mm). */
export const FEED_BEFORE_CUT = 4;

export type Encode = (text: string) => Uint8Array;

/** One receipt: init, Chinese mode, each line with its alignment, weight and size (sent only when they change), feed, cut. */
export function escposReceipt(lines: readonly PrintLine[], encode: Encode): Uint8Array {
  const out: number[] = [...ESCPOS.init, ...ESCPOS.chineseMode];
  let align: PrintLine['align'] = 'left';
  let bold = false;
  let size: CharSize = 'normal';
  for (const line of lines) {
    if (line.align !== align) out.push(...ESCPOS.align((align = line.align)));
    if (line.bold !== bold) out.push(...ESCPOS.bold((bold = line.bold)));
    if (line.size !== size) out.push(...ESCPOS.size((size = line.size)));
    // printable() again: whatever built the lines, text never carries a command byte.
    for (const byte of encode(printable(line.text))) out.push(byte);
    out.push(LF);
  }
  if (align !== 'left') out.push(...ESCPOS.align('left'));
  if (bold) out.push(...ESCPOS.bold(false));
  if (size !== 'normal') out.push(...ESCPOS.size('normal'));
  out.push(...ESCPOS.feed(FEED_BEFORE_CUT), ...ESCPOS.cut);
  return Uint8Array.from(out);
}
