import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, listPayments, parseSearch, type PaymentListQuery } from '../../../server/payments/list.ts';
import { localDayRange } from '../../../server/payments/shop-time.ts';
import { openSqliteStore } from '../../../server/store/sqlite.ts';
import type { NewPayment, Store } from '../../../server/store/types.ts';
import { newPayment } from '../../support/journal-rows.ts';

/**
 * The payment list a page at a time. A day of 48,809 payments read whole took 2.1 s and stalled
 * every other request for 5.5 s; here a page must read only its own rows (plus one), however big
 * the day, while the totals still cover the whole day. Rows are counted, never timed.
 */
const ZONE = 'Asia/Shanghai';
const DATE = '2026-11-28';
const { from: DAY_START } = localDayRange(DATE, ZONE);

let store: Store;
/** Payment rows the store handed out since the last reset, by method. */
let rowsRead: Record<string, number>;

/** The real SQLite store, with every row it returns counted. */
function counting(inner: Store): Store {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        const result = await value.apply(target, args);
        const rows = Array.isArray(result) ? result.length : result ? 1 : 0;
        rowsRead[String(prop)] = (rowsRead[String(prop)] ?? 0) + rows;
        return result;
      };
    },
  });
}

function row(i: number, over: Partial<NewPayment> = {}): NewPayment {
  const at = DAY_START + 60_000 + i * 1_000;
  const failed = i % 10 === 0;
  return newPayment(
    {
      id: `p${String(i).padStart(6, '0')}`,
      out_trade_no: `P20261128${String(i).padStart(8, '0')}`,
      terminal_id: `t-${i % 3}`,
      amount_fen: 100 + (i % 7),
      auth_code_masked: '1300**********0000',
      status: failed ? 'failed' : 'succeeded',
      step: 'done',
      transaction_id: failed ? null : `42000000012026112800${String(i).padStart(8, '0')}`,
      sent_at: at,
      ...over,
    },
    at,
  );
}

async function fill(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await store.insertPayment(row(i));
  rowsRead = {};
}

const list = (query: Omit<PaymentListQuery, 'date'> = {}) => listPayments(store, ZONE, { date: DATE, ...query });

beforeEach(() => {
  rowsRead = {};
  store = counting(openSqliteStore(':memory:'));
});
afterEach(async () => {
  await store.close();
});

describe('listPayments', () => {
  it('answers a page of a 5,000-payment day by reading only that page’s rows, with the totals of the whole day', async () => {
    await fill(5_000);
    const page = await list({ limit: 50 });
    expect(page.payments).toHaveLength(50);
    expect(page.payments[0]!.id).toBe('p004999'); // newest first
    expect(rowsRead).toEqual({ paymentsPage: 51, paymentTotals: 1 });
    expect(page.totals).toEqual({ count: 5_000, succeeded_count: 4_500, succeeded_fen: expect.any(Number), coupon_fen: 0, settlement_fen: expect.any(Number), refunded_fen: 0, net_fen: expect.any(Number), by_wallet: [expect.objectContaining({ wallet: 'wechat', count: 5_000 })] });
    const succeededFen = Array.from({ length: 5_000 }, (_, i) => (i % 10 === 0 ? 0 : 100 + (i % 7))).reduce((a, b) => a + b, 0);
    expect(page.totals.succeeded_fen).toBe(succeededFen);
  });

  it('walks the whole day through next_cursor, every payment once, newest first, reading one page per call', async () => {
    await fill(1_234);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 20; pages++) {
      rowsRead = {};
      const page = await list({ limit: 200, ...(cursor ? { cursor } : {}) });
      expect(rowsRead.paymentsPage).toBeLessThanOrEqual(201);
      expect(page.totals.count).toBe(1_234);
      seen.push(...page.payments.map((p) => p.id));
      if (page.next_cursor === null) break;
      cursor = page.next_cursor;
    }
    expect(seen).toHaveLength(1_234);
    expect(new Set(seen).size).toBe(1_234);
    expect(seen).toEqual([...seen].sort().reverse());
  });

  it('keeps payments created in the same millisecond apart across a page boundary (ties broken by id)', async () => {
    for (const id of ['a', 'b', 'c', 'd', 'e']) await store.insertPayment(row(1, { id, out_trade_no: `P-${id}`, terminal_id: `t-${id}` }));
    const first = await list({ limit: 2 });
    const second = await list({ limit: 2, cursor: first.next_cursor! });
    const third = await list({ limit: 2, cursor: second.next_cursor! });
    expect([first, second, third].map((p) => p.payments.map((x) => x.id))).toEqual([['e', 'd'], ['c', 'b'], ['a']]);
    expect(third.next_cursor).toBeNull();
  });

  it('filters by terminal and keeps the totals of the whole day', async () => {
    await fill(30);
    const page = await list({ terminal: 't-1', limit: 200 });
    expect(page.payments.map((p) => p.terminal)).toEqual(Array(10).fill('t-1'));
    expect(page.totals.count).toBe(30);
  });

  it.each([
    ['25.8', ['amount']],
    ['25.80', ['amount']],
    ['¥25.80', ['amount']],
    ['25.80元', ['amount']],
    ['0042', ['order']],
    ['2580', ['big', 'wechat']],
    ['00002580', ['wechat']],
    ['4444', ['other']],
    ['9F0A', ['hex']],
  ])('finds payments by "%s" (an amount in yuan or the tail of an order or WeChat number): %s', async (q, expected) => {
    await store.insertPayment(row(1, { id: 'amount', amount_fen: 2580, out_trade_no: 'P-1111', transaction_id: '4200-1111' }));
    await store.insertPayment(row(2, { id: 'order', out_trade_no: 'P2026112800000042', transaction_id: null }));
    await store.insertPayment(row(3, { id: 'wechat', out_trade_no: 'P-3333', transaction_id: '4200000001202611280000002580' }));
    await store.insertPayment(row(4, { id: 'other', amount_fen: 2581, out_trade_no: 'P-4444', transaction_id: '4200-4444' }));
    await store.insertPayment(row(5, { id: 'big', amount_fen: 258_000, out_trade_no: 'P-5555', transaction_id: '4200-5555' }));
    await store.insertPayment(row(6, { id: 'hex', out_trade_no: 'P20261128103000a1c39f0a', transaction_id: null }));
    const page = await list({ q });
    expect(page.payments.map((p) => p.id).sort()).toEqual([...expected].sort());
    expect(page.totals.count).toBe(6);
  });

  it.each([
    [{ limit: 0 }, 'INVALID_LIMIT'],
    [{ limit: 201 }, 'INVALID_LIMIT'],
    [{ cursor: 'not-a-cursor' }, 'INVALID_CURSOR'],
    [{ q: 'tea' }, 'INVALID_QUERY'],
    [{ q: '25.80 yuan' }, 'INVALID_QUERY'],
    [{ q: '123' }, undefined],
    [{ q: '12.345' }, 'INVALID_QUERY'],
  ] as const)('checks %o (%s)', async (query, code) => {
    const answer = list(query);
    if (code) await expect(answer).rejects.toMatchObject({ name: 'Refusal', code });
    else await expect(answer).resolves.toMatchObject({ date: DATE });
  });
});

describe('search text and cursors', () => {
  it.each([
    ['25.8', { amountFen: 2580 }],
    [' ¥ 1,288.00 ', { amountFen: 128800 }],
    ['1288', { amountFen: 128800, tail: '1288' }],
    ['4200000001202611280000000042', { tail: '4200000001202611280000000042' }],
    ['0000', { tail: '0000' }],
    ['', {}],
    ['a1b2c3', { tail: 'a1b2c3' }],
    ['12.a4', undefined],
    ['tea', undefined],
  ])('reads "%s" as %o', (q, parsed) => {
    expect(parseSearch(q)).toEqual(parsed);
  });

  it('round-trips a cursor and refuses a forged one', () => {
    const at = { created_at: DAY_START + 5, id: 'p-1_x' };
    expect(decodeCursor(encodeCursor(at))).toEqual(at);
    expect(decodeCursor(Buffer.from('5:bad id').toString('base64url'))).toBeUndefined();
    expect(decodeCursor('%%%')).toBeUndefined();
  });
});

