import { describe, expect, it } from 'vitest';
import { ShopDirectory } from '../../../server/shops/shops.ts';
import { chainSummary } from '../../../server/shops/summary.ts';
import { openSqliteStore } from '../../../server/store/sqlite.ts';
import { refundAt, settledPayment, T0 } from '../../support/journal-rows.ts';

describe('chain summary', () => {
  it("adds the shops' days up overall and per wallet, each shop keeping its own wallets", async () => {
    const store = openSqliteStore(':memory:');
    const shops = new ShopDirectory({ store, defaults: { name: 'Corner café', timeZone: 'Asia/Shanghai' } });
    const b = await shops.add({ name: 'Branch B' });
    await store.insertPayment(settledPayment('pa', T0, { amount_fen: 1000 }));
    // A 300 fen shop-funded coupon: WeChat settles the shop 1700 of the 2000.
    await store.insertPayment(settledPayment('pb', T0 + 1, { amount_fen: 2000, shop_id: b.id }));
    await store.transitionPayment('pb', () => ({ coupon_fen: 300, settlement_fen: 1700, cash_fen: 1700 }));
    await store.insertPayment(settledPayment('pb-ali', T0 + 2, { amount_fen: 500, shop_id: b.id, wallet: 'alipay' }));
    await store.insertRefund(refundAt('rb', 'pb', 200, T0 + 3, { status: 'succeeded', step: 'done' }));
    const sums = (count: number, succeeded_fen: number, refunded_fen: number, coupon_fen = 0) => ({
      count,
      succeeded_count: count,
      succeeded_fen,
      coupon_fen,
      settlement_fen: succeeded_fen - coupon_fen,
      refunded_fen,
      net_fen: succeeded_fen - coupon_fen - refunded_fen,
    });
    const line = (wallet: string, count: number, succeeded_fen: number, refunded_fen: number, coupon_fen = 0) => ({ wallet, ...sums(count, succeeded_fen, refunded_fen, coupon_fen) });

    const summary = await chainSummary(store, shops, '2026-11-28');

    const byId = new Map(summary.shops.map((s) => [s.id, s.totals]));
    expect(byId.get('default')).toEqual({ ...sums(1, 1000, 0), by_wallet: [line('wechat', 1, 1000, 0)] });
    expect(byId.get(b.id)).toEqual({ ...sums(2, 2500, 200, 300), by_wallet: [line('wechat', 1, 2000, 200, 300), line('alipay', 1, 500, 0)] });
    expect(summary.totals).toEqual({ ...sums(3, 3500, 200, 300), by_wallet: [line('wechat', 2, 3000, 200, 300), line('alipay', 1, 500, 0)] });
    await store.close();
  });
});
