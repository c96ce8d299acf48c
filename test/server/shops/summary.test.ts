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
    await store.insertPayment(settledPayment('pb', T0 + 1, { amount_fen: 2000, shop_id: b.id }));
    await store.insertPayment(settledPayment('pb-ali', T0 + 2, { amount_fen: 500, shop_id: b.id, wallet: 'alipay' }));
    await store.insertRefund(refundAt('rb', 'pb', 200, T0 + 3, { status: 'succeeded', step: 'done' }));
    const line = (wallet: string, count: number, succeeded_fen: number, refunded_fen: number) => ({
      wallet,
      count,
      succeeded_count: count,
      succeeded_fen,
      refunded_fen,
      net_fen: succeeded_fen - refunded_fen,
    });

    const summary = await chainSummary(store, shops, '2026-11-28');

    const byId = new Map(summary.shops.map((s) => [s.id, s.totals]));
    expect(byId.get('default')).toEqual({ count: 1, succeeded_count: 1, succeeded_fen: 1000, refunded_fen: 0, net_fen: 1000, by_wallet: [line('wechat', 1, 1000, 0)] });
    expect(byId.get(b.id)?.by_wallet).toEqual([line('wechat', 1, 2000, 200), line('alipay', 1, 500, 0)]);
    expect(summary.totals).toEqual({
      count: 3,
      succeeded_count: 3,
      succeeded_fen: 3500,
      refunded_fen: 200,
      net_fen: 3300,
      by_wallet: [line('wechat', 2, 3000, 200), line('alipay', 1, 500, 0)],
    });
    await store.close();
  });
});
