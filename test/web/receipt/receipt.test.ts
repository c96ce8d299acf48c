import { describe, expect, it } from 'vitest';
import { buildReceipt, receiptMoney, receiptTime, ReceiptError, testReceipt, type ReceiptBlock } from '../../../web/src/lib/receipt/receipt.ts';
import { RECEIPT_TEXTS } from '../../../web/src/lib/receipt/texts.ts';
import { paidPayment, sale } from './fixtures.ts';

const rows = (blocks: ReceiptBlock[]) => Object.fromEntries(blocks.flatMap((b) => (b.kind === 'row' ? [[b.label, b.value]] : [])));
const texts = (blocks: ReceiptBlock[]) => blocks.flatMap((b) => ('text' in b ? [b.text] : []));

describe('the receipt of a payment', () => {
  it('shows the shop, the time on the shop’s clock, the amount, what was paid and the coupon, wallet, both order numbers, cashier and terminal', () => {
    const { blocks } = buildReceipt(sale({ training: false, refunds: [], payment: paidPayment({ refunded_fen: 0 }) }));
    expect(blocks[0]).toEqual({ kind: 'title', text: '张记小吃店' });
    expect(rows(blocks)).toEqual({
      时间: '2026-11-28 10:00:05',
      金额: '￥25.80',
      顾客实付: '￥20.80',
      优惠: '￥5.00',
      支付方式: '微信支付 CMB_DEBIT',
      商户单号: 'P20261128100005a1b2c3d4e5f6',
      交易单号: '4200001234202611281234567890',
      收银员: '李娜',
      收银台: 'counter-1',
    });
    expect(blocks.find((b) => b.kind === 'row' && b.label === '金额')).toMatchObject({ big: true });
    expect(texts(blocks).join('\n')).not.toContain('TRAINING');
  });

  it('says 训练模式 / TRAINING on a simulator receipt, in either language', () => {
    for (const lang of ['zh', 'en'] as const) {
      const { blocks } = buildReceipt(sale({ lang }));
      expect(blocks[1]).toEqual({ kind: 'banner', text: '训练模式 / TRAINING' });
    }
  });

  it('leaves out paid and coupon until the server reports them, and the coupon when there was none', () => {
    const bare = paidPayment({ cash_fen: undefined, coupon_fen: undefined, bank_type: undefined, refunded_fen: 0 });
    const labels = Object.keys(rows(buildReceipt(sale({ payment: bare, refunds: [] })).blocks));
    expect(labels).not.toContain('顾客实付');
    expect(labels).not.toContain('优惠');
    expect(rows(buildReceipt(sale({ payment: bare })).blocks)['支付方式']).toBe('微信支付');
    const noCoupon = rows(buildReceipt(sale({ payment: paidPayment({ cash_fen: 2580, coupon_fen: 0 }) })).blocks);
    expect(noCoupon['顾客实付']).toBe('￥25.80');
    expect(noCoupon['优惠']).toBeUndefined();
    const nulls = Object.keys(rows(buildReceipt(sale({ payment: paidPayment({ cash_fen: null, coupon_fen: null, bank_type: null }) })).blocks));
    expect(nulls).not.toContain('顾客实付');
  });

  it('leaves the cashier out when the shop has no cashiers', () => {
    expect(Object.keys(rows(buildReceipt(sale({ cashier: null })).blocks))).not.toContain('收银员');
  });

  it('lists each refund with its time, a pending one as pending, a failed one not at all, then the refunded total and what is left', () => {
    const { blocks } = buildReceipt(
      sale({
        payment: paidPayment({ refunded_fen: 500 }),
        refunds: [
          { id: 'r1', amount_fen: 500, status: 'succeeded', created_at: '2026-11-28T03:00:00.000Z' },
          { id: 'r2', amount_fen: 300, status: 'processing', created_at: '2026-11-28T03:10:00.000Z' },
          { id: 'r3', amount_fen: 900, status: 'failed', created_at: '2026-11-28T03:20:00.000Z' },
        ],
      }),
    );
    const r = rows(blocks);
    expect(r['退款 2026-11-28 11:00:00']).toBe('-￥5.00');
    expect(r['退款处理中 2026-11-28 11:10:00']).toBe('-￥3.00');
    expect(Object.values(r)).not.toContain('-￥9.00');
    expect(r['已退款']).toBe('￥5.00');
    expect(r['实收']).toBe('￥20.80');
  });

  it('shows the refunded total when only the total is known, and no refund part for a payment never refunded', () => {
    expect(rows(buildReceipt(sale({ refunds: undefined })).blocks)['已退款']).toBe('￥5.00');
    const untouched = rows(buildReceipt(sale({ refunds: [], payment: paidPayment({ refunded_fen: 0 }) })).blocks);
    expect(untouched['已退款']).toBeUndefined();
    expect(untouched['实收']).toBeUndefined();
  });

  it('marks a reprint and when it was printed, so the copy cannot pass for another sale', () => {
    const { blocks } = buildReceipt(sale({ reprintedAt: new Date('2026-11-29T01:30:00Z') }));
    expect(blocks).toContainEqual({ kind: 'banner', text: '重打小票' });
    expect(rows(blocks)['打印时间']).toBe('2026-11-29 09:30:00');
    expect(buildReceipt(sale()).blocks.some((b) => b.kind === 'banner' && b.text === '重打小票')).toBe(false);
  });

  it('is worded in English for an English-speaking till', () => {
    const r = rows(buildReceipt(sale({ lang: 'en' })).blocks);
    expect(r['Amount']).toBe('￥25.80');
    expect(r['Paid with']).toBe('WeChat Pay CMB_DEBIT');
    expect(r['Order no.']).toBe('P20261128100005a1b2c3d4e5f6');
  });

  it.each(['failed', 'canceled', 'processing', 'user_paying', 'needs_attention'] as const)('refuses a %s payment: only a paid one has a receipt', (status) => {
    expect(() => buildReceipt(sale({ payment: paidPayment({ status }) }))).toThrow(ReceiptError);
  });

  it('writes money with the full-width yuan sign every GBK printer has, and times on the shop’s clock', () => {
    expect(receiptMoney(2580)).toBe('￥25.80');
    expect(receiptMoney(-5)).toBe('-￥0.05');
    expect(receiptTime('2026-11-28T16:30:00Z', 'Asia/Shanghai')).toBe('2026-11-29 00:30:00');
    expect(receiptTime('2026-11-28T16:30:00Z', 'America/New_York')).toBe('2026-11-28 11:30:00');
  });

  it('makes a test page with a ruler as wide as the paper', () => {
    const page = testReceipt({ shopName: 'Shop-POS', lang: 'en', paper: 80, columns: 48, at: new Date('2026-11-28T02:00:00Z'), timeZone: 'Asia/Shanghai' });
    expect(texts(page.blocks)).toContain('123456789012345678901234567890123456789012345678');
    expect(texts(page.blocks)).toContain('Paper 80 mm, 48 characters a line');
  });

  it('has every receipt and printer text in both languages', () => {
    for (const [key, text] of Object.entries(RECEIPT_TEXTS)) {
      expect(text.zh.trim(), key).not.toBe('');
      expect(text.en.trim(), key).not.toBe('');
    }
  });
});
