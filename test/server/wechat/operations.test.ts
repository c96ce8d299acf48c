import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../server/wechat/gateway.ts';
import {
  micropayFields,
  readCoupons,
  readOrderState,
  readPaidOrder,
  readRefundAccepted,
  readRefundState,
  readReverse,
  refundFields,
} from '../../../server/wechat/operations.ts';

function malformed(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).kind).toBe('bad_response');
    return (error as Error).message;
  }
  throw new Error('expected a bad_response GatewayError');
}

const PAID = { out_trade_no: 'T1', transaction_id: '4200000001', total_fee: '100' };

describe('micropayFields', () => {
  it('sends the amount as integer text and leaves optional fields out when absent', () => {
    const fields = micropayFields({ out_trade_no: 'T1', total_fee: 1, auth_code: '134567890123456789', body: 'Shop' }, '10.0.0.1');
    expect(fields).toMatchObject({ total_fee: '1', spbill_create_ip: '10.0.0.1', attach: undefined, device_info: undefined });
  });

  it.each([0, -1, 1.5, Number.NaN, 2 ** 53])('refuses total_fee %s', (fee) => {
    expect(() => micropayFields({ out_trade_no: 'T1', total_fee: fee, auth_code: 'x', body: 'b' }, 'ip')).toThrow(RangeError);
  });
});

describe('refundFields', () => {
  it('allows a refund of the whole amount and refuses more', () => {
    expect(refundFields({ out_trade_no: 'T', out_refund_no: 'R', total_fee: 5, refund_fee: 5 })).toMatchObject({ refund_fee: '5' });
    expect(() => refundFields({ out_trade_no: 'T', out_refund_no: 'R', total_fee: 5, refund_fee: 6 })).toThrow(RangeError);
  });
});

describe('readPaidOrder', () => {
  it('keeps ids as text and turns amounts into fen', () => {
    expect(readPaidOrder({ ...PAID, transaction_id: '000042', cash_fee: '90', coupon_fee: '10' }, 'T1')).toEqual({
      out_trade_no: 'T1',
      transaction_id: '000042',
      total_fee: 100,
      cash_fee: 90,
      coupon_fee: 10,
    });
  });

  it.each(['1.00', '-1', '1e3', ' 1', '0x10', ''])('refuses total_fee "%s"', (fee) => {
    malformed(() => readPaidOrder({ ...PAID, total_fee: fee }, 'T1'));
  });

  it('refuses an answer without transaction_id', () => {
    expect(malformed(() => readPaidOrder({ out_trade_no: 'T1', total_fee: '1' }, 'T1'))).toMatch(/transaction_id is missing/);
  });

  it('refuses an answer about another order', () => {
    expect(malformed(() => readPaidOrder(PAID, 'T2'))).toMatch(/order T1, not T2/);
  });
});

describe('readCoupons', () => {
  it('is absent without coupon_count and empty for a count of 0', () => {
    expect(readCoupons({})).toBeUndefined();
    expect(readCoupons({ coupon_count: '0' })).toEqual([]);
  });

  it('rebuilds the list in index order', () => {
    expect(
      readCoupons({ coupon_count: '3', coupon_id_0: 'a', coupon_fee_0: '1', coupon_id_1: 'b', coupon_fee_1: '2', coupon_type_1: 'NO_CASH', coupon_id_2: 'c', coupon_fee_2: '3' }),
    ).toEqual([{ id: 'a', fee: 1 }, { id: 'b', fee: 2, type: 'NO_CASH' }, { id: 'c', fee: 3 }]);
  });

  it('reads leniently: a coupon without a fee is skipped, a missing id left empty, a count that is not one ignored', () => {
    expect(readCoupons({ coupon_count: '2', coupon_id_0: 'a', coupon_fee_0: '1' })).toEqual([{ id: 'a', fee: 1 }]);
    expect(readCoupons({ coupon_count: '1', coupon_fee_0: '5' })).toEqual([{ id: '', fee: 5 }]);
    expect(readCoupons({ coupon_count: '1', coupon_id_0: 'a', coupon_fee_0: 'ten' })).toEqual([]);
    expect(readCoupons({ coupon_count: '99999999' })).toBeUndefined();
    expect(readCoupons({ coupon_count: 'two' })).toBeUndefined();
  });
});

describe('coupons and settlement on a paid answer', () => {
  it('reads cash_fee, coupon_fee, settlement_total_fee, bank_type and time_end (Beijing)', () => {
    const order = readPaidOrder(
      { ...PAID, cash_fee: '80', coupon_fee: '20', settlement_total_fee: '90', bank_type: 'CMB_DEBIT', time_end: '20261128100005', coupon_count: '1', coupon_id_0: 'c1', coupon_fee_0: '20', coupon_type_0: 'NO_CASH' },
      'T1',
    );
    expect(order).toMatchObject({ cash_fee: 80, coupon_fee: 20, settlement_total_fee: 90, bank_type: 'CMB_DEBIT', coupons: [{ id: 'c1', fee: 20, type: 'NO_CASH' }] });
    expect(order.paid_at).toBe(Date.UTC(2026, 10, 28, 2, 0, 5));
  });

  it('takes the coupon amount from promotion_detail when no coupon_* fields came', () => {
    const promotion = JSON.stringify({ promotion_detail: [{ promotion_id: '109519', name: '单品惠-6', scope: 'SINGLE', type: 'DISCOUNT', amount: 5, activity_id: '931386', wxpay_contribute: 0, merchant_contribute: 5, other_contribute: 0 }, { promotion_id: '109520', amount: 3 }] });
    const order = readPaidOrder({ ...PAID, cash_fee: '92', settlement_total_fee: '92', promotion_detail: promotion }, 'T1');
    expect(order).toMatchObject({ cash_fee: 92, coupon_fee: 8, settlement_total_fee: 92 });
    expect(order.coupons).toBeUndefined();
  });

  it.each([
    ['a missing coupon_id_0', { coupon_count: '1', coupon_fee_0: '10', coupon_fee: '10' }],
    ['promotion_detail that is not JSON', { promotion_detail: '{not json' }],
    ['promotion_detail of another shape', { promotion_detail: '{"promotion_detail":"none"}' }],
    ['a coupon_fee that is not an amount', { coupon_fee: '1.5' }],
    ['a cash_fee that is not an amount', { cash_fee: 'ninety' }],
    ['a settlement_total_fee that is not an amount', { settlement_total_fee: '' }],
    ['a coupon_count that is not a count', { coupon_count: 'x' }],
    ['a time_end that is not a time', { time_end: '2026-13-45' }],
  ])('never turns a verified paid answer into unknown for %s', (_what, extra) => {
    const order = readPaidOrder({ ...PAID, ...extra }, 'T1');
    expect(order).toMatchObject({ transaction_id: '4200000001', total_fee: 100 });
  });
});

describe('readOrderState', () => {
  it.each(['SUCCESS', 'REFUND'])('includes the payment for %s', (state) => {
    expect(readOrderState({ ...PAID, trade_state: state }, 'T1').paid?.total_fee).toBe(100);
  });

  it.each(['NOTPAY', 'CLOSED', 'REVOKED', 'USERPAYING', 'PAYERROR', 'ACCEPT'])('has no payment for %s', (state) => {
    expect(readOrderState({ trade_state: state }, 'T1')).toEqual({ trade_state: state });
  });

  it('refuses a paid state whose payment facts are missing', () => {
    malformed(() => readOrderState({ trade_state: 'SUCCESS', out_trade_no: 'T1' }, 'T1'));
  });
});

describe('readReverse', () => {
  it('reads recall Y and N, and refuses anything else', () => {
    expect(readReverse({ recall: 'Y' })).toEqual({ recall: true });
    expect(readReverse({ recall: 'N' })).toEqual({ recall: false });
    malformed(() => readReverse({ recall: 'y' }));
    malformed(() => readReverse({}));
  });
});

describe('refund answers', () => {
  it('checks the refund is the one asked for', () => {
    const req = { out_trade_no: 'T', out_refund_no: 'R1', total_fee: 10, refund_fee: 10 };
    expect(readRefundAccepted({ out_refund_no: 'R1', refund_id: '9', refund_fee: '10' }, req)).toEqual({ out_refund_no: 'R1', refund_id: '9', refund_fee: 10 });
    malformed(() => readRefundAccepted({ out_refund_no: 'R2', refund_id: '9', refund_fee: '10' }, req));
  });

  it('refuses an unknown refund status', () => {
    malformed(() => readRefundState({ refund_count: '1', out_refund_no_0: 'R1', refund_fee_0: '1', refund_status_0: 'DONE' }, 'R1'));
  });
});
