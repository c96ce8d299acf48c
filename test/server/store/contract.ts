import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewPayment, NewRefund, ReconciliationDifferenceRow, ReconciliationRunRow, Store } from '../../../server/store/types.ts';
import { newPayment, newRefund, T0 } from '../../support/journal-rows.ts';

/**
 * What every Store must do (server/store/types.ts), run against each implementation: SQLite
 * (sqlite.test.ts) and PostgreSQL (postgres.test.ts). `open()` gives a fresh, empty database
 * and a way to open a second handle on the same data (another process or server instance), so
 * the rules that must hold across instances are tested with two handles racing.
 */
export interface StoreUnderTest {
  store: Store;
  /** Another handle on the same database (closed by `cleanup`). */
  second(): Promise<Store>;
  /** Closes the handle(s) and opens the same database again. */
  reopen(): Promise<Store>;
  cleanup(): Promise<void>;
}

export function storeContract(name: string, open: () => Promise<StoreUnderTest>): void {
  describe(`${name} store contract`, () => {
    let db: StoreUnderTest;
    let store: Store;

    beforeEach(async () => {
      db = await open();
      store = db.store;
    });

    afterEach(async () => {
      await db.cleanup();
    });

    describe('reconciliation', () => {
      const run = (over: Partial<ReconciliationRunRow> = {}): ReconciliationRunRow => ({
        id: 'R1', bill_date: '2026-11-28', shop_id: 'default', wallet: 'wechat', status: 'differences', run_at: T0, journal_count: 3, bill_count: 4, matched_count: 2, error: null, ...over,
      });
      const difference = (over: Partial<ReconciliationDifferenceRow> = {}): ReconciliationDifferenceRow => ({
        kind: 'missing_in_journal', out_trade_no: 'O1', out_refund_no: null, payment_id: null, transaction_id: '4200000001', journal_fen: null,
        bill_fen: 1234, journal_status: null, bill_status: 'SUCCESS', ...over,
      });

      it('keeps every run and reads back the latest of a day with its differences in order, exactly', async () => {
        const differences = [
          difference(),
          difference({ kind: 'refund_mismatch', out_trade_no: 'O2', out_refund_no: 'RF2', payment_id: 'p2', journal_fen: Number.MAX_SAFE_INTEGER, bill_fen: null, journal_status: 'succeeded', bill_status: null }),
          difference({ kind: 'amount_mismatch', out_trade_no: 'O3', payment_id: 'p3', journal_fen: 100, bill_fen: 99, journal_status: 'succeeded', bill_status: 'SUCCESS' }),
        ];
        await store.saveReconciliation({ run: run(), differences });
        await store.saveReconciliation({ run: run({ id: 'R0', run_at: T0 - 1, status: 'no_bill', error: 'No Bill Exist' }), differences: [] });
        await store.saveReconciliation({ run: run({ id: 'R9', bill_date: '2026-11-29', run_at: T0 + 1, status: 'matched' }), differences: [] });
        expect(await store.latestReconciliation('2026-11-28')).toEqual({ run: run(), differences });
        expect(await (await db.reopen()).latestReconciliation('2026-11-29')).toEqual({ run: run({ id: 'R9', bill_date: '2026-11-29', run_at: T0 + 1, status: 'matched' }), differences: [] });
      });

      it('keeps each shop and wallet its own latest run of a day', async () => {
        await store.createShop({ id: 'shop2', name: 'Second', time_zone: null, sub_mch_id: null, sub_appid: null, manager_pin_hash: null, created_at: T0 });
        await store.saveReconciliation({ run: run(), differences: [difference()] });
        const alipay = run({ id: 'R2', run_at: T0 + 5, wallet: 'alipay', status: 'differences' });
        await store.saveReconciliation({ run: alipay, differences: [difference({ kind: 'missing_at_alipay', bill_fen: null, journal_fen: 500, journal_status: 'succeeded', bill_status: null })] });
        const other = run({ id: 'R3', run_at: T0 + 9, shop_id: 'shop2', status: 'matched' });
        await store.saveReconciliation({ run: other, differences: [] });
        expect((await store.latestReconciliation('2026-11-28'))?.run).toEqual(run());
        expect((await store.latestReconciliation('2026-11-28', 'default', 'wechat'))?.run.id).toBe('R1');
        expect((await store.latestReconciliation('2026-11-28', 'default', 'alipay'))?.differences.map((d) => d.kind)).toEqual(['missing_at_alipay']);
        expect((await store.latestReconciliation('2026-11-28', 'shop2', 'wechat'))?.run).toEqual(other);
        expect(await store.latestReconciliation('2026-11-28', 'shop2', 'alipay')).toBeUndefined();
      });

      it("gives a shop's day to one instance at a time, until its lease lapses", async () => {
        expect(await store.claimReconciliation('2026-11-28', 'default', 'pos-1', T0, T0 + 600_000)).toBe(true);
        expect(await store.claimReconciliation('2026-11-28', 'default', 'pos-2', T0 + 1, T0 + 600_001)).toBe(false);
        expect(await store.claimReconciliation('2026-11-28', 'default', 'pos-1', T0 + 2, T0 + 600_002)).toBe(true); // the holder renews
        expect(await store.claimReconciliation('2026-11-28', 'shop-b', 'pos-2', T0 + 3, T0 + 600_003)).toBe(true); // another shop
        expect(await store.claimReconciliation('2026-11-29', 'default', 'pos-2', T0 + 4, T0 + 600_004)).toBe(true); // another day
        expect(await store.claimReconciliation('2026-11-28', 'default', 'pos-2', T0 + 600_001, T0 + 1_200_000)).toBe(false);
        expect(await (await db.reopen()).claimReconciliation('2026-11-28', 'default', 'pos-2', T0 + 600_002, T0 + 1_200_000)).toBe(true); // lapsed
      });

      it('lets exactly one of several instances claiming at once have the day', async () => {
        const answers = await Promise.all(['a', 'b', 'c', 'd'].map((owner) => store.claimReconciliation('2026-11-27', 'default', owner, T0, T0 + 600_000)));
        expect(answers.filter(Boolean)).toHaveLength(1);
      });

      it('has no run for a day never reconciled, and refuses a kind outside the six', async () => {
        expect(await store.latestReconciliation('2026-11-27')).toBeUndefined();
        await expect(store.saveReconciliation({ run: run(), differences: [difference({ kind: 'other' as never })] })).rejects.toThrow();
        expect(await store.latestReconciliation('2026-11-28')).toBeUndefined(); // one transaction: the run went with it
      });

      it('finds payments by out_trade_no whatever their day, leaving unknown numbers out', async () => {
        await store.insertPayment(newPayment({ id: 'a' }));
        await store.insertPayment(newPayment({ id: 'b', terminal_id: 't2', created_at: T0 - 86_400_000 * 40 }));
        const found = await store.paymentsByOutTradeNo(['o_b', 'o_a', 'o_none']);
        expect(found.map((p) => p.id).sort()).toEqual(['a', 'b']);
        expect(await store.paymentsByOutTradeNo([])).toEqual([]);
        const many = Array.from({ length: 1200 }, (_, i) => `x${i}`).concat('o_a');
        expect((await store.paymentsByOutTradeNo(many)).map((p) => p.id)).toEqual(['a']);
      });
    });

    describe('payments', () => {
      it('inserts once and answers exists for the same id', async () => {
        expect((await store.insertPayment(newPayment())).kind).toBe('created');
        const again = await store.insertPayment(newPayment({ amount_fen: 999 }));
        expect(again.kind).toBe('exists');
        expect(again.kind === 'exists' && again.payment.amount_fen).toBe(100);
      });

      it('reads back every field of a payment exactly as it was written', async () => {
        const written = newPayment({
          description: '咖啡 ×2',
          status: 'user_paying',
          step: 'query',
          error_code: 'USERPAYING',
          error_message: 'waiting',
          send_rejected: true,
          sent_at: T0 + 1,
          reverse_decided_at: T0 + 2,
          reverse_reason: 'cancel',
          reverse_attempts: 3,
          lease_owner: 'A',
          lease_until: T0 + 60_000,
        });
        const created = await store.insertPayment(written);
        const expected = { ...written, refunded_fen: 0, shift_id: null, cashier: null, cash_fen: null, coupon_fen: null, settlement_fen: null, bank_type: null, shop_id: 'default' };
        expect(created).toEqual({ kind: 'created', payment: expected });
        expect(await store.payment('p1')).toEqual(expected);
      });

      it('keeps what WeChat says the customer paid with: cash, coupons, settlement and bank, null when it sent none', async () => {
        await store.insertPayment(newPayment());
        expect(await store.payment('p1')).toMatchObject({ cash_fen: null, coupon_fen: null, settlement_fen: null, bank_type: null });
        const t = await store.transitionPayment('p1', () => ({ status: 'succeeded', step: 'done', cash_fen: 80, coupon_fen: 20, settlement_fen: 90, bank_type: 'CMB_DEBIT' }));
        expect(t?.after).toMatchObject({ cash_fen: 80, coupon_fen: 20, settlement_fen: 90, bank_type: 'CMB_DEBIT' });
        expect(await store.payment('p1')).toMatchObject({ cash_fen: 80, coupon_fen: 20, settlement_fen: 90, bank_type: 'CMB_DEBIT' });
        store = await db.reopen();
        expect(await store.payment('p1')).toMatchObject({ cash_fen: 80, coupon_fen: 20, settlement_fen: 90, bank_type: 'CMB_DEBIT' });
      });

      it('keeps the largest whole number of fen JavaScript holds exactly', async () => {
        await store.insertPayment(newPayment({ amount_fen: Number.MAX_SAFE_INTEGER, deadline_at: 8_640_000_000_000_000 }));
        const row = await store.payment('p1');
        expect(row?.amount_fen).toBe(Number.MAX_SAFE_INTEGER);
        expect(typeof row?.amount_fen).toBe('number');
        expect(row?.deadline_at).toBe(8_640_000_000_000_000);
      });

      it('refuses a second payment in progress on the same terminal and names the first', async () => {
        await store.insertPayment(newPayment());
        const second = await store.insertPayment(newPayment({ id: 'p2' }));
        expect(second).toMatchObject({ kind: 'terminal_busy', active: { id: 'p1' } });
        expect((await store.insertPayment(newPayment({ id: 'p3', terminal_id: 't2' }))).kind).toBe('created');
        expect((await store.activePayment('t1'))?.id).toBe('p1');
        expect(await store.activePayment('t9')).toBeUndefined();
      });

      it('frees the terminal once the payment leaves processing/user_paying', async () => {
        await store.insertPayment(newPayment());
        await store.transitionPayment('p1', () => ({ status: 'needs_attention', step: 'reverse', updated_at: T0 + 1 }));
        expect(await store.activePayment('t1')).toBeUndefined();
        expect((await store.insertPayment(newPayment({ id: 'p2' }))).kind).toBe('created');
      });

      it('journals an event for every status or step change, and none for a no-op', async () => {
        await store.insertPayment(newPayment());
        await store.transitionPayment('p1', () => ({ step: 'query', sent_at: T0, updated_at: T0 + 1 }));
        const noop = await store.transitionPayment('p1', () => undefined);
        expect(noop?.changed).toBe(false);
        await store.transitionPayment('p1', () => ({ next_at: T0 + 5, updated_at: T0 + 2 }));
        await store.transitionPayment('p1', () => ({ status: 'succeeded', step: 'done', transaction_id: 'tx', updated_at: T0 + 3 }));
        const events = await store.paymentEvents('p1');
        expect(events.map((e) => `${e.from_status}/${e.from_step}->${e.to_status}/${e.to_step}@${e.at - T0}`)).toEqual([
          'null/null->processing/send@0',
          'processing/send->processing/query@1',
          'processing/query->succeeded/done@3',
        ]);
        expect(events[0]).toEqual({ payment_id: 'p1', at: T0, from_status: null, to_status: 'processing', from_step: null, to_step: 'send', error_code: null });
      });

      it('journals an event with the patch\'s event_code even when neither status nor step changes', async () => {
        await store.insertPayment(newPayment({ step: 'query' }));
        const t = await store.transitionPayment('p1', () => ({ next_at: T0 + 100, updated_at: T0 + 1, event_code: 'GATEWAY_TIMEOUT' }));
        expect(t?.after).not.toHaveProperty('event_code');
        expect(await store.payment('p1')).not.toHaveProperty('event_code');
        const events = await store.paymentEvents('p1');
        expect(events.at(-1)).toEqual({ payment_id: 'p1', at: T0 + 1, from_status: 'processing', to_status: 'processing', from_step: 'query', to_step: 'query', error_code: 'GATEWAY_TIMEOUT' });
      });

      it('answers a transition with the row before and after, as stored', async () => {
        await store.insertPayment(newPayment());
        const t = await store.transitionPayment('p1', (row) => ({ reverse_attempts: row.reverse_attempts + 1, cancel_requested: true, updated_at: T0 + 1 }));
        expect(t?.changed).toBe(true);
        expect(t?.before.cancel_requested).toBe(false);
        expect(t?.after).toEqual({ ...t!.before, reverse_attempts: 1, cancel_requested: true, updated_at: T0 + 1 });
        expect(await store.payment('p1')).toEqual(t?.after);
        expect(await store.transitionPayment('nope', () => ({ updated_at: 1 }))).toBeUndefined();
      });

      it('lists payments created in a half-open time range, oldest first', async () => {
        await store.insertPayment(newPayment({ id: 'a', terminal_id: 'x', created_at: T0 - 1 }));
        await store.insertPayment(newPayment({ id: 'c', terminal_id: 'z', created_at: T0 + 5 }));
        await store.insertPayment(newPayment({ id: 'b', terminal_id: 'y', created_at: T0 }));
        await store.insertPayment(newPayment({ id: 'd', terminal_id: 'w', created_at: T0 + 10 }));
        expect((await store.paymentsCreatedBetween(T0, T0 + 10)).map((p) => p.id)).toEqual(['b', 'c']);
      });

      it("lists one shop's payments of a time range, leaving the chain's other shops out", async () => {
        await store.createShop({ id: 'shop2', name: 'Second', time_zone: null, sub_mch_id: null, sub_appid: null, manager_pin_hash: null, created_at: T0 });
        await store.insertPayment(newPayment({ id: 'a', terminal_id: 'x', created_at: T0 + 2, shop_id: 'shop2' }));
        await store.insertPayment(newPayment({ id: 'b', terminal_id: 'y', created_at: T0 + 1 }));
        await store.insertPayment(newPayment({ id: 'c', terminal_id: 'z', created_at: T0, shop_id: 'shop2' }));
        await store.insertPayment(newPayment({ id: 'd', terminal_id: 'w', created_at: T0 + 10, shop_id: 'shop2' }));
        expect((await store.paymentsCreatedBetween(T0, T0 + 10, 'shop2')).map((p) => p.id)).toEqual(['c', 'a']);
        expect((await store.paymentsCreatedBetween(T0, T0 + 10, 'default')).map((p) => p.id)).toEqual(['b']);
        expect((await store.paymentsCreatedBetween(T0, T0 + 10)).map((p) => p.id)).toEqual(['c', 'b', 'a']);
      });

      it('pages a day newest first through the cursor, ties broken by id, with terminal and search filters', async () => {
        const day = [
          newPayment({ id: 'a', terminal_id: 'x', created_at: T0, amount_fen: 2580, status: 'succeeded', step: 'done' }),
          newPayment({ id: 'b', terminal_id: 'y', created_at: T0, out_trade_no: 'P20261128aa0042', status: 'succeeded', step: 'done' }),
          newPayment({ id: 'c', terminal_id: 'x', created_at: T0 + 5, transaction_id: '4200000001', status: 'failed', step: 'done' }),
          newPayment({ id: 'd', terminal_id: 'z', created_at: T0 + 9, status: 'succeeded', step: 'done' }),
          newPayment({ id: 'e', terminal_id: 'w', created_at: T0 + 10 }),
        ];
        for (const p of day) await store.insertPayment(p);
        const page = (after?: { created_at: number; id: string }) => store.paymentsPage({ fromMs: T0, toMs: T0 + 10, limit: 2, ...(after ? { after } : {}) });
        const first = await page();
        expect(first.map((p) => p.id)).toEqual(['d', 'c']);
        const second = await page(first[1]);
        expect(second.map((p) => p.id)).toEqual(['b', 'a']);
        expect(await page(second[1])).toEqual([]);
        const ids = async (q: object) => (await store.paymentsPage({ fromMs: T0, toMs: T0 + 10, limit: 10, ...q })).map((p) => p.id);
        expect(await ids({ terminalId: 'x' })).toEqual(['c', 'a']);
        expect(await ids({ amountFen: 2580 })).toEqual(['a']);
        expect(await ids({ tail: 'AA0042' })).toEqual(['b']);
        expect(await ids({ tail: '0001' })).toEqual(['c']);
        expect(await ids({ amountFen: 2580, tail: '0001' })).toEqual(['c', 'a']);
      });

      it('sums a day’s totals in the database, refunds of the day’s payments included', async () => {
        await store.insertPayment(newPayment({ id: 'a', terminal_id: 'x', created_at: T0, amount_fen: 1000, status: 'succeeded', step: 'done' }));
        await store.insertPayment(newPayment({ id: 'b', terminal_id: 'y', created_at: T0 + 1, amount_fen: 300, status: 'failed', step: 'done' }));
        await store.insertPayment(newPayment({ id: 'c', terminal_id: 'z', created_at: T0 + 99, amount_fen: 7, status: 'succeeded', step: 'done' }));
        await store.insertRefund(newRefund({ id: 'r1', payment_id: 'a', amount_fen: 250, terminal_id: 'y' }));
        await store.transitionRefund('r1', () => ({ status: 'succeeded', step: 'done', updated_at: T0 + 2 }));
        expect(await store.paymentTotals(T0, T0 + 10)).toEqual({
          count: 2,
          succeeded_count: 1,
          succeeded_fen: 1000,
          coupon_fen: 0,
          settlement_fen: 1000,
          refunded_fen: 250,
          by_wallet: [{ wallet: 'wechat', count: 2, succeeded_count: 1, succeeded_fen: 1000, coupon_fen: 0, settlement_fen: 1000, refunded_fen: 250 }],
        });
        expect(await store.paymentTotals(T0 + 100, T0 + 200)).toEqual({ count: 0, succeeded_count: 0, succeeded_fen: 0, coupon_fen: 0, settlement_fen: 0, refunded_fen: 0, by_wallet: [] });
        expect((await store.refund('r1'))?.terminal_id).toBe('y');
      });

      it('sums settlement (the amount where WeChat sent none) and coupons apart, of succeeded payments only', async () => {
        await store.insertPayment(newPayment({ id: 'a', terminal_id: 'x', created_at: T0, amount_fen: 1000, status: 'succeeded', step: 'done' }));
        await store.transitionPayment('a', () => ({ cash_fen: 700, coupon_fen: 300, settlement_fen: 800 }));
        await store.insertPayment(newPayment({ id: 'b', terminal_id: 'y', created_at: T0 + 1, amount_fen: 500, status: 'succeeded', step: 'done' }));
        await store.insertPayment(newPayment({ id: 'c', terminal_id: 'z', created_at: T0 + 2, amount_fen: 300, status: 'failed', step: 'done' }));
        await store.transitionPayment('c', () => ({ coupon_fen: 100, settlement_fen: 200 }));
        expect(await store.paymentTotals(T0, T0 + 10)).toMatchObject({ count: 3, succeeded_count: 2, succeeded_fen: 1500, coupon_fen: 300, settlement_fen: 1300, refunded_fen: 0 });
      });

      it('records each payment’s wallet (WeChat by default), gives its refunds the same wallet and splits totals and groups by wallet', async () => {
        await store.insertPayment(newPayment({ id: 'w', created_at: T0, amount_fen: 1000, status: 'succeeded', step: 'done' }));
        await store.insertPayment(newPayment({ id: 'a', wallet: 'alipay', created_at: T0 + 1, amount_fen: 600, status: 'succeeded', step: 'done' }));
        await store.insertPayment(newPayment({ id: 'b', wallet: 'alipay', created_at: T0 + 2, amount_fen: 50, status: 'failed', step: 'done' }));
        await store.insertRefund(newRefund({ id: 'ra', payment_id: 'a', amount_fen: 100 }));
        await store.transitionRefund('ra', () => ({ status: 'succeeded', step: 'done', updated_at: T0 + 3 }));
        expect((await store.payment('w'))?.wallet).toBe('wechat');
        expect((await store.payment('a'))?.wallet).toBe('alipay');
        expect((await store.refund('ra'))?.wallet).toBe('alipay');
        const t = await store.transitionPayment('b', () => ({ cancel_action: 'refund' }));
        expect(t?.after.cancel_action).toBe('refund');
        expect((await store.payment('b'))?.cancel_action).toBe('refund');
        expect((await store.payment('w'))?.cancel_action).toBeNull();
        expect((await store.paymentTotals(T0, T0 + 10)).by_wallet).toEqual([
          { wallet: 'wechat', count: 1, succeeded_count: 1, succeeded_fen: 1000, coupon_fen: 0, settlement_fen: 1000, refunded_fen: 0 },
          { wallet: 'alipay', count: 2, succeeded_count: 1, succeeded_fen: 600, coupon_fen: 0, settlement_fen: 600, refunded_fen: 100 },
        ]);
        const groups = await store.paymentGroups({ fromMs: T0, toMs: T0 + 10 });
        expect(groups.filter((g) => g.wallet === 'alipay').reduce((n, g) => n + g.succeeded_fen, 0)).toBe(600);
        const refundGroups = await store.refundGroups({ fromMs: T0, toMs: T0 + 10 });
        expect(refundGroups.map((g) => [g.wallet, g.refunded_fen])).toEqual([['alipay', 100]]);
      });

      it('keeps payments across a reopen', async () => {
        await store.insertPayment(newPayment());
        store = await db.reopen();
        expect((await store.payment('p1'))?.amount_fen).toBe(100);
      });
    });

    describe('leases', () => {
      it('lets only one owner claim an unfinished payment until its lease expires', async () => {
        await store.insertPayment(newPayment());
        expect((await store.claimPayments('A', T0, 1000, T0, 10)).map((p) => p.id)).toEqual(['p1']);
        expect(await store.claimPayments('B', T0 + 500, 1000, T0 + 500, 10)).toEqual([]);
        expect(await store.claimPayment('p1', 'B', T0 + 500, 1000)).toBeUndefined();
        expect((await store.claimPayment('p1', 'A', T0 + 500, 1000))?.lease_until).toBe(T0 + 1500);
        expect((await store.claimPayment('p1', 'B', T0 + 1501, 1000))?.lease_owner).toBe('B');
      });

      it('does not hand out payments that are not due yet or finished', async () => {
        await store.insertPayment(newPayment({ next_at: T0 + 5000 }));
        await store.insertPayment(newPayment({ id: 'p2', terminal_id: 't2', status: 'succeeded', step: 'done' }));
        await store.insertPayment(newPayment({ id: 'p3', terminal_id: 't3', status: 'needs_attention', step: 'manual' }));
        expect(await store.claimPayments('A', T0, 1000, T0, 10)).toEqual([]);
        expect((await store.claimPayments('A', T0, 1000, Number.MAX_SAFE_INTEGER, 10)).map((p) => p.id)).toEqual(['p1']);
        expect(await store.claimPayment('p2', 'A', T0, 1000)).toBeUndefined();
      });

      it('claims the most overdue payments first, up to the limit', async () => {
        for (const [i, due] of [30, 10, 20].entries()) await store.insertPayment(newPayment({ id: `p${i}`, terminal_id: `t${i}`, next_at: T0 + due }));
        expect((await store.claimPayments('A', T0 + 100, 1000, T0 + 100, 2)).map((p) => p.next_at - T0)).toEqual([10, 20]);
      });

      it('releases a lease only for its owner', async () => {
        await store.insertPayment(newPayment());
        await store.claimPayment('p1', 'A', T0, 1000);
        await store.releasePayment('p1', 'B');
        expect((await store.payment('p1'))?.lease_owner).toBe('A');
        await store.releasePayment('p1', 'A');
        expect(await store.payment('p1')).toMatchObject({ lease_owner: null, lease_until: null });
      });
    });

    describe('refunds', () => {
      beforeEach(async () => {
        await store.insertPayment(newPayment({ status: 'succeeded', step: 'done' }));
      });

      it('refuses refunds of payments that did not succeed', async () => {
        await store.insertPayment(newPayment({ id: 'p2', terminal_id: 't2' }));
        expect((await store.insertRefund(newRefund({ payment_id: 'p2' }))).kind).toBe('not_allowed');
        expect((await store.insertRefund(newRefund({ payment_id: 'nope' }))).kind).toBe('payment_not_found');
      });

      it('answers exists for a refund id already used, whatever the new request says', async () => {
        const created = await store.insertRefund(newRefund({ reason: '退货' }));
        expect(created).toEqual({ kind: 'created', refund: { ...newRefund({ reason: '退货' }), lease_owner: null, lease_until: null, shift_id: null, cashier: null, terminal_id: null, wallet: 'wechat' } });
        expect(await store.insertRefund(newRefund({ amount_fen: 1_000 }))).toMatchObject({ kind: 'exists', refund: { amount_fen: 40 } });
        expect(await store.refund('r1')).toMatchObject({ id: 'r1', reason: '退货', attempts: 0 });
        expect(await store.refund('nope')).toBeUndefined();
      });

      it('reserves processing refunds so the total never exceeds the paid amount', async () => {
        expect((await store.insertRefund(newRefund())).kind).toBe('created');
        expect(await store.insertRefund(newRefund({ id: 'r2', amount_fen: 61 }))).toEqual({ kind: 'too_large', remaining_fen: 60 });
        expect((await store.insertRefund(newRefund({ id: 'r2', amount_fen: 60 }))).kind).toBe('created');
        expect((await store.refundsOf('p1')).map((r) => r.id)).toEqual(['r1', 'r2']);
      });

      it('derives refunded_fen from succeeded refunds only', async () => {
        await store.insertRefund(newRefund());
        expect((await store.payment('p1'))?.refunded_fen).toBe(0);
        const after = await store.transitionRefund('r1', () => ({ status: 'succeeded', step: 'done', refund_id: 'w1', updated_at: T0 + 1 }));
        expect(after).toMatchObject({ status: 'succeeded', step: 'done', refund_id: 'w1', updated_at: T0 + 1 });
        expect((await store.payment('p1'))?.refunded_fen).toBe(40);
        expect((await store.paymentsCreatedBetween(T0, T0 + 1))[0]?.refunded_fen).toBe(40);
      });

      it('gives failed refunds their amount back', async () => {
        await store.insertRefund(newRefund({ amount_fen: 100 }));
        await store.transitionRefund('r1', () => ({ status: 'failed', step: 'done', updated_at: T0 + 1 }));
        expect((await store.insertRefund(newRefund({ id: 'r2', amount_fen: 100 }))).kind).toBe('created');
      });

      it('leases unsettled refunds to one owner at a time', async () => {
        await store.insertRefund(newRefund());
        await store.insertRefund(newRefund({ id: 'r2', amount_fen: 10, next_at: T0 + 5_000 }));
        expect((await store.claimRefunds('A', T0, 1000, T0, 10)).map((r) => r.id)).toEqual(['r1']);
        expect(await store.claimRefunds('B', T0 + 10, 1000, T0 + 10, 10)).toEqual([]);
        expect((await store.claimRefunds('B', T0 + 1001, 1000, T0 + 5_000, 10)).map((r) => `${r.id}:${r.lease_owner}`)).toEqual(['r1:B', 'r2:B']);
        expect(await store.transitionRefund('r1', () => undefined)).toMatchObject({ id: 'r1', lease_owner: 'B' });
        expect(await store.transitionRefund('nope', () => ({ attempts: 1 }))).toBeUndefined();
      });
    });

    describe('terminals, pairing, settings', () => {
      const till = { id: 't1', name: 'Till 1', created_at: T0, paired_at: null };
      const token = (hash: string) => ({ token_hash: hash, terminal_id: 't1', created_at: T0 });
      const code = (hash: string, expires_at = T0 + 1000) => ({ code_hash: hash, terminal_id: 't1', expires_at });

      it('finds a terminal by each of its token hashes until they are revoked', async () => {
        await store.createTerminal(till, token('aa'), code('c1'));
        expect(await store.terminalByTokenHash('aa')).toEqual(till);
        expect((await store.redeemPairingCode('c1', T0, { token_hash: 'bb', created_at: T0 }))?.paired_at).toBe(T0);
        expect((await store.terminalByTokenHash('bb'))?.id).toBe('t1');
        expect((await store.terminalByTokenHash('aa'))?.id).toBe('t1');
        expect(await store.revokeTokens('t1')).toBe(2);
        expect(await store.terminalByTokenHash('aa')).toBeUndefined();
        expect(await store.terminalByTokenHash('bb')).toBeUndefined();
        expect(await store.terminal('t1')).toEqual(till);
        expect((await store.listTerminals()).map((t) => t.id)).toEqual(['t1']);
      });

      it('redeems a pairing code once and never after it expires', async () => {
        await store.createTerminal(till, token('aa'), code('c1'));
        expect(await store.rotateTerminal('t1', token('a2'), code('c2'))).toBe(true);
        expect(await store.redeemPairingCode('c1', T0, { token_hash: 'x1', created_at: T0 })).toBeUndefined(); // revoked by the rotation
        await store.rotateTerminal('t1', token('a3'), code('c3', T0 + 10));
        expect(await store.redeemPairingCode('c3', T0 + 10, { token_hash: 'x3', created_at: T0 })).toBeUndefined();
        expect(await store.redeemPairingCode('zz', T0, { token_hash: 'x4', created_at: T0 })).toBeUndefined();
        expect(await store.terminalByTokenHash('x1')).toBeUndefined();
        expect((await store.redeemPairingCode('c3', T0, { token_hash: 'x5', created_at: T0 }))?.id).toBe('t1');
        expect(await store.redeemPairingCode('c3', T0, { token_hash: 'x6', created_at: T0 })).toBeUndefined();
      });

      it('rotates: every older token and unused code revoked, the new ones valid', async () => {
        await store.createTerminal(till, token('aa'), code('c1'));
        await store.redeemPairingCode('c1', T0, { token_hash: 'device', created_at: T0 });
        expect(await store.rotateTerminal('t1', token('new'), code('c2'))).toBe(true);
        expect(await store.terminalByTokenHash('aa')).toBeUndefined();
        expect(await store.terminalByTokenHash('device')).toBeUndefined();
        expect((await store.terminal('t1'))?.paired_at).toBeNull();
        expect((await store.terminalByTokenHash('new'))?.id).toBe('t1');
        expect((await store.redeemPairingCode('c2', T0, { token_hash: 'd2', created_at: T0 }))?.id).toBe('t1');
        expect(await store.rotateTerminal('nope', token('zz'), code('c9'))).toBe(false);
      });

      it('removes a terminal with its tokens and codes, keeping its payments', async () => {
        await store.createTerminal(till, token('aa'), code('c1'));
        await store.insertPayment(newPayment({ terminal_id: 't1' }));
        expect(await store.removeTerminal('t1')).toBe(true);
        expect(await store.terminal('t1')).toBeUndefined();
        expect(await store.terminalByTokenHash('aa')).toBeUndefined();
        expect(await store.redeemPairingCode('c1', T0, { token_hash: 'x', created_at: T0 })).toBeUndefined();
        expect((await store.payment('p1'))?.terminal_id).toBe('t1');
        expect(await store.removeTerminal('t1')).toBe(false);
      });

      it('keeps an owner terminal\'s role, and reads a till as it always did (no role)', async () => {
        await store.createTerminal({ ...till, id: 'o1', name: 'Owner', role: 'owner' }, { ...token('oo'), terminal_id: 'o1' }, { ...code('co'), terminal_id: 'o1' });
        await store.createTerminal(till, token('aa'), code('c1'));
        expect(await store.terminalByTokenHash('oo')).toEqual({ ...till, id: 'o1', name: 'Owner', role: 'owner' });
        expect(await store.terminal('t1')).toEqual(till);
        expect((await store.listTerminals()).map((t) => t.role ?? 'till').sort()).toEqual(['owner', 'till']);
      });

      it('takes a durable write when asked whether the journal can be written', async () => {
        await expect(store.checkWritable()).resolves.toBeUndefined();
      });

      it('stores and overwrites settings', async () => {
        expect(await store.setting('pin')).toBeUndefined();
        await store.setSetting('pin', 'x');
        await store.setSetting('pin', 'y');
        expect(await store.setting('pin')).toBe('y');
      });

      it('initialises a setting once: the first value stays', async () => {
        expect(await store.initSetting('secret', 'first')).toBe('first');
        expect(await store.initSetting('secret', 'second')).toBe('first');
        expect(await store.setting('secret')).toBe('first');
      });
    });

    describe('two instances on one database', () => {
      let other: Store;
      beforeEach(async () => {
        other = await db.second();
      });
      const both = <T>(n: number, call: (s: Store, i: number) => Promise<T>): Promise<T[]> =>
        Promise.all(Array.from({ length: n }, (_, i) => call(i % 2 === 0 ? store : other, i)));

      it('creates a payment id once when both insert it at the same time', async () => {
        const results = await both(10, (s) => s.insertPayment(newPayment()));
        expect(results.filter((r) => r.kind === 'created')).toHaveLength(1);
        expect(results.filter((r) => r.kind === 'exists')).toHaveLength(9);
        expect(await other.paymentEvents('p1')).toHaveLength(1);
      });

      it('lets one payment of a terminal through when both take one at the same time', async () => {
        const results = await both(10, (s, i) => s.insertPayment(newPayment({ id: `p${i}` })));
        const created = results.filter((r) => r.kind === 'created');
        expect(created).toHaveLength(1);
        const winner = created[0]!.kind === 'created' && created[0]!.payment.id;
        for (const r of results) if (r.kind === 'terminal_busy') expect(r.active.id).toBe(winner);
      });

      it('loses no transition when both change one payment at the same time', async () => {
        await store.insertPayment(newPayment());
        const results = await both(20, (s) => s.transitionPayment('p1', (row) => ({ reverse_attempts: row.reverse_attempts + 1, updated_at: row.updated_at + 1 })));
        expect(results.every((t) => t?.changed)).toBe(true);
        expect((await other.payment('p1'))?.reverse_attempts).toBe(20);
        expect(new Set(results.map((t) => t!.after.reverse_attempts)).size).toBe(20);
      });

      it('decides a transition on the row as the other instance left it', async () => {
        await store.insertPayment(newPayment({ step: 'query' }));
        await store.claimPayment('p1', 'A', T0, 60_000);
        await other.transitionPayment('p1', () => ({ cancel_requested: true, step: 'reverse', updated_at: T0 + 1 }));
        const seen: boolean[] = [];
        const t = await store.transitionPayment('p1', (row) => {
          seen.push(row.cancel_requested);
          return row.cancel_requested ? { reverse_attempts: 1, updated_at: T0 + 2 } : { status: 'succeeded', step: 'done', updated_at: T0 + 2 };
        });
        expect(seen.at(-1)).toBe(true);
        expect(t?.after).toMatchObject({ step: 'reverse', status: 'processing', reverse_attempts: 1, cancel_requested: true });
        // And a no-op decided on the row this handle wrote last is checked against the stored row.
        await other.transitionPayment('p1', () => ({ status: 'canceled', step: 'done', updated_at: T0 + 3 }));
        expect((await store.transitionPayment('p1', (row) => (row.step === 'done' ? undefined : { next_at: 1 })))?.before.status).toBe('canceled');
        expect(await store.paymentEvents('p1')).toHaveLength(3);
      });

      it('hands each due payment to one claimer only', async () => {
        for (let i = 0; i < 30; i++) await store.insertPayment(newPayment({ id: `p${i}`, terminal_id: `t${i}` }));
        const claims = await both(6, (s, i) => s.claimPayments(`owner${i}`, T0, 60_000, T0, 10));
        const ids = claims.flat().map((p) => p.id);
        expect(ids).toHaveLength(30);
        expect(new Set(ids).size).toBe(30);
        for (const [i, rows] of claims.entries()) for (const row of rows) expect(row.lease_owner).toBe(`owner${i}`);
      });

      it('never lets refunds racing on one payment exceed what was paid', async () => {
        await store.insertPayment(newPayment({ status: 'succeeded', step: 'done' }));
        const results = await both(8, (s, i) => s.insertRefund(newRefund({ id: `r${i}`, amount_fen: 30 })));
        expect(results.filter((r) => r.kind === 'created')).toHaveLength(3);
        expect(results.filter((r) => r.kind === 'too_large')).toHaveLength(5);
      });

      it('agrees on a setting both initialise at first start', async () => {
        const values = await both(6, (s, i) => s.initSetting('key', `v${i}`));
        expect(new Set(values).size).toBe(1);
      });
    });
  });
}
