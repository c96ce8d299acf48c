import { describe, expect, it } from 'vitest';
import { couponFen } from '../../../server/simulator/ledger/index.ts';
import { harness } from './helpers.ts';

/**
 * The test codes that play the gateway's less common answers: coupons, the single-product
 * discount protocol's promotion_detail, ACCEPT, an orderquery SYSTEMERROR, and WeChat revoking
 * an order nobody paid. Field names and forms follow the official micropay, orderquery and
 * refund field tables.
 */

describe('simulator: an order nobody pays is revoked 45 s after creation', () => {
  it('a payment waiting for the password becomes REVOKED at 45 s, and confirming afterwards cannot pay it', async () => {
    const h = harness();
    expect((await h.pay('password', { out_trade_no: 'U1' })).fields.err_code).toBe('USERPAYING');
    h.clock.advance(44_999);
    expect((await h.query('U1')).fields.trade_state).toBe('USERPAYING');
    h.clock.advance(1);
    const r = await h.query('U1');
    expect(r.fields).toMatchObject({ result_code: 'SUCCESS', trade_state: 'REVOKED', trade_state_desc: '订单已撤销' });
    expect(r.fields.transaction_id).toBeUndefined();
    expect(h.sim.confirm('U1')).toBe(false);
    expect(h.sim.order('U1')).toMatchObject({ trade_state: 'REVOKED', reverse_calls: 0 });
  });

  it('an order left NOTPAY by a BANKERROR is revoked too; a retried micropay answers ORDERREVERSED', async () => {
    const h = harness();
    const first = await h.pay('bankerror', { out_trade_no: 'U2' });
    h.clock.advance(45_000);
    expect((await h.query('U2')).fields.trade_state).toBe('REVOKED');
    const code = h.sim.order('U2')!;
    expect(code.trade_state).toBe('REVOKED');
    expect(first.fields.err_code).toBe('BANKERROR');
  });

  it('a paid or failed order is left as it is', async () => {
    const h = harness();
    await h.pay('success', { out_trade_no: 'U3' });
    await h.pay('notenough', { out_trade_no: 'U4' });
    h.clock.advance(120_000);
    expect((await h.query('U3')).fields.trade_state).toBe('SUCCESS');
    expect((await h.query('U4')).fields).toMatchObject({ trade_state: 'PAYERROR', trade_state_desc: '支付失败，请撤销订单' });
  });

  it('revokes after unpaidRevokeMs when the simulator is given another value', async () => {
    const h = harness({ unpaidRevokeMs: 5_000 });
    await h.pay('reverse_recall', { out_trade_no: 'U5' });
    h.clock.advance(5_000);
    expect((await h.query('U5')).fields.trade_state).toBe('REVOKED');
  });
});

describe('simulator: coupon (130010)', () => {
  it('micropay answers the fields of the official micropay table: coupon_fee, settlement_total_fee, cash_fee < total_fee, bank_type', async () => {
    const h = harness();
    const r = await h.pay('coupon', { out_trade_no: 'K1', total_fee: '1234' });
    expect(r.signed).toBe(true);
    expect(r.fields).toMatchObject({
      result_code: 'SUCCESS',
      total_fee: '1234',
      coupon_fee: '123',
      cash_fee: '1111',
      settlement_total_fee: '1111',
      cash_fee_type: 'CNY',
      bank_type: 'CMB_DEBIT',
    });
    // The indexed coupon fields belong to orderquery's table, not micropay's.
    expect(r.fields.coupon_count).toBeUndefined();
    expect(r.fields.promotion_detail).toBeUndefined();
  });

  it('orderquery adds coupon_count and the indexed coupon_type_0, coupon_id_0, coupon_fee_0 (signed over all of them)', async () => {
    const h = harness();
    await h.pay('coupon', { out_trade_no: 'K2', total_fee: '1234' });
    const r = await h.query('K2');
    expect(r.signed).toBe(true);
    expect(r.fields).toMatchObject({
      trade_state: 'SUCCESS',
      total_fee: '1234',
      settlement_total_fee: '1111',
      coupon_fee: '123',
      coupon_count: '1',
      coupon_type_0: 'NO_CASH',
      coupon_fee_0: '123',
      cash_fee: '1111',
    });
    expect(r.fields.coupon_id_0).toMatch(/^\d{10}$/);
    expect(r.fields.coupon_fee_1).toBeUndefined();
  });

  it('sizes the coupon a tenth of the amount, 1 fen to ¥5, and none on 1 fen', async () => {
    expect([1, 2, 19, 20, 1234, 5000, 99_999].map(couponFen)).toEqual([0, 1, 1, 2, 123, 500, 500]);
    const h = harness();
    const r = await h.pay('coupon', { total_fee: '1' });
    expect(r.fields).toMatchObject({ result_code: 'SUCCESS', total_fee: '1', cash_fee: '1' });
    expect(r.fields.coupon_fee).toBeUndefined();
  });

  it('a refund gives the coupon back in proportion and the rest in cash', async () => {
    const h = harness();
    await h.pay('coupon', { out_trade_no: 'K3', total_fee: '1000' });
    const r = await h.refund('K3', 'RK3', 500, 1000);
    expect(r.signed).toBe(true);
    expect(r.fields).toMatchObject({
      result_code: 'SUCCESS',
      refund_fee: '500',
      total_fee: '1000',
      cash_fee: '900',
      cash_refund_fee: '450',
      coupon_refund_fee: '50',
      coupon_refund_count: '1',
      coupon_type_0: 'NO_CASH',
      coupon_refund_fee_0: '50',
      settlement_total_fee: '900',
      settlement_refund_fee: '450',
    });
  });
});

describe('simulator: promotion_detail only (130013)', () => {
  it('answers promotion_detail as a JSON string and no coupon_* or settlement_total_fee, in micropay and orderquery', async () => {
    const h = harness();
    const paid = await h.pay('promotion', { out_trade_no: 'P1', total_fee: '2000' });
    const queried = await h.query('P1');
    for (const r of [paid, queried]) {
      expect(r.signed).toBe(true);
      expect(r.fields).toMatchObject({ result_code: 'SUCCESS', total_fee: '2000', cash_fee: '1800' });
      expect(Object.keys(r.fields).filter((k) => k.startsWith('coupon_') || k === 'settlement_total_fee')).toEqual([]);
      // The single-product discount protocol's form: {"promotion_detail":[{promotion_id, scope, type, amount, …}]}.
      const detail = JSON.parse(r.fields.promotion_detail!) as { promotion_detail: Record<string, unknown>[] };
      expect(detail.promotion_detail).toHaveLength(1);
      expect(detail.promotion_detail[0]).toMatchObject({ scope: 'GLOBAL', type: 'DISCOUNT', amount: 200, wxpay_contribute: 0, merchant_contribute: 200, other_contribute: 0 });
      expect(detail.promotion_detail[0]!.promotion_id).toMatch(/^\d{10}$/);
    }
    expect(paid.text).toContain('<promotion_detail><![CDATA[{"promotion_detail":[');
  });
});

describe('simulator: ACCEPT, then paid (130011)', () => {
  it('micropay answers SYSTEMERROR; the first query sees ACCEPT, the next one SUCCESS with the paid fields', async () => {
    const h = harness();
    const r = await h.pay('accept_paid', { out_trade_no: 'A1' });
    expect(r.fields).toMatchObject({ return_code: 'SUCCESS', result_code: 'FAIL', err_code: 'SYSTEMERROR' });
    expect(h.sim.order('A1')!.trade_state).toBe('ACCEPT');
    const first = await h.query('A1');
    expect(first.signed).toBe(true);
    expect(first.fields).toMatchObject({ result_code: 'SUCCESS', trade_state: 'ACCEPT', trade_state_desc: '已接收，等待扣款' });
    expect(first.fields.transaction_id).toBeUndefined();
    h.clock.advance(2_000);
    const second = await h.query('A1');
    expect(second.fields).toMatchObject({ trade_state: 'SUCCESS', total_fee: '1234', cash_fee: '1234' });
    expect(second.fields.transaction_id).toMatch(/^\d{28}$/);
    expect(second.fields.time_end).toBe('20261128100000');
  });

  it('a reverse before any query closes it unpaid', async () => {
    const h = harness();
    await h.pay('accept_paid', { out_trade_no: 'A2' });
    expect((await h.reverse('A2')).fields).toMatchObject({ result_code: 'SUCCESS', recall: 'N' });
    expect((await h.query('A2')).fields.trade_state).toBe('REVOKED');
    expect(h.sim.order('A2')!.paid_at).toBeUndefined();
  });
});

describe('simulator: orderquery SYSTEMERROR for a while (130012)', () => {
  it('micropay answers SYSTEMERROR, the first 3 queries SYSTEMERROR too, then the truth: paid', async () => {
    const h = harness();
    expect((await h.pay('query_systemerror', { out_trade_no: 'S1' })).fields.err_code).toBe('SYSTEMERROR');
    for (let i = 0; i < 3; i++) {
      const r = await h.query('S1');
      expect(r.fields).toMatchObject({ return_code: 'SUCCESS', result_code: 'FAIL', err_code: 'SYSTEMERROR' });
      expect(r.signed).toBe(true);
    }
    expect((await h.query('S1')).fields).toMatchObject({ result_code: 'SUCCESS', trade_state: 'SUCCESS' });
  });

  it('answers as many SYSTEMERRORs as querySystemErrors says', async () => {
    const h = harness({ querySystemErrors: 1 });
    await h.pay('query_systemerror', { out_trade_no: 'S2' });
    expect((await h.query('S2')).fields.err_code).toBe('SYSTEMERROR');
    expect((await h.query('S2')).fields.trade_state).toBe('SUCCESS');
  });
});
