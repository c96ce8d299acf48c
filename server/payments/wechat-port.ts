import type { ForMerchant, Gateway } from '../wechat/gateway.ts';
import type { ResolvedFlowConfig } from './config.ts';
import type { ShopLookup, WalletPort } from './port.ts';
import type { Shop } from '../shops/shops.ts';
import { beijingStamp } from '../wechat/beijing-time.ts';

/**
 * WeChat Pay behind the flow's port: its answers are the flow's vocabulary, passed through. Every
 * call of a payment and its refunds names the sub-merchant of the payment's shop (WeChat finds an
 * order only under the merchant it was paid to); a shop without one uses the configured one.
 */
export function wechatPort(gateway: Gateway, config: ResolvedFlowConfig, shopOf?: ShopLookup): WalletPort {
  const merchantOf = (shop: Shop | undefined): ForMerchant => (shop?.merchant ? { merchant: shop.merchant } : {});
  const forShop = async (shopId: string): Promise<ForMerchant> => merchantOf(await shopOf?.(shopId));
  return {
    wallet: 'wechat',
    charge: async (row, authCode) => {
      const shop = await shopOf?.(row.shop_id);
      return gateway.micropay({
        ...merchantOf(shop),
        out_trade_no: row.out_trade_no,
        total_fee: row.amount_fen,
        auth_code: authCode,
        body: wechatBody(shop?.name ?? config.body, row.description),
        device_info: row.terminal_id,
        attach: row.id,
        // Beijing time whatever SHOP_TIMEZONE and TZ are: WeChat reads them as UTC+8 and answers
        // PARAM_ERROR ("time_expire时间过短") when time_expire is less than a minute ahead of its now.
        time_start: beijingStamp(row.created_at),
        time_expire: beijingStamp(row.created_at + Math.max(config.deadlineMs, 60_000) + 60_000),
        ...(config.spbillCreateIp ? { spbill_create_ip: config.spbillCreateIp } : {}),
      });
    },
    query: async (row) => gateway.orderQuery({ ...(await forShop(row.shop_id)), out_trade_no: row.out_trade_no }),
    cancel: async (row) => gateway.reverse({ ...(await forShop(row.shop_id)), out_trade_no: row.out_trade_no }),
    refund: async (refund, payment) =>
      gateway.refund({
        ...(await forShop(payment.shop_id)),
        out_trade_no: payment.out_trade_no,
        out_refund_no: refund.id,
        total_fee: payment.amount_fen,
        refund_fee: refund.amount_fen,
        ...(refund.reason ? { refund_desc: refund.reason } : {}),
      }),
    refundQuery: async (refund, payment) => gateway.refundQuery({ ...(await forShop(payment.shop_id)), out_refund_no: refund.id }),
  };
}

/** WeChat's `body`: "<shop>-<description>", at most 127 bytes of UTF-8. */
export function wechatBody(prefix: string, description: string | null): string {
  const full = description ? `${prefix}-${description}` : prefix;
  let out = '';
  for (const ch of full) {
    if (Buffer.byteLength(out + ch) > 127) break;
    out += ch;
  }
  return out || 'POS';
}
