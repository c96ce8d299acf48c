import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DateOutsideWindow, Reconciler } from '../../../server/reconciliation/reconciler.ts';
import { openSqliteStore } from '../../../server/store/sqlite.ts';
import type { Store } from '../../../server/store/types.ts';
import { parseBill } from '../../../server/wechat/bill.ts';
import type { BillQuery } from '../../../server/wechat/client.ts';
import { GatewayError, type Outcome } from '../../../server/wechat/gateway.ts';
import { renderBill } from '../../../server/simulator/bill.ts';
import type { BillRecord } from '../../../server/simulator/ledger/index.ts';
import { newPayment } from '../../support/journal-rows.ts';

/** 2026-11-29 12:00 Beijing. */
const NOW = Date.UTC(2026, 10, 29, 4, 0, 0);
const MERCHANT = { appid: 'wx00000000sim00000', mch_id: '1900000109' };
const billOf = (records: BillRecord[]) => parseBill(renderBill(records, MERCHANT, 'ALL'));
const line = (out_trade_no: string, total_fee: number, time: Date): BillRecord => ({ time, kind: 'SUCCESS', transaction_id: `42${out_trade_no}`, out_trade_no, openid: 'o', body: 'Shop-POS', total_fee, discount_fee: 0, settlement_fee: total_fee });

let store: Store;
let asked: BillQuery[];
let answers: Map<string, Outcome<ReturnType<typeof billOf>> | Error>;
let reconciler: Reconciler;

beforeEach(() => {
  store = openSqliteStore(':memory:');
  asked = [];
  answers = new Map();
  reconciler = new Reconciler({
    store,
    now: () => NOW,
    gateway: {
      async downloadBill(q) {
        asked.push(q);
        const answer = answers.get(q.bill_date) ?? { kind: 'rejected', message: 'No Bill Exist', fields: { return_code: 'FAIL', error_code: '20002' } };
        if (answer instanceof Error) throw answer;
        return answer;
      },
    },
  });
});
afterEach(async () => {
  await store.close();
});

describe('Reconciler', () => {
  it('takes days from 3 calendar months ago up to today in Beijing time, and refuses others', () => {
    for (const ok of ['2026-11-29', '2026-08-29', '2026-10-01']) expect(() => reconciler.checkDate(ok)).not.toThrow();
    for (const bad of ['2026-11-30', '2026-08-28', '2026-11-31', '20261128', '']) expect(() => reconciler.checkDate(bad)).toThrow(DateOutsideWindow);
  });

  it('asks for the ALL bill gzipped, and calls a missing bill no_bill, counting the payments that wait for it', async () => {
    await store.insertPayment(newPayment({ id: 'a', status: 'succeeded', step: 'done', created_at: Date.UTC(2026, 10, 28, 2) }));
    const result = await reconciler.run('2026-11-28');
    expect(asked).toEqual([{ bill_date: '20261128', bill_type: 'ALL', tar_type: 'GZIP' }]);
    expect(result).toMatchObject({ date: '2026-11-28', status: 'no_bill', counts: { journal: 1, bill: 0, matched: 0 }, differences: [], error: 'WeChat: No Bill Exist' });
    expect(await reconciler.latest('2026-11-28')).toEqual(result);
  });

  it('stores an error when the gateway cannot be reached or refuses, so the manager sees the check did not happen', async () => {
    answers.set('20261127', new GatewayError('network', 'cannot reach api.mch.weixin.qq.com/pay/downloadbill: ECONNREFUSED'));
    expect(await reconciler.run('2026-11-27')).toMatchObject({ status: 'error', error: expect.stringContaining('ECONNREFUSED') });
    answers.set('20261126', { kind: 'rejected', message: '签名错误', fields: { return_code: 'FAIL' } });
    expect(await reconciler.run('2026-11-26')).toMatchObject({ status: 'error', error: 'WeChat: 签名错误' });
    expect((await reconciler.latest('2026-11-27'))?.status).toBe('error');
  });

  it("compares the Beijing day: a payment at 23:55 Beijing paid after midnight is found on the next day's bill, not reported missing", async () => {
    const late = Date.UTC(2026, 10, 28, 15, 55); // 23:55 Beijing on the 28th
    await store.insertPayment(newPayment({ id: 'early', status: 'succeeded', step: 'done', created_at: Date.UTC(2026, 10, 27, 16, 30) })); // 00:30 on the 28th
    await store.insertPayment(newPayment({ id: 'late', terminal_id: 't2', status: 'succeeded', step: 'done', created_at: late }));
    await store.insertPayment(newPayment({ id: 'utc', terminal_id: 't3', status: 'succeeded', step: 'done', created_at: Date.UTC(2026, 10, 28, 17) })); // the 29th in Beijing
    answers.set('20261128', { kind: 'ok', value: billOf([line('o_early', 100, new Date(Date.UTC(2026, 10, 27, 16, 30)))]), fields: {} });
    answers.set('20261129', { kind: 'ok', value: billOf([line('o_late', 100, new Date(late + 6 * 60_000))]), fields: {} });
    const result = await reconciler.run('2026-11-28');
    expect(result).toMatchObject({ status: 'matched', counts: { journal: 2, bill: 1, matched: 1 }, differences: [] });
    expect(asked.map((q) => [q.bill_date, q.bill_type])).toEqual([['20261128', 'ALL'], ['20261129', 'SUCCESS']]);
  });

  it("reads a chain's shared bill once for all its shops, looks its lines up in the journal once, and gives each shop its own lines", async () => {
    const shops = [2, 3].map((n) => ({ id: `shop-${n}`, name: `Shop ${n}`, timeZone: 'Asia/Shanghai' }));
    const looked: string[] = [];
    const counted = new Proxy(store, {
      get: (target, key) =>
        key === 'paymentsByOutTradeNo'
          ? (numbers: readonly string[]) => {
              looked.push(...numbers);
              return target.paymentsByOutTradeNo(numbers);
            }
          : Reflect.get(target, key),
    });
    const chain = new Reconciler({
      store: counted,
      now: () => NOW,
      shops: { get: async (id) => shops.find((s) => s.id === id), list: async () => shops },
      gateway: {
        async downloadBill(q) {
          asked.push(q);
          return answers.get(q.bill_date) as Outcome<ReturnType<typeof billOf>>;
        },
      },
    });
    const at = Date.UTC(2026, 10, 28, 2);
    const lines = [];
    for (const [n, shopId] of ['default', 'shop-2', 'shop-3'].entries()) {
      for (let i = 0; i < 3; i++) {
        const id = `s${n}p${i}`;
        await store.insertPayment(newPayment({ id, terminal_id: id, shop_id: shopId, status: 'succeeded', step: 'done', created_at: at + i }));
        lines.push(line(`o_${id}`, i === 2 && shopId === 'shop-3' ? 999 : 100, new Date(at + i)));
      }
    }
    // Started at 23:58 the day before and paid after midnight: on this day's bill, in shop-2's journal of the day before.
    const lateStart = Date.UTC(2026, 10, 27, 15, 58);
    await store.insertPayment(newPayment({ id: 'late', terminal_id: 'late', shop_id: 'shop-2', status: 'succeeded', step: 'done', created_at: lateStart }, lateStart));
    const billed = [...lines, line('o_late', 100, new Date(Date.UTC(2026, 10, 27, 16, 0, 30))), line('o_stray', 300, new Date(at))];
    answers.set('20261128', { kind: 'ok', value: billOf(billed), fields: {} });

    const results = [];
    for (const shopId of await chain.shopIds()) results.push(await chain.run('2026-11-28', shopId, { reuseBills: true }));
    expect(asked).toHaveLength(1);
    expect(results.map((r) => [r.shop, r.counts])).toEqual([
      ['default', { journal: 3, bill: 4, matched: 3 }],
      ['shop-2', { journal: 4, bill: 4, matched: 4 }],
      ['shop-3', { journal: 3, bill: 3, matched: 2 }],
    ]);
    // The line nobody journaled is the default shop's (the configured merchant's) to look into.
    expect(results.map((r) => r.differences.map((d) => [d.kind, d.out_trade_no]))).toEqual([[['missing_in_journal', 'o_stray']], [], [['amount_mismatch', 'o_s2p2']]]);
    // Each of the bill's 11 numbers looked up once for the chain, not once per shop; shop-2's late payment then read whole.
    expect(looked.sort()).toEqual([...lines.map((l) => l.out_trade_no), 'o_late', 'o_late', 'o_stray'].sort());

    // A manager comparing again (no pass) asks the wallet anew and sees a charge made since.
    answers.set('20261128', { kind: 'ok', value: billOf([...billed, line('o_since', 500, new Date(at))]), fields: {} });
    const again = await chain.run('2026-11-28', 'default');
    expect(asked).toHaveLength(2);
    expect(again.differences.map((d) => d.out_trade_no).sort()).toEqual(['o_since', 'o_stray']);
  });

  it("asks a shop's bill with its sub-merchant and compares that shop's payments only, leaving lines of another shop's payments to it", async () => {
    const shop2 = { id: 'shop-2', name: 'Second', timeZone: 'Asia/Shanghai', merchant: { sub_mch_id: '1900000202' } };
    const perShop = new Reconciler({
      store,
      now: () => NOW,
      shops: { get: async (id) => (id === shop2.id ? shop2 : undefined), list: async () => [shop2] },
      gateway: {
        async downloadBill(q) {
          asked.push(q);
          const answer = answers.get(q.bill_date) ?? { kind: 'rejected', message: 'No Bill Exist', fields: { error_code: '20002' } };
          if (answer instanceof Error) throw answer;
          return answer;
        },
      },
    });
    const at = Date.UTC(2026, 10, 28, 2);
    await store.insertPayment(newPayment({ id: 'mine', shop_id: 'shop-2', status: 'succeeded', step: 'done', created_at: at }));
    await store.insertPayment(newPayment({ id: 'theirs', terminal_id: 't2', status: 'succeeded', step: 'done', created_at: at }));
    // The service provider's simulator would not mix them; a shared bill may: the default shop's payment is not shop-2's.
    answers.set('20261128', { kind: 'ok', value: billOf([line('o_mine', 100, new Date(at)), line('o_theirs', 100, new Date(at)), line('o_stray', 300, new Date(at))]), fields: {} });
    const result = await perShop.run('2026-11-28', 'shop-2');
    expect(asked).toEqual([{ merchant: { sub_mch_id: '1900000202' }, bill_date: '20261128', bill_type: 'ALL', tar_type: 'GZIP' }]);
    // Its own sub-merchant's bill: a line nobody journaled is shop-2's to look into.
    expect(result).toMatchObject({ shop: 'shop-2', status: 'differences', counts: { journal: 1, bill: 2, matched: 1 } });
    expect(result.differences.map((d) => [d.kind, d.out_trade_no])).toEqual([['missing_in_journal', 'o_stray']]);
    const ofDefault = await perShop.run('2026-11-28');
    expect(ofDefault.differences.map((d) => [d.kind, d.out_trade_no])).toEqual([['missing_in_journal', 'o_stray']]);
    expect(ofDefault.counts).toEqual({ journal: 1, bill: 2, matched: 1 });
    await expect(perShop.run('2026-11-28', 'nowhere')).rejects.toThrow(/no shop "nowhere"/);
  });
});
