import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Payment } from '../../shared/api.ts';
import type { CurrentShift, ShiftReport } from '../../shared/shop-day.ts';
import { makeTestCode } from '../../server/simulator/test-codes.ts';
import { newId, startHarness, type Harness } from './harness.ts';

/** Cashiers and shifts over HTTP on the real server, simulator and journal. */

const MANAGER = { 'x-manager-pin': '2468' };
let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const pay = (token: string, amount_fen: number, behaviour: Parameters<typeof makeTestCode>[0] = 'success', id = newId()) =>
  h.call<Payment>('POST', '/api/payments', { token, body: { id, amount_fen, auth_code: makeTestCode(behaviour) } });
const addCashier = (token: string, name: string, pin: string) => h.call('POST', '/api/cashiers', { token, headers: MANAGER, body: { name, pin } });
const openShift = (token: string, cashier_pin: string) => h.call<ShiftReport>('POST', '/api/shifts', { token, body: { cashier_pin } });
const current = async (token: string) => (await h.call<CurrentShift>('GET', '/api/shifts/current', { token })).body;

describe('a shop without cashiers', () => {
  it('takes payments as it always did, with no shift and no cashier recorded', async () => {
    const till = await h.terminal();
    expect(await current(till)).toEqual({ cashiers_required: false, shift: null });
    const paid = await pay(till, 500);
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ status: 'succeeded', cashier: null });
    expect(await openShift(till, '1357')).toMatchObject({ status: 409, body: { error: { code: 'NO_CASHIERS' } } });
  });
});

describe('cashiers and shifts', () => {
  let till: string;
  let other: string;

  beforeAll(async () => {
    till = await h.terminal('Counter');
    other = await h.terminal('Window');
  });

  it('adds cashiers only with the manager PIN, each with a PIN of their own that is not the manager’s', async () => {
    expect(await h.call('POST', '/api/cashiers', { token: till, body: { name: 'Wang', pin: '1357' } })).toMatchObject({ status: 403, body: { error: { code: 'PIN_REQUIRED' } } });
    expect(await h.call('POST', '/api/cashiers', { token: till, headers: { 'x-manager-pin': '0000' }, body: { name: 'Wang', pin: '1357' } })).toMatchObject({ status: 403, body: { error: { code: 'PIN_WRONG' } } });
    const wang = await addCashier(till, 'Wang', '1357');
    expect(wang).toMatchObject({ status: 201, body: { name: 'Wang' } });
    expect(wang.body.pin).toBeUndefined();
    expect(wang.body.pin_hash).toBeUndefined();
    expect(await addCashier(till, '李娜', '2468')).toMatchObject({ status: 400, body: { error: { code: 'INVALID_PIN' } } });
    expect(await addCashier(till, '李娜', '1357')).toMatchObject({ status: 400, body: { error: { code: 'INVALID_PIN' } } });
    expect(await addCashier(till, 'wang', '9753')).toMatchObject({ status: 409, body: { error: { code: 'CASHIER_EXISTS' } } });
    expect(await addCashier(till, '=evil', '9753')).toMatchObject({ status: 400, body: { error: { code: 'INVALID_CASHIER' } } });
    expect(await addCashier(till, '李娜', '12')).toMatchObject({ status: 400, body: { error: { code: 'INVALID_PIN' } } });
    expect(await addCashier(till, '李娜', '8642')).toMatchObject({ status: 201, body: { name: '李娜' } });
    const list = await h.call('GET', '/api/cashiers', { token: till, headers: MANAGER });
    expect(list.body.cashiers.map((c: { name: string }) => c.name)).toEqual(['Wang', '李娜']);
    // The journal holds a salted hash, never the PIN.
    expect(JSON.stringify(await h.server.store.cashiers())).not.toMatch(/"1357"|"8642"/);
  });

  it('refuses payments on a terminal without an open shift once cashiers exist', async () => {
    expect(await current(till)).toEqual({ cashiers_required: true, shift: null });
    expect(await pay(till, 300)).toMatchObject({ status: 409, body: { error: { code: 'SHIFT_REQUIRED' } } });
  });

  it('opens a shift with a cashier PIN; the payments and refunds it takes record the cashier', async () => {
    expect(await openShift(till, '9999')).toMatchObject({ status: 403, body: { error: { code: 'PIN_WRONG', attempts_left: 4 } } });
    const opened = await openShift(till, '1357');
    expect(opened).toMatchObject({ status: 200, body: { cashier: 'Wang', terminal_name: 'Counter', closed_at: null } });
    expect(Date.parse(opened.body.opened_at)).not.toBeNaN();
    // The same cashier signing in again (a retry) gets the same shift; another cashier must wait for the hand-over.
    expect((await openShift(till, '1357')).body.id).toBe(opened.body.id);
    expect(await openShift(till, '8642')).toMatchObject({ status: 409, body: { error: { code: 'SHIFT_OPEN' } } });

    const first = await pay(till, 1000);
    expect(first.body).toMatchObject({ status: 'succeeded', cashier: 'Wang' });
    expect((await pay(till, 250)).body).toMatchObject({ status: 'succeeded', cashier: 'Wang' });
    expect((await pay(till, 700, 'notenough')).body).toMatchObject({ status: 'failed', cashier: 'Wang' });
    const refund = await h.call('POST', `/api/payments/${first.body.id}/refunds`, { token: till, headers: MANAGER, body: { id: newId('r'), amount_fen: 300 } });
    expect(refund.body).toMatchObject({ status: 'succeeded', cashier: 'Wang' });
    expect((await h.call<Payment>('GET', `/api/payments/${first.body.id}`, { token: other })).body.cashier).toBe('Wang');

    const now = await current(till);
    expect(now.shift?.totals).toEqual({ count: 3, succeeded_count: 2, succeeded_fen: 1250, refunded_fen: 300, refund_count: 1, net_fen: 950 });
  });

  it('closes the shift with its hand-over report, and the next cashier signs in on the same terminal', async () => {
    const shift = (await current(till)).shift!;
    expect(await h.call('POST', `/api/shifts/${shift.id}/close`, { token: other })).toMatchObject({ status: 403, body: { error: { code: 'NOT_YOUR_SHIFT' } } });
    const closed = await h.call<ShiftReport>('POST', `/api/shifts/${shift.id}/close`, { token: till });
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({
      id: shift.id,
      cashier: 'Wang',
      terminal_name: 'Counter',
      totals: { count: 3, succeeded_count: 2, succeeded_fen: 1250, refunded_fen: 300, net_fen: 950 },
      by_wallet: [{ wallet: 'wechat', succeeded_count: 2, succeeded_fen: 1250, refunded_fen: 300, net_fen: 950 }],
      open_payments: [],
    });
    expect(Date.parse(closed.body.closed_at!)).toBeGreaterThanOrEqual(Date.parse(closed.body.opened_at));
    // Closing again answers the same report (a retry after a lost answer).
    expect((await h.call<ShiftReport>('POST', `/api/shifts/${shift.id}/close`, { token: till })).body.totals).toEqual(closed.body.totals);
    expect(await pay(till, 100)).toMatchObject({ status: 409, body: { error: { code: 'SHIFT_REQUIRED' } } });

    const next = await openShift(till, '8642');
    expect(next.body).toMatchObject({ cashier: '李娜', closed_at: null });
    expect((await pay(till, 880)).body).toMatchObject({ cashier: '李娜' });
    expect((await current(till)).shift?.totals).toMatchObject({ count: 1, succeeded_fen: 880, net_fen: 880 });

    const day = await h.call<{ date: string; shifts: ShiftReport[] }>('GET', '/api/shifts', { token: other });
    const mine = day.body.shifts.filter((s) => s.terminal === shift.terminal);
    expect(mine.map((s) => [s.cashier, s.totals.net_fen, s.closed_at === null])).toEqual([
      ['Wang', 950, false],
      ['李娜', 880, true],
    ]);
  });

  it('keeps the shift open while its terminal has a payment in progress, and hands over once it settles', async () => {
    const shift = (await current(till)).shift!;
    const waiting = await pay(till, 1234, 'password');
    expect(waiting.body.status).toBe('user_paying');
    expect(await h.call('POST', `/api/shifts/${shift.id}/close`, { token: till })).toMatchObject({ status: 409, body: { error: { code: 'PAYMENT_IN_PROGRESS' } } });
    expect((await current(till)).shift?.open_payments.map((p) => p.id)).toEqual([waiting.body.id]);
    await h.simPost(`orders/${waiting.body.out_trade_no}/confirm`);
    await h.waitStatus(till, waiting.body.id, 'succeeded');
    const closed = await h.call<ShiftReport>('POST', `/api/shifts/${shift.id}/close`, { token: till });
    expect(closed.body).toMatchObject({ cashier: '李娜', totals: { count: 2, succeeded_fen: 880 + 1234 }, open_payments: [] });
  });

  it('answers a retried payment after its shift closed, instead of refusing it', async () => {
    await openShift(till, '1357');
    const id = newId();
    const code = makeTestCode('success');
    const paid = await h.call<Payment>('POST', '/api/payments', { token: till, body: { id, amount_fen: 42, auth_code: code } });
    const shift = (await current(till)).shift!;
    await h.call('POST', `/api/shifts/${shift.id}/close`, { token: till });
    const retried = await h.call<Payment>('POST', '/api/payments', { token: till, body: { id, amount_fen: 42, auth_code: code } });
    expect(retried).toMatchObject({ status: 200, body: { id, status: 'succeeded', cashier: 'Wang', transaction_id: paid.body.transaction_id } });
  });

  it('lets one cashier hold shifts on two terminals at once, each handed over on its own', async () => {
    const a = await openShift(till, '8642');
    const b = await openShift(other, '8642');
    expect(a.body.id).not.toBe(b.body.id);
    expect((await pay(other, 60)).body.cashier).toBe('李娜');
    const closedB = await h.call<ShiftReport>('POST', `/api/shifts/${b.body.id}/close`, { token: other });
    expect(closedB.body.totals).toMatchObject({ count: 1, succeeded_fen: 60 });
    expect((await current(till)).shift?.id).toBe(a.body.id);
  });

  it('lets the manager close a shift left open on another terminal', async () => {
    const shift = (await current(till)).shift!;
    expect(await h.call('POST', `/api/shifts/${shift.id}/close`, { token: other, headers: { 'x-manager-pin': '1111' } })).toMatchObject({ status: 403, body: { error: { code: 'PIN_WRONG' } } });
    const closed = await h.call<ShiftReport>('POST', `/api/shifts/${shift.id}/close`, { token: other, headers: MANAGER });
    expect(closed.status).toBe(200);
    expect((await current(till)).shift).toBeNull();
  });

  it('rate-limits cashier PIN guesses per terminal like the manager PIN', async () => {
    const guesser = await h.terminal('Guesser');
    for (let i = 0; i < 5; i++) expect((await openShift(guesser, `00${i}0`)).status).toBe(403);
    const limited = await openShift(guesser, '1357');
    expect(limited).toMatchObject({ status: 429, body: { error: { code: 'TOO_MANY_ATTEMPTS' } } });
    // Another terminal is not held up by this one's guesses.
    expect((await openShift(till, '1357')).status).toBe(200);
  });

  it('removes a cashier with the manager PIN; their past shifts keep the name, and without cashiers the till needs no shift', async () => {
    const list = (await h.call('GET', '/api/cashiers', { token: till, headers: MANAGER })).body.cashiers as { id: string; name: string }[];
    for (const c of list) expect(await h.call('DELETE', `/api/cashiers/${c.id}`, { token: till, headers: MANAGER })).toMatchObject({ status: 200, body: { ok: true } });
    expect(await h.call('DELETE', `/api/cashiers/${list[0]!.id}`, { token: till, headers: MANAGER })).toMatchObject({ status: 404 });
    // Wang's shift opened above stays open until handed over, and keeps taking payments in his name.
    expect((await pay(till, 10)).body.cashier).toBe('Wang');
    const shift = (await current(till)).shift!;
    await h.call('POST', `/api/shifts/${shift.id}/close`, { token: till });
    expect(await current(till)).toEqual({ cashiers_required: false, shift: null });
    expect((await pay(till, 10)).body).toMatchObject({ status: 'succeeded', cashier: null });
    const day = await h.call<{ shifts: ShiftReport[] }>('GET', '/api/shifts', { token: till });
    expect(new Set(day.body.shifts.map((s) => s.cashier))).toEqual(new Set(['Wang', '李娜']));
  });
});

describe('the owner’s read-only terminal', () => {
  it('reads the report, the history and the shifts without a PIN, and can take no payment, refund or shift', async () => {
    const owner = (await h.server.terminals.add('Boss phone', 'owner')).token;
    const till = await h.terminal();
    const paid = await pay(till, 999);
    expect((await h.call('GET', '/api/terminal', { token: owner })).body).toMatchObject({ role: 'owner', terminal: { name: 'Boss phone' } });
    expect((await h.call('GET', '/api/report?period=day', { token: owner })).status).toBe(200);
    expect((await h.call('GET', '/api/payments', { token: owner })).status).toBe(200);
    expect((await h.call('GET', `/api/payments/${paid.body.id}`, { token: owner })).status).toBe(200);
    expect((await h.call('GET', '/api/shifts', { token: owner })).status).toBe(200);
    for (const [method, path, body] of [
      ['POST', '/api/payments', { id: newId(), amount_fen: 1, auth_code: makeTestCode('success') }],
      ['POST', `/api/payments/${paid.body.id}/refunds`, { id: newId('r'), amount_fen: 1 }],
      ['POST', `/api/payments/${paid.body.id}/cancel`, undefined],
      ['POST', '/api/shifts', { cashier_pin: '1357' }],
      ['POST', '/api/cashiers', { name: 'X', pin: '5555' }],
    ] as const) {
      expect(await h.call(method, path, { token: owner, headers: MANAGER, ...(body ? { body } : {}) }), path).toMatchObject({ status: 403, body: { error: { code: 'READ_ONLY_TERMINAL' } } });
    }
    expect((await h.call<Payment>('GET', `/api/payments/${paid.body.id}`, { token: till })).body.refunded_fen).toBe(0);
  });

  it('a till reads the report only with the manager PIN', async () => {
    const till = await h.terminal();
    expect(await h.call('GET', '/api/report', { token: till })).toMatchObject({ status: 403, body: { error: { code: 'PIN_REQUIRED' } } });
    expect(await h.call('GET', '/api/report?period=year', { token: till, headers: MANAGER })).toMatchObject({ status: 400, body: { error: { code: 'INVALID_PERIOD' } } });
    expect((await h.call('GET', '/api/report?period=month', { token: till, headers: MANAGER })).status).toBe(200);
  });
});
