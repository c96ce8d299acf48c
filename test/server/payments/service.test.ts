import { fsync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTestCode } from '../../../server/simulator/test-codes.ts';
import { openSqliteStore } from '../../../server/store/sqlite.ts';
import { GatewayError, type PaidOrder } from '../../../server/wechat/gateway.ts';
import { bizError } from './fake-wechat.ts';
import { Harness, openStore } from './harness.ts';
import { eventually } from '../../support/eventually.ts';

let h: Harness;
beforeEach(() => {
  h = new Harness();
});
afterEach(async () => {
  await h.close();
});

describe('create: idempotency and one payment per terminal', () => {
  it('returns the same payment for the same id and fields, and charges once', async () => {
    const code = makeTestCode();
    const first = await h.create({ id: 'same', amount_fen: 800, auth_code: code, description: 'Tea' });
    const again = await h.create({ id: 'same', amount_fen: 800, auth_code: code, description: 'Tea' });
    expect(again).toEqual(first);
    expect(h.wechat.count('micropay')).toBe(1);
  });

  it.each([
    ['another amount', { amount_fen: 801 }],
    ['another code', { auth_code: makeTestCode() }],
    ['another description', { description: 'Coffee' }],
    ['another terminal', { terminal: 'till-2' }],
  ])('answers 409 ID_CONFLICT when the same id comes with %s', async (_name, change) => {
    const code = makeTestCode();
    await h.create({ id: 'dup', amount_fen: 800, auth_code: code, description: 'Tea' });
    await expect(h.create({ id: 'dup', amount_fen: 800, auth_code: code, description: 'Tea', ...change })).rejects.toMatchObject({
      name: 'Refusal',
      code: 'ID_CONFLICT',
    });
    expect(h.wechat.count('micropay')).toBe(1);
  });

  it('sends 20 concurrent creates with one id to the gateway once', async () => {
    h.wechat.micropayMode = 'userpaying';
    const code = makeTestCode();
    const results = await Promise.all(Array.from({ length: 20 }, () => h.create({ id: 'burst', auth_code: code })));
    expect(new Set(results.map((p) => p.out_trade_no)).size).toBe(1);
    expect(h.wechat.count('micropay')).toBe(1);
  });

  it('lets only one of 20 concurrent payments on one terminal through and names it to the others', async () => {
    h.wechat.micropayMode = 'userpaying';
    const settled = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => h.create({ id: `c${i}` })));
    const won = settled.filter((s) => s.status === 'fulfilled');
    expect(won).toHaveLength(1);
    const winner = (won[0] as PromiseFulfilledResult<{ id: string }>).value.id;
    for (const s of settled) {
      if (s.status === 'rejected') {
        expect(s.reason).toMatchObject({ name: 'Refusal', code: 'PAYMENT_IN_PROGRESS' });
        expect((s.reason as Error).message).toContain(winner);
      }
    }
    expect(h.wechat.count('micropay')).toBe(1);
  });

  it('frees the terminal once the payment is final', async () => {
    h.wechat.micropayMode = 'userpaying';
    const first = await h.create();
    expect((await h.service.active('till-1'))?.id).toBe(first.id);
    h.wechat.pay(first.out_trade_no);
    await h.until(first.id, ['succeeded']);
    expect(await h.service.active('till-1')).toBeUndefined();
    expect((await h.create()).status).toBe('user_paying');
  });

  it('answers with the payment still processing when the gateway is slower than respondWithinMs', async () => {
    h.wechat.once('micropay', async (fallback) => {
      await h.clock.sleep(10_000);
      return fallback();
    });
    const pending = h.create();
    await h.clock.advance(3_000);
    expect((await pending).status).toBe('processing');
    await h.clock.advance(7_000);
    expect((await h.payment((await pending).id)).status).toBe('succeeded');
  });
});

describe('create while the journal waits for the disk', () => {
  it('sends the payment once, with its code, when a recovery sweep runs while the insert waits for its fsync', async () => {
    const held: (() => void)[] = [];
    const store = openSqliteStore(h.dir, { fileName: 'held.sqlite', fsync: (fd, done) => held.push(() => fsync(fd, done)) });
    const service = h.newService({ store });
    const code = makeTestCode();
    const pending = service.create('till-1', { id: 'gap', amount_fen: 500, auth_code: code });
    await eventually('the insert waiting for its fsync', () => held.length > 0, { intervalMs: 5 });
    await service.sweep(); // the row is committed and due, its fsync not done: the sweep must leave it alone
    held.splice(0).forEach((go) => go());
    const payment = await pending;
    expect(payment.status).toBe('succeeded');
    expect(h.wechat.calls.filter((c) => c.op === 'micropay')).toEqual([{ op: 'micropay', out_trade_no: payment.out_trade_no, auth_code: code }]);
    await service.close();
    await store.close();
  });
});

describe('create: validation of its own', () => {
  it.each([
    [0, 'INVALID_AMOUNT'],
    [-5, 'INVALID_AMOUNT'],
    [1.5, 'INVALID_AMOUNT'],
    [Number.NaN, 'INVALID_AMOUNT'],
    [Number.MAX_SAFE_INTEGER + 1, 'INVALID_AMOUNT'],
    [1_000_001, 'AMOUNT_TOO_LARGE'],
  ])('refuses amount %s with %s', async (amount_fen, code) => {
    await expect(h.create({ amount_fen })).rejects.toMatchObject({ name: 'Refusal', code });
    expect(h.wechat.count('micropay')).toBe(0);
  });

  it('refuses codes of no wallet this till takes with the cashier message', async () => {
    await expect(h.create({ auth_code: '6212345678901234567' })).rejects.toMatchObject({ code: 'CODE_NOT_ACCEPTED', message: expect.stringMatching(/UnionPay/) });
    await expect(h.create({ auth_code: 'wxp://f2f0abc' })).rejects.toMatchObject({ code: 'CODE_NOT_ACCEPTED' });
  });

  it('refuses an Alipay code when Alipay is switched off, sending nothing', async () => {
    await expect(h.create({ auth_code: '280000123456789012' })).rejects.toMatchObject({ code: 'WALLET_OFF', message: expect.stringMatching(/Alipay is not set up/) });
    expect(h.wechat.calls).toEqual([]);
  });

  it('refuses ids outside [A-Za-z0-9_-]{1,32}', async () => {
    await expect(h.create({ id: 'a b' })).rejects.toMatchObject({ code: 'INVALID_ID' });
    await expect(h.create({ id: 'x'.repeat(33) })).rejects.toMatchObject({ code: 'INVALID_ID' });
  });

  it('never writes the full payment code to the journal', async () => {
    const code = makeTestCode();
    const p = await h.create({ auth_code: code });
    expect(p.auth_code_masked).toBe(`${code.slice(0, 4)}${'*'.repeat(10)}${code.slice(-4)}`);
    await h.store.close();
    for (const file of readdirSync(h.dir)) expect(readFileSync(join(h.dir, file)).includes(code)).toBe(false);
    h.store = openStore(h.dir);
  });
});

describe('payment JSON', () => {
  it('has the fields of shared/api.ts with ISO times', async () => {
    const p = await h.create({ amount_fen: 250, description: 'Bun' });
    expect(p).toEqual({
      id: p.id,
      wallet: 'wechat',
      out_trade_no: expect.stringMatching(/^P\d{14}[0-9a-f]{12}$/),
      amount_fen: 250,
      status: 'succeeded',
      transaction_id: expect.any(String),
      refunded_fen: 0,
      created_at: '2026-11-28T02:00:00.000Z',
      updated_at: '2026-11-28T02:00:00.000Z',
      description: 'Bun',
      terminal: 'till-1',
      auth_code_masked: expect.stringMatching(/^\d{4}\*{10}\d{4}$/),
      cashier: null,
      // The fake's paid answer has no cash_fee, coupon_fee, settlement_total_fee or bank_type.
      cash_fen: null,
      coupon_fen: null,
      settlement_fen: null,
      bank_type: null,
    });
  });

  it('carries what WeChat says the customer paid with: cash, coupon, settlement and bank', async () => {
    h.wechat.once('micropay', async (fallback) => {
      const answer = await fallback();
      if (answer.kind !== 'ok') return answer;
      return { ...answer, value: { ...(answer.value as PaidOrder), cash_fee: 200, coupon_fee: 50, settlement_total_fee: 220, bank_type: 'ICBC_CREDIT' } };
    });
    const p = await h.create({ amount_fen: 250 });
    expect(p).toMatchObject({ status: 'succeeded', cash_fen: 200, coupon_fen: 50, settlement_fen: 220, bank_type: 'ICBC_CREDIT' });
    const list = await h.service.list({ date: '2026-11-28' });
    // The day's takings are what WeChat settles; coupons are shown apart.
    expect(list.totals).toMatchObject({ count: 1, succeeded_count: 1, succeeded_fen: 250, coupon_fen: 50, settlement_fen: 220, refunded_fen: 0, net_fen: 220 });
    expect(list.totals.by_wallet).toEqual([{ wallet: 'wechat', count: 1, succeeded_count: 1, succeeded_fen: 250, coupon_fen: 50, settlement_fen: 220, refunded_fen: 0, net_fen: 220 }]);
  });
});

describe('list by shop-local day', () => {
  it('puts payments on either side of Shanghai midnight on their local days, with totals', async () => {
    // 02:00 UTC + 13:59:59 = 15:59:59 UTC = 23:59:59 in Shanghai on the 28th.
    await h.clock.advance(13 * 3600_000 + 59 * 60_000 + 59_000);
    const late = await h.create({ amount_fen: 1000 });
    await h.clock.advance(1_000); // 00:00:00 on the 29th in Shanghai, still the 28th in UTC
    const early = await h.create({ amount_fen: 300 });
    h.wechat.once('micropay', bizError('NOTENOUGH'));
    await h.create({ amount_fen: 50 });

    const day28 = await h.service.list({ date: '2026-11-28' });
    expect(day28.payments.map((p) => p.id)).toEqual([late.id]);
    const day29 = await h.service.list({ date: '2026-11-29' });
    expect(day29.payments.map((p) => p.id)).toContain(early.id);
    expect(day29.totals).toEqual({
      count: 2,
      succeeded_count: 1,
      succeeded_fen: 300,
      coupon_fen: 0,
      settlement_fen: 300,
      refunded_fen: 0,
      net_fen: 300,
      by_wallet: [{ wallet: 'wechat', count: 2, succeeded_count: 1, succeeded_fen: 300, coupon_fen: 0, settlement_fen: 300, refunded_fen: 0, net_fen: 300 }],
    });
    expect(day29.next_cursor).toBeNull();

    await h.service.refund(late.id, { id: 'r-late', amount_fen: 400 });
    expect((await h.service.list({ date: '2026-11-28' })).totals).toMatchObject({ count: 1, succeeded_count: 1, succeeded_fen: 1000, coupon_fen: 0, settlement_fen: 1000, refunded_fen: 400, net_fen: 600 });
  });

  it('answers INVALID_DATE for a day that does not exist', async () => {
    await expect(h.service.list({ date: '2026-02-30' })).rejects.toMatchObject({ name: 'Refusal', code: 'INVALID_DATE' });
    await expect(h.service.list({ date: '28/11/2026' })).rejects.toMatchObject({ code: 'INVALID_DATE' });
  });
});

describe('refunds', () => {
  it('refunds part of a payment, confirmed by refundquery, and updates refunded_fen', async () => {
    const p = await h.create({ amount_fen: 1000 });
    const r = await h.service.refund(p.id, { id: 'r1', amount_fen: 300, reason: 'broken cup' });
    expect(r).toMatchObject({ id: 'r1', payment_id: p.id, amount_fen: 300, status: 'succeeded' });
    expect(h.wechat.calls.filter((c) => c.op === 'refund')).toEqual([{ op: 'refund', out_trade_no: p.out_trade_no, out_refund_no: 'r1' }]);
    expect(h.wechat.count('refundQuery')).toBe(1);
    expect((await h.payment(p.id)).refunded_fen).toBe(300);
  });

  it('is idempotent on the refund id and refuses the same id for another refund', async () => {
    const p = await h.create({ amount_fen: 1000 });
    const first = await h.service.refund(p.id, { id: 'r1', amount_fen: 300 });
    expect(await h.service.refund(p.id, { id: 'r1', amount_fen: 300 })).toEqual(first);
    expect(h.wechat.count('refund')).toBe(1);
    await expect(h.service.refund(p.id, { id: 'r1', amount_fen: 301 })).rejects.toMatchObject({ name: 'Refusal', code: 'ID_CONFLICT' });
    expect((await h.payment(p.id)).refunded_fen).toBe(300);
  });

  it('refuses more than what is left to refund', async () => {
    const p = await h.create({ amount_fen: 1000 });
    await h.service.refund(p.id, { id: 'r1', amount_fen: 700 });
    await expect(h.service.refund(p.id, { id: 'r2', amount_fen: 301 })).rejects.toMatchObject({
      name: 'Refusal',
      code: 'REFUND_TOO_LARGE',
      message: expect.stringContaining('300'),
    });
    expect((await h.service.refund(p.id, { id: 'r3', amount_fen: 300 })).status).toBe('succeeded');
    expect((await h.payment(p.id)).refunded_fen).toBe(1000);
  });

  it('refuses refunds of payments that did not succeed, and of unknown payments', async () => {
    h.wechat.once('micropay', bizError('NOTENOUGH'));
    const p = await h.create();
    await expect(h.service.refund(p.id, { id: 'r1', amount_fen: 1 })).rejects.toMatchObject({ name: 'Refusal', code: 'REFUND_NOT_ALLOWED' });
    await expect(h.service.refund('nope', { id: 'r2', amount_fen: 1 })).rejects.toMatchObject({ name: 'Refusal', code: 'NOT_FOUND' });
  });

  it('keeps a PROCESSING refund processing and settles it in the background', async () => {
    const p = await h.create({ amount_fen: 1000 });
    h.wechat.refundOutcome = 'PROCESSING';
    const pending = h.service.refund(p.id, { id: 'slow', amount_fen: 500 });
    await h.clock.advance(5_000);
    expect((await pending).status).toBe('processing');
    expect((await h.payment(p.id)).refunded_fen).toBe(0);
    h.wechat.refunds.get('slow')!.status = 'SUCCESS';
    h.service.resume();
    await h.clock.advance(70_000);
    await h.service.idle();
    expect((await h.store.refund('slow'))?.status).toBe('succeeded');
    expect((await h.payment(p.id)).refunded_fen).toBe(500);
  });

  it('sends the same out_refund_no again after an unknown outcome, refunding once', async () => {
    const p = await h.create({ amount_fen: 1000 });
    h.wechat.once('refund', new GatewayError('timeout', 'no answer'));
    const pending = h.service.refund(p.id, { id: 'again', amount_fen: 100 });
    await h.clock.advance(5_000);
    const r = await pending;
    expect(r.status).toBe('succeeded');
    expect(h.wechat.calls.filter((c) => c.op === 'refund').map((c) => c.out_refund_no)).toEqual(['again', 'again']);
  });

  it.each([
    ['NOTENOUGH', 'NOTENOUGH'],
    ['TRADE_OVERDUE', 'TRADE_OVERDUE'],
  ])('fails a refund answered %s and gives the amount back', async (code, expected) => {
    const p = await h.create({ amount_fen: 1000 });
    h.wechat.once('refund', bizError(code));
    const r = await h.service.refund(p.id, { id: 'r1', amount_fen: 1000 });
    expect(r.status).toBe('failed');
    expect(r.error?.code).toBe(expected);
    expect((await h.service.refund(p.id, { id: 'r2', amount_fen: 1000 })).status).toBe('succeeded');
  });

  it('gives up on an err_code WeChat does not document after 3 sends: failed, the amount free again', async () => {
    const odd = new Harness({ ...h.config, sweepIntervalMs: 600_000 });
    try {
      const p = await odd.create({ amount_fen: 1000 });
      odd.wechat.once('refund', bizError('SOMETHING_NEW'), bizError('SOMETHING_NEW'), bizError('SOMETHING_NEW'), bizError('SOMETHING_NEW'));
      const first = odd.service.refund(p.id, { id: 'odd', amount_fen: 600 });
      // Re-sent with the same out_refund_no while the cashier waits (WeChat refunds once), then refused.
      await odd.clock.advance(5_000);
      const r = await first;
      expect(r).toMatchObject({ status: 'failed', error: { code: 'REFUND_UNKNOWN_ERROR' } });
      expect(r.error!.message).toContain('SOMETHING_NEW');
      const sends = () => odd.wechat.calls.filter((c) => c.op === 'refund' && c.out_refund_no === 'odd').length;
      expect(sends()).toBe(3);
      odd.service.resume();
      await odd.clock.advance(24 * 3_600_000);
      expect(sends()).toBe(3);
      const fine = odd.service.refund(p.id, { id: 'fine', amount_fen: 1000 });
      await odd.clock.advance(5_000);
      expect((await fine).status).toBe('succeeded');
    } finally {
      await odd.close();
    }
  }, 60_000);

  it('fails a refund that refundquery reports closed', async () => {
    const p = await h.create({ amount_fen: 1000 });
    h.wechat.refundOutcome = 'REFUNDCLOSE';
    const r = await h.service.refund(p.id, { id: 'r1', amount_fen: 100 });
    expect(r).toMatchObject({ status: 'failed', error: { code: 'REFUNDCLOSE' } });
    expect((await h.payment(p.id)).refunded_fen).toBe(0);
  });
});

describe('a refund WeChat keeps PROCESSING', () => {
  it('is asked on a backoff, not every minute, and flagged once older than 3 working days', async () => {
    const slow = new Harness({ ...h.config, sweepIntervalMs: 600_000 });
    try {
      // The manual clock starts on Saturday 2026-11-28, 10:00 in Beijing: 3 working days end Wednesday 10:00.
      const p = await slow.create({ amount_fen: 1000 });
      slow.wechat.refundOutcome = 'PROCESSING';
      const pending = slow.service.refund(p.id, { id: 'bank', amount_fen: 300 });
      await slow.clock.advance(5_000);
      expect((await pending).status).toBe('processing');
      slow.service.resume();
      await slow.clock.advance(4 * 86_400_000 - 3_600_000); // Wednesday 09:00
      await slow.service.idle();
      expect(await slow.store.refund('bank')).toMatchObject({ status: 'processing', error_code: null });
      await slow.clock.advance(2 * 3_600_000); // Wednesday 11:00
      await slow.service.idle();
      const flagged = (await slow.service.refunds(p.id))![0]!;
      expect(flagged).toMatchObject({ status: 'processing', error: { code: 'REFUND_PROCESSING_LONG' } });
      // Four days at a one-minute pace would be 5,700 queries; the backoff asks about once an hour.
      const queries = slow.wechat.count('refundQuery');
      expect(queries).toBeGreaterThan(20);
      expect(queries).toBeLessThan(150);
      // It still settles when WeChat says so, and the flag goes.
      slow.wechat.refunds.get('bank')!.status = 'SUCCESS';
      await slow.clock.advance(2 * 3_600_000);
      await slow.service.idle();
      expect(await slow.store.refund('bank')).toMatchObject({ status: 'succeeded', error_code: null });
    } finally {
      await slow.close();
    }
  }, 60_000);
});

describe('payment log lines', () => {
  it('logs one masked line per transition that a merchant can read', async () => {
    const code = makeTestCode();
    const p = await h.create({ auth_code: code, amount_fen: 700 });
    const lines = h.lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'payment' && l.id === p.id);
    expect(lines.map((l) => `${l.from}->${l.to}`)).toEqual(['null->processing', 'processing->succeeded']);
    expect(lines[0]).toMatchObject({ step: 'query' });
    expect(lines[1]).toMatchObject({ level: 'info', out_trade_no: p.out_trade_no, amount_fen: 700, terminal: 'till-1', auth_code: p.auth_code_masked });
    expect(h.lines.join('\n')).not.toContain(code);
  });

  it('puts the error code on the line of a failure', async () => {
    h.wechat.once('micropay', bizError('NOTENOUGH'));
    const p = await h.create();
    const last = h.lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.id === p.id).at(-1);
    expect(last).toMatchObject({ level: 'warn', to: 'failed', code: 'NOTENOUGH' });
  });
});
