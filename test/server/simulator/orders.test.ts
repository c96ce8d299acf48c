import { describe, expect, it } from 'vitest';
import { makeTestCode } from '../../../server/simulator/test-codes.ts';
import { harness } from './helpers.ts';

describe('simulator orderquery', () => {
  it('answers ORDERNOTEXIST for a number it never saw', async () => {
    const h = harness();
    const r = await h.query('NOPE');
    expect(r.fields).toMatchObject({ return_code: 'SUCCESS', result_code: 'FAIL', err_code: 'ORDERNOTEXIST' });
    expect(r.signed).toBe(true);
  });

  it('finds an order by transaction_id too', async () => {
    const h = harness();
    const paid = await h.micropay({ out_trade_no: 'Q1', attach: 'x' });
    const r = await h.call('/pay/orderquery', { transaction_id: paid.fields.transaction_id! });
    expect(r.fields).toMatchObject({ trade_state: 'SUCCESS', out_trade_no: 'Q1', trade_state_desc: '支付成功', attach: 'x' });
  });

  it('answers an unsigned return_code FAIL 缺少参数 without out_trade_no or transaction_id', async () => {
    const h = harness();
    const r = await h.call('/pay/orderquery', {});
    expect(r.fields).toEqual({ return_code: 'FAIL', return_msg: '缺少参数' });
  });

  it('answers an unsigned return_code FAIL for an out_trade_no or transaction_id longer than 32', async () => {
    const h = harness();
    expect((await h.call('/pay/orderquery', { out_trade_no: 'A'.repeat(33) })).fields).toEqual({ return_code: 'FAIL', return_msg: 'out_trade_no参数长度有误' });
    expect((await h.call('/secapi/pay/reverse', { transaction_id: '4'.repeat(33) })).fields).toEqual({ return_code: 'FAIL', return_msg: 'transaction_id参数长度有误' });
  });

  it('answers PARAM_ERROR for a malformed out_trade_no', async () => {
    const h = harness();
    const r = await h.call('/pay/orderquery', { out_trade_no: 'a b' });
    expect(r.fields.err_code).toBe('PARAM_ERROR');
  });

  it('shows no transaction_id for an unpaid order', async () => {
    const h = harness();
    await h.pay('password', { out_trade_no: 'Q2' });
    const r = await h.query('Q2');
    expect(r.fields.trade_state).toBe('USERPAYING');
    expect(r.fields.transaction_id).toBeUndefined();
  });
});

describe('simulator reverse', () => {
  it('reverses a paid order: refunded, REVOKED, and never charged again', async () => {
    const h = harness();
    const code = makeTestCode('success');
    await h.micropay({ out_trade_no: 'V1', auth_code: code });
    const r = await h.reverse('V1');
    expect(r.fields).toMatchObject({ result_code: 'SUCCESS', recall: 'N' });
    expect(r.signed).toBe(true);
    expect((await h.query('V1')).fields.trade_state).toBe('REVOKED');
    const retry = await h.micropay({ out_trade_no: 'V1', auth_code: code });
    expect(retry.fields.err_code).toBe('ORDERREVERSED');
  });

  it('answers ORDERNOTEXIST to a reverse of an unknown number and blocks nothing: a micropay arriving afterwards is charged', async () => {
    const h = harness();
    const r = await h.reverse('LOST1');
    expect(r.signed).toBe(true);
    expect(r.fields).toMatchObject({ return_code: 'SUCCESS', result_code: 'FAIL', err_code: 'ORDERNOTEXIST' });
    expect(h.sim.order('LOST1')).toBeUndefined();
    expect((await h.query('LOST1')).fields.err_code).toBe('ORDERNOTEXIST');
    // The delayed micropay reaches the gateway now: nothing stops it (the worst case the POS must survive).
    const late = await h.micropay({ out_trade_no: 'LOST1', auth_code: makeTestCode('success') });
    expect(late.fields.result_code).toBe('SUCCESS');
    expect(h.sim.order('LOST1')).toMatchObject({ trade_state: 'SUCCESS', reverse_calls: 0, micropay_calls: 1 });
    // A reverse now returns the money (a paid order, within 7 days).
    expect((await h.reverse('LOST1')).fields).toMatchObject({ result_code: 'SUCCESS', recall: 'N' });
    expect((await h.query('LOST1')).fields.trade_state).toBe('REVOKED');
  });

  it('reverses a payment waiting for the password; confirming afterwards cannot pay it', async () => {
    const h = harness();
    const code = makeTestCode('password');
    await h.micropay({ out_trade_no: 'V2', auth_code: code });
    expect((await h.reverse('V2')).fields.result_code).toBe('SUCCESS');
    expect(h.sim.confirm('V2')).toBe(false);
    expect((await h.query('V2')).fields.trade_state).toBe('REVOKED');
    expect((await h.micropay({ out_trade_no: 'V2', auth_code: code })).fields.err_code).toBe('ORDERREVERSED');
  });

  it('answers a repeated reverse with SUCCESS and counts the calls', async () => {
    const h = harness();
    await h.pay('bankerror', { out_trade_no: 'V3' });
    await h.reverse('V3');
    const again = await h.reverse('V3');
    expect(again.fields).toMatchObject({ result_code: 'SUCCESS', recall: 'N' });
    expect(h.sim.order('V3')!.reverse_calls).toBe(2);
  });

  it('answers REVERSE_EXPIRE for a paid order older than 7 days', async () => {
    const h = harness();
    await h.micropay({ out_trade_no: 'V4' });
    h.clock.advance(7 * 24 * 3600_000 + 1000);
    const r = await h.reverse('V4');
    expect(r.fields.err_code).toBe('REVERSE_EXPIRE');
    expect((await h.query('V4')).fields.trade_state).toBe('SUCCESS');
  });

  it('refuses to reverse an order that has refunds', async () => {
    const h = harness();
    await h.micropay({ out_trade_no: 'V5' });
    await h.refund('V5', 'RF5', 100);
    const r = await h.reverse('V5');
    expect(r.fields.err_code).toBe('TRADE_ERROR');
    expect((await h.query('V5')).fields.trade_state).toBe('REFUND');
  });

  it('answers INVALID_TRANSACTIONID for an unknown transaction_id', async () => {
    const h = harness();
    const r = await h.call('/secapi/pay/reverse', { transaction_id: '4200000000202611280000000000' });
    expect(r.fields.err_code).toBe('INVALID_TRANSACTIONID');
  });
});

describe('simulator refund', () => {
  it('accepts a partial refund, makes the order REFUND, and settles it after refundSettleMs', async () => {
    const h = harness({ refundSettleMs: 1000 });
    const paid = await h.micropay({ out_trade_no: 'F1' });
    const r = await h.refund('F1', 'RF1', 234);
    expect(r.fields).toMatchObject({ result_code: 'SUCCESS', out_trade_no: 'F1', out_refund_no: 'RF1', refund_fee: '234', total_fee: '1234', transaction_id: paid.fields.transaction_id });
    expect(r.fields.refund_id).toMatch(/^\d{29}$/);
    expect(r.signed).toBe(true);
    expect((await h.query('F1')).fields.trade_state).toBe('REFUND');
    const processing = await h.call('/pay/refundquery', { out_refund_no: 'RF1' });
    expect(processing.fields).toMatchObject({ refund_count: '1', refund_status_0: 'PROCESSING', refund_fee_0: '234', out_refund_no_0: 'RF1', refund_id_0: r.fields.refund_id });
    h.clock.advance(1000);
    const done = await h.call('/pay/refundquery', { out_refund_no: 'RF1' });
    expect(done.fields).toMatchObject({ refund_status_0: 'SUCCESS', refund_success_time_0: '2026-11-28 10:00:01' });
    expect(h.sim.order('F1')!.refunds).toEqual([{ out_refund_no: 'RF1', refund_id: r.fields.refund_id, refund_fee: 234, refund_status: 'SUCCESS' }]);
  });

  it('settles at once when refundSettleMs is 0', async () => {
    const h = harness({ refundSettleMs: 0 });
    await h.micropay({ out_trade_no: 'F0' });
    await h.refund('F0', 'RF0', 1234);
    expect((await h.call('/pay/refundquery', { out_trade_no: 'F0' })).fields.refund_status_0).toBe('SUCCESS');
  });

  it('answers the same out_refund_no again with the same refund and never refunds twice', async () => {
    const h = harness();
    await h.micropay({ out_trade_no: 'F2' });
    const first = await h.refund('F2', 'RF2', 1000);
    const again = await h.refund('F2', 'RF2', 1000);
    expect(again.fields.result_code).toBe('SUCCESS');
    expect(again.fields.refund_id).toBe(first.fields.refund_id);
    expect(h.sim.order('F2')!.refunds).toHaveLength(1);
    // only 234 fen are left: a second, different refund of 1000 is refused
    expect((await h.refund('F2', 'RF2b', 1000)).fields.err_code).toBe('ERROR');
  });

  it('refuses the same out_refund_no with another amount', async () => {
    const h = harness();
    await h.micropay({ out_trade_no: 'F3' });
    await h.refund('F3', 'RF3', 100);
    const r = await h.refund('F3', 'RF3', 200);
    expect(r.fields.err_code).toBe('ERROR');
    expect(r.fields.err_code_des).toContain('不一致');
  });

  it('refuses an out_refund_no already used on another order', async () => {
    const h = harness();
    await h.micropay({ out_trade_no: 'F4a' });
    await h.micropay({ out_trade_no: 'F4b' });
    await h.refund('F4a', 'RF4', 100);
    expect((await h.refund('F4b', 'RF4', 100)).fields.err_code).toBe('ERROR');
  });

  it('refuses a total_fee that is not the order amount', async () => {
    const h = harness();
    await h.micropay({ out_trade_no: 'F5' });
    expect((await h.refund('F5', 'RF5', 100, 999)).fields.err_code).toBe('PARAM_ERROR');
  });

  it('refuses refunds beyond what is left and after a full refund', async () => {
    const h = harness();
    await h.micropay({ out_trade_no: 'F6' });
    expect((await h.refund('F6', 'RF6a', 1000)).fields.result_code).toBe('SUCCESS');
    const tooMuch = await h.refund('F6', 'RF6b', 235);
    expect(tooMuch.fields.err_code).toBe('ERROR');
    expect(tooMuch.fields.err_code_des).toContain('234');
    expect((await h.refund('F6', 'RF6c', 234)).fields.result_code).toBe('SUCCESS');
    expect((await h.refund('F6', 'RF6d', 1)).fields.err_code_des).toContain('全额退款');
  });

  it('answers PARAM_ERROR when refund_fee exceeds total_fee', async () => {
    const h = harness();
    await h.micropay({ out_trade_no: 'F7' });
    expect((await h.refund('F7', 'RF7', 2000)).fields.err_code).toBe('PARAM_ERROR');
  });

  it('allows at most 50 refunds of one order', async () => {
    const h = harness();
    await h.micropay({ out_trade_no: 'F8', total_fee: '100' });
    for (let i = 0; i < 50; i++) expect((await h.refund('F8', `RF8-${i}`, 1, 100)).fields.result_code).toBe('SUCCESS');
    const r = await h.refund('F8', 'RF8-50', 1, 100);
    expect(r.fields.err_code).toBe('ERROR');
    expect(r.fields.err_code_des).toContain('50');
  });

  it('answers ORDERNOTEXIST to a refund of an unknown order, reversed before or not', async () => {
    const h = harness();
    expect((await h.refund('NONE', 'RFX', 1)).fields.err_code).toBe('ORDERNOTEXIST');
    await h.reverse('NONE2');
    expect((await h.refund('NONE2', 'RFY', 1)).fields.err_code).toBe('ORDERNOTEXIST');
  });

  it('refuses to refund an unpaid or reversed order', async () => {
    const h = harness();
    await h.pay('bankerror', { out_trade_no: 'F9' });
    expect((await h.refund('F9', 'RF9', 1)).fields.err_code).toBe('ERROR');
    await h.micropay({ out_trade_no: 'F10' });
    await h.reverse('F10');
    expect((await h.refund('F10', 'RF10', 1)).fields.err_code_des).toContain('撤销');
  });

  it('answers TRADE_OVERDUE for an order paid more than a year ago', async () => {
    const h = harness();
    await h.micropay({ out_trade_no: 'F11' });
    h.clock.advance(366 * 24 * 3600_000);
    expect((await h.refund('F11', 'RF11', 1)).fields.err_code).toBe('TRADE_OVERDUE');
  });

  it('answers an unsigned return_code FAIL 缺少参数 without out_refund_no, refund_fee or total_fee', async () => {
    const h = harness();
    await h.micropay({ out_trade_no: 'F12' });
    for (const missing of ['out_refund_no', 'total_fee', 'refund_fee']) {
      const fields: Record<string, string> = { out_trade_no: 'F12', out_refund_no: 'RF12', total_fee: '1234', refund_fee: '1' };
      delete fields[missing];
      const r = await h.call('/secapi/pay/refund', fields);
      expect(r.fields, missing).toEqual({ return_code: 'FAIL', return_msg: '缺少参数' });
    }
    const long = await h.call('/secapi/pay/refund', { out_trade_no: 'F12', out_refund_no: 'R'.repeat(65), total_fee: '1234', refund_fee: '1' });
    expect(long.fields).toEqual({ return_code: 'FAIL', return_msg: 'out_refund_no参数长度有误' });
  });

  it('answers PARAM_ERROR for a non-numeric refund_fee', async () => {
    const h = harness();
    await h.micropay({ out_trade_no: 'F13' });
    const r = await h.call('/secapi/pay/refund', { out_trade_no: 'F13', out_refund_no: 'RF13', total_fee: '1234', refund_fee: '1.5' });
    expect(r.fields.err_code).toBe('PARAM_ERROR');
  });
});

describe('simulator refundquery', () => {
  it('lists every refund of an order with indexed fields', async () => {
    const h = harness({ refundSettleMs: 0 });
    await h.micropay({ out_trade_no: 'G1' });
    const a = await h.refund('G1', 'RG1a', 100);
    const b = await h.refund('G1', 'RG1b', 200);
    const r = await h.call('/pay/refundquery', { out_trade_no: 'G1' });
    expect(r.signed).toBe(true);
    expect(r.fields).toMatchObject({
      result_code: 'SUCCESS',
      out_trade_no: 'G1',
      total_fee: '1234',
      refund_count: '2',
      out_refund_no_0: 'RG1a',
      refund_id_0: a.fields.refund_id,
      refund_fee_0: '100',
      refund_status_0: 'SUCCESS',
      out_refund_no_1: 'RG1b',
      refund_id_1: b.fields.refund_id,
      refund_fee_1: '200',
      refund_status_1: 'SUCCESS',
    });
  });

  it('finds one refund by refund_id', async () => {
    const h = harness();
    await h.micropay({ out_trade_no: 'G2' });
    await h.refund('G2', 'RG2a', 100);
    const b = await h.refund('G2', 'RG2b', 200);
    const r = await h.call('/pay/refundquery', { refund_id: b.fields.refund_id! });
    expect(r.fields).toMatchObject({ refund_count: '1', out_refund_no_0: 'RG2b', refund_fee_0: '200' });
    expect(r.fields.out_refund_no_1).toBeUndefined();
  });

  it('pages with offset and tells the total', async () => {
    const h = harness();
    await h.micropay({ out_trade_no: 'G3', total_fee: '100' });
    for (let i = 0; i < 12; i++) await h.refund('G3', `RG3-${i}`, 1, 100);
    const first = await h.call('/pay/refundquery', { out_trade_no: 'G3' });
    expect(first.fields.refund_count).toBe('10');
    const second = await h.call('/pay/refundquery', { out_trade_no: 'G3', offset: '10' });
    expect(second.fields).toMatchObject({ refund_count: '2', total_refund_count: '12', out_refund_no_0: 'RG3-10', out_refund_no_1: 'RG3-11' });
  });

  it('answers REFUNDNOTEXIST when there is no such refund', async () => {
    const h = harness();
    await h.micropay({ out_trade_no: 'G4' });
    expect((await h.call('/pay/refundquery', { out_trade_no: 'G4' })).fields.err_code).toBe('REFUNDNOTEXIST');
    expect((await h.call('/pay/refundquery', { out_refund_no: 'NOPE' })).fields.err_code).toBe('REFUNDNOTEXIST');
  });

  it('answers an unsigned return_code FAIL 缺少参数 without any identifier', async () => {
    const h = harness();
    expect((await h.call('/pay/refundquery', {})).fields).toEqual({ return_code: 'FAIL', return_msg: '缺少参数' });
  });
});
