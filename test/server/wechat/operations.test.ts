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

  it('refuses a count with missing indexed fields, or a count that is not one', () => {
    expect(malformed(() => readCoupons({ coupon_count: '2', coupon_id_0: 'a', coupon_fee_0: '1' }))).toMatch(/coupon_id_1/);
    malformed(() => readCoupons({ coupon_count: '1', coupon_id_0: 'a', coupon_fee_0: 'ten' }));
    malformed(() => readCoupons({ coupon_count: '99999999' }));
    malformed(() => readCoupons({ coupon_count: 'two' }));
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
