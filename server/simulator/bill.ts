import { formatYuan } from '../../shared/money.ts';
import type { BillRecord } from './ledger/index.ts';
import { beijingDateTime } from './time.ts';

/**
 * The downloadbill CSV exactly as WeChat writes it (the official samples are in
 * test/server/wechat/bill-samples.ts): a header line, one line per record with every value
 * prefixed by a backtick (so spreadsheet tools keep long numbers as text), a totals header and
 * one line of totals, CRLF line ends. ALL, SUCCESS and REFUND bills have columns of their own
 * and share the totals header. Amounts are yuan with 2 decimals, WeChat's fee (手续费) yuan
 * with 5 decimals. A refund line carries its request time (it is on that day's bill).
 */
const ALL_COLUMNS = [
  '交易时间', '公众账号ID', '商户号', '特约商户号', '设备号', '微信订单号', '商户订单号', '用户标识', '交易类型', '交易状态', '付款银行', '货币种类',
  '应结订单金额', '代金券金额', '微信退款单号', '商户退款单号', '退款金额', '充值券退款金额', '退款类型', '退款状态', '商品名称', '商户数据包',
  '手续费', '费率', '订单金额', '申请退款金额', '费率备注',
] as const;
const SUCCESS_COLUMNS = [
  '交易时间', '公众账号ID', '商户号', '特约商户号', '设备号', '微信订单号', '商户订单号', '用户标识', '交易类型', '交易状态', '付款银行', '货币种类',
  '应结订单金额', '代金券金额', '商品名称', '商户数据包', '手续费', '费率', '订单金额', '费率备注',
] as const;
const REFUND_COLUMNS = [
  '交易时间', '公众账号ID', '商户号', '特约商户号', '设备号', '微信订单号', '商户订单号', '用户标识', '交易类型', '交易状态', '付款银行', '货币种类',
  '应结订单金额', '代金券金额', '退款申请时间', '退款成功时间', '微信退款单号', '商户退款单号', '退款金额', '充值券退款金额', '退款类型', '退款状态',
  '商品名称', '商户数据包', '手续费', '费率', '订单金额', '申请退款金额', '费率备注',
] as const;
type Column = (typeof ALL_COLUMNS)[number] | (typeof REFUND_COLUMNS)[number];

export type BillType = 'ALL' | 'SUCCESS' | 'REFUND' | 'RECHARGE_REFUND';

const COLUMNS: Record<BillType, readonly Column[]> = { ALL: ALL_COLUMNS, SUCCESS: SUCCESS_COLUMNS, REFUND: REFUND_COLUMNS, RECHARGE_REFUND: REFUND_COLUMNS };

export const BILL_HEADERS: Readonly<Record<BillType, string>> = {
  ALL: ALL_COLUMNS.join(','),
  SUCCESS: SUCCESS_COLUMNS.join(','),
  REFUND: REFUND_COLUMNS.join(','),
  RECHARGE_REFUND: REFUND_COLUMNS.join(','),
};
/** The ALL bill's header (the default bill type). */
export const BILL_HEADER = BILL_HEADERS.ALL;
export const BILL_TOTALS_HEADER = '总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额';

/** The simulated merchant's fee: 0.6%, WeChat's standard rate, rounded half up to the fen (as on real bills: 6.00 → 0.04000). */
const RATE = '0.60%';
const feeMillifen = (fen: number) => Math.round((fen * 6) / 1000) * 1000;

/** Milli-fen as yuan with 5 decimals: 4000 → "0.04000", -2000 → "-0.02000". */
export function formatFee(millifen: number): string {
  if (!Number.isSafeInteger(millifen)) throw new RangeError(`not an integer amount of milli-fen: ${millifen}`);
  const abs = Math.abs(millifen);
  return `${millifen < 0 ? '-' : ''}${Math.floor(abs / 100_000)}.${String(abs % 100_000).padStart(5, '0')}`;
}

export interface BillMerchant {
  appid: string;
  mch_id: string;
  sub_mch_id?: string;
}

/** A CSV cell: backtick first; commas and line breaks cannot appear inside a value, so they become spaces. */
const cell = (value: string) => '`' + value.replace(/[,\r\n`]/g, ' ');

interface LineAmounts {
  settled: number;
  refunded: number;
  fee: number;
  ordered: number;
}

function lineValues(r: BillRecord, merchant: BillMerchant): { values: Record<Column, string>; amounts: LineAmounts } {
  const payment = r.kind === 'SUCCESS';
  const refund = payment ? 0 : (r.refund_fee ?? 0);
  // 应结订单金额 is what the merchant settles (less a no-cash coupon), 代金券金额 the coupon, 订单金额 the order.
  const amounts: LineAmounts = {
    settled: payment ? r.settlement_fee : 0,
    refunded: refund,
    fee: payment ? feeMillifen(r.settlement_fee) : -feeMillifen(refund),
    ordered: payment ? r.total_fee : 0,
  };
  const values: Record<Column, string> = {
    交易时间: beijingDateTime(r.time),
    公众账号ID: merchant.appid,
    商户号: merchant.mch_id,
    特约商户号: r.sub_mch_id ?? merchant.sub_mch_id ?? '0',
    设备号: r.device_info ?? '',
    微信订单号: r.transaction_id,
    商户订单号: r.out_trade_no,
    用户标识: r.openid,
    交易类型: 'MICROPAY',
    交易状态: r.kind,
    付款银行: 'OTHERS',
    货币种类: 'CNY',
    应结订单金额: formatYuan(amounts.settled),
    代金券金额: formatYuan(payment ? r.discount_fee : 0),
    退款申请时间: r.refund_requested_at ? beijingDateTime(r.refund_requested_at) : '',
    退款成功时间: r.refund_succeeded_at ? beijingDateTime(r.refund_succeeded_at) : '',
    微信退款单号: r.refund_id ?? '0',
    商户退款单号: r.out_refund_no ?? '0',
    退款金额: formatYuan(refund),
    充值券退款金额: '0.00',
    退款类型: payment ? '' : 'ORIGINAL',
    退款状态: payment ? '' : (r.refund_status ?? 'SUCCESS'),
    商品名称: r.body,
    商户数据包: r.attach ?? '',
    手续费: formatFee(amounts.fee),
    费率: RATE,
    订单金额: formatYuan(amounts.ordered),
    申请退款金额: formatYuan(refund),
    费率备注: '',
  };
  return { values, amounts };
}

export function renderBill(records: readonly BillRecord[], merchant: BillMerchant, billType: BillType): string {
  const wanted = selectRecords(records, billType);
  const columns = COLUMNS[billType];
  const lines = [BILL_HEADERS[billType]];
  const total: LineAmounts = { settled: 0, refunded: 0, fee: 0, ordered: 0 };
  for (const r of wanted) {
    const { values, amounts } = lineValues(r, merchant);
    total.settled += amounts.settled;
    total.refunded += amounts.refunded;
    total.fee += amounts.fee;
    total.ordered += amounts.ordered;
    lines.push(columns.map((c) => cell(values[c])).join(','));
  }
  lines.push(BILL_TOTALS_HEADER);
  lines.push(
    [String(wanted.length), formatYuan(total.settled), formatYuan(total.refunded), '0.00', formatFee(total.fee), formatYuan(total.ordered), formatYuan(total.refunded)]
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
