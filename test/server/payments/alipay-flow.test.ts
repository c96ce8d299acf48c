import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GatewayError } from '../../../server/alipay/gateway.ts';
import { alipayErrorMessage } from '../../../shared/error-catalogue.ts';
import { makeAlipayTestCode } from '../../../server/simulator/test-codes.ts';
import { alipayBiz, alipayOk, alipayUnknown, FakeAlipay } from './fake-alipay.ts';
import { Harness } from './harness.ts';

/**
 * Alipay's own branches of the one payment flow (the shared ones run for both wallets in
 * integration.test.ts): manual clock, the fake trade book, every call recorded.
 */
let h: Harness;
let alipay: FakeAlipay;
beforeEach(() => {
  h = new Harness();
  alipay = new FakeAlipay();
  h.service = h.newService({ alipay });
});
afterEach(async () => {
  await h.close();
});

const create = (over: { amount_fen?: number } = {}) => h.create({ auth_code: makeAlipayTestCode(), ...over });

describe('Alipay payments through the shared flow', () => {
  it('is paid on 10000, journaled as an Alipay payment with trade_no as its transaction', async () => {
    const p = await create({ amount_fen: 990 });
    expect(p).toMatchObject({ status: 'succeeded', wallet: 'alipay', transaction_id: alipay.trades.get(p.out_trade_no)!.trade_no });
    expect(alipay.count('pay')).toBe(1);
    expect(h.wechat.calls).toEqual([]);
  });

  it('fails at once on a customer error (class C) with the Alipay message, and never queries', async () => {
    alipay.once('pay', alipayBiz('ACQ.PAYMENT_AUTH_CODE_INVALID'));
    const p = await create();
    expect(p.status).toBe('failed');
    expect(p.error).toEqual({ code: 'ACQ.PAYMENT_AUTH_CODE_INVALID', message: alipayErrorMessage('ACQ.PAYMENT_AUTH_CODE_INVALID', 'en') });
    expect(alipay.count('query')).toBe(0);
  });

  it('polls trade.query while the customer confirms (10003 / WAIT_BUYER_PAY), cancels at the deadline and records the close', async () => {
    alipay.payMode = 'wait';
    const p = await create();
    expect(p.status).toBe('user_paying');
    const done = await h.until(p.id, ['canceled']);
    expect(done.error?.code).toBe('REVERSED');
    expect(alipay.count('query')).toBeGreaterThan(10);
    expect(alipay.count('cancel')).toBe(1);
    expect((await h.store.payment(p.id))?.cancel_action).toBe('close');
    // The cancel was not sent before the deadline (45 s).
    expect(h.elapsed(Date.parse(p.created_at))).toBeGreaterThanOrEqual(45_000);
  });

  it('queries at once after an unknown outcome (20000) and finds the trade paid', async () => {
    alipay.once('pay', (fallback) => {
      fallback(); // Alipay made and paid the trade, but its answer says only "unknown"
      return alipayUnknown('isp.unknow-error');
    });
    const p = await create();
    expect(p.error?.code).toBe('isp.unknow-error'); // the cashier reads why it is still being checked
    expect((await h.until(p.id, ['succeeded'])).status).toBe('succeeded');
    expect(alipay.calls.map((c) => c.op)).toEqual(['pay', 'query']);
    expect(alipay.count('cancel')).toBe(0);
  });

  it('closes the number with trade.cancel when Alipay has no trade after a timed-out pay, so a delayed pay cannot charge', async () => {
    alipay.once('pay', new GatewayError('timeout', 'no answer'));
    const p = await create();
    const done = await h.until(p.id, ['canceled']);
    expect(done.error?.code).toBe('REVERSED');
    const ops = alipay.calls.map((c) => c.op);
    // Queried until the minimum age, one cancel, one query confirms.
    expect(ops.slice(0, 2)).toEqual(['pay', 'query']);
    expect(ops.slice(-2)).toEqual(['cancel', 'query']);
    expect(alipay.count('cancel')).toBe(1);
  });

  it('records a cancel that gave a paid trade’s money back (action refund), and ends canceled', async () => {
    alipay.payMode = 'wait';
    const p = await create();
    alipay.once('cancel', () => {
      const t = alipay.trades.get(p.out_trade_no)!;
      t.status = 'TRADE_CLOSED'; // paid in the last moment, then given back by the cancel
      return alipayOk({ retry: false, action: 'refund', trade_no: t.trade_no });
    });
    const done = await h.until(p.id, ['canceled']);
    expect(done.status).toBe('canceled');
    expect((await h.store.payment(p.id))?.cancel_action).toBe('refund');
  });

  it('cancels again while Alipay answers retry_flag=Y, with backoff', async () => {
    alipay.payMode = 'wait';
    alipay.once('cancel', alipayOk({ retry: true }), alipayUnknown(), alipayBiz('ACQ.SYSTEM_ERROR'));
    const p = await create();
    const done = await h.until(p.id, ['canceled']);
    expect(done.error?.code).toBe('REVERSED');
    expect(alipay.count('cancel')).toBe(4);
  });

  it('flags needs_attention when the cancel is too late (ACQ.TRADE_CANCEL_TIME_OUT) and keeps checking', async () => {
    alipay.payMode = 'wait';
    alipay.once('cancel', alipayBiz('ACQ.TRADE_CANCEL_TIME_OUT'));
    const p = await create();
    const flagged = await h.until(p.id, ['needs_attention']);
    expect(flagged.error?.message).toMatch(/Too late to cancel/);
    alipay.confirm(p.out_trade_no);
    h.service.resume(); // the recovery sweep checks needs_attention payments
    const paid = await h.until(p.id, ['succeeded'], 600_000, 5_000);
    expect(paid.late_payment).toBe(true);
  });

  it('records a payment confirmed while the cashier’s cancel waits for the minimum age as a late success', async () => {
    alipay.payMode = 'wait';
    const p = await create();
    await h.service.cancel(p.id);
    await h.clock.advance(4_000);
    alipay.confirm(p.out_trade_no);
    const done = await h.until(p.id, ['succeeded', 'canceled']);
    expect(done).toMatchObject({ status: 'succeeded', late_payment: true });
    expect(alipay.count('cancel')).toBe(0);
  });
});

describe('Alipay refunds', () => {
  it('refunds by out_request_no, confirmed by fastpay.refund.query; a lost answer is sent again with the same number and refunds once', async () => {
    const p = await create({ amount_fen: 1000 });
    alipay.once('refund', new GatewayError('timeout', 'no answer'));
    alipay.once('refundQuery', alipayOk({ out_trade_no: p.out_trade_no, out_request_no: 'r-1', refund_status: 'NONE' as const }));
    const refund = h.service.refund(p.id, { id: 'r-1', amount_fen: 300 });
    await h.clock.advance(10_000);
    expect((await refund).status).not.toBe('failed');
    for (let i = 0; i < 200 && (await h.service.refunds(p.id))![0]!.status !== 'succeeded'; i++) await h.clock.advance(2_000);
    expect((await h.service.refunds(p.id))![0]!.status).toBe('succeeded');
    expect(alipay.calls.filter((c) => c.op === 'refund').every((c) => c.out_request_no === 'r-1')).toBe(true);
    expect(alipay.trades.get(p.out_trade_no)!.refunds).toEqual(new Map([['r-1', 300]]));
    expect((await h.payment(p.id)).refunded_fen).toBe(300);
  });

  it('fails a refund Alipay refuses for good, with its message', async () => {
    const p = await create({ amount_fen: 1000 });
    alipay.once('refund', alipayBiz('ACQ.TRADE_HAS_FINISHED'));
    const r = await h.service.refund(p.id, { id: 'r-2', amount_fen: 100 });
    expect(r).toMatchObject({ status: 'failed', error: { code: 'ACQ.TRADE_HAS_FINISHED', message: alipayErrorMessage('ACQ.TRADE_HAS_FINISHED', 'en', 'refund') } });
  });
});
