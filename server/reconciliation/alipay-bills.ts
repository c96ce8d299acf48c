import type { AlipayBillRecord } from '../alipay/bill.ts';
import type { AlipayClient } from '../alipay/client.ts';
import { GatewayError } from '../alipay/gateway.ts';
import { DEFAULT_SHOP_ID } from '../store/types.ts';
import type { ShopBillLine, WalletBills } from './wallet-bills.ts';

/**
 * Alipay's trade bill (bill_type=trade) of a Beijing day, read into the comparison's vocabulary:
 *
 * | 业务明细 line | reads as |
 * |---|---|
 * | 交易 | SUCCESS, 订单金额 paid, 支付宝交易号 as the transaction id |
 * | 退款 with 退款批次号/请求号 = one of our refund ids | REFUND SUCCESS of that out_refund_no, for -订单金额 |
 * | 退款 with no request number, or the trade's own number | REVOKED: alipay.trade.cancel gave the money back (action=refund) |
 *
 * Alipay lists only finished refunds, so every 退款 is SUCCESS. The bill is the whole merchant
 * account's (this product sends no app_auth_token per shop): a line belongs to the shop named in
 * its 门店编号 (the shop id the till sends as store_id), and a line naming no known shop to the
 * default shop. isp.bill_not_exist is Alipay's answer both before the bill is ready (after
 * 09:00 the next day) and for a day without trades.
 */
export type AlipayBillClient = Pick<AlipayClient, 'billDownloadUrl' | 'downloadBill'>;

const NO_BILL = 'isp.bill_not_exist';

export function alipayBills(client: AlipayBillClient): WalletBills {
  return {
    wallet: 'alipay',
    label: 'Alipay',
    async day(date) {
      const url = await client.billDownloadUrl({ bill_type: 'trade', bill_date: date });
      if (url.kind === 'business_error' && url.code === NO_BILL) return { kind: 'no_bill', message: `Alipay: ${url.description || url.code}` };
      if (url.kind === 'rejected') return { kind: 'error', message: `Alipay: ${url.code} ${url.message}` };
      if (url.kind === 'unknown' || url.kind === 'business_error') return { kind: 'error', message: `Alipay: ${url.code} ${url.description}`.trim() };
      if (url.kind !== 'ok') return { kind: 'error', message: `Alipay: unexpected answer (${url.kind})` };
      try {
        const bill = await client.downloadBill(url.value.bill_download_url);
        return { kind: 'ok', lines: bill.records.map(alipayBillLine) };
      } catch (error) {
        if (error instanceof GatewayError) return { kind: 'error', message: `Alipay: ${error.message}` };
        throw error;
      }
    },
    // One bill for the whole merchant account, whichever shop asks.
    account: () => '',
    ownsUnclaimed(line, shop, shops) {
      const store = line.store_id ?? '';
      if (shop === undefined || shop.id === DEFAULT_SHOP_ID) return store === '' || store === DEFAULT_SHOP_ID || !shops.has(store);
      return store === shop.id;
    },
  };
}

export function alipayBillLine(r: AlipayBillRecord): ShopBillLine {
  const base = { out_trade_no: r.out_trade_no, transaction_id: r.trade_no, store_id: r.store_id, total_fee: 0, settlement_total_fee: 0, coupon_fee: 0, out_refund_no: '', refund_status: '', refund_fee: 0 };
  if (r.kind === 'payment') return { ...base, trade_state: 'SUCCESS', total_fee: r.amount_fen, settlement_total_fee: r.receipt_fen };
  const back = Math.abs(r.amount_fen);
  if (r.out_request_no === '' || r.out_request_no === r.trade_no) return { ...base, trade_state: 'REVOKED', refund_status: 'SUCCESS', refund_fee: back };
  return { ...base, trade_state: 'REFUND', out_refund_no: r.out_request_no, refund_status: 'SUCCESS', refund_fee: back };
}
