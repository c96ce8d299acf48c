import { DEFAULT_SHOP_ID, type ShopRow } from '../types.ts';
import type { PgContext } from './context.ts';
import { isUniqueViolation, type Row } from './rows.ts';

const shopFromDb = (r: Row): ShopRow => ({
  id: r.id,
  name: r.name,
  time_zone: r.time_zone,
  sub_mch_id: r.sub_mch_id,
  sub_appid: r.sub_appid,
  manager_pin_hash: r.manager_pin_hash,
  created_at: r.created_at,
});

/** Shops (server/shops/). */
export function pgShops(ctx: PgContext) {
  const { sql } = ctx;

  return {
    async createShop(shop: ShopRow): Promise<boolean> {
      const wanted = shop.name?.toLowerCase();
      try {
        return await sql.begin(async (tx) => {
          // As cashiers: names compared here (lower() may fold ASCII only), creations take turns.
          await tx`LOCK TABLE shops IN SHARE ROW EXCLUSIVE MODE`;
          const shops = await tx`SELECT id, name FROM shops`;
          if (shops.some((r) => r.id === shop.id || (wanted !== undefined && (r.name as string | null)?.toLowerCase() === wanted))) return false;
          await tx`INSERT INTO shops (id, name, time_zone, sub_mch_id, sub_appid, manager_pin_hash, created_at)
                   VALUES (${shop.id}, ${shop.name}, ${shop.time_zone}, ${shop.sub_mch_id}, ${shop.sub_appid}, ${shop.manager_pin_hash}, ${shop.created_at})`;
          return true;
        });
      } catch (error) {
        if (isUniqueViolation(error)) return false;
        throw error;
      }
    },

    async shop(id: string): Promise<ShopRow | undefined> {
      const [r] = await sql`SELECT * FROM shops WHERE id = ${id}`;
      return r && shopFromDb(r);
    },

    async listShops(): Promise<ShopRow[]> {
      return (await sql`SELECT * FROM shops ORDER BY id <> ${DEFAULT_SHOP_ID}, created_at, id`).map(shopFromDb);
    },

    async setShopPin(id: string, pinHash: string | null): Promise<boolean> {
      return (await sql`UPDATE shops SET manager_pin_hash = ${pinHash} WHERE id = ${id}`).count === 1;
    },
  };
}
