import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChainSummary, Payment, ReconciliationResult, Refund, TerminalDetails } from '../../shared/api.ts';
import { localDate } from '../../server/payments/shop-time.ts';
import { addDays } from '../../server/reports/periods.ts';
import type { Shop } from '../../server/shops/shops.ts';
import { makeTestCode } from '../../server/simulator/test-codes.ts';
import type { Gateway, Outcome } from '../../server/wechat/gateway.ts';
import { newId, startHarness, type Answer, type Harness } from './harness.ts';

/**
 * Shops on one server (README "Shops"), on SQLite and PostgreSQL: a terminal sees, cancels and
 * refunds only its own shop's payments, every day figure is its shop's, each shop has its own
 * manager PIN, and a service provider's shop sends its sub_mch_id on every WeChat call.
 *
 * The isolation cases are checked against the server's route table: a route added without a
 * case here fails the test, so no route can escape the check.
 */

const PIN_A = '2468'; // the default shop's (MANAGER_PIN in the harness)
const PIN_B = '1357';
const SUB_MCH_B = '1900000109';

/** What the gateway was asked for whom: the sub-merchant each call named, and the one WeChat's signed answer echoed. */
interface Call {
  op: string;
  ref: string;
  sent?: string;
  echoed?: string;
}
const calls: Call[] = [];

function recording(inner: Gateway): Gateway {
  const record = async <T,>(op: string, ref: string, sent: string | undefined, outcome: Promise<Outcome<T>>): Promise<Outcome<T>> => {
    const answer = await outcome;
    calls.push({ op, ref, ...(sent ? { sent } : {}), ...(answer.fields.sub_mch_id ? { echoed: answer.fields.sub_mch_id } : {}) });
    return answer;
  };
  return {
    micropay: (r) => record('micropay', r.out_trade_no, r.merchant?.sub_mch_id, inner.micropay(r)),
    orderQuery: (q) => record('orderquery', q.out_trade_no, q.merchant?.sub_mch_id, inner.orderQuery(q)),
    reverse: (q) => record('reverse', q.out_trade_no, q.merchant?.sub_mch_id, inner.reverse(q)),
    refund: (r) => record('refund', r.out_trade_no, r.merchant?.sub_mch_id, inner.refund(r)),
    refundQuery: (q) => record('refundquery', q.out_refund_no, q.merchant?.sub_mch_id, inner.refundQuery(q)),
  };
}

let h: Harness;
let shopB: Shop;
const tokens = { a: '', a2: '', b: '', operator: '' };
/** Shop A's journal: what no answer to shop B may contain. */
const a = { payment: undefined as unknown as Payment, refundId: '', cashierId: '', shiftId: '', terminalIds: [] as string[] };
let bPayment: Payment;

const pay = async (token: string, amount_fen: number, code = makeTestCode('success')) => {
  const res = await h.call<Payment>('POST', '/api/payments', { token, body: { id: newId(), amount_fen, auth_code: code } });
  expect(res.status, res.text).toBe(200);
  return res.body;
};
const refund = async (token: string, paymentId: string, pin: string, amount_fen: number) =>
  h.call<Refund>('POST', `/api/payments/${paymentId}/refunds`, { token, body: { id: newId('r'), amount_fen }, headers: { 'x-manager-pin': pin } });

beforeAll(async () => {
  h = await startHarness({ SHOP_NAME: 'Alpha', SHOP_TIMEZONE: 'Asia/Shanghai' }, { wrapGateway: recording });
  shopB = await h.server.shops.add({ name: 'Bravo', subMchId: SUB_MCH_B, timeZone: 'Asia/Urumqi' });
  await h.server.terminals.setPin(PIN_B, shopB.id);
  const addA = await h.server.terminals.add('Alpha till');
  const addA2 = await h.server.terminals.add('Alpha till 2');
  tokens.a = addA.token;
  tokens.a2 = addA2.token;
  a.terminalIds = [addA.terminal.id, addA2.terminal.id];
  tokens.b = (await h.server.terminals.add('Bravo till', 'till', shopB.id)).token;
  tokens.operator = (await h.server.terminals.add('Chain HQ', 'operator')).token;

  // Shop A: a paid and partly refunded payment, then a cashier on shift (A's tills need a shift from now on).
  a.payment = await h.waitFinal(tokens.a, (await pay(tokens.a, 1_000)).id);
  const r = await refund(tokens.a, a.payment.id, PIN_A, 300);
  expect(r.status, r.text).toBe(200);
  a.refundId = r.body.id;
  const cashier = await h.call('POST', '/api/cashiers', { token: tokens.a, body: { name: 'Wangwu', pin: '8642' }, headers: { 'x-manager-pin': PIN_A } });
  expect(cashier.status, cashier.text).toBe(201);
  a.cashierId = cashier.body.id;
  const shift = await h.call('POST', '/api/shifts', { token: tokens.a, body: { cashier_pin: '8642' } });
  expect(shift.status, shift.text).toBe(200);
  a.shiftId = shift.body.id;

  // Shop B: a payment of its own.
  bPayment = await h.waitFinal(tokens.b, (await pay(tokens.b, 2_000)).id);
}, 60_000);

afterAll(async () => {
  await h?.close();
});

/** Every identifier of shop A's journal: none may appear in an answer to shop B's terminal. */
const shopASecrets = () => [a.payment.id, a.payment.out_trade_no, a.refundId, a.cashierId, 'Wangwu', a.shiftId, 'Alpha till', ...a.terminalIds];

const today = () => localDate(Date.now(), 'Asia/Shanghai');
const exportRange = () => `from=${addDays(today(), -1)}&to=${addDays(today(), 1)}`;

/**
 * How shop B's till meets each route with shop A's ids (404) or with its own scope (only B's
 * rows). Keyed by the route table's `METHOD path`.
 */
const B_CASES: Record<string, () => Promise<Answer & { asked?: string }>> = {
  'GET /api/terminal': async () => {
    const res = await h.call<TerminalDetails>('GET', '/api/terminal', { token: tokens.b });
    expect(res.body).toMatchObject({ shop_id: shopB.id, shop_name: 'Bravo', time_zone: 'Asia/Urumqi', pin_configured: true });
    return res;
  },
  // Shop A's PIN is not shop B's.
  'POST /api/terminal/unpair': async () => expectStatus(await h.call('POST', '/api/terminal/unpair', { token: tokens.b, headers: { 'x-manager-pin': PIN_A } }), 403, 'PIN_WRONG'),
  'GET /api/terminals': async () => {
    const res = await h.call('GET', '/api/terminals', { token: tokens.b });
    expect(res.body.terminals.map((t: { name: string }) => t.name)).toEqual(['Bravo till']);
    return res;
  },
  // A's payment id on B's till: the id is taken, nothing of A's payment comes back.
  'POST /api/payments': async () => asking(a.payment.id, expectStatus(await h.call('POST', '/api/payments', { token: tokens.b, body: { id: a.payment.id, amount_fen: 1_000, auth_code: makeTestCode('success') } }), 409, 'ID_CONFLICT')),
  'GET /api/payments': async () => {
    const res = await h.call('GET', `/api/payments?date=${localDate(Date.now(), 'Asia/Urumqi')}`, { token: tokens.b });
    expect(res.body.payments.map((p: Payment) => p.id)).toEqual([bPayment.id]);
    expect(res.body.totals).toMatchObject({ count: 1, succeeded_fen: 2_000, refunded_fen: 0 });
    return res;
  },
  'GET /api/payments/active': async () => {
    const res = await h.call('GET', '/api/payments/active', { token: tokens.b });
    expect(res.body).toEqual({ payment: null });
    return res;
  },
  'GET /api/payments/:id': async () => asking(a.payment.id, expectStatus(await h.call('GET', `/api/payments/${a.payment.id}`, { token: tokens.b }), 404, 'NOT_FOUND')),
  'GET /api/payments/:id/refunds': async () => asking(a.payment.id, expectStatus(await h.call('GET', `/api/payments/${a.payment.id}/refunds`, { token: tokens.b }), 404, 'NOT_FOUND')),
  'POST /api/payments/:id/cancel': async () => asking(a.payment.id, expectStatus(await h.call('POST', `/api/payments/${a.payment.id}/cancel`, { token: tokens.b }), 404, 'NOT_FOUND')),
  'POST /api/payments/:id/refunds': async () => asking(a.payment.id, expectStatus(await refund(tokens.b, a.payment.id, PIN_B, 100), 404, 'NOT_FOUND')),
  'GET /api/cashiers': async () => {
    const res = await h.call('GET', '/api/cashiers', { token: tokens.b, headers: { 'x-manager-pin': PIN_B } });
    expect(res.body).toEqual({ cashiers: [] });
    return res;
  },
  // Shop A's manager PIN manages nothing in shop B.
  'POST /api/cashiers': async () => expectStatus(await h.call('POST', '/api/cashiers', { token: tokens.b, body: { name: 'Zhao', pin: '9753' }, headers: { 'x-manager-pin': PIN_A } }), 403, 'PIN_WRONG'),
  'DELETE /api/cashiers/:id': async () => asking(a.cashierId, expectStatus(await h.call('DELETE', `/api/cashiers/${a.cashierId}`, { token: tokens.b, headers: { 'x-manager-pin': PIN_B } }), 404, 'NOT_FOUND')),
  // Shop A's cashier cannot sign in at shop B (B has no cashiers: its tills need no shift).
  'POST /api/shifts': async () => expectStatus(await h.call('POST', '/api/shifts', { token: tokens.b, body: { cashier_pin: '8642' } }), 409, 'NO_CASHIERS'),
  'GET /api/shifts': async () => {
    const res = await h.call('GET', `/api/shifts?date=${today()}`, { token: tokens.b });
    expect(res.body.shifts).toEqual([]);
    return res;
  },
  'GET /api/shifts/current': async () => {
    const res = await h.call('GET', '/api/shifts/current', { token: tokens.b });
    expect(res.body).toEqual({ cashiers_required: false, shift: null });
    return res;
  },
  'POST /api/shifts/:id/close': async () => asking(a.shiftId, expectStatus(await h.call('POST', `/api/shifts/${a.shiftId}/close`, { token: tokens.b, headers: { 'x-manager-pin': PIN_B } }), 404, 'NOT_FOUND')),
  'GET /api/exports/payments.csv': async () => {
    const res = await h.call('GET', `/api/exports/payments.csv?${exportRange()}`, { token: tokens.b, headers: { 'x-manager-pin': PIN_B } });
    expect(res.status).toBe(200);
    expect(res.text).toContain(bPayment.out_trade_no);
    return res;
  },
  'GET /api/exports/refunds.csv': async () => {
    const res = await h.call('GET', `/api/exports/refunds.csv?${exportRange()}`, { token: tokens.b, headers: { 'x-manager-pin': PIN_B } });
    expect(res.status).toBe(200);
    return res;
  },
  'GET /api/report': async () => {
    const res = await h.call('GET', `/api/report?period=day&date=${localDate(Date.now(), 'Asia/Urumqi')}`, { token: tokens.b, headers: { 'x-manager-pin': PIN_B } });
    expect(res.status, res.text).toBe(200);
    expect(res.body.time_zone).toBe('Asia/Urumqi');
    expect(res.body.totals).toMatchObject({ count: 1, succeeded_fen: 2_000, refunded_fen: 0 });
    return res;
  },
  // Reconciliation compares shop B's journal with its sub-merchant's bill: B's payment only, matched.
  'POST /api/reconciliations': async () => {
    const res = await h.call<ReconciliationResult>('POST', '/api/reconciliations', { token: tokens.b, body: { date: today() }, headers: { 'x-manager-pin': PIN_B } });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ shop: shopB.id, status: 'matched', counts: { journal: 1, bill: 1, matched: 1 } });
    return res;
  },
  'GET /api/reconciliations': async () => {
    await h.call('POST', '/api/reconciliations', { token: tokens.b, body: { date: today() }, headers: { 'x-manager-pin': PIN_B } });
    const res = await h.call<ReconciliationResult>('GET', `/api/reconciliations?date=${today()}`, { token: tokens.b, headers: { 'x-manager-pin': PIN_B } });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ shop: shopB.id, status: 'matched' });
    return res;
  },
  'GET /api/reconciliations.csv': async () => {
    await h.call('POST', '/api/reconciliations', { token: tokens.b, body: { date: today() }, headers: { 'x-manager-pin': PIN_B } });
    const res = await h.call('GET', `/api/reconciliations.csv?date=${today()}`, { token: tokens.b, headers: { 'x-manager-pin': PIN_B } });
    expect(res.status, res.text).toBe(200);
    return res;
  },
  // The chain's summary is the operator's: a shop's till is refused.
  'GET /api/operator/summary': async () => expectStatus(await h.call('GET', '/api/operator/summary', { token: tokens.b }), 403, 'WRONG_ROLE'),
};

/** The routes an operator token may call: who it is, and the chain's routes. */
const OPERATOR_ROUTES = new Set(['GET /api/operator/summary']);
/** Open routes (no token): they show no shop's data. */
const OPEN_ROUTES = new Set(['GET /api/health', 'POST /api/pair']);

/** The answer to a request that named one of shop A's ids itself: an error may repeat that id, and nothing more. */
const asking = (id: string, res: Answer): Answer & { asked: string } => ({ ...res, asked: id });

function expectStatus(res: Answer, status: number, code: string): Answer {
  expect(res.status, res.text).toBe(status);
  expect(res.body.error.code).toBe(code);
  return res;
}

function apiRoutes(): string[] {
  const keys = h.server.app.routes.filter((r) => r.path.startsWith('/api/') && r.method !== 'ALL').map((r) => `${r.method} ${r.path}`);
  return [...new Set(keys)].filter((k) => !OPEN_ROUTES.has(k));
}

/** A route's path with shop A's ids in it (for the operator's check). */
const withIds = (path: string) => path.replace(':id', a.payment.id);

describe('shop isolation at every API route', () => {
  it('has a case for every route of the route table', () => {
    const routes = apiRoutes();
    expect(routes.length).toBeGreaterThan(20);
    expect(routes.filter((r) => !(r in B_CASES))).toEqual([]);
  });

  it.each(Object.keys(B_CASES))('%s: shop B’s till gets 404/403 for shop A’s ids and none of shop A’s data', async (route) => {
    const res = await B_CASES[route]!();
    const text = res.asked ? res.text.replaceAll(res.asked, '<asked>') : res.text;
    for (const secret of shopASecrets()) expect(text, `${route} answers with shop A's ${secret}`).not.toContain(secret);
  });

  it('lets shop A’s own tills see what shop B’s cannot (the check above can fail)', async () => {
    expect((await h.call('GET', `/api/payments/${a.payment.id}`, { token: tokens.a2 })).status).toBe(200);
    expect((await h.call('GET', `/api/payments?date=${today()}`, { token: tokens.a2 })).text).toContain(a.payment.out_trade_no);
    expect((await h.call('GET', '/api/terminals', { token: tokens.a2 })).text).toContain('Alpha till');
    expect((await h.call('GET', '/api/cashiers', { token: tokens.a2, headers: { 'x-manager-pin': PIN_A } })).text).toContain('Wangwu');
    expect((await h.call('GET', `/api/shifts?date=${today()}`, { token: tokens.a2 })).text).toContain(a.shiftId);
    expect((await h.call('GET', `/api/exports/refunds.csv?${exportRange()}`, { token: tokens.a2, headers: { 'x-manager-pin': PIN_A } })).text).toContain(a.payment.out_trade_no);
    expect((await h.call('GET', '/api/payments/' + bPayment.id, { token: tokens.a2 })).status).toBe(404);
    // Shop B's PIN refunds nothing in shop A.
    expectStatus((await refund(tokens.a2, a.payment.id, PIN_B, 100)) as Answer, 403, 'PIN_WRONG');
  });

  it.each(Object.keys(B_CASES))('%s: the operator token is refused unless it is one of its routes', async (route) => {
    const [method, path] = route.split(' ') as [string, string];
    const res = await h.call(method, withIds(path), { token: tokens.operator, ...(method === 'GET' ? {} : { body: {} }) });
    if (OPERATOR_ROUTES.has(route)) expect(res.status, res.text).toBe(200);
    else expectStatus(res, 403, 'WRONG_ROLE');
  });
});

describe('shops on one server', () => {
  it('sends shop B’s sub_mch_id on its micropay, queries, reverse, refund and refund query, and none for shop A', async () => {
    // A payment that waits for the password, canceled: its reverse and queries carry the sub-merchant too.
    const waiting = await pay(tokens.b, 500, makeTestCode('password'));
    const canceled = await h.call<Payment>('POST', `/api/payments/${waiting.id}/cancel`, { token: tokens.b });
    expect(canceled.status, canceled.text).toBe(200);
    expect((await h.waitFinal(tokens.b, waiting.id)).status).toBe('canceled');
    const refunded = await refund(tokens.b, bPayment.id, PIN_B, 700);
    expect(refunded.status, refunded.text).toBe(200);

    const ofB = calls.filter((c) => c.ref === bPayment.out_trade_no || c.ref === waiting.out_trade_no || c.ref === refunded.body.id);
    expect(ofB.map((c) => c.op)).toEqual(expect.arrayContaining(['micropay', 'orderquery', 'reverse', 'refund']));
    for (const c of ofB) expect(c, `${c.op} ${c.ref}`).toMatchObject({ sent: SUB_MCH_B, echoed: SUB_MCH_B });
    const ofA = calls.filter((c) => c.ref === a.payment.out_trade_no || c.ref === a.refundId);
    expect(ofA.length).toBeGreaterThan(0);
    for (const c of ofA) expect(c.sent ?? c.echoed).toBeUndefined();
  });

  it("reconciles each shop against its own bill: the default shop's leaves out shop B's payment, which B's matches", async () => {
    const ofA = await h.call<ReconciliationResult>('POST', '/api/reconciliations', { token: tokens.a, body: { date: today() }, headers: { 'x-manager-pin': PIN_A } });
    expect(ofA.status, ofA.text).toBe(200);
    expect(ofA.body).toMatchObject({ shop: 'default', status: 'matched', counts: { journal: 1, bill: 1, matched: 1 } });
    expect(ofA.text).not.toContain(bPayment.out_trade_no);
    const ofB = await h.call<ReconciliationResult>('GET', `/api/reconciliations?date=${today()}`, { token: tokens.b, headers: { 'x-manager-pin': PIN_B } });
    expect(ofB.body.shop).toBe(shopB.id);
    expect(ofB.text).not.toContain(a.payment.out_trade_no);
  });

  it('gives the operator every shop’s day and the chain’s sums', async () => {
    const res = await h.call<ChainSummary>('GET', `/api/operator/summary?date=${today()}`, { token: tokens.operator });
    expect(res.status, res.text).toBe(200);
    const byId = new Map(res.body.shops.map((s) => [s.id, s]));
    expect(byId.get('default')).toMatchObject({ name: 'Alpha', time_zone: 'Asia/Shanghai', sub_mch_id: null, terminals: 2 });
    expect(byId.get('default')!.totals).toMatchObject({ succeeded_fen: 1_000, refunded_fen: 300, net_fen: 700 });
    expect(byId.get(shopB.id)).toMatchObject({ name: 'Bravo', time_zone: 'Asia/Urumqi', sub_mch_id: SUB_MCH_B, terminals: 1 });
    const sum = (k: 'count' | 'succeeded_fen' | 'refunded_fen') => res.body.shops.reduce((n, s) => n + s.totals[k], 0);
    expect(res.body.totals).toMatchObject({ count: sum('count'), succeeded_fen: sum('succeeded_fen'), refunded_fen: sum('refunded_fen') });
  });

  it('lets a terminal of one shop work while another shop requires shifts', async () => {
    // Shop A has a cashier: its second till, without a shift, is refused; shop B's till is not.
    const refused = await h.call('POST', '/api/payments', { token: tokens.a2, body: { id: newId(), amount_fen: 100, auth_code: makeTestCode('success') } });
    expectStatus(refused, 409, 'SHIFT_REQUIRED');
    expect((await pay(tokens.b, 100)).status).not.toBe('failed');
  });
});
