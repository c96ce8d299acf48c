import iconv from 'iconv-lite';
import { formatYuan } from '../../../shared/money.ts';
import { beijingDateTime } from '../time.ts';
import type { BillLine } from './ledger/index.ts';
import { zip } from './zip.ts';

/**
 * Alipay's trade bill as it is downloaded: `<account>_<date>.csv.zip` holding
 * `<account>_<date>_业务明细.csv` (one line per payment or refund) and
 * `<account>_<date>_业务明细(汇总).csv` (totals per store), both GBK with CRLF lines, entry
 * names GBK. `account` is the merchant PID followed by 0156, as in Alipay's files; text cells
 * end in a tab so spreadsheets keep long numbers as text. Alipay's fee: 0.6 %, rounded to the fen.
 */

const DETAIL_COLUMNS = [
  '支付宝交易号', '商户订单号', '业务类型', '商品名称', '创建时间', '完成时间', '门店编号', '门店名称', '操作员', '终端号', '对方账户',
  '订单金额（元）', '商家实收（元）', '支付宝红包（元）', '集分宝（元）', '支付宝优惠（元）', '商家优惠（元）', '券核销金额（元）', '券名称',
  '商家红包消费金额（元）', '卡消费金额（元）', '退款批次号/请求号', '服务费（元）', '分润（元）', '备注',
];
const SUMMARY_COLUMNS = ['门店编号', '门店名称', '交易订单总笔数', '退款订单总笔数', '订单金额（元）', '商家实收（元）', '支付宝优惠（元）', '商家优惠（元）', '卡消费金额（元）', '服务费（元）', '分润（元）', '实收净额（元）'];

const DETAIL_START = '#-----------------------------------------业务明细列表----------------------------------------';
const DETAIL_END = '#-----------------------------------------业务明细列表结束------------------------------------';
const SUMMARY_START = '#-----------------------------------------业务汇总列表----------------------------------------';
const SUMMARY_END = '#----------------------------------------业务汇总列表结束-------------------------------------';

const FEE_RATE = 0.006;

export interface BillFile {
  fileName: string;
  zip: Buffer;
}

export interface BillPeriod {
  /** yyyyMMdd or yyyyMM, as in the file names. */
  label: string;
  from: Date;
  to: Date;
}

export function renderBill(lines: BillLine[], account: string, period: BillPeriod, exportedAt: Date): BillFile {
  const base = `${account}_${period.label}`;
  const header = (title: string) => [
    `#支付宝${title}查询`,
    `#账号：[${account}]`,
    `#起始日期：[${chineseTime(period.from)}]   终止日期：[${chineseTime(period.to)}]`,
  ];
  const exported = `#导出时间：[${chineseTime(exportedAt)}]`;

  const rows = lines.map(detailRow);
  const payments = lines.filter((l) => l.kind === 'payment');
  const refunds = lines.filter((l) => l.kind === 'refund');
  const sum = (ls: BillLine[]) => ls.reduce((s, l) => s + l.amount_fen, 0);
  const detail = [
    ...header('业务明细'),
    DETAIL_START,
    DETAIL_COLUMNS.join(','),
    ...rows,
    DETAIL_END,
    `#交易合计：${payments.length}笔，商家实收共${formatYuan(sum(payments))}元，商家优惠共0.00元`,
    `#退款合计：${refunds.length}笔，商家实收退款共${formatYuan(-sum(refunds))}元，商家优惠退款共0.00元`,
    exported,
  ];

  const stores = [...new Set(lines.map((l) => l.trade.store_id ?? ''))].sort();
  const summaryRow = (id: string, name: string, ls: BillLine[]) => {
    const paid = sum(ls.filter((l) => l.kind === 'payment'));
    const back = sum(ls.filter((l) => l.kind === 'refund'));
    const fee = ls.reduce((s, l) => s + signedFee(l), 0);
    return [
      text(id), text(name), String(ls.filter((l) => l.kind === 'payment').length), String(ls.filter((l) => l.kind === 'refund').length),
      formatYuan(paid - back), formatYuan(paid - back), '0.00', '0.00', '0.00', formatYuan(fee), '0.00', formatYuan(paid - back + fee),
    ].join(',');
  };
  const summary = [
    ...header('业务汇总'),
    SUMMARY_START,
    SUMMARY_COLUMNS.join(','),
    ...stores.map((id) => summaryRow(id, id ? `门店 ${id}` : '', lines.filter((l) => (l.trade.store_id ?? '') === id))),
    summaryRow('合计', '', lines),
    SUMMARY_END,
    exported,
  ];

  const gbk = (s: string) => iconv.encode(s, 'gbk');
  const time = zipTime(exportedAt);
  return {
    fileName: `${base}.csv.zip`,
    zip: zip([
      { name: gbk(`${base}_业务明细.csv`), data: gbk(detail.join('\r\n') + '\r\n'), time },
      { name: gbk(`${base}_业务明细(汇总).csv`), data: gbk(summary.join('\r\n') + '\r\n'), time },
    ]),
  };
}

function detailRow(line: BillLine): string {
  const t = line.trade;
  const sign = line.kind === 'refund' ? -1 : 1;
  const amount = formatYuan(sign * line.amount_fen);
  return [
    text(t.trade_no),
    text(t.out_trade_no),
    text(line.kind === 'payment' ? '交易' : '退款'),
    plain(t.subject),
    beijingDateTime(t.created_at),
    beijingDateTime(line.time),
    text(t.store_id ?? ''),
    text(t.store_id ? `门店 ${t.store_id}` : ''),
    text(t.operator_id ?? ''),
    text(t.terminal_id ?? ''),
    text(t.buyer_logon_id),
    amount,
    amount,
    '0.00',
    '0.00',
    '0.00',
    '0.00',
    '0.00',
    '', // 券名称: empty without the tab, as on Alipay's files
    '0.00\t', // 商家红包消费金额 carries the tab on Alipay's files, though a number
    '0.00',
    text(line.out_request_no ?? ''),
    formatYuan(signedFee(line)),
    '0.00',
    '', // 备注
  ].join(',');
}

/** The fee is charged on payments (negative) and given back on refunds (positive). */
function signedFee(line: BillLine): number {
  const fee = Math.round(line.amount_fen * FEE_RATE);
  return line.kind === 'payment' ? -fee : fee;
}

/** A cell without quoting: commas would break the row (Alipay's cells never quote). */
function plain(value: string): string {
  return value.replace(/[,\r\n]/g, ' ');
}

/** A text cell: a trailing tab, as Alipay writes numbers-as-text (ids, 业务类型); 商品名称 and 备注 have none. */
function text(value: string): string {
  return `${plain(value)}\t`;
}

function chineseTime(date: Date): string {
  const t = beijingDateTime(date); // yyyy-MM-dd HH:mm:ss
  return `${t.slice(0, 4)}年${t.slice(5, 7)}月${t.slice(8, 10)}日 ${t.slice(11)}`;
}

function zipTime(date: Date) {
  const t = beijingDateTime(date);
  return { year: +t.slice(0, 4), month: +t.slice(5, 7), day: +t.slice(8, 10), hour: +t.slice(11, 13), minute: +t.slice(14, 16), second: +t.slice(17, 19) };
}
