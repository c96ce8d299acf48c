import { unzipSync } from 'fflate';
import { parseYuan } from '../../shared/money.ts';
import { GatewayError } from './gateway.ts';

/**
 * Alipay's trade bill (bill_type=trade): a zip `<pid>_<yyyyMMdd>.csv.zip` holding two GBK CSV
 * files, `<pid>_<yyyyMMdd>_业务明细.csv` (one line per payment or refund) and
 * `…_业务明细(汇总).csv` (per-store totals). Entry names are GBK without the zip UTF-8 flag, so
 * the files are told apart by their first line (`#支付宝业务明细查询` / `#支付宝业务汇总查询`),
 * not by name. The detail file: `#` header lines, a `#---…业务明细列表---…` marker, the column
 * row, the records (text fields end in a tab, so spreadsheets keep long numbers as text), a
 * `#---…业务明细列表结束---…` marker and `#` totals lines.
 */

export interface AlipayBillRecord {
  trade_no: string;
  out_trade_no: string;
  /** 业务类型: 交易 (a payment) or 退款 (a refund). */
  kind: 'payment' | 'refund';
  subject: string;
  /** Beijing time `yyyy-MM-dd HH:mm:ss`. */
  created_at: string;
  finished_at: string;
  store_id: string;
  terminal_id: string;
  buyer_account: string;
  /** 订单金额（元）: negative for refunds. */
  amount_fen: number;
  /** 商家实收（元）: what the merchant received (negative for refunds). */
  receipt_fen: number;
  /** 退款批次号/请求号: a refund's out_request_no. */
  out_request_no: string;
  /** 服务费（元）: Alipay's fee (negative: charged; positive on refunds: given back). */
  fee_fen: number;
  remark: string;
}

export interface AlipayBill {
  /** The merchant account in `#账号：[…]`. */
  account: string;
  records: AlipayBillRecord[];
}

const DETAIL_TITLE = '#支付宝业务明细查询';
const LIST_START = /^#-+业务明细列表-+$/;
const LIST_END = /^#-+业务明细列表结束-+$/;
const MAX_BILL_BYTES = 64 * 1024 * 1024;

const COLUMNS = {
  trade_no: '支付宝交易号',
  out_trade_no: '商户订单号',
  kind: '业务类型',
  subject: '商品名称',
  created_at: '创建时间',
  finished_at: '完成时间',
  store_id: '门店编号',
  terminal_id: '终端号',
  buyer_account: '对方账户',
  amount_fen: '订单金额（元）',
  receipt_fen: '商家实收（元）',
  out_request_no: '退款批次号/请求号',
  fee_fen: '服务费（元）',
  remark: '备注',
} as const;

export class BillFormatError extends Error {
  override readonly name = 'BillFormatError';
}

/** GET the zip within the deadline and read its detail file. */
export async function downloadBill(url: string, options: { timeoutMs: number }): Promise<AlipayBill> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(options.timeoutMs), redirect: 'follow' });
  } catch (error) {
    const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
    throw new GatewayError(timedOut ? 'timeout' : 'network', timedOut ? `no bill from ${new URL(url).host} within ${options.timeoutMs} ms` : `cannot fetch the bill: ${String(error)}`, { cause: error });
  }
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new GatewayError('bad_response', `the bill URL answered HTTP ${response.status} (it is valid for 30 seconds)`);
  }
  const declared = Number(response.headers.get('content-length'));
  if (declared > MAX_BILL_BYTES) throw new GatewayError('bad_response', `the bill is ${declared} bytes, more than ${MAX_BILL_BYTES}`);
  const zip = new Uint8Array(await response.arrayBuffer());
  try {
    return readBillZip(zip);
  } catch (error) {
    if (error instanceof BillFormatError) throw new GatewayError('bad_response', `malformed bill: ${error.message}`, { cause: error });
    throw error;
  }
}

export function readBillZip(zip: Uint8Array): AlipayBill {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(zip);
  } catch (error) {
    throw new BillFormatError(`not a zip file (${error instanceof Error ? error.message : String(error)})`);
  }
  const gbk = new TextDecoder('gbk');
  for (const bytes of Object.values(files)) {
    const text = gbk.decode(bytes);
    if (text.startsWith(DETAIL_TITLE)) return parseDetailCsv(text);
  }
  throw new BillFormatError(`no ${DETAIL_TITLE.slice(1)} file among ${Object.keys(files).length} entries`);
}

/** The detail CSV, already decoded from GBK. */
export function parseDetailCsv(text: string): AlipayBill {
  const lines = text.split(/\r?\n/);
  const account = /^#账号：\[(.*)\]/.exec(lines.find((l) => l.startsWith('#账号')) ?? '')?.[1] ?? '';
  const start = lines.findIndex((l) => LIST_START.test(l.trim()));
  if (start < 0) throw new BillFormatError('no 业务明细列表 marker');
  const header = splitCsvLine(lines[start + 1] ?? '');
  const index = {} as Record<keyof typeof COLUMNS, number>;
  for (const [field, title] of Object.entries(COLUMNS) as Array<[keyof typeof COLUMNS, string]>) {
    const at = header.indexOf(title);
    if (at < 0) throw new BillFormatError(`no column ${title}`);
    index[field] = at;
  }
  const records: AlipayBillRecord[] = [];
  let ended = false;
  for (let n = start + 2; n < lines.length; n++) {
    const line = lines[n]!;
    if (LIST_END.test(line.trim())) {
      ended = true;
      break;
    }
    if (!line.trim()) continue;
    const cells = splitCsvLine(line);
    const cell = (field: keyof typeof COLUMNS) => cells[index[field]] ?? '';
    const kind = cell('kind');
    if (kind !== '交易' && kind !== '退款') throw new BillFormatError(`line ${n + 1}: 业务类型 "${kind}" is neither 交易 nor 退款`);
    records.push({
      trade_no: cell('trade_no'),
      out_trade_no: cell('out_trade_no'),
      kind: kind === '交易' ? 'payment' : 'refund',
      subject: cell('subject'),
      created_at: cell('created_at'),
      finished_at: cell('finished_at'),
      store_id: cell('store_id'),
      terminal_id: cell('terminal_id'),
      buyer_account: cell('buyer_account'),
      amount_fen: signedFen(cell('amount_fen'), n),
      receipt_fen: signedFen(cell('receipt_fen'), n),
      out_request_no: cell('out_request_no'),
      fee_fen: signedFen(cell('fee_fen') || '0', n),
      remark: cell('remark'),
    });
  }
  if (!ended) throw new BillFormatError('no 业务明细列表结束 marker: the file is cut off');
  return { account, records };
}

/** Cells trimmed of the tab Alipay appends to text fields; double-quoted cells may hold commas. */
function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"' && cell.trim() === '') {
      quoted = true;
      cell = '';
    } else if (c === ',') {
      cells.push(cell.trim());
      cell = '';
    } else cell += c;
  }
  cells.push(cell.trim());
  return cells;
}

function signedFen(text: string, line: number): number {
  const negative = text.startsWith('-');
  const fen = parseYuan(negative ? text.slice(1) : text);
  if (fen === null) throw new BillFormatError(`line ${line + 1}: "${text}" is not an amount in yuan`);
  return negative && fen !== 0 ? -fen : fen;
}
