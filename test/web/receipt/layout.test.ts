import { describe, expect, it } from 'vitest';
import { buildReceipt } from '../../../web/src/lib/receipt/receipt.ts';
import { columns, layoutReceipt, printable, rowLines, wrap, type PrintLine } from '../../../web/src/lib/receipt/layout.ts';
import { sale } from './fixtures.ts';

const receipt = buildReceipt(sale());
const texts = (lines: PrintLine[]) => lines.map((l) => l.text);

describe('receipt layout in printer columns', () => {
  it('counts one column per ASCII character and two per any other, as a printer in Chinese mode prints them', () => {
    expect(columns('abc')).toBe(3);
    expect(columns('中文')).toBe(4);
    expect(columns('￥25.80')).toBe(7);
    // Full cells on a GB printer even though Unicode calls them narrow or ambiguous.
    expect(columns('·—é')).toBe(6);
    expect(columns('')).toBe(0);
  });

  it('turns control characters into spaces so text can never reach the printer as a command', () => {
    expect(printable('A\x1b@B\x1dV\x01\nC\u2028D')).toBe('A @B V  C D');
  });

  it.each([
    ['breaks English at spaces', 'The Golden Dragon Noodle House', 16, ['The Golden', 'Dragon Noodle', 'House']],
    ['breaks Chinese between any two characters', '北京市朝阳区张记小吃店第二分店', 16, ['北京市朝阳区张记', '小吃店第二分店']],
    ['never splits a double-width character across lines', 'abc中文', 4, ['abc', '中文']],
    ['splits a word only when it alone is wider than a line', 'no. P20261128100005a1b2c3d4e5f6', 16, ['no. P20261128100', '005a1b2c3d4e5f6']],
    ['mixes both', '张记 Noodle Bar 小吃', 10, ['张记', 'Noodle Bar', '小吃']],
    ['keeps an empty text as one empty line', '', 16, ['']],
  ])('%s', (_, text, width, expected) => {
    const lines = wrap(text, width);
    expect(lines).toEqual(expected);
    for (const line of lines) expect(columns(line)).toBeLessThanOrEqual(width);
  });

  it('puts a row’s label and value on one line when they fit, else the value right-aligned below', () => {
    expect(rowLines('金额', '￥25.80', 32)).toEqual(['金额                     ￥25.80']);
    expect(rowLines('商户单号', 'P20261128100005a1b2c3d4e5f6', 32)).toEqual(['商户单号', '     P20261128100005a1b2c3d4e5f6']);
    expect(rowLines('Note', 'x'.repeat(40), 32)).toEqual(['Note', 'x'.repeat(32), `${' '.repeat(24)}${'x'.repeat(8)}`]);
  });

  it('lays a receipt out for 58 mm paper in 32 columns', () => {
    const lines = layoutReceipt(receipt, 58);
    expect(texts(lines)).toEqual([
      '张记小吃店',
      '训练模式 / TRAINING',
      '模拟收款，未真实扣款',
      '收款凭证',
      '--------------------------------',
      '时间         2026-11-28 10:00:05',
      '金额                     ￥25.80',
      '顾客实付                 ￥20.80',
      '优惠                      ￥5.00',
      '支付方式      微信支付 CMB_DEBIT',
      '商户单号',
      '     P20261128100005a1b2c3d4e5f6',
      '交易单号',
      '    4200001234202611281234567890',
      '收银员                      李娜',
      '收银台                 counter-1',
      '--------------------------------',
      '退款 2026-11-28 11:00:00 -￥5.00',
      '已退款                    ￥5.00',
      '实收                     ￥20.80',
      '--------------------------------',
      '谢谢惠顾',
    ]);
    for (const line of lines) expect(columns(line.text) * (line.size === 'double' ? 2 : 1)).toBeLessThanOrEqual(32);
    expect(lines[0]).toEqual({ text: '张记小吃店', align: 'center', bold: true, size: 'double' });
    expect(lines[1]).toMatchObject({ align: 'center', bold: true, size: 'tall' });
    expect(lines[6]).toMatchObject({ align: 'left', bold: true, size: 'tall' });
    expect(lines[7]).toMatchObject({ align: 'left', bold: false, size: 'normal' });
  });

  it('lays the same receipt out for 80 mm paper in 48 columns, the order numbers on their label’s line', () => {
    const lines = layoutReceipt(receipt, 80);
    expect(texts(lines)).toEqual([
      '张记小吃店',
      '训练模式 / TRAINING',
      '模拟收款，未真实扣款',
      '收款凭证',
      '------------------------------------------------',
      '时间                         2026-11-28 10:00:05',
      '金额                                     ￥25.80',
      '顾客实付                                 ￥20.80',
      '优惠                                      ￥5.00',
      '支付方式                      微信支付 CMB_DEBIT',
      '商户单号             P20261128100005a1b2c3d4e5f6',
      '交易单号            4200001234202611281234567890',
      '收银员                                      李娜',
      '收银台                                 counter-1',
      '------------------------------------------------',
      '退款 2026-11-28 11:00:00                 -￥5.00',
      '已退款                                    ￥5.00',
      '实收                                     ￥20.80',
      '------------------------------------------------',
      '谢谢惠顾',
    ]);
    for (const line of lines.filter((l) => l.align === 'left')) expect(columns(line.text)).toBe(48);
  });

  it('wraps a long shop name at double size into half the columns', () => {
    const long = buildReceipt(sale({ shopName: 'The Golden Dragon Noodle House' }));
    const title = layoutReceipt(long, 58).filter((l) => l.size === 'double');
    expect(texts(title)).toEqual(['The Golden', 'Dragon Noodle', 'House']);
    expect(texts(layoutReceipt(long, 80).filter((l) => l.size === 'double'))).toEqual(['The Golden Dragon Noodle', 'House']);
  });
});
