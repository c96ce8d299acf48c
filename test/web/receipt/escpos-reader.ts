/**
 * Reads ESC/POS bytes back the way a receipt printer would, for tests: the commands the receipt
 * uses change the printing state, text bytes are decoded as GB18030 (Node's own decoder, not the
 * encoder under test) and every LF prints a line. Any other control byte is an error: a receipt
 * must never carry a command the reader does not know.
 */
export interface ReadLine {
  text: string;
  align: 'left' | 'center' | 'right';
  bold: boolean;
  /** GS ! n as [width, height] multipliers. */
  size: [number, number];
}

export interface ReadReceipt {
  commands: string[];
  lines: ReadLine[];
  /** Bytes of each line's text as sent, before decoding. */
  rawLines: Uint8Array[];
}

const decoder = new TextDecoder('gb18030', { fatal: true });

export function readEscPos(bytes: Uint8Array): ReadReceipt {
  const commands: string[] = [];
  const lines: ReadLine[] = [];
  const rawLines: Uint8Array[] = [];
  let align: ReadLine['align'] = 'left';
  let bold = false;
  let size: [number, number] = [1, 1];
  let text: number[] = [];
  const flush = () => {
    const raw = Uint8Array.from(text);
    rawLines.push(raw);
    lines.push({ text: decoder.decode(raw), align, bold, size });
    text = [];
  };
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    const arg = (k: number) => {
      const v = bytes[i + k];
      if (v === undefined) throw new Error(`command at ${i} cut short`);
      return v;
    };
    if (b === 0x1b && arg(1) === 0x40) { commands.push('init'); align = 'left'; bold = false; size = [1, 1]; i += 2; }
    else if (b === 0x1c && arg(1) === 0x26) { commands.push('chinese'); i += 2; }
    else if (b === 0x1b && arg(1) === 0x61) { align = (['left', 'center', 'right'] as const)[arg(2) % 48]!; commands.push(`align ${align}`); i += 3; }
    else if (b === 0x1b && arg(1) === 0x45) { bold = (arg(2) & 1) === 1; commands.push(`bold ${bold ? 'on' : 'off'}`); i += 3; }
    else if (b === 0x1d && arg(1) === 0x21) { size = [(arg(2) >> 4) + 1, (arg(2) & 0x0f) + 1]; commands.push(`size ${size[0]}x${size[1]}`); i += 3; }
    else if (b === 0x1b && arg(1) === 0x64) { if (text.length) flush(); commands.push(`feed ${arg(2)}`); i += 3; }
    else if (b === 0x1d && arg(1) === 0x56) { commands.push(arg(2) === 0 || arg(2) === 48 ? 'cut full' : 'cut partial'); i += 3; }
    else if (b === 0x0a) { flush(); i += 1; }
    else if (b < 0x20 || b === 0x7f) throw new Error(`unexpected control byte 0x${b.toString(16)} at ${i}`);
    else { text.push(b); i += 1; }
  }
  if (text.length) throw new Error('text left unprinted after the last command');
  return { commands, lines, rawLines };
}

/** Printer columns of a line as printed: one per single-byte character, two per multi-byte one. */
export function printedColumns(raw: Uint8Array): number {
  let cols = 0;
  for (let i = 0; i < raw.length; ) {
    const b = raw[i]!;
    if (b < 0x80) { cols += 1; i += 1; }
    else if (raw[i + 1]! >= 0x30 && raw[i + 1]! <= 0x39) { cols += 2; i += 4; }
    else { cols += 2; i += 2; }
  }
  return cols;
}
