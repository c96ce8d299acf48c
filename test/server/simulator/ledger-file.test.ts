import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LEDGER_MAX_ORDERS } from '../../../server/simulator/ledger/index.ts';
import { LedgerInUseError } from '../../../server/simulator/ledger-store.ts';
import { makeTestCode } from '../../../server/simulator/test-codes.ts';
import { harness } from './helpers.ts';

/** The simulator's ledger in a SQLite file: what a restart keeps, what it refuses, what it forgets. */
let dir: string;
let file: string;
const open: { sim: { close(): void } }[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sim-ledger-'));
  file = join(dir, 'data', 'simulator.sqlite');
});
afterEach(() => {
  for (const h of open.splice(0)) h.sim.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A simulator on the ledger file whose clock starts where `at` says. */
function start(at?: string, options: Parameters<typeof harness>[0] = {}) {
  const h = harness({ ledgerFile: file, ...options }, at);
  open.push(h);
  return h;
}
function restart(h: ReturnType<typeof start>, options: Parameters<typeof harness>[0] = {}) {
  h.sim.close();
  open.splice(open.indexOf(h), 1);
  return start(h.clock.now().toISOString(), options);
}

describe('simulator ledger in a file', () => {
  it('creates the file owner-only, with its directory', async () => {
    start();
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('refunds, queries and bills a payment made before a restart', async () => {
    const first = start();
    const paid = await first.pay('success', { out_trade_no: 'L1', total_fee: '500' });
    await first.refund('L1', 'RL1', 200, 500);
    const second = restart(first);
    expect(second.sim.order('L1')).toMatchObject({ trade_state: 'REFUND', total_fee: 500, transaction_id: paid.fields.transaction_id, refunds: [{ out_refund_no: 'RL1', refund_fee: 200 }] });
    expect((await second.query('L1')).fields).toMatchObject({ trade_state: 'REFUND', transaction_id: paid.fields.transaction_id, time_end: paid.fields.time_end });
    // The same refund again is the same refund; a new one refunds what is left.
    expect((await second.refund('L1', 'RL1', 200, 500)).fields.result_code).toBe('SUCCESS');
    expect((await second.refund('L1', 'RL2', 300, 500)).fields.result_code).toBe('SUCCESS');
    expect((await second.refund('L1', 'RL3', 1, 500)).fields.err_code_des).toBe('订单已全额退款');
    second.clock.advance(2_000);
    expect((await second.call('/pay/refundquery', { out_trade_no: 'L1' })).fields).toMatchObject({ refund_count: '2', refund_status_0: 'SUCCESS', refund_status_1: 'SUCCESS' });
    const bill = await second.call('/pay/downloadbill', { bill_date: '20261128', bill_type: 'ALL' });
    expect(bill.text).toContain('L1');
  });

  it('still refuses a code used before the restart, and remembers a coupon order and a recall answered', async () => {
    const first = start();
    const code = makeTestCode('success');
    await first.micropay({ out_trade_no: 'L2', auth_code: code });
    await first.pay('coupon', { out_trade_no: 'L3', total_fee: '1000' });
    await first.pay('reverse_recall', { out_trade_no: 'L4' });
    expect((await first.reverse('L4')).fields.recall).toBe('Y');
    const couponBefore = (await first.query('L3')).fields;
    const second = restart(first);
    expect((await second.micropay({ out_trade_no: 'L5', auth_code: code })).fields.err_code).toBe('AUTH_CODE_INVALID');
    const couponAfter = (await second.query('L3')).fields;
    for (const name of ['coupon_id_0', 'coupon_fee', 'cash_fee', 'settlement_total_fee', 'transaction_id']) expect(couponAfter[name], name).toBe(couponBefore[name]);
    expect((await second.reverse('L4')).fields).toMatchObject({ result_code: 'SUCCESS', recall: 'N' });
  });

  it('keeps a handed-out code’s time to live across a restart', async () => {
    const first = start(undefined, { codeTtlMs: 60_000 });
    const res = await first.sim.app.request('/control/codes', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const { code } = (await res.json()) as { code: string };
    first.clock.advance(61_000);
    const second = restart(first, { codeTtlMs: 60_000 });
    expect((await second.micropay({ auth_code: code })).fields.err_code).toBe('AUTHCODEEXPIRE');
  });

  it('applies the 45 s revoke to an order left waiting when the simulator stopped', async () => {
    const first = start();
    await first.pay('password', { out_trade_no: 'L6' });
    first.clock.advance(60_000);
    const second = restart(first);
    expect((await second.query('L6')).fields.trade_state).toBe('REVOKED');
  });

  it('forgets everything on POST /control/reset, also after a restart', async () => {
    const first = start();
    await first.pay('success', { out_trade_no: 'L7' });
    await first.sim.app.request('/control/reset', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(restart(first).sim.orders()).toEqual([]);
  });

  it('answers a request that arrives after close() without keeping it', async () => {
    const h = start();
    h.sim.close();
    expect((await h.pay('success', { out_trade_no: 'LATE' })).fields.result_code).toBe('SUCCESS');
    expect(start().sim.order('LATE')).toBeUndefined();
  });

  it('refuses a second simulator on the same file while the first has it open', () => {
    start();
    expect(() => start()).toThrow(LedgerInUseError);
  });

  it('drops orders older than its retention (past the one-year refund window) at start', async () => {
    const first = start('2025-01-01T02:00:00.000Z');
    await first.pay('success', { out_trade_no: 'OLD' });
    first.clock.advance(370 * 24 * 3600_000);
    await first.pay('success', { out_trade_no: 'NEW' });
    // Still within a year and a bit: a late refund gets WeChat's TRADE_OVERDUE, not ORDERNOTEXIST.
    expect((await first.refund('OLD', 'ROLD', 1)).fields.err_code).toBe('TRADE_OVERDUE');
    first.clock.advance(40 * 24 * 3600_000);
    const second = restart(first);
    expect(second.sim.orders().map((o) => o.out_trade_no)).toEqual(['NEW']);
  });

  it('keeps at most ledgerMaxOrders orders, dropping the oldest, in memory and in the file', async () => {
    const first = start(undefined, { ledgerMaxOrders: 3 });
    for (const n of [1, 2, 3, 4, 5]) {
      await first.pay('success', { out_trade_no: `M${n}` });
      first.clock.advance(1_000);
    }
    expect(first.sim.orders().map((o) => o.out_trade_no)).toEqual(['M3', 'M4', 'M5']);
    expect(restart(first, { ledgerMaxOrders: 3 }).sim.orders().map((o) => o.out_trade_no)).toEqual(['M3', 'M4', 'M5']);
    expect(LEDGER_MAX_ORDERS).toBe(50_000);
  });
});
