import { randomBytes } from 'node:crypto';
import { DEFAULT_SHOP_ID, type ShopRow, type Store } from '../store/types.ts';
import { isXmlText } from '../wechat/xml.ts';

/**
 * Shops: a chain's shops, or a service provider's sub-merchants, on one journal (README "Shops").
 * Terminals, payments, shifts and cashiers belong to one; the API shows a terminal its own shop
 * only. The default shop is every journal's first: its unset fields follow the server's
 * configuration, so a single shop never needs a shop command.
 *
 * A shop's name, time zone and sub-merchant are fixed once it exists (no command changes them):
 * a payment's queries, reverses and refunds must reach the sub-merchant it was paid to, whichever
 * instance sends them, so every instance may keep what it read of a shop for good.
 *
 * Per-shop work over the whole journal (reconciliation against WeChat's bill, the operator's
 * summary) goes shop by shop from `list()`: a shop's bill is `downloadBill({bill_date, merchant})`
 * with its `merchant`, its journal `paymentsChronological({…, shopId: shop.id})`.
 */

export type ShopStore = Pick<Store, 'createShop' | 'shop' | 'listShops'>;

/** The sub-merchant a WeChat request is sent for (service-provider mode). */
export interface SubMerchant {
  sub_mch_id: string;
  sub_appid?: string;
}

/** A shop as the server uses it: every field resolved (the server's configuration fills the default shop's gaps). */
export interface Shop {
  id: string;
  name: string;
  timeZone: string;
  /** Absent: the requests carry the server's WECHAT_SUB_MCH_ID, if any. */
  merchant?: SubMerchant;
}

/** What the server's configuration gives the default shop, and every shop's unset time zone. */
export interface ShopDefaults {
  name: string;
  timeZone: string;
}

export interface NewShop {
  name: string;
  subMchId?: string;
  subAppid?: string;
  timeZone?: string;
}

export class ShopError extends Error {
  override readonly name = 'ShopError';
  constructor(
    readonly code: 'INVALID_SHOP' | 'NAME_TAKEN' | 'UNKNOWN_SHOP',
    message: string,
  ) {
    super(message);
  }
}

export const SHOP_NAME = /^[\p{L}\p{N}][\p{L}\p{N} ._&'()-]{0,39}$/u;
const SUB_MCH_ID = /^\d{6,20}$/;
const SUB_APPID = /^wx[0-9A-Za-z]{6,32}$/;

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Checks a new shop's fields; throws INVALID_SHOP with what is wrong. */
export function validateNewShop(shop: NewShop): NewShop {
  const name = shop.name.trim();
  // The name is the WeChat `body` of the shop's payments: short, and text XML can carry.
  if (!SHOP_NAME.test(name) || Buffer.byteLength(name) > 64 || !isXmlText(name)) {
    throw new ShopError('INVALID_SHOP', `"${shop.name}" is not a shop name: 1 to 40 letters, digits, spaces or . _ & ' ( ) -, starting with a letter or digit`);
  }
  if (shop.subMchId !== undefined && !SUB_MCH_ID.test(shop.subMchId)) throw new ShopError('INVALID_SHOP', `--sub-mch-id "${shop.subMchId}" is not a merchant id (6 to 20 digits)`);
  if (shop.subAppid !== undefined && !SUB_APPID.test(shop.subAppid)) throw new ShopError('INVALID_SHOP', `--sub-appid "${shop.subAppid}" is not an AppID (it starts with "wx")`);
  if (shop.subAppid !== undefined && shop.subMchId === undefined) throw new ShopError('INVALID_SHOP', '--sub-appid needs --sub-mch-id (a sub-AppID belongs to a sub-merchant)');
  if (shop.timeZone !== undefined && !isTimeZone(shop.timeZone)) throw new ShopError('INVALID_SHOP', `--time-zone "${shop.timeZone}" is not an IANA time zone (e.g. Asia/Shanghai)`);
  return { ...shop, name };
}

export class ShopDirectory {
  readonly #store: ShopStore;
  readonly #defaults: ShopDefaults;
  readonly #now: () => number;
  /** Shops never change once created (header): each is read once per process. */
  readonly #known = new Map<string, Promise<Shop | undefined>>();

  constructor(options: { store: ShopStore; defaults: ShopDefaults; now?: () => number }) {
    this.#store = options.store;
    this.#defaults = options.defaults;
    this.#now = options.now ?? Date.now;
  }

  /** The shop, or undefined for an unknown id (a shop another instance just created is read then). */
  async get(id: string): Promise<Shop | undefined> {
    let known = this.#known.get(id);
    if (!known) {
      known = this.#store.shop(id).then((row) => row && this.#resolve(row));
      this.#known.set(id, known);
      // An unknown id is asked again next time: the shop may be created meanwhile.
      void known.then(
        (shop) => shop ?? this.#known.delete(id),
        () => this.#known.delete(id),
      );
    }
    return known;
  }

  /** Like get, for a shop that must exist (a terminal's or a payment's). */
  async require(id: string): Promise<Shop> {
    const shop = await this.get(id);
    if (!shop) throw new ShopError('UNKNOWN_SHOP', `no shop ${id}`);
    return shop;
  }

  async list(): Promise<Shop[]> {
    return (await this.#store.listShops()).map((row) => this.#resolve(row));
  }

  async add(fields: NewShop): Promise<Shop> {
    const shop = validateNewShop(fields);
    const row: ShopRow = {
      id: `shop-${randomBytes(5).toString('hex')}`,
      name: shop.name,
      time_zone: shop.timeZone ?? null,
      sub_mch_id: shop.subMchId ?? null,
      sub_appid: shop.subAppid ?? null,
      manager_pin_hash: null,
      created_at: this.#now(),
    };
    if (shop.name.toLowerCase() === this.#defaults.name.toLowerCase() || !(await this.#store.createShop(row))) {
      throw new ShopError('NAME_TAKEN', `a shop named "${shop.name}" exists already`);
    }
    return this.#resolve(row);
  }

  /** A shop by id or (case-insensitive) name, for the command line. */
  async find(idOrName: string): Promise<Shop | undefined> {
    const wanted = idOrName.trim().toLowerCase();
    return (await this.list()).find((s) => s.id === idOrName.trim() || s.name.toLowerCase() === wanted);
  }

  #resolve(row: ShopRow): Shop {
    const shop: Shop = {
      id: row.id,
      name: row.name ?? (row.id === DEFAULT_SHOP_ID ? this.#defaults.name : row.id),
      timeZone: row.time_zone ?? this.#defaults.timeZone,
    };
    if (row.sub_mch_id !== null) shop.merchant = { sub_mch_id: row.sub_mch_id, ...(row.sub_appid !== null ? { sub_appid: row.sub_appid } : {}) };
    return shop;
  }
}
