import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Reports } from '../../../server/reports/report.ts';
import { localDayRange } from '../../../server/payments/shop-time.ts';
import { openSqliteStore } from '../../../server/store/sqlite.ts';
import type { Store } from '../../../server/store/types.ts';
import { refundAt, settledPayment } from '../../support/journal-rows.ts';

/** The owner's report over a real journal: what each figure counts, in the shop's time zone. */

let store: Store;
beforeEach(async () => {
  store = openSqliteStore(':memory:');
  for (const [id, name] of [['tA', 'Counter'], ['tB', 'Window']] as const) {
    await store.createTerminal({ id, name, created_at: 0, paired_at: null }, { token_hash: `h${id}`, terminal_id: id, created_at: 0 }, { code_hash: `c${id}`, terminal_id: id, expires_at: 1 });
  }
});
afterEach(async () => {
  await store.close();
});

/** Epoch ms of a shop-local wall time. */
const at = (tz: string, day: string, hh: number, mm = 0, ss = 0) => localDayRange(day, tz).from + ((hh * 60 + mm) * 60 + ss) * 1000;

async function refund(id: string, paymentId: string, amount: number, when: number, cashier: string | null) {
  await store.insertRefund(refundAt(id, paymentId, amount, when, { cashier }));
  await store.transitionRefund(id, () => ({ status: 'succeeded', step: 'done' }));
}

describe('Reports.build in Asia/Shanghai', () => {
  const TZ = 'Asia/Shanghai';
  const day = '2026-11-28'; // a Saturday
  const s = (d: string, hh: number, mm = 0, ss = 0) => at(TZ, d, hh, mm, ss);

  beforeEach(async () => {
    const pay = (id: string, when: number, amount_fen: number, terminal_id: string, cashier: string | null, status: 'succeeded' | 'failed' = 'succeeded') =>
      store.insertPayment(settledPayment(id, when, { amount_fen, terminal_id, cashier, status }));
    await pay('p1', s(day, 9, 10), 1000, 'tA', 'Wang');
    await pay('p2', s(day, 9, 50), 500, 'tA', 'Wang');
    await pay('p3', s(day, 14, 5), 2000, 'tB', '李娜');
    await pay('p4', s(day, 14, 20), 700, 'tB', null, 'failed');
    await pay('p5', s(day, 23, 59, 59), 100, 'tA', null);
    await pay('next-day', s('2026-11-29', 0, 0, 0), 4000, 'tA', null);
    await pay('last-week', s('2026-11-21', 10, 30), 800, 'tB', 'Wang');
    await refund('r1', 'p1', 300, s(day, 15, 0), '李娜');
    // A refund made today of last week's payment counts today, against that payment's terminal.
    await refund('r2', 'last-week', 200, s(day, 10, 0), '李娜');
  });

  it('sums a day: takings, refunds made that day, net, and what is still open', async () => {
    const r = await new Reports(store, TZ).build('day', day);
    expect(r).toMatchObject({ period: 'day', date: day, from: day, to: day, time_zone: TZ });
    expect(r.totals).toEqual({ count: 5, succeeded_count: 4, succeeded_fen: 3600, refund_count: 2, refunded_fen: 500, net_fen: 3100, open_count: 0, open_fen: 0 });
  });

  it('puts takings and refunds in the shop-local hour they happened, all 24 hours present', async () => {
    const r = await new Reports(store, TZ).build('day', day);
    expect(r.by_hour).toHaveLength(24);
    const nonEmpty = r.by_hour.filter((b) => b.succeeded_fen || b.refunded_fen).map((b) => [b.key, b.succeeded_fen, b.refunded_fen]);
    expect(nonEmpty).toEqual([
      ['09', 1500, 0],
      ['10', 0, 200],
      ['14', 2000, 0],
      ['15', 0, 300],
      ['23', 100, 0],
    ]);
  });

  it('breaks the day down by terminal, cashier and wallet, biggest takings first', async () => {
    const r = await new Reports(store, TZ).build('day', day);
    expect(r.by_terminal.map((l) => [l.name, l.succeeded_fen, l.refunded_fen, l.net_fen])).toEqual([
      ['Window', 2000, 200, 1800],
      ['Counter', 1600, 300, 1300],
    ]);
    expect(r.by_cashier.map((l) => [l.key, l.count, l.succeeded_fen, l.refunded_fen])).toEqual([
      ['李娜', 1, 2000, 500],
      ['Wang', 2, 1500, 0],
      [null, 2, 100, 0],
    ]);
    expect(r.by_wallet.map((l) => [l.key, l.succeeded_fen, l.net_fen])).toEqual([['wechat', 3600, 3100]]);
    expect(r.refunds.count).toBe(2);
    expect(r.refunds.items.map((i) => [i.id, i.out_trade_no, i.amount_fen, i.cashier, i.terminal_name])).toEqual([
      ['r2', 'o_last-week', 200, '李娜', 'Window'],
      ['r1', 'o_p1', 300, '李娜', 'Counter'],
    ]);
  });

  it('compares a day with the same weekday a week earlier, hour by hour', async () => {
    const r = await new Reports(store, TZ).build('day', day);
    expect(r.compare).toMatchObject({ from: '2026-11-21', to: '2026-11-21', totals: { succeeded_fen: 800, refunded_fen: 0, net_fen: 800 } });
    expect(r.compare.by_hour.find((b) => b.key === '10')?.succeeded_fen).toBe(800);
  });

  it('reports a week Monday to Sunday by day, compared with the week before', async () => {
    const r = await new Reports(store, TZ).build('week', day);
    expect(r.by_day.map((b) => b.key)).toEqual(['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27', '2026-11-28', '2026-11-29']);
    expect(r.by_day.find((b) => b.key === day)?.succeeded_fen).toBe(3600);
    expect(r.by_day.find((b) => b.key === '2026-11-29')?.succeeded_fen).toBe(4000);
    expect(r.totals.succeeded_fen).toBe(7600);
    expect(r.compare).toMatchObject({ from: '2026-11-16', to: '2026-11-22', totals: { succeeded_fen: 800 } });
    expect(r.compare.by_day.map((b) => b.key)[5]).toBe('2026-11-21');
  });

  it('reports a month by day, compared with the month before', async () => {
    const r = await new Reports(store, TZ).build('month', day);
    expect(r.by_day).toHaveLength(30);
    expect(r.totals.succeeded_fen).toBe(7600 + 800);
    expect(r.compare).toMatchObject({ from: '2026-10-01', to: '2026-10-31', totals: { succeeded_fen: 0 } });
    expect(r.compare.by_day).toHaveLength(31);
  });
});

describe('Reports.build in a zone with a half-hour offset (Asia/Kolkata, UTC+5:30)', () => {
  it('cuts hours at the shop’s own hour, not UTC’s', async () => {
    const TZ = 'Asia/Kolkata';
    const day = '2026-11-28';
    await store.insertPayment(settledPayment('a', at(TZ, day, 9, 45), { amount_fen: 100, terminal_id: 'tA' }));
    await store.insertPayment(settledPayment('b', at(TZ, day, 10, 14, 59), { amount_fen: 200, terminal_id: 'tA' }));
    await store.insertPayment(settledPayment('c', at(TZ, day, 0, 0), { amount_fen: 400, terminal_id: 'tA' }));
    await store.insertPayment(settledPayment('d', at(TZ, day, 0, 0) - 1, { amount_fen: 800, terminal_id: 'tA' }));
    const r = await new Reports(store, TZ).build('day', day);
    expect(r.by_hour.filter((b) => b.succeeded_fen).map((b) => [b.key, b.succeeded_fen])).toEqual([
      ['00', 400],
      ['09', 100],
      ['10', 200],
    ]);
    expect(r.totals.succeeded_fen).toBe(700);
  });
});
