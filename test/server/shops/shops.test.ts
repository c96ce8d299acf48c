import { describe, expect, it } from 'vitest';
import { ShopDirectory, ShopError } from '../../../server/shops/shops.ts';
import { openSqliteStore } from '../../../server/store/sqlite.ts';

const defaults = { name: 'Corner café', timeZone: 'Asia/Shanghai' };

describe('ShopDirectory', () => {
  it('gives the default shop the server’s name and zone, and a new shop its own sub-merchant', async () => {
    const store = openSqliteStore(':memory:');
    const shops = new ShopDirectory({ store, defaults, now: () => 7 });
    expect(await shops.get('default')).toEqual({ id: 'default', name: 'Corner café', timeZone: 'Asia/Shanghai' });
    const added = await shops.add({ name: ' Branch B ', subMchId: '1900000109', subAppid: 'wx8888888888888888' });
    expect(added).toEqual({ id: added.id, name: 'Branch B', timeZone: 'Asia/Shanghai', merchant: { sub_mch_id: '1900000109', sub_appid: 'wx8888888888888888' } });
    expect(await store.shop(added.id)).toMatchObject({ name: 'Branch B', time_zone: null, created_at: 7 });
    expect(await shops.find('branch b')).toEqual(added);
    await store.close();
  });

  it('refuses the default shop’s name, and finds a shop another process created after an unknown look-up', async () => {
    const store = openSqliteStore(':memory:');
    const shops = new ShopDirectory({ store, defaults });
    await expect(shops.add({ name: 'CORNER CAFÉ' })).rejects.toThrow(ShopError);
    expect(await shops.get('shop-later')).toBeUndefined();
    // As `npm run shop -- add` would, on the same journal.
    await store.createShop({ id: 'shop-later', name: 'Later', time_zone: 'Asia/Urumqi', sub_mch_id: null, sub_appid: null, manager_pin_hash: null, created_at: 1 });
    expect(await shops.get('shop-later')).toEqual({ id: 'shop-later', name: 'Later', timeZone: 'Asia/Urumqi' });
    await store.close();
  });
});
