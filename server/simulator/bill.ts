import { formatYuan } from '../../shared/money.ts';
import type { BillRecord } from './ledger.ts';
import { beijingDateTime } from './time.ts';

/**
 * The downloadbill CSV exactly as WeChat writes it: a header line, one line per record with
 * every value prefixed by a backtick (so spreadsheet tools keep long numbers as text), a totals
 * header and one line of totals. Amounts in yuan with two decimals; CRLF line ends.
 */
export const BILL_HEADER =
  '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注';
export const BILL_TOTALS_HEADER = '总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额';

/** The simulated merchant's fee rate: 0.6%, WeChat's standard rate, rounded half up to the fen. */
const RATE_PERMILLE = 6;
const feeOf = (fen: number) => Math.round((fen * RATE_PERMILLE) / 1000);

export type BillType = 'ALL' | 'SUCCESS' | 'REFUND' | 'RECHARGE_REFUND';

export interface BillMerchant {
  appid: string;
  mch_id: string;
  sub_mch_id?: string;
}

/** A CSV cell: backtick first; commas and line breaks cannot appear inside a value, so they become spaces. */
const cell = (value: string) => '`' + value.replace(/[,\r\n`]/g, ' ');

export function renderBill(records: readonly BillRecord[], merchant: BillMerchant, billType: BillType): string {
  const wanted = selectRecords(records, billType);
  const lines = [BILL_HEADER];
  let settled = 0;
  let refundedTotal = 0;
  let feeTotal = 0;
  let orderTotal = 0;
  for (const r of wanted) {
    const payment = r.kind === 'SUCCESS';
    const refund = payment ? 0 : (r.refund_fee ?? 0);
    const fee = payment ? feeOf(r.total_fee) : -feeOf(refund);
    if (payment) {
      settled += r.total_fee;
      orderTotal += r.total_fee;
    }
    refundedTotal += refund;
    feeTotal += fee;
    lines.push(
      [
        beijingDateTime(r.time),
        merchant.appid,
        merchant.mch_id,
        merchant.sub_mch_id ?? '0',
        r.device_info ?? '',
        r.transaction_id,
        r.out_trade_no,
        r.openid,
        'MICROPAY',
        r.kind,
        'OTHERS',
        'CNY',
        formatYuan(payment ? r.total_fee : 0),
        '0.00',
        r.refund_id ?? '0',
        r.out_refund_no ?? '0',
        formatYuan(refund),
        '0.00',
        payment ? '' : 'ORIGINAL',
        payment ? '' : 'SUCCESS',
        r.body,
        r.attach ?? '',
        formatYuan(fee),
        '0.60%',
        formatYuan(payment ? r.total_fee : 0),
        formatYuan(refund),
        '',
      ]
        .map(cell)
        .join(','),
    );
  }
  lines.push(BILL_TOTALS_HEADER);
  lines.push(
    [String(wanted.length), formatYuan(settled), formatYuan(refundedTotal), '0.00', formatYuan(feeTotal), formatYuan(orderTotal), formatYuan(refundedTotal)]
      .map(cell)
      .join(','),
  );
  return lines.join('\r\n') + '\r\n';
}

/**
 * The records a bill type holds. RECHARGE_REFUND lists refunds of recharge coupons, which the
 * simulator never issues, so it is always empty (answered "No Bill Exist").
 */
export function selectRecords(records: readonly BillRecord[], billType: BillType): BillRecord[] {
  switch (billType) {
    case 'ALL':
      return [...records];
    case 'SUCCESS':
      return records.filter((r) => r.kind === 'SUCCESS');
    case 'REFUND':
      return records.filter((r) => r.kind !== 'SUCCESS');
    case 'RECHARGE_REFUND':
      return [];
  }
}
