import { DEFAULT_SHOP_ID, type ShopRow } from '../types.ts';
import type { SqliteContext } from './context.ts';
import { num, optStr, str, type DbRow } from './rows.ts';

const shopFromDb = (r: DbRow): ShopRow => ({
  id: str(r.id),
  name: optStr(r.name),
  time_zone: optStr(r.time_zone),
  sub_mch_id: optStr(r.sub_mch_id),
  sub_appid: optStr(r.sub_appid),
  manager_pin_hash: optStr(r.manager_pin_hash),
  created_at: num(r.created_at),
});

/** Shops (server/shops/). */
export function sqliteShops(ctx: SqliteContext) {
  const { db, insertUnlessTaken } = ctx;
  const q = {
    insertShop: db.prepare(
      `INSERT INTO shops (id, name, time_zone, sub_mch_id, sub_appid, manager_pin_hash, created_at)
       VALUES (@id, @name, @time_zone, @sub_mch_id, @sub_appid, @manager_pin_hash, @created_at)`,
    ),
    shop: db.prepare('SELECT * FROM shops WHERE id = ?'),
    shops: db.prepare(`SELECT * FROM shops ORDER BY id != '${DEFAULT_SHOP_ID}', created_at, id`),
    setShopPin: db.prepare('UPDATE shops SET manager_pin_hash = ? WHERE id = ?'),
  };

  return {
    async createShop(shop: ShopRow): Promise<boolean> {
      const wanted = shop.name?.toLowerCase();
      return insertUnlessTaken(
        () => (q.shops.all() as DbRow[]).map(shopFromDb).some((s) => s.id === shop.id || (wanted !== undefined && s.name?.toLowerCase() === wanted)),
        () => q.insertShop.run(shop),
      );
    },

    async shop(id: string): Promise<ShopRow | undefined> {
      const r = q.shop.get(id) as DbRow | undefined;
      return r && shopFromDb(r);
    },

    async listShops(): Promise<ShopRow[]> {
      return (q.shops.all() as DbRow[]).map(shopFromDb);
    },

    async setShopPin(id: string, pinHash: string | null): Promise<boolean> {
      return q.setShopPin.run(pinHash, id).changes === 1;
    },
  };
}
