import type { Payment } from '../../../shared/api.ts';
import type { ReceiptInput } from '../../../web/src/lib/receipt/receipt.ts';

/** A paid WeChat payment with a coupon, partly refunded: 10:00:05 in Shanghai on 28 Nov 2026. */
export function paidPayment(overrides: Partial<Payment> = {}): Payment {
  return {
    id: 'sale-1',
    out_trade_no: 'P20261128100005a1b2c3d4e5f6',
    amount_fen: 2580,
    status: 'succeeded',
    transaction_id: '4200001234202611281234567890',
    refunded_fen: 500,
    created_at: '2026-11-28T02:00:05.000Z',
    updated_at: '2026-11-28T02:00:06.000Z',
    terminal: 't-counter1',
    wallet: 'wechat',
    cash_fen: 2080,
    coupon_fen: 500,
    bank_type: 'CMB_DEBIT',
    ...overrides,
  };
}

export function sale(overrides: Partial<ReceiptInput> = {}): ReceiptInput {
  return {
    payment: paidPayment(),
    shopName: '张记小吃店',
    terminalName: 'counter-1',
    cashier: '李娜',
    refunds: [{ id: 'r1', amount_fen: 500, status: 'succeeded', created_at: '2026-11-28T03:00:00.000Z' }],
    training: true,
    timeZone: 'Asia/Shanghai',
    lang: 'zh',
    ...overrides,
  };
}
