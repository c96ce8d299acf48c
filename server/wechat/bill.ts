import { parseYuan } from '../../shared/money.ts';
import { GatewayError } from './gateway.ts';

/**
 * The downloadbill CSV (docs/wechat-protocol.md, Bills): a header line, one line per record with every value
 * prefixed by a backtick, a totals header (总交易单数,…) and one line of totals. Columns are
 * found by their Chinese header, so SUCCESS/REFUND bills with fewer or extra columns read too;
 * columns this reader does not know are kept in `other`. Amounts (yuan in the file) become fen.
 */
export type BillType = 'ALL' | 'SUCCESS' | 'REFUND' | 'RECHARGE_REFUND';

export interface BillRecord {
  trade_time: string;
  appid: string;
  mch_id: string;
  sub_mch_id: string;
  device_info: string;
  transaction_id: string;
  out_trade_no: string;
  openid: string;
  trade_type: string;
  /** SUCCESS, REFUND, REVOKED, … */
  trade_state: string;
  bank_type: string;
  fee_type: string;
  settlement_total_fee: number;
  coupon_fee: number;
  refund_id: string;
  out_refund_no: string;
  refund_fee: number;
  coupon_refund_fee: number;
  refund_type: string;
  refund_status: string;
  body: string;
  attach: string;
  /** WeChat's fee; negative on refund lines (the fee given back). */
  service_fee: number;
  rate: string;
  total_fee: number;
  apply_refund_fee: number;
  rate_remark: string;
  /** Columns this reader does not know, by their header. */
  other: Record<string, string>;
}

export interface BillSummary {
  count: number;
  settlement_total_fee: number;
  refund_fee: number;
  coupon_refund_fee: number;
  service_fee: number;
  total_fee: number;
  apply_refund_fee: number;
}

export interface Bill {
  records: BillRecord[];
  summary: BillSummary;
}

type TextKey = { [K in keyof BillRecord]: BillRecord[K] extends string ? K : never }[keyof BillRecord];
type AmountKey = { [K in keyof BillRecord]: BillRecord[K] extends number ? K : never }[keyof BillRecord];

const TEXT_COLUMNS: Readonly<Record<string, TextKey>> = {
  交易时间: 'trade_time',
  公众账号ID: 'appid',
  商户号: 'mch_id',
  特约商户号: 'sub_mch_id',
  子商户号: 'sub_mch_id',
  设备号: 'device_info',
  微信订单号: 'transaction_id',
  商户订单号: 'out_trade_no',
  用户标识: 'openid',
  交易类型: 'trade_type',
  交易状态: 'trade_state',
  付款银行: 'bank_type',
  货币种类: 'fee_type',
  微信退款单号: 'refund_id',
  商户退款单号: 'out_refund_no',
  退款类型: 'refund_type',
  退款状态: 'refund_status',
  商品名称: 'body',
  商户数据包: 'attach',
  费率: 'rate',
  费率备注: 'rate_remark',
};

const AMOUNT_COLUMNS: Readonly<Record<string, AmountKey>> = {
  应结订单金额: 'settlement_total_fee',
  代金券金额: 'coupon_fee',
  代金券或立减优惠金额: 'coupon_fee', // older name
  退款金额: 'refund_fee',
  充值券退款金额: 'coupon_refund_fee',
  企业红包退款金额: 'coupon_refund_fee', // older name
  手续费: 'service_fee',
  订单金额: 'total_fee',
  申请退款金额: 'apply_refund_fee',
};

const SUMMARY_COLUMNS: Readonly<Record<string, keyof BillSummary>> = {
  总交易单数: 'count',
  应结订单总金额: 'settlement_total_fee',
  退款总金额: 'refund_fee',
  充值券退款总金额: 'coupon_refund_fee',
  企业红包退款总金额: 'coupon_refund_fee',
  手续费总金额: 'service_fee',
  订单总金额: 'total_fee',
  申请退款总金额: 'apply_refund_fee',
};

const REQUIRED_COLUMNS = ['交易时间', '微信订单号', '商户订单号', '交易状态'];

const bad = (message: string) => new GatewayError('bad_response', `malformed bill: ${message}`);

export function parseBill(text: string): Bill {
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const totalsAt = lines.findIndex((line) => line.startsWith('总交易单数'));
  if (lines.length < 3 || totalsAt < 1 || totalsAt !== lines.length - 2) {
    throw bad('expected a header line, record lines, the 总交易单数 totals header and one totals line');
  }

  const header = lines[0]!.split(',');
  for (const column of REQUIRED_COLUMNS) if (!header.includes(column)) throw bad(`no ${column} column`);
  const records = lines.slice(1, totalsAt).map((line, i) => readRecord(header, cells(line, header.length, i + 2), i + 2));

  const totalsHeader = lines[totalsAt]!.split(',');
  const totals = cells(lines[totalsAt + 1]!, totalsHeader.length, totalsAt + 2);
  const summary: BillSummary = { count: 0, settlement_total_fee: 0, refund_fee: 0, coupon_refund_fee: 0, service_fee: 0, total_fee: 0, apply_refund_fee: 0 };
  totalsHeader.forEach((column, i) => {
    const key = SUMMARY_COLUMNS[column];
    if (!key) return;
    const value = totals[i]!;
    if (key === 'count') {
      if (!/^\d+$/.test(value)) throw bad(`总交易单数 is not a count: "${value}"`);
      summary.count = Number(value);
    } else {
      summary[key] = amount(value, column, totalsAt + 2);
    }
  });
  if (summary.count !== records.length) throw bad(`the totals count ${summary.count} trades but the bill lists ${records.length}`);
  return { records, summary };
}

/** One line's values: each starts with a backtick, which is dropped. */
function cells(line: string, expected: number, lineNo: number): string[] {
  if (!line.startsWith('`')) throw bad(`line ${lineNo} does not start with a backtick`);
  const values = line.slice(1).split(',`');
  if (values.length !== expected) throw bad(`line ${lineNo} has ${values.length} values for ${expected} columns`);
  return values;
}

function readRecord(header: readonly string[], values: readonly string[], lineNo: number): BillRecord {
  const record: BillRecord = {
    trade_time: '', appid: '', mch_id: '', sub_mch_id: '', device_info: '', transaction_id: '', out_trade_no: '',
    openid: '', trade_type: '', trade_state: '', bank_type: '', fee_type: '', settlement_total_fee: 0, coupon_fee: 0,
    refund_id: '', out_refund_no: '', refund_fee: 0, coupon_refund_fee: 0, refund_type: '', refund_status: '', body: '',
    attach: '', service_fee: 0, rate: '', total_fee: 0, apply_refund_fee: 0, rate_remark: '', other: {},
  };
  header.forEach((column, i) => {
    const value = values[i]!;
    const textKey = TEXT_COLUMNS[column];
    const amountKey = AMOUNT_COLUMNS[column];
    if (textKey) record[textKey] = value;
    else if (amountKey) record[amountKey] = amount(value, column, lineNo);
    else record.other[column] = value;
  });
  return record;
}

/** "12.34" → 1234, "-0.01" → -1 (refund lines give fees back), "" → 0; anything else is malformed. */
function amount(text: string, column: string, lineNo: number): number {
  if (text === '') return 0;
  const negative = text.startsWith('-');
  const fen = parseYuan(negative ? text.slice(1) : text);
  if (fen === null || text.trim() !== text) throw bad(`${column} on line ${lineNo} is not an amount: "${text}"`);
  return negative && fen !== 0 ? -fen : fen;
}
