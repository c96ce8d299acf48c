import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openPostgresStore } from '../../../server/store/postgres.ts';
import { openSqliteStore } from '../../../server/store/sqlite.ts';
import type { Store } from '../../../server/store/types.ts';
import { createTestSchema } from '../../support/postgres.ts';
import { refundAt, settledPayment } from '../../support/journal-rows.ts';

/**
 * The store's cashier, shift, group and paging rules (the concurrency ones are the database's),
 * part of the store contract: the same tests on SQLite and on PostgreSQL.
 */

const T0 = Date.UTC(2026, 10, 28, 2, 0, 0);

const STORES: [string, () => Promise<{ store: Store; dispose(): Promise<void> }>][] = [
  ['SQLite', async () => ({ store: openSqliteStore(':memory:'), dispose: async () => undefined })],
  [
    'PostgreSQL',
    async () => {
      const schema = await createTestSchema('shopday');
      return { store: await openPostgresStore(schema.url(2)), dispose: () => schema.drop() };
    },
  ],
];

describe.each(STORES)('%s', (_name, open) => {
let store: Store;
let dispose: () => Promise<void>;

beforeEach(async () => {
  ({ store, dispose } = await open());
});
afterEach(async () => {
  await store.close();
  await dispose();
});

const cashier = (id: string, name: string) => ({ id, name, pin_hash: 'scrypt$x', created_at: T0, removed_at: null });
const shift = (id: string, terminal_id = 't1') => ({ id, terminal_id, cashier_id: 'c1', cashier_name: 'Wang', opened_at: T0 });

describe('cashiers', () => {
  it('refuses a second active cashier of the same name in any case, also beyond ASCII, and frees the name on removal', async () => {
    expect(await store.createCashier(cashier('c1', 'Élodie'))).toBe(true);
    expect(await store.createCashier(cashier('c2', 'élodie'))).toBe(false);
    expect(await store.hasCashiers()).toBe(true);
    expect(await store.removeCashier('c1', T0 + 1)).toBe(true);
    expect(await store.removeCashier('c1', T0 + 2)).toBe(false);
    expect(await store.hasCashiers()).toBe(false);
    expect(await store.createCashier(cashier('c2', 'élodie'))).toBe(true);
    expect((await store.cashiers()).map((c) => c.id)).toEqual(['c2']);
    expect((await store.cashier('c1'))?.removed_at).toBe(T0 + 1);
  });
});

describe('shifts', () => {
  beforeEach(async () => {
    await store.createCashier(cashier('c1', 'Wang'));
  });

  it('keeps one open shift per terminal', async () => {
    expect((await store.openShift(shift('s1'))).kind).toBe('opened');
    expect(await store.openShift(shift('s2'))).toMatchObject({ kind: 'terminal_has_shift', shift: { id: 's1' } });
    expect((await store.openShift(shift('s3', 't2'))).kind).toBe('opened');
    expect((await store.openShiftOf('t1'))?.id).toBe('s1');
  });

  it("reads a terminal's open shift and its shop's cashiers in one answer, as openShiftOf and hasCashiers do", async () => {
    expect(await store.shiftStatus('t1', 'default')).toEqual({ open: undefined, hasCashiers: true });
    await store.openShift(shift('s1'));
    expect(await store.shiftStatus('t1', 'default')).toEqual({ open: await store.openShiftOf('t1'), hasCashiers: true });
    await store.closeShift('s1', T0 + 1, 't1');
    await store.removeCashier('c1', T0 + 2);
    expect(await store.shiftStatus('t1', 'default')).toEqual({ open: undefined, hasCashiers: false });
  });

  it('does not close a shift over a payment in progress on its terminal, and closes once it settled', async () => {
    await store.openShift(shift('s1'));
    await store.insertPayment(settledPayment('p1', T0, { status: 'user_paying', step: 'query', shift_id: 's1', cashier: 'Wang' }));
    expect(await store.closeShift('s1', T0 + 10, 't1')).toMatchObject({ kind: 'payment_in_progress', active: { id: 'p1' } });
    await store.transitionPayment('p1', () => ({ status: 'succeeded', step: 'done', updated_at: T0 + 20 }));
    expect(await store.closeShift('s1', T0 + 30, 't1')).toMatchObject({ kind: 'closed', shift: { closed_at: T0 + 30, closed_by: 't1' } });
    expect(await store.closeShift('s1', T0 + 40, 't2')).toMatchObject({ kind: 'already_closed', shift: { closed_at: T0 + 30, closed_by: 't1' } });
    expect(await store.closeShift('nope', T0, 't1')).toEqual({ kind: 'not_found' });
    expect(await store.openShiftOf('t1')).toBeUndefined();
  });

  it('records the shift and cashier on a payment, and refuses a payment into a shift that closed meanwhile', async () => {
    await store.openShift(shift('s1'));
    const created = await store.insertPayment(settledPayment('p1', T0, { shift_id: 's1', cashier: 'Wang' }));
    expect(created).toMatchObject({ kind: 'created', payment: { shift_id: 's1', cashier: 'Wang' } });
    expect(await store.payment('p1')).toMatchObject({ shift_id: 's1', cashier: 'Wang' });
    await store.closeShift('s1', T0 + 1, 't1');
    expect(await store.insertPayment(settledPayment('p2', T0 + 2, { shift_id: 's1', cashier: 'Wang' }))).toEqual({ kind: 'shift_closed' });
    expect(await store.payment('p2')).toBeUndefined();
    // A retry of p1 is still answered as the payment it is.
    expect((await store.insertPayment(settledPayment('p1', T0, { shift_id: 's1', cashier: 'Wang' }))).kind).toBe('exists');
  });

  it('sums a shift’s payments and the refunds made in it (failed ones returned nothing)', async () => {
    await store.openShift(shift('s1'));
    await store.insertPayment(settledPayment('p1', T0, { amount_fen: 1000, shift_id: 's1', cashier: 'Wang' }));
    await store.insertPayment(settledPayment('p2', T0 + 1, { amount_fen: 500, status: 'failed', shift_id: 's1', cashier: 'Wang' }));
    await store.insertPayment(settledPayment('p3', T0 + 2, { amount_fen: 400, status: 'needs_attention', step: 'manual', shift_id: 's1', cashier: 'Wang' }));
    await store.insertPayment(settledPayment('other', T0 + 3, { amount_fen: 9999 }));
    await store.insertRefund(refundAt('r1', 'p1', 300, T0 + 5, { shift_id: 's1', cashier: 'Wang' }));
    await store.transitionRefund('r1', () => ({ status: 'succeeded', step: 'done' }));
    await store.insertRefund(refundAt('r2', 'p1', 100, T0 + 6, { shift_id: 's1', cashier: 'Wang' }));
    await store.transitionRefund('r2', () => ({ status: 'failed', step: 'done' }));
    await store.insertRefund(refundAt('r3', 'p1', 50, T0 + 7, { shift_id: 's1', cashier: 'Wang' }));

    expect(await store.paymentGroups({ shiftId: 's1' })).toEqual([
      { quarter: T0, terminal_id: 't1', cashier: 'Wang', wallet: 'wechat', count: 3, succeeded_count: 1, succeeded_fen: 1000, open_count: 1, open_fen: 400 },
    ]);
    expect(await store.refundGroups({ shiftId: 's1' })).toEqual([
      { quarter: T0, terminal_id: 't1', cashier: 'Wang', wallet: 'wechat', count: 1, refunded_fen: 300, processing_count: 1, processing_fen: 50 },
    ]);
    expect((await store.openPaymentsOfShift('s1')).map((p) => p.id)).toEqual(['p3']);
  });
});

describe('groups and pages by time', () => {
  it('groups payments by quarter hour, terminal and cashier within [from, to)', async () => {
    const q = 15 * 60_000;
    await store.insertPayment(settledPayment('a', T0 + 1, { amount_fen: 100, cashier: 'Wang' }));
    await store.insertPayment(settledPayment('b', T0 + q - 1, { amount_fen: 200, cashier: 'Wang' }));
    await store.insertPayment(settledPayment('c', T0 + q, { amount_fen: 400, cashier: 'Wang' }));
    await store.insertPayment(settledPayment('d', T0 + q + 1, { amount_fen: 800, terminal_id: 't2' }));
    await store.insertPayment(settledPayment('e', T0 + 2 * q, { amount_fen: 1600 }));
    const groups = await store.paymentGroups({ fromMs: T0, toMs: T0 + 2 * q });
    expect(groups.map((g) => [g.quarter - T0, g.terminal_id, g.cashier, g.succeeded_fen]).sort()).toEqual(
      [
        [0, 't1', 'Wang', 300],
        [q, 't1', 'Wang', 400],
        [q, 't2', null, 800],
      ].sort(),
    );
  });

  it('pages through payments and refunds oldest first, ties in time ordered by id, each once', async () => {
    for (const id of ['b', 'a', 'c', 'e', 'd']) await store.insertPayment(settledPayment(id, id < 'c' ? T0 : T0 + 1000));
    const ids: string[] = [];
    let after: { created_at: number; id: string } | undefined;
    for (;;) {
      const page = await store.paymentsChronological({ fromMs: T0, toMs: T0 + 1000, limit: 2, ...(after ? { after } : {}) });
      ids.push(...page.map((p) => p.id));
      if (page.length < 2) break;
      after = page.at(-1)!;
    }
    expect(ids).toEqual(['a', 'b']);
    const all = await store.paymentsChronological({ fromMs: T0, toMs: T0 + 1001, limit: 10 });
    expect(all.map((p) => p.id)).toEqual(['a', 'b', 'c', 'd', 'e']);

    await store.insertRefund(refundAt('r2', 'a', 10, T0 + 5));
    await store.insertRefund(refundAt('r1', 'b', 20, T0 + 5));
    const refunds = await store.refundsChronological({ fromMs: T0, toMs: T0 + 10, limit: 10 });
    expect(refunds.map((r) => [r.id, r.payment.out_trade_no])).toEqual([
      ['r1', 'o_b'],
      ['r2', 'o_a'],
    ]);
    expect(await store.refundsChronological({ fromMs: T0, toMs: T0 + 10, limit: 10, after: { created_at: T0 + 5, id: 'r1' } })).toHaveLength(1);
  });
});
});
