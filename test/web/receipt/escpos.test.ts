import { describe, expect, it } from 'vitest';
import { escposReceipt } from '../../../web/src/lib/receipt/escpos.ts';
import { encodeGb18030 } from '../../../web/src/lib/receipt/gb18030.ts';
import { layoutReceipt } from '../../../web/src/lib/receipt/layout.ts';
import { buildReceipt } from '../../../web/src/lib/receipt/receipt.ts';
import { printedColumns, readEscPos } from './escpos-reader.ts';
import { sale } from './fixtures.ts';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));

describe('GB18030 text for Chinese printers', () => {
  it.each([
    ['中文', 'd6d0cec4'],
    ['训练模式', 'd1b5c1b7c4a3cabd'],
    ['张记小吃店', 'd5c5bcc7d0a1b3d4b5ea'],
    ['￥25.80', 'a3a432352e3830'],
    ['Shop-POS 1', '53686f702d504f532031'],
    // Outside GBK: GB18030's four-byte form (why receipts use ￥, not ¥).
    ['¥', '81308436'],
  ])('encodes %s as %s', (text, expected) => {
    expect(hex(encodeGb18030(text))).toBe(expected);
    expect(new TextDecoder('gb18030').decode(encodeGb18030(text))).toBe(text);
  });
});

describe('ESC/POS receipt bytes', () => {
  it('initialises, enters Chinese mode, sets alignment, bold and size only when they change, then feeds and cuts', () => {
    const bytes = escposReceipt(
      [
        { text: 'Shop', align: 'center', bold: true, size: 'double' },
        { text: 'Paid', align: 'center', bold: true, size: 'double' },
        { text: 'a   b', align: 'left', bold: false, size: 'normal' },
        { text: 'Sum 1', align: 'left', bold: true, size: 'tall' },
      ],
      ascii,
    );
    expect(hex(bytes)).toBe(
      [
        '1b40', // ESC @: init
        '1c26', // FS &: Chinese mode
        '1b6101', '1b4501', '1d2111', '53686f70', '0a', // centre, bold on, double size: "Shop"
        '50616964', '0a', // same style, no commands: "Paid"
        '1b6100', '1b4500', '1d2100', '6120202062', '0a', // left, bold off, normal: "a   b"
        '1b4501', '1d2101', '53756d2031', '0a', // bold on, double height: "Sum 1"
        '1b4500', '1d2100', // plain again before the cut
        '1b6404', // ESC d 4: feed past the cutter
        '1d5601', // GS V 1: partial cut
      ].join(''),
    );
  });

  it.each([58, 80] as const)('prints a whole %s mm receipt that a GB18030 printer reads back line for line, in its columns', (paper) => {
    const lines = layoutReceipt(buildReceipt(sale()), paper);
    const read = readEscPos(escposReceipt(lines, encodeGb18030));
    expect(read.commands.slice(0, 2)).toEqual(['init', 'chinese']);
    expect(read.commands.slice(-2)).toEqual(['feed 4', 'cut partial']);
    expect(read.lines.map((l) => l.text)).toEqual(lines.map((l) => l.text));
    expect(read.lines[0]).toEqual({ text: '张记小吃店', align: 'center', bold: true, size: [2, 2] });
    expect(read.lines[1]).toEqual({ text: '训练模式 / TRAINING', align: 'center', bold: true, size: [1, 2] });
    const cols = paper === 58 ? 32 : 48;
    read.lines.forEach((line, i) => {
      const width = printedColumns(read.rawLines[i]!) * line.size[0];
      expect(width, line.text).toBeLessThanOrEqual(cols);
      // Right-aligned values end in the last column.
      if (/\d$/.test(line.text) && line.align === 'left') expect(width, line.text).toBe(cols);
    });
  });

  it('never lets a shop name or a note send a command to the printer', () => {
    const lines = layoutReceipt(buildReceipt(sale({ shopName: 'Evil\x1d\x56\x00Shop', payment: { ...sale().payment, description: 'x\x1b@\ny' } })), 58);
    // The reader throws on any control byte it does not expect inside text.
    const read = readEscPos(escposReceipt(lines, encodeGb18030));
    expect(read.commands.filter((c) => c.startsWith('cut'))).toEqual(['cut partial']);
    expect(read.commands.filter((c) => c === 'init')).toEqual(['init']);
    expect(read.lines[0]!.text).toBe('Evil V Shop');
  });
});
