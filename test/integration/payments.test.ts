import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Payment, Refund } from '../../shared/api.ts';
import { SIMULATOR_DEFAULTS } from '../../server/simulator/app.ts';
import { makeAlipayTestCode, makeTestCode, type Behaviour } from '../../server/simulator/test-codes.ts';
import { chargedFen, newId, startHarness, type Harness } from './harness.ts';
import { eventually } from '../support/eventually.ts';

/**
 * Every simulator behaviour driven through the HTTP API to its final status, error code and
 * money outcome, checked against the simulator's own ledger.
 */

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

async function pay(token: string, behaviour: Behaviour, amount_fen = 1_234) {
  const id = newId();
  const res = await h.call<Payment>('POST', '/api/payments', { token, body: { id, amount_fen, auth_code: makeTestCode(behaviour), description: `test ${behaviour}` } });
  expect(res.status, res.text).toBe(200);
  expect(res.body).toMatchObject({ id, amount_fen, refunded_fen: 0 });
  return res.body;
}

describe('every simulator behaviour through the API', () => {
  it.concurrent.each([
    ['success', 'succeeded', undefined, true],
    ['systemerror_paid', 'succeeded', undefined, true],
    ['slow', 'succeeded', undefined, true],
    ['password_declined', 'failed', 'PAYERROR', false],
    ['notenough', 'failed', 'NOTENOUGH', false],
    ['bankerror', 'canceled', undefined, false],
    ['forged_signature', 'canceled', undefined, false],
    ['coupon', 'succeeded', undefined, true],
    ['promotion', 'succeeded', undefined, true],
    ['accept_paid', 'succeeded', undefined, true],
    ['query_systemerror', 'succeeded', undefined, true],
  ] as const)('%s ends %s (%s), charged: %s', async (behaviour, status, code, charged) => {
    const token = await h.terminal();
    const created = await pay(token, behaviour);
    const final = await h.waitFinal(token, created.id);
    expect(final.status).toBe(status);
    if (code) expect(final.error?.code).toBe(code);
    if (status === 'succeeded') expect(final.transaction_id).toMatch(/^\d{20,32}$/);
    const order = await h.simOrder(final.out_trade_no);
    expect(order.micropay_calls).toBe(1);
    expect(chargedFen(order)).toBe(charged ? 1_234 : 0);
    if (status === 'canceled') expect(order.trade_state).toBe('REVOKED');
  });

  it.concurrent('authcode_expired fails with AUTHCODEEXPIRE and charges nothing', async () => {
    const token = await h.terminal();
    const created = await pay(token, 'authcode_expired');
    const final = await h.waitFinal(token, created.id);
    expect(final).toMatchObject({ status: 'failed', error: { code: 'AUTHCODEEXPIRE' } });
    expect(final.error?.message.length).toBeGreaterThan(5);
    const orders = (await h.call('GET', '/simulator/control/orders')).body as { out_trade_no: string }[];
    expect(orders.some((o) => o.out_trade_no === final.out_trade_no)).toBe(false);
  });

  it.concurrent('password waits in user_paying until the customer confirms, then succeeds', async () => {
    const token = await h.terminal();
    const created = await pay(token, 'password');
    const waiting = await h.waitStatus(token, created.id, 'user_paying');
    expect((await h.call('GET', '/api/payments/active', { token })).body.payment.id).toBe(waiting.id);
    expect((await h.simPost(`orders/${waiting.out_trade_no}/confirm`)).status).toBe(200);
    const final = await h.waitFinal(token, created.id);
    expect(final.status).toBe('succeeded');
    expect(chargedFen(await h.simOrder(final.out_trade_no))).toBe(1_234);
    expect((await h.call('GET', '/api/payments/active', { token })).body).toEqual({ payment: null });
  });

  it.concurrent('reverse_recall never confirms: reversed at the deadline, again after recall=Y, canceled', async () => {
    const token = await h.terminal();
    const created = await pay(token, 'reverse_recall');
    await h.waitStatus(token, created.id, 'user_paying');
    const final = await h.waitFinal(token, created.id);
    expect(final.status).toBe('canceled');
    const order = await h.simOrder(final.out_trade_no);
    expect(order.trade_state).toBe('REVOKED');
    expect(order.reverse_calls).toBeGreaterThanOrEqual(2);
    expect(chargedFen(order)).toBe(0);
  });

  it.concurrent('a cashier cancel while the customer enters the password reverses the payment', async () => {
    const token = await h.terminal();
    const created = await pay(token, 'password');
    await h.waitStatus(token, created.id, 'user_paying');
    const canceled = await h.call<Payment>('POST', `/api/payments/${created.id}/cancel`, { token });
    expect(canceled.status).toBe(200);
    expect(canceled.body.cancel_requested).toBe(true);
    const final = await h.waitFinal(token, created.id);
    expect(final.status).toBe('canceled');
    const order = await h.simOrder(final.out_trade_no);
    expect(order.trade_state).toBe('REVOKED');
    expect(chargedFen(order)).toBe(0);
  });

  it.concurrent('a second payment on a busy terminal is refused with a pointer to the first', async () => {
    const token = await h.terminal();
    const first = await pay(token, 'password');
    const second = await h.call('POST', '/api/payments', { token, body: { id: newId(), amount_fen: 5, auth_code: makeTestCode('success') } });
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('PAYMENT_IN_PROGRESS');
    expect(second.body.error.message).toContain(first.id);
    await h.call('POST', `/api/payments/${first.id}/cancel`, { token });
    expect((await h.waitFinal(token, first.id)).status).toBe('canceled');
  });
});

describe('idempotency', () => {
  it('the same payment id POSTed 20 times at once reaches the gateway once', async () => {
    const token = await h.terminal();
    const body = { id: newId('dup'), amount_fen: 777, auth_code: makeTestCode('success') };
    const answers = await Promise.all(Array.from({ length: 20 }, () => h.call<Payment>('POST', '/api/payments', { token, body })));
    for (const a of answers) {
      expect(a.status, a.text).toBe(200);
      expect(a.body.id).toBe(body.id);
    }
    const final = await h.waitFinal(token, body.id);
    expect(final.status).toBe('succeeded');
    const order = await h.simOrder(final.out_trade_no);
    expect(order.micropay_calls).toBe(1);
    expect(chargedFen(order)).toBe(777);
    // And again once it is final: the same payment, no new charge.
    const again = await h.call<Payment>('POST', '/api/payments', { token, body });
    expect(again.body).toMatchObject({ id: body.id, status: 'succeeded' });
    expect((await h.simOrder(final.out_trade_no)).micropay_calls).toBe(1);
  });

  it('the same id with another amount answers 409 ID_CONFLICT and charges nothing new', async () => {
    const token = await h.terminal();
    const created = await pay(token, 'success', 300);
    await h.waitFinal(token, created.id);
    const conflict = await h.call('POST', '/api/payments', { token, body: { id: created.id, amount_fen: 301, auth_code: makeTestCode('success') } });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.code).toBe('ID_CONFLICT');
  });
});

describe('refunds with the manager PIN', () => {
  it('refuses a wrong PIN and a too large amount, refunds once per refund id', async () => {
    const token = await h.terminal();
    const created = await pay(token, 'success', 1_000);
    const paid = await h.waitFinal(token, created.id);
    expect(paid.status).toBe('succeeded');
    const path = `/api/payments/${paid.id}/refunds`;

    const wrong = await h.call('POST', path, { token, body: { id: newId('r'), amount_fen: 100 }, headers: { 'x-manager-pin': '1111' } });
    expect(wrong).toMatchObject({ status: 403, body: { error: { code: 'PIN_WRONG' } } });
    const none = await h.call('POST', path, { token, body: { id: newId('r'), amount_fen: 100 } });
    expect(none).toMatchObject({ status: 403, body: { error: { code: 'PIN_REQUIRED' } } });
    const tooLarge = await h.call('POST', path, { token, body: { id: newId('r'), amount_fen: 1_001 }, headers: { 'x-manager-pin': '2468' } });
    expect(tooLarge.status).toBe(409);
    expect(tooLarge.body.error.code).toBe('REFUND_TOO_LARGE');

    const refundId = newId('r');
    const first = await h.call<Refund>('POST', path, { token, body: { id: refundId, amount_fen: 400, reason: 'returned' }, headers: { 'x-manager-pin': '2468' } });
    expect(first.status, first.text).toBe(200);
    expect(first.body).toMatchObject({ id: refundId, amount_fen: 400 });
    expect(['processing', 'succeeded']).toContain(first.body.status);
    const repeat = await h.call<Refund>('POST', path, { token, body: { id: refundId, amount_fen: 400, reason: 'returned' }, headers: { 'x-manager-pin': '2468' } });
    expect(repeat.body).toMatchObject({ id: refundId, amount_fen: 400 });

    const payment = await eventually('the refund confirmed', async () => (await h.call<Payment>('GET', `/api/payments/${paid.id}`, { token })).body, {
      done: (p) => p.refunded_fen === 400,
      timeoutMs: 8_000,
    });
    expect(payment.refunded_fen).toBe(400);
    const order = await h.simOrder(paid.out_trade_no);
    expect(order.refunds).toHaveLength(1);
    expect(order.refunds[0]).toMatchObject({ out_refund_no: refundId, refund_fee: 400 });
    expect(chargedFen(order)).toBe(600);

    // The rest can still be refunded, but not more than the rest.
    const over = await h.call('POST', path, { token, body: { id: newId('r'), amount_fen: 601 }, headers: { 'x-manager-pin': '2468' } });
    expect(over.body.error?.code).toBe('REFUND_TOO_LARGE');
  });

  it('lists the day with totals that match the ledger', async () => {
    const token = await h.terminal();
    const created = await pay(token, 'success', 50);
    await h.waitFinal(token, created.id);
    const list = await h.call('GET', '/api/payments', { token });
    expect(list.status).toBe(200);
    const ids = (list.body.payments as Payment[]).map((p) => p.id);
    expect(ids).toContain(created.id);
    const succeeded = (list.body.payments as Payment[]).filter((p) => p.status === 'succeeded');
    expect(list.body.totals.succeeded_count).toBe(succeeded.length);
    expect(list.body.totals.succeeded_fen).toBe(succeeded.reduce((s, p) => s + p.amount_fen, 0));
  });
});

describe('access', () => {
  it.each([
    ['GET', '/api/terminal'],
    ['GET', '/api/payments'],
    ['GET', '/api/payments/active'],
    ['GET', '/api/payments/x1'],
    ['POST', '/api/payments'],
    ['POST', '/api/payments/x1/cancel'],
    ['POST', '/api/payments/x1/refunds'],
    ['DELETE', '/api/payments/x1'],
  ])('%s %s answers 401 without a valid token', async (method, path) => {
    for (const token of [null, 'A'.repeat(43)]) {
      const res = await h.call(method, path, { token, ...(method === 'POST' ? { body: { id: 'x1', amount_fen: 1, auth_code: makeTestCode() } } : {}) });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('UNAUTHORIZED');
    }
  });

  it('answers health and pairing without a token', async () => {
    expect((await h.call('GET', '/api/health')).body).toEqual({ ok: true, mode: 'simulator', wallets: { wechat: 'simulator', alipay: 'simulator' } });
    const issued = await h.server.terminals.add('Pairing till');
    const paired = await h.call('POST', '/api/pair', { body: { code: issued.code } });
    expect(paired.body.token).not.toBe(issued.token);
    for (const token of [paired.body.token, issued.token]) expect((await h.call('GET', '/api/terminal', { token })).body.terminal.name).toBe('Pairing till');
  });

  it('never shows the API key in an answer or a log line', () => {
    expect(h.responses.length).toBeGreaterThan(50);
    expect(h.logLines.length).toBeGreaterThan(50);
    for (const text of [...h.responses, ...h.logLines]) expect(text).not.toContain(SIMULATOR_DEFAULTS.key);
    for (const line of h.logLines) expect(line).not.toMatch(/(?<!\d)1[0-5]\d{16}(?!\d)/);
  });
});

describe('Alipay through the API of the real server (built-in simulator)', () => {
  it('sells with an Alipay test code: the wallet is chosen by the code, the trade is at the Alipay simulator, the day totals split by wallet', async () => {
    const token = await h.terminal();
    const id = newId();
    const res = await h.call<Payment>('POST', '/api/payments', { token, body: { id, amount_fen: 2_580, auth_code: makeAlipayTestCode('success') } });
    expect(res.status, res.text).toBe(200);
    const final = await h.waitFinal(token, id);
    expect(final).toMatchObject({ status: 'succeeded', wallet: 'alipay' });
    const trade = (await h.call('GET', `/simulator/control/alipay/orders/${final.out_trade_no}`)).body as { trade_status: string; total_fen: number; trade_no: string };
    expect(trade).toMatchObject({ trade_status: 'TRADE_SUCCESS', total_fen: 2_580, trade_no: final.transaction_id });
    const list = (await h.call<{ totals: { by_wallet: { wallet: string; succeeded_fen: number }[] } }>('GET', '/api/payments', { token })).body;
    expect(list.totals.by_wallet.find((w) => w.wallet === 'alipay')?.succeeded_fen).toBeGreaterThanOrEqual(2_580);
  });

  it('refuses a UnionPay code as not accepted here and a real customer’s Alipay code in training mode', async () => {
    const token = await h.terminal();
    const unionpay = await h.call('POST', '/api/payments', { token, body: { id: newId(), amount_fen: 100, auth_code: '6212345678901234567' } });
    expect(unionpay).toMatchObject({ status: 422, body: { error: { code: 'CODE_NOT_ACCEPTED' } } });
    const real = await h.call('POST', '/api/payments', { token, body: { id: newId(), amount_fen: 100, auth_code: '251234567890123456' } });
    expect(real).toMatchObject({ status: 422, body: { error: { code: 'TRAINING_MODE' } } });
  });
});
