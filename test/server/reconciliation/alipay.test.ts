import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import type { AlipayClient } from '../../../server/alipay/client.ts';
import { readBillZip } from '../../../server/alipay/bill.ts';
import { alipayBillLine } from '../../../server/reconciliation/alipay-bills.ts';
import { beijingDate } from '../../../server/reconciliation/bill-day.ts';
import { Reconciler } from '../../../server/reconciliation/reconciler.ts';
import { renderBill } from '../../../server/simulator/alipay/bill.ts';
import { makeAlipayTestCode } from '../../../server/simulator/test-codes.ts';
import type { Shop } from '../../../server/shops/shops.ts';
import { openSqliteStore } from '../../../server/store/sqlite.ts';
import type { Store } from '../../../server/store/types.ts';
import { newPayment } from '../../support/journal-rows.ts';
import { outTradeNo, startAlipaySimulator } from '../simulator/alipay/helpers.ts';

/**
 * The reconciler against the project's Alipay simulator over HTTP, with the product's client:
 * the bill URL, the GBK zip and its detail file, compared with the journal's Alipay rows. WeChat
 * has no bill here (no WeChat sales): it is idle and does not hold the day.
 */
let sim: Awaited<ReturnType<typeof startAlipaySimulator>>;
let client: AlipayClient;
let store: Store;
const SHOP2: Shop = { id: 'shop-2', name: 'Second', timeZone: 'Asia/Shanghai' };
const shops = { get: async (id: string) => (id === SHOP2.id ? SHOP2 : undefined), list: async () => [SHOP2] };
const noWechatBill = { downloadBill: async () => ({ kind: 'rejected' as const, message: 'No Bill Exist', fields: { return_code: 'FAIL', error_code: '20002' } }) };

beforeAll(async () => {
  sim = await startAlipaySimulator();
  client = sim.client();
});
afterAll(async () => {
  client.close();
  await sim.stop();
});
beforeEach(() => {
  store = openSqliteStore(':memory:');
});
afterEach(async () => {
  await store.close();
});

async function paid(amount: string, storeId?: string): Promise<string> {
  const out_trade_no = outTradeNo('R');
  const answer = await client.pay({ out_trade_no, amount_fen: Math.round(Number(amount) * 100), auth_code: makeAlipayTestCode('success'), subject: 'Shop-POS', ...(storeId ? { store_id: storeId } : {}) });
  expect(answer.kind).toBe('ok');
  return out_trade_no;
}

const alipayRow = (id: string, out_trade_no: string, amount_fen: number, over: Parameters<typeof newPayment>[0] = {}) =>
  newPayment({ id, out_trade_no, amount_fen, wallet: 'alipay', status: 'succeeded', step: 'done', terminal_id: `t-${id}`, ...over }, Date.now() - 1_000);

describe('reconciliation against Alipay’s bill', () => {
  it('reads the simulator’s bill zip into payments, refunds by request number and cancels that gave money back', async () => {
    const a = await paid('12.34', 'default');
    expect((await client.refund({ out_trade_no: a, out_request_no: 'RF-1', refund_fen: 200 })).kind).toBe('ok');
    const day = beijingDate(Date.now());
    const url = await client.billDownloadUrl({ bill_type: 'trade', bill_date: day });
    if (url.kind !== 'ok') throw new Error(`no bill URL: ${JSON.stringify(url)}`);
    const bill = await client.downloadBill(url.value.bill_download_url);
    const lines = bill.records.filter((r) => r.out_trade_no === a).map(alipayBillLine);
    expect(lines).toEqual([
      expect.objectContaining({ trade_state: 'SUCCESS', total_fee: 1234, store_id: 'default', out_trade_no: a }),
      expect.objectContaining({ trade_state: 'REFUND', refund_fee: 200, out_refund_no: 'RF-1', refund_status: 'SUCCESS' }),
    ]);
    // A cancel that refunded (action=refund) shows as a 退款 without our request number: read as a reversal.
    const rendered = renderBill(
      [{ time: new Date(), kind: 'refund', amount_fen: 500, out_request_no: '2026112822001400000000000001', trade: { trade_no: '2026112822001400000000000001', out_trade_no: 'X', subject: 's', created_at: new Date(), buyer_logon_id: 'b***' } as never }],
      '20880000000000420156',
      { label: '20261128', from: new Date(), to: new Date() },
      new Date(),
    );
    expect(alipayBillLine(readBillZip(rendered.zip).records[0]!)).toMatchObject({ trade_state: 'REVOKED', refund_fee: 500 });
  });

  it('finds an Alipay sale missing from the journal, one missing at Alipay and one for another amount, each named Alipay', async () => {
    const ok = await paid('10.00');
    const other = await paid('10.00');
    const unknown = await paid('7.77');
    await store.insertPayment(alipayRow('ok', ok, 1000));
    await store.insertPayment(alipayRow('other', other, 900));
    await store.insertPayment(alipayRow('ghost', outTradeNo('G'), 555));
    await store.insertPayment(newPayment({ id: 'wx', status: 'failed', step: 'done', terminal_id: 't-wx' }, Date.now() - 1_000)); // WeChat, not succeeded

    const reconciler = new Reconciler({ store, gateway: noWechatBill, alipay: client });
    const day = beijingDate(Date.now());
    const result = await reconciler.run(day);
    expect(result.status).toBe('differences');
    const found = result.differences.filter((d) => [ok, other, unknown].includes(d.out_trade_no) || d.payment_id === 'ghost');
    expect(found.map((d) => [d.wallet, d.kind, d.journal_fen, d.bill_fen]).sort()).toEqual(
      [
        ['alipay', 'amount_mismatch', 900, 1000],
        ['alipay', 'missing_at_alipay', 555, null],
        ['alipay', 'missing_in_journal', null, 777],
      ].sort(),
    );
    const alipay = result.wallets?.find((w) => w.wallet === 'alipay');
    expect(alipay).toMatchObject({ status: 'differences', counts: { journal: 3 } });
    expect(result.wallets?.find((w) => w.wallet === 'wechat')).toMatchObject({ status: 'no_bill', counts: { journal: 0 } });
    expect(await reconciler.latest(day)).toEqual(result);
  });

  it('gives each shop the lines of its own 门店编号, and the default shop those naming no known shop', async () => {
    const mine = await paid('3.00', SHOP2.id);
    const theirs = await paid('4.00', SHOP2.id);
    await store.insertPayment(alipayRow('mine', mine, 300, { shop_id: SHOP2.id }));
    const reconciler = new Reconciler({ store, gateway: noWechatBill, alipay: client, shops });
    const day = beijingDate(Date.now());

    const second = await reconciler.run(day, SHOP2.id);
    expect(second.shop).toBe(SHOP2.id);
    expect(second.differences.map((d) => [d.kind, d.out_trade_no])).toContainEqual(['missing_in_journal', theirs]);
    expect(second.differences.some((d) => d.out_trade_no === mine)).toBe(false);

    // The default shop sees neither: both name shop-2 (one is even in shop-2's journal).
    const first = await reconciler.run(day);
    expect(first.differences.some((d) => d.out_trade_no === mine || d.out_trade_no === theirs)).toBe(false);
    expect(await reconciler.latest(day, SHOP2.id)).toEqual(second);
  });

  it('calls a day Alipay has no bill for no_bill, and idle when the journal took nothing in Alipay', async () => {
    const reconciler = new Reconciler({ store, gateway: noWechatBill, alipay: client });
    const longAgo = beijingDate(Date.now() - 40 * 86_400_000);
    const idle = await reconciler.run(longAgo);
    expect(idle).toMatchObject({ status: 'no_bill', counts: { journal: 0 } });
    expect(idle.wallets?.map((w) => [w.wallet, w.status])).toEqual([['wechat', 'no_bill'], ['alipay', 'no_bill']]);
    expect(idle.error).toContain('Alipay: 账单不存在');
  });
});
