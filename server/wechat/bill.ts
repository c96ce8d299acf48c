import { GatewayError } from './gateway.ts';

/**
 * The downloadbill CSV (test/server/wechat/bill-samples.ts holds the official samples): a header line,
 * one line per record with every value prefixed by a backtick, a totals header (总交易单数,…) and
 * one line of totals. ALL (27 columns), SUCCESS (20) and REFUND (29, with 退款申请时间 and
 * 退款成功时间) bills differ in their columns, so columns are found by their Chinese header;
 * the older 24-column ALL layout and its 5-field totals read too. Columns this reader does not
 * know are kept in `other`.
 *
 * Money is exact integers, never floats: amounts (yuan with 2 decimals) become fen, WeChat's
 * fee (手续费, yuan with 5 decimals, e.g. `0.04000`) becomes milli-fen (1 yuan = 100,000).
 */
export type BillType = 'ALL' | 'SUCCESS' | 'REFUND' | 'RECHARGE_REFUND';

export interface BillRecord {
  /** `yyyy-MM-dd HH:mm:ss`, Beijing time (full-width colons of old bills made ASCII). */
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
  /** REFUND bills only: when the refund was requested and when it succeeded ('' when not given). */
  refund_apply_time: string;
  refund_success_time: string;
  refund_id: string;
  out_refund_no: string;
  refund_fee: number;
  coupon_refund_fee: number;
  refund_type: string;
  refund_status: string;
  body: string;
  attach: string;
  /** WeChat's fee in milli-fen (`0.04000` yuan → 4000); negative on refund lines (the fee given back). */
  service_fee_millifen: number;
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
  service_fee_millifen: number;
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
  退款申请时间: 'refund_apply_time',
  退款成功时间: 'refund_success_time',
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
  总金额: 'total_fee', // old layout: the order amount
  代金券金额: 'coupon_fee',
  代金券或立减优惠金额: 'coupon_fee', // old name
  退款金额: 'refund_fee',
  充值券退款金额: 'coupon_refund_fee',
  代金券或立减优惠退款金额: 'coupon_refund_fee', // old name
  企业红包退款金额: 'coupon_refund_fee', // old name
  订单金额: 'total_fee',
  申请退款金额: 'apply_refund_fee',
};

const FEE_COLUMN = '手续费';

const SUMMARY_COLUMNS: Readonly<Record<string, Exclude<keyof BillSummary, 'count' | 'service_fee_millifen'>>> = {
  应结订单总金额: 'settlement_total_fee',
  总交易额: 'total_fee', // old layout
  退款总金额: 'refund_fee',
  总退款金额: 'refund_fee', // old layout
  充值券退款总金额: 'coupon_refund_fee',
  企业红包退款总金额: 'coupon_refund_fee',
  总代金券或立减优惠退款金额: 'coupon_refund_fee', // old layout
  订单总金额: 'total_fee',
  申请退款总金额: 'apply_refund_fee',
};
const COUNT_COLUMN = '总交易单数';
const FEE_TOTAL_COLUMN = '手续费总金额';

const REQUIRED_COLUMNS = ['交易时间', '微信订单号', '商户订单号', '交易状态'];

const bad = (message: string) => new GatewayError('bad_response', `malformed bill: ${message}`);

export function parseBill(text: string): Bill {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const totalsAt = lines.findIndex((line) => line.startsWith(COUNT_COLUMN));
  if (lines.length < 3 || totalsAt < 1 || totalsAt !== lines.length - 2) {
    throw bad('expected a header line, record lines, the 总交易单数 totals header and one totals line');
  }

  const header = lines[0]!.split(',');
  for (const column of REQUIRED_COLUMNS) if (!header.includes(column)) throw bad(`no ${column} column`);
  const records = lines.slice(1, totalsAt).map((line, i) => readRecord(header, cells(line, header.length, i + 2), i + 2));

  const totalsHeader = lines[totalsAt]!.split(',');
  const totals = cells(lines[totalsAt + 1]!, totalsHeader.length, totalsAt + 2);
  const summary = readSummary(totalsHeader, totals, totalsAt + 2);
  if (summary.count !== records.length) throw bad(`the totals count ${summary.count} trades but the bill lists ${records.length}`);
  checkTotals(header, totalsHeader, records, summary);
  return { records, summary };
}

function readSummary(header: readonly string[], values: readonly string[], lineNo: number): BillSummary {
  const summary: BillSummary = { count: 0, settlement_total_fee: 0, refund_fee: 0, coupon_refund_fee: 0, service_fee_millifen: 0, total_fee: 0, apply_refund_fee: 0 };
  header.forEach((column, i) => {
    const value = values[i]!;
    if (column === COUNT_COLUMN) {
      if (!/^\d+$/.test(value)) throw bad(`总交易单数 is not a count: "${value}"`);
      summary.count = Number(value);
    } else if (column === FEE_TOTAL_COLUMN) {
      summary.service_fee_millifen = exact(value, 5, column, lineNo);
    } else {
      const key = SUMMARY_COLUMNS[column];
      if (key) summary[key] = exact(value, 2, column, lineNo);
    }
  });
  return summary;
}

/**
 * A bill whose totals disagree with its lines was cut short or garbled on the way: reading it
 * as complete would report payments missing that are not. Each total is checked against the
 * sum of its column when the bill has both.
 */
function checkTotals(header: readonly string[], totalsHeader: readonly string[], records: readonly BillRecord[], summary: BillSummary): void {
  const sum = (key: keyof BillSummary & keyof BillRecord) => records.reduce((total, r) => total + (r[key] as number), 0);
  const pairs: [string, string, keyof BillSummary & keyof BillRecord][] = [
    ['应结订单金额', '应结订单总金额', 'settlement_total_fee'],
    ['退款金额', '退款总金额', 'refund_fee'],
    ['订单金额', '订单总金额', 'total_fee'],
    ['申请退款金额', '申请退款总金额', 'apply_refund_fee'],
    [FEE_COLUMN, FEE_TOTAL_COLUMN, 'service_fee_millifen'],
  ];
  for (const [column, totalColumn, key] of pairs) {
    if (!header.includes(column) || !totalsHeader.includes(totalColumn)) continue;
    if (sum(key) !== summary[key]) throw bad(`${totalColumn} does not equal the sum of the ${column} column`);
  }
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
    refund_apply_time: '', refund_success_time: '', refund_id: '', out_refund_no: '', refund_fee: 0, coupon_refund_fee: 0,
    refund_type: '', refund_status: '', body: '', attach: '', service_fee_millifen: 0, rate: '', total_fee: 0,
    apply_refund_fee: 0, rate_remark: '', other: {},
  };
  header.forEach((column, i) => {
    const value = values[i]!;
    const textKey = TEXT_COLUMNS[column];
    const amountKey = AMOUNT_COLUMNS[column];
    if (column === FEE_COLUMN) record.service_fee_millifen = exact(value, 5, column, lineNo);
    else if (textKey) record[textKey] = textKey.endsWith('_time') ? billTime(value) : value;
    else if (amountKey) record[amountKey] = exact(value, 2, column, lineNo);
    else record.other[column] = value;
  });
  return record;
}

/** Old bills write `16：33：45` with full-width colons, sometimes glued to the date. */
function billTime(text: string): string {
  const ascii = text.replaceAll('：', ':');
  const glued = /^(\d{4}-\d{2}-\d{2})(\d{2}:\d{2}:\d{2})$/.exec(ascii);
  return glued ? `${glued[1]} ${glued[2]}` : ascii;
}

/**
 * Yuan text with at most `decimals` decimals as an integer of 10^-decimals yuan, by string
 * arithmetic: "12.34" (2) → 1234 fen, "0.04000" (5) → 4000 milli-fen, "-0.02000" → -2000,
 * "0" → 0, "" → 0. Anything else (more decimals, exponent, spaces) is malformed.
 */
function exact(text: string, decimals: number, column: string, lineNo: number): number {
  if (text === '') return 0;
  const m = /^(-?)(\d{1,13})(?:\.(\d+))?$/.exec(text);
  if (!m || (m[3] ?? '').length > decimals) throw bad(`${column} on line ${lineNo} is not an amount: "${text}"`);
  const value = Number(m[2]) * 10 ** decimals + Number((m[3] ?? '').padEnd(decimals, '0'));
  return m[1] === '-' && value !== 0 ? -value : value;
}
