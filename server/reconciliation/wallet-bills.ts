import type { Wallet } from '../../shared/payment-code.ts';
import type { Shop } from '../shops/shops.ts';
import { DEFAULT_SHOP_ID } from '../store/types.ts';
import type { Bill } from '../wechat/bill.ts';
import type { BillQuery } from '../wechat/client.ts';
import type { Outcome } from '../wechat/gateway.ts';
import { wireDate } from './bill-day.ts';
import type { BillLine } from './compare.ts';

/**
 * One wallet's day bill as the reconciler reads it: lines in the comparison's vocabulary
 * (compare.ts), or why there is none. Each wallet says which lines that no journal payment
 * claims belong to a shop: a chain's shops may share one merchant account and so one bill.
 */
export type DayBill =
  | { kind: 'ok'; lines: ShopBillLine[] }
  /** The wallet has no bill for the day: not published yet, or nothing happened. */
  | { kind: 'no_bill'; message: string }
  | { kind: 'error'; message: string };

export interface ShopBillLine extends BillLine {
  /** Alipay's 门店编号 (the shop id sent as store_id on trade.pay); empty when the payment named none. */
  store_id?: string;
}

export interface WalletBills {
  wallet: Wallet;
  /** "WeChat" / "Alipay": heads the reason of a no_bill or error. */
  label: string;
  /** The day's bill as the shop's merchant sees it; `paidOnly`: only paid lines are needed. */
  day(date: string, shop: Shop | undefined, options?: { paidOnly?: boolean }): Promise<DayBill>;
  /** Which account's bill `day` reads for the shop: shops with the same account read the same bill. */
  account(shop: Shop | undefined): string;
  /** Whether a line no journal payment claims is this shop's (`shops`: every shop's id). */
  ownsUnclaimed(line: ShopBillLine, shop: Shop | undefined, shops: ReadonlySet<string>): boolean;
}

export interface WechatBillGateway {
  downloadBill(q: BillQuery): Promise<Outcome<Bill>>;
}

/** downloadbill's error_code for a day without a bill (or not published yet). */
const NO_BILL = '20002';

/**
 * WeChat's ALL bill, asked gzipped, of the shop's sub-merchant in service-provider mode (a shop
 * without one: the configured merchant's). A shop with its own sub-merchant owns its whole
 * bill; shops without one share the configured merchant's, whose unclaimed lines are the
 * default shop's.
 */
export function wechatBills(gateway: WechatBillGateway): WalletBills {
  return {
    wallet: 'wechat',
    label: 'WeChat',
    async day(date, shop, options) {
      const merchant = shop?.merchant ? { merchant: shop.merchant } : {};
      const outcome = await gateway.downloadBill({ ...merchant, bill_date: wireDate(date), bill_type: options?.paidOnly ? 'SUCCESS' : 'ALL', tar_type: 'GZIP' });
      if (outcome.kind === 'rejected') {
        const noBill = outcome.fields.error_code === NO_BILL || /no bill exist/i.test(outcome.message);
        return { kind: noBill ? 'no_bill' : 'error', message: `WeChat: ${outcome.message}` };
      }
      if (outcome.kind === 'business_error') return { kind: 'error', message: `WeChat: ${outcome.code} ${outcome.description}`.trim() };
      return { kind: 'ok', lines: outcome.value.records };
    },
    account: (shop) => shop?.merchant?.sub_mch_id ?? '',
    ownsUnclaimed: (_line, shop) => shop === undefined || shop.id === DEFAULT_SHOP_ID || shop.merchant !== undefined,
  };
}
