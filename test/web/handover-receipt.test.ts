import { describe, expect, it } from 'vitest';
import type { ShiftReport } from '../../shared/shop-day.ts';
import { handoverReceipt } from '../../web/src/lib/handover-receipt.ts';
import { columns, layoutReceipt } from '../../web/src/lib/receipt/layout.ts';
import { paidPayment } from './receipt/fixtures.ts';

const report = (over: Partial<ShiftReport> = {}): ShiftReport => ({
  id: 's1',
  cashier: '王芳',
  cashier_id: 'c1',
  terminal: 't1',
  terminal_name: 'counter-1',
  opened_at: '2026-11-28T01:00:00.000Z',
  closed_at: '2026-11-28T09:30:00.000Z',
  totals: { count: 5, succeeded_count: 4, succeeded_fen: 12345, refunded_fen: 500, refund_count: 1, net_fen: 11845 },
  by_wallet: [{ wallet: 'wechat', succeeded_count: 4, succeeded_fen: 12345, refunded_fen: 500, net_fen: 11845 }],
  open_payments: [],
  processing_refunds: { count: 0, amount_fen: 0 },
  ...over,
});
/** A label and a value on one 32-column line, the way the printer lays it out. */
const row = (label: string, value: string, width = 32) => label + ' '.repeat(width - columns(label) - columns(value)) + value;
const input = { shopName: '张记小吃店', training: false, timeZone: 'Asia/Shanghai', lang: 'zh' as const, printedAt: new Date('2026-11-28T09:31:00Z') };

describe('the hand-over report on paper', () => {
  it('says who and when, the count, received, refunded and net, by wallet, in the shop’s time, within 32 columns', () => {
    const lines = layoutReceipt(handoverReceipt({ ...input, report: report() }), 58);
    const text = lines.map((l) => l.text);
    expect(text[0]).toBe('张记小吃店');
    expect(text).toContain('交班报告');
    expect(text).toContain(row('收银员', '王芳'));
    expect(text).toContain(row('开班时间', '2026-11-28 09:00:00'));
    expect(text).toContain(row('交班时间', '2026-11-28 17:30:00'));
    expect(text).toContain(row('收款笔数', '5 笔（成功 4 笔）'));
    expect(text).toContain(row('退款', '-￥5.00'));
    expect(lines.find((l) => l.text.startsWith('净额'))).toMatchObject({ bold: true, size: 'tall', text: row('净额', '￥118.45') });
    expect(text).toContain(row('微信支付 收款 ×4', '￥123.45'));
    expect(text).toContain(row('', '无'));
    for (const line of lines) expect(columns(line.text)).toBeLessThanOrEqual(line.size === 'double' ? 16 : 32);
  });

  it('lists payments still open, marks training mode, and says a shift still open is open', () => {
    const open = paidPayment({ id: 'p9', status: 'needs_attention', amount_fen: 990, created_at: '2026-11-28T08:00:00.000Z' });
    const text = layoutReceipt(handoverReceipt({ ...input, training: true, lang: 'en', report: report({ closed_at: null, open_payments: [open] }) }), 80).map((l) => l.text);
    expect(text).toContain('训练模式 / TRAINING');
    expect(text).toContain('Hand-over report');
    expect(text.find((l) => l.startsWith('Closed'))).toMatch(/still open$/);
    expect(text.find((l) => l.startsWith('16:00:00'))).toBe(row(`16:00:00 ${open.out_trade_no}`, '￥9.90', 48));
  });
});
